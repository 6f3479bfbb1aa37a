/**
 * What the explorer's compute worker answers (src/web/compute.ts), called directly in Node: the same
 * numbers as the core functions the CLI commands call, the knob mapping of the design view, the run
 * against its float64 reference and textbook attention, and its size limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadLibrary } from '../../src/cli/library.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { quirksFor } from '../../src/experiments/artifact-quirks.ts';
import { evaluatePoint } from '../../src/experiments/paper.ts';
import { compute, MAX_RUN_POINTS } from '../../src/web/compute.ts';
import { builtinCascadeTexts } from '../helpers/cascades.ts';

const lib = loadLibrary();
const texts = builtinCascadeTexts();
const SOFTMAX = 'input X[M,P]\nG[p] = X[m,p] :: reduce max\nN[m,p] = exp(X[m,p] - G[p])\nS[p] = N[m,p]\nY[m,p] = N[m,p] / S[p]\n';

function userErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err.diagnostics[0]?.code ?? '';
    throw err;
  }
  throw new Error('no user error');
}

test('catalog: every design of specs/designs with its knobs; the models and sequence lengths of the workloads', () => {
  const c = compute.catalog({}, lib);
  const files = readdirSync(join(import.meta.dirname, '..', '..', 'specs', 'designs')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
  assert.deepEqual(c.designs.map((d) => d.name).sort(), files);
  assert.deepEqual(c.models, ['BERT', 'TrXL', 'T5', 'XLM']);
  assert.deepEqual(c.seqs, ['1K', '4K', '16K', '64K', '256K', '1M']);
  const binding = c.designs.find((d) => d.name === 'binding')!;
  // specs/designs/binding.yaml: PE 256, L3_bytes 16 MiB, 400 GiB/s.
  assert.deepEqual(binding.defaults, { pe: 256, bufferBytes: 16 * 1024 * 1024, bandwidth: 400 * 1024 ** 3 });
  // specs/designs/unfused.yaml sizes its buffer in rows: 65536 rows of 512 B = 32 MiB.
  const unfused = c.designs.find((d) => d.name === 'unfused')!;
  assert.deepEqual(unfused.knobs.buffer, { param: 'L3_rows', bytesPerUnit: 512 });
  assert.equal(unfused.defaults.bufferBytes, 32 * 1024 * 1024);
});

test('design: the sliders override the design parameters exactly as `fusemax evaluate --set params.X=...` does', () => {
  const physical = quirksFor('physical');
  const base = evaluatePoint(lib, 'binding', 'BERT', '64K', physical);
  const same = compute.design({ design: 'binding', model: 'BERT', seq: '64K', fidelity: 'physical', pe: 256, bufferBytes: 16 * 1024 * 1024, bandwidth: 400 * 1024 ** 3 }, lib);
  assert.equal(same.latency, base.latency);
  assert.equal(same.energy, base.energy);
  assert.deepEqual(same.einsums.map((e) => e.name), base.einsums.map((e) => e.name));

  const pe128 = compute.design({ design: 'binding', model: 'BERT', seq: '64K', fidelity: 'physical', pe: 128 }, lib);
  const want = evaluatePoint(lib, 'binding', 'BERT', '64K', physical, new Map([['PE', 128]]));
  assert.equal(pe128.latency, want.latency);
  // A quarter of the PEs: compute-bound attention takes (close to) four times as long.
  assert.ok(pe128.latency / base.latency > 3.9 && pe128.latency / base.latency < 4.1, String(pe128.latency / base.latency));

  // A buffer in rows: 16 MiB on Unfused is L3_rows = 32768.
  const unfused = compute.design({ design: 'unfused', model: 'T5', seq: '4K', fidelity: 'artifact', bufferBytes: 16 * 1024 * 1024 }, lib);
  assert.equal(unfused.latency, evaluatePoint(lib, 'unfused', 'T5', '4K', quirksFor('artifact'), new Map([['L3_rows', 32768]])).latency);

  // Bandwidth: memory time scales inversely.
  const slow = compute.design({ design: 'binding', model: 'BERT', seq: '64K', fidelity: 'physical', bandwidth: 100 * 1024 ** 3 }, lib);
  assert.ok(Math.abs(slow.phases[0]!.memorySeconds / same.phases[0]!.memorySeconds - 4) < 1e-9);
  assert.equal(userErrorCode(() => compute.design({ design: 'nope', model: 'BERT', seq: '1K', fidelity: 'physical' }, lib)), 'FM610');
});

test('run: float64 matches its reference exactly, float32 within float32 rounding; attention against textbook softmax', () => {
  const exact = compute.run({ text: SOFTMAX, shapes: 'M=7,P=5', seed: 3, precision: 'float64', schedule: 'sequential' }, lib);
  assert.deepEqual(exact.outputs.map((o) => [o.name, o.maxRelError]), [['Y', 0]]);
  const y = exact.outputs[0]!;
  assert.deepEqual(y.shape, [7, 5]);
  assert.deepEqual(y.values, y.reference);
  // The preview: the first 6 of the 7 rows of M, all 5 columns of P; softmax weights lie in (0, 1).
  assert.deepEqual([y.values.length, y.values[0]!.length], [6, 5]);
  assert.ok(y.values.flat().every((v) => v > 0 && v < 1));

  const single = compute.run({ text: SOFTMAX, shapes: 'M=7,P=5', seed: 3, precision: 'float32', schedule: 'fused' }, lib);
  const err = single.outputs[0]!.maxRelError;
  assert.ok(err > 0 && err < 1e-6, String(err));

  const attention = compute.run({ text: texts.get('attention-1pass')!, shapes: 'M=12,M0=4,P=6,E=6,F=6', seed: 1, precision: 'float64', schedule: 'sequential' }, lib);
  assert.ok(attention.textbook !== undefined && attention.textbook.maxRelError < 1e-13, JSON.stringify(attention.textbook));
  assert.equal(compute.run({ text: SOFTMAX, shapes: 'M=4,P=4', seed: 1, precision: 'float64', schedule: 'sequential' }, lib).textbook, undefined);
});

test('run: shapes too large for the page are refused with FM951; bad shapes keep their codes', () => {
  const side = Math.ceil(Math.sqrt(MAX_RUN_POINTS / 4)) + 1;
  assert.equal(userErrorCode(() => compute.run({ text: SOFTMAX, shapes: `M=${side},P=${side}`, seed: 1, precision: 'float64', schedule: 'sequential' }, lib)), 'FM951');
  assert.equal(userErrorCode(() => compute.run({ text: SOFTMAX, shapes: 'M=4', seed: 1, precision: 'float64', schedule: 'sequential' }, lib)), 'FM244');
  assert.equal(userErrorCode(() => compute.run({ text: SOFTMAX, shapes: 'M=x', seed: 1, precision: 'float64', schedule: 'sequential' }, lib)), 'FM240');
});

test('optimize: the 3-pass attention becomes one pass over M1, verified as the CLI verifies it', () => {
  const o = compute.optimize({ text: texts.get('attention-3pass')!, rules: ['defer', 'partition', 'online'], chunk: 256 }, lib);
  assert.equal(new Map(o.passesBefore).get('M'), 3);
  assert.equal(new Map(o.passesAfter).get('M1'), 1);
  assert.deepEqual(o.rules.map((r) => r.rule), ['defer', 'partition', 'online']);
  assert.ok(o.verification.maxRelError <= o.verification.tolerance, String(o.verification.maxRelError));
  assert.match(o.rewritten, /^input/m);
  // Softmax alone: max does not distribute, nothing to rewrite, and the refusal says why.
  const none = compute.optimize({ text: SOFTMAX, rules: ['defer'], chunk: 256 }, lib);
  assert.deepEqual(none.rules, []);
  assert.ok(none.refusals.some((r) => r.rule === 'defer'));
  assert.equal(userErrorCode(() => compute.optimize({ text: 'input X[M\n', rules: ['defer'], chunk: 256 }, lib)).slice(0, 3), 'FM1');
});

test('tradeoff: the keep / re-read / recompute options at the given shapes', () => {
  const t = compute.tradeoff({ text: texts.get('attention-3pass')!, shapes: 'M=4096,P=4096,E=64,F=64', wordBytes: 2 }, lib);
  const qk = t.tradeoff.tensors.find((x) => x.tensor === 'QK')!;
  // Keeping QK[M,P] on chip across the pass boundary: 4096 × 4096 × 2 B.
  assert.equal(qk.options.find((o) => o.option === 'keep')!.onChipBytes, 4096 * 4096 * 2);
  assert.ok(t.tradeoff.pareto.length >= 2);
});
