/**
 * `fusemax design` as a function (src/design/design.ts):
 * - rediscovery: the 1-pass cascade on +Binding's hardware (physical fidelity) is at least as fast as
 *   the hand-made +Binding and within 2% of its energy (a sample of the paper's points; all 24 are in
 *   `npm run bench -- design`), and so is the 3-pass cascade after the pass-reducing rewrites;
 * - other cascades (softmax, logsumexp, layer and RMS norms, matrix-product chains, an MLP, 2-pass and
 *   deferred-division attention, an iterative cascade): the emitted design evaluates to the same numbers,
 *   is never slower than every Einsum alone (`--fusion none`), reads every input and writes every output
 *   at least once, and is never faster than its DRAM traffic allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { designCascadeOn, type DesignOutcome, type DesignRequest } from '../../src/design/design.ts';
import { explainDesign } from '../../src/design/explain.ts';
import { quirksFor } from '../../src/experiments/artifact-quirks.ts';
import { loadDesign } from '../../src/experiments/design-spec.ts';
import { evaluateDesign } from '../../src/experiments/evaluate-design.ts';
import { instantiate } from '../../src/experiments/instantiate.ts';
import { designOf, evaluatePoint } from '../../src/experiments/paper.ts';
import { versusHand } from '../../src/design/versus-hand.ts';
import { loadCascade } from '../../src/ir/check.ts';
import type { Cascade } from '../../src/ir/cascade.ts';
import { builtinCascade } from '../helpers/cascades.ts';
import { library, ROOT } from '../experiments/helpers.ts';

function fixture(name: string): Cascade {
  return loadCascade(readFileSync(join(ROOT, 'test', 'fixtures', 'design', `${name}.cascade`), 'utf8'), `${name}.cascade`);
}

function design(cascade: Cascade, name: string, arch: string, point: DesignRequest['point'], extra: Partial<DesignRequest> = {}): DesignOutcome {
  return designCascadeOn({ cascade, cascadeName: name, hardware: library().designs.get(arch)!, point, fidelity: 'physical', objective: 'latency', fusion: 'auto', optimize: false, ...extra });
}

const model = (m: string, seq: string): DesignRequest['point'] => ({ kind: 'model', spec: library().workloads, model: m, seq });
const shape = (text: string): DesignRequest['point'] => ({ kind: 'shape', shapes: new Map(text.split(',').map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])])) });

/** The emitted YAML, loaded and evaluated as `fusemax evaluate --design` does. */
function reevaluate(o: DesignOutcome, fidelity: 'physical' | 'artifact' = 'physical') {
  return evaluateDesign(instantiate(loadDesign('auto.yaml', o.yaml), o.workload, quirksFor(fidelity)));
}

test('rediscovery: attention-1pass on +Binding hardware is as fast as +Binding, within 2% of its energy', () => {
  for (const [m, seq] of [['BERT', '1K'], ['XLM', '64K'], ['T5', '1M']] as const) {
    const o = design(builtinCascade('attention-1pass'), 'attention-1pass', 'binding', model(m, seq));
    const hand = evaluatePoint(library(), 'binding', m, seq, quirksFor('physical'));
    const lat = o.result.latency / hand.latency;
    const energy = o.result.energy / hand.energy;
    assert.ok(lat <= 1 + 1e-9, `${m} ${seq}: latency ${lat} of +Binding's`);
    // Lower is allowed: the hand design's SLNV follows the artifact's problem (accumulated across M1 chunks).
    assert.ok(energy <= 1.02 && energy >= 0.85, `${m} ${seq}: energy ${energy} of +Binding's`);
    // One fused group, the key chunks as the traversal's sequential loop or whole on chip.
    assert.equal(o.groups.length, 1);
    const again = reevaluate(o);
    assert.equal(again.latency, o.result.latency);
    assert.equal(again.energy, o.result.energy);
  }
});

test('rediscovery: attention-3pass rewritten (--optimize) reaches the same', () => {
  const o = design(builtinCascade('attention-3pass'), 'attention-3pass', 'binding', model('TrXL', '16K'), { optimize: true });
  const hand = evaluatePoint(library(), 'binding', 'TrXL', '16K', quirksFor('physical'));
  assert.ok(o.rewrites.length === 3, o.rewrites.join('; '));
  assert.ok(o.result.latency <= hand.latency * (1 + 1e-9), `latency ${o.result.latency / hand.latency}`);
  assert.ok(o.result.energy <= hand.energy * 1.02, `energy ${o.result.energy / hand.energy}`);
  assert.equal(o.groups.length, 1);
});

const CASES: [string, () => Cascade, string][] = [
  ['softmax', () => fixture('softmax'), 'M=512,P=1024'],
  ['logsumexp', () => fixture('logsumexp'), 'M=1024,P=256'],
  ['layernorm', () => fixture('layernorm'), 'D=1024,P=1024'],
  ['rmsnorm', () => fixture('rmsnorm'), 'D=1024,P=1024'],
  ['matmul-chain', () => fixture('matmul-chain'), 'K=256,M=1024,N=512,J=256'],
  ['mlp', () => fixture('mlp'), 'D=256,M=512,S=1024,F=256'],
  ['attention-2pass', () => builtinCascade('attention-2pass'), 'E=64,F=64,M=1024,P=512'],
  ['attention-3pass-deferred-division', () => builtinCascade('attention-3pass-deferred-division'), 'E=64,F=64,M=512,P=512'],
  ['cascade3-iterative', () => builtinCascade('cascade3-iterative'), 'K=4096'],
];

test('other cascades: same numbers re-evaluated, never slower than unfused, every input and output moved, within the DRAM bound', () => {
  for (const [name, load, shapes] of CASES) {
    const c = load();
    const auto = design(c, name, 'binding', shape(shapes));
    const none = design(c, name, 'binding', shape(shapes), { fusion: 'none' });
    for (const o of [auto, none]) {
      const again = reevaluate(o);
      assert.equal(again.latency, o.result.latency, name);
      assert.equal(again.energy, o.result.energy, name);
      // Inputs read and outputs written at least once: 2 B a word.
      let words = 0;
      for (const t of c.tensors.values()) {
        if (t.role === 'intermediate') continue;
        words += t.ranks.reduce((p, r) => p * o.einsums.shapes.get(r)!, 1);
      }
      assert.ok(o.result.traffic >= 2 * words * (1 - 1e-12), `${name}: traffic ${o.result.traffic} < inputs and outputs ${2 * words}`);
      assert.ok(o.result.latency >= o.result.traffic / o.result.instance.bandwidth * (1 - 1e-12), `${name}: faster than DRAM allows`);
    }
    assert.equal(none.groups.length, none.einsums.einsums.length, `${name}: --fusion none puts every Einsum alone`);
    if (name === 'softmax') {
      // The explanation: one fused group, the division only on the 1D array, memory bound.
      const text = explainDesign(auto, 'softmax');
      for (const line of [/^fused group: GM SN SD Y$/m, /only one array can execute Y \(div → 1d\)/, /on chip {5}across passes: SN \(pass 2 → 3 over M, read by Y\)/, /bottleneck {2}memory/]) assert.match(text, line);
    }
    assert.ok(auto.result.latency <= none.result.latency * (1 + 1e-12), `${name}: fused ${auto.result.latency} slower than unfused ${none.result.latency}`);
    assert.ok(auto.result.traffic <= none.result.traffic * (1 + 1e-12), `${name}: fused moves more than unfused`);
  }
});

test('artifact fidelity on +Cascade hardware: its dropped levels and unmatched unit are part of the hardware', () => {
  const o = design(builtinCascade('attention-1pass'), 'attention-1pass', 'cascade', model('BERT', '4K'), { fidelity: 'artifact' });
  assert.deepEqual(o.spec.artifact, { unmatched_units: ['exp'], dropped_levels: ['reg_file_1d'] });
  const again = reevaluate(o, 'artifact');
  assert.equal(again.energy, o.result.energy);
  // LM, SLN and PRM need max or exp: only the 1D array has them.
  for (const e of ['LM', 'SLN', 'PRM']) assert.equal(o.groups[0]!.binding.get(e), '1d');
});

test('the search\'s bounds and shared mappings change nothing: every cut designed and mapped anew gives the same design', () => {
  // The 3-pass cascade on FLAT's and Unfused's hardware: six Einsums, every cut a candidate, most of
  // them skipped by their lower bound; members shared by many cuts. Both fidelities (artifact: bigger
  // counts, other quirks), the other cascades' cut search at a small shape.
  const points: [Cascade, string, string, DesignRequest['point'], 'physical' | 'artifact'][] = [
    [builtinCascade('attention-3pass'), 'attention-3pass', 'flat', model('BERT', '1K'), 'physical'],
    [builtinCascade('attention-3pass'), 'attention-3pass', 'unfused', model('XLM', '1K'), 'artifact'],
    [fixture('layernorm'), 'layernorm', 'binding', shape('D=256,P=512'), 'physical'],
  ];
  for (const [cascade, name, arch, point, fidelity] of points) {
    const fast = design(cascade, name, arch, point, { fidelity });
    const slow = design(cascade, name, arch, point, { fidelity, exhaustive: true });
    assert.equal(fast.result.latency, slow.result.latency, `${name} on ${arch}`);
    assert.equal(fast.result.energy, slow.result.energy, `${name} on ${arch}`);
    assert.equal(fast.yaml, slow.yaml, `${name} on ${arch}`);
    // The bounds did skip cuts (else this compares nothing).
    assert.ok(fast.searched.groups < slow.searched.groups, `${name} on ${arch}: ${fast.searched.groups} groups designed, ${slow.searched.groups} without bounds`);
  }
});

test("the reproduction's table: each row is that configuration's own automatic design (one search shared by the configurations on the same hardware)", () => {
  const cascades = new Map([['attention-1pass', builtinCascade('attention-1pass')]]);
  const rows = versusHand(library(), cascades, 'artifact', ['TrXL'], ['4K']);
  assert.deepEqual(rows.map((r) => r.config), ['cascade', 'arch', 'binding']);
  for (const r of rows) {
    const own = designCascadeOn({ cascade: cascades.get('attention-1pass')!, cascadeName: 'attention-1pass', hardware: designOf(library(), r.config), point: model('TrXL', '4K'), fidelity: 'artifact', objective: 'latency', fusion: 'auto', optimize: false });
    assert.equal(r.auto.latency, own.result.latency, r.config);
    assert.equal(r.auto.energy, own.result.energy, r.config);
    const hand = evaluatePoint(library(), r.config, 'TrXL', '4K', quirksFor('artifact'));
    assert.deepEqual(r.hand, { latency: hand.latency, energy: hand.energy });
  }
});
