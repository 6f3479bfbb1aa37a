/**
 * `fusemax map` in process (its worker threads included): the --json contract, the mapping re-run
 * through the model to the numbers printed, --out's files, `fusemax model --map`, notes on stderr and
 * user errors (exit 2, located, nothing written).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCommand } from '../helpers/cli.ts';
import { evaluateNest } from '../../src/model/evaluate.ts';
import type { Mapping } from '../../src/model/types.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';
import { applyErt, loadErt } from '../../src/timeloop/tables.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'mapper');
const spec = join(dir, 'matmul-3level.yaml');
const ert = join(dir, 'matmul-3level.ERT.yaml');
const specs = join(import.meta.dirname, '..', '..', 'specs');

const run = runCommand;

interface Entry {
  target: string;
  type: string;
  keep?: string[];
  bypass?: string[];
  factors?: string;
  permutation?: string;
  split?: number;
}

/** The model's mapping of Timeloop mapper entries (`C1 M8` factors, innermost-first permutations, datatype keeps). */
function modelMapping(entries: readonly Entry[]): Mapping {
  const levels = new Map<string, { temporal: { dim: string; bound: number }[]; spatialX: { dim: string; bound: number }[]; spatialY: { dim: string; bound: number }[]; keep?: string[] }>();
  const get = (t: string) => levels.get(t) ?? (levels.set(t, { temporal: [], spatialX: [], spatialY: [] }), levels.get(t)!);
  for (const e of entries) {
    const lm = get(e.target);
    if (e.type === 'datatype') {
      lm.keep = e.keep ?? [];
      continue;
    }
    const factors = new Map([...e.factors!.matchAll(/([A-Za-z]+)=?(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
    const order = [...e.permutation!];
    const loops = order.map((d) => ({ dim: d, bound: factors.get(d) ?? 1 }));
    if (e.type === 'temporal') lm.temporal = [...loops].reverse();
    else loops.forEach((l, i) => (i < e.split! ? lm.spatialX : lm.spatialY).push(l));
  }
  return { levels: [...levels].map(([level, lm]) => ({ level, ...lm })) };
}

test('--json: the contract, a proven optimum, and the mapping re-run through the model to the same numbers', async () => {
  const r = await run('map', '--timeloop', spec, '--ert', ert, '--json', '--threads', '2');
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown> & { mapping: Entry[]; metrics: Record<string, number> };
  for (const k of ['mapping', 'cycles', 'energy_pJ', 'computes', 'metrics', 'evaluated', 'valid', 'seconds', 'exhaustive']) assert.ok(k in j, k);
  assert.equal(j['exhaustive'], true);
  assert.equal(j['computes'], 256);
  assert.ok((j['valid'] as number) >= 1 && (j['evaluated'] as number) >= (j['valid'] as number));
  // Timeloop's layout: datatype entries for every level, innermost first, then spatial/temporal ones.
  assert.deepEqual(j.mapping.slice(0, 4).map((e) => [e.target, e.type]), [['RF', 'datatype'], ['PE_array', 'datatype'], ['GLB', 'datatype'], ['DRAM', 'datatype']]);
  assert.ok(j.mapping.some((e) => e.type === 'spatial' && e.target === 'PE_array' && typeof e.split === 'number'));
  for (const e of j.mapping) if (e.factors) assert.match(e.factors, /^M\d+ N\d+ K\d+$/);
  // The printed numbers are the model's for that mapping.
  const loaded = loadTimeloopInput('spec', readFileSync(spec, 'utf8'));
  const arch = applyErt(loaded.arch, loadErt('ert', readFileSync(ert, 'utf8')));
  const ev = evaluateNest(arch, loaded.problem, modelMapping(j.mapping));
  assert.ok(ev.ok, ev.ok ? '' : JSON.stringify(ev.issues));
  assert.equal(Number(ev.stats.cycles), j['cycles']);
  assert.equal(ev.energy.total, j['energy_pJ']);
  assert.equal(j.metrics['edp'], ev.energy.total * 1e-12 * Number(ev.stats.cycles));
  // Same answer on one thread: the search is deterministic.
  const one = await run('map', '--timeloop', spec, '--ert', ert, '--json', '--threads', '1');
  assert.deepEqual((JSON.parse(one.out) as { mapping: unknown }).mapping, j.mapping);
});

test('--out writes the map, its loop nest text and the stats; a mapping in the spec is ignored with a note', async () => {
  const out = mkdtempSync(join(tmpdir(), 'fusemax-map-'));
  const withMapping = join(out, 'spec.yaml');
  writeFileSync(withMapping, readFileSync(spec, 'utf8').replace('mapping: []', 'mapping:\n  - { target: DRAM, type: temporal, factors: M8 N8 K4, permutation: MNK }'));
  const r = await run('map', '--timeloop', withMapping, '--ert', ert, '--metric', 'delay,energy', '--out', join(out, 'res'));
  assert.equal(r.status, 0, r.err);
  assert.match(r.err, /ignoring the spec's mapping \(1 entries\)/);
  assert.match(r.err, /ignored \(algorithm, timeout, victory_condition\)/);
  assert.match(r.out, /exhaustive search: the proven optimum \(metrics delay, energy\)/);
  const map = parse(readFileSync(join(out, 'res', 'timeloop-mapper.map.yaml'), 'utf8')) as { mapping: Entry[] };
  assert.ok(map.mapping.length >= 8);
  const stats = JSON.parse(readFileSync(join(out, 'res', 'timeloop-mapper.stats.json'), 'utf8')) as { metrics: Record<string, number>; model: { cycles: number } };
  assert.equal(stats.metrics['delay'], 32);
  assert.equal(stats.model.cycles, 32);
  const statsText = readFileSync(join(out, 'res', 'timeloop-mapper.stats.txt'), 'utf8');
  assert.match(statsText, /^Buffer and Arithmetic Levels/);
  assert.match(statsText, /\nCycles: 32\n/);
  assert.match(readFileSync(join(out, 'res', 'timeloop-mapper.map.txt'), 'utf8'), /^DRAM \[ A:\d+ \(\d+\) B:\d+ \(\d+\) Z:\d+ \(\d+\) \] \n/);
});

test('user errors: exit 2, located, nothing written', async () => {
  const out = mkdtempSync(join(tmpdir(), 'fusemax-map-'));
  const bad = join(out, 'bad.yaml');
  writeFileSync(bad, readFileSync(spec, 'utf8').replace('  targets: []', '  targets:\n    - { target: GLB, type: temporal, factors: M=3 }'));
  const r = await run('map', '--timeloop', bad, '--ert', ert, '--out', join(out, 'res'));
  assert.equal(r.status, 2);
  assert.match(r.err, /bad\.yaml:\d+:\d+: error FM802: the fixed factors of 'M' multiply to 3/);
  assert.ok(!existsSync(join(out, 'res')));
  assert.equal((await run('map', '--timeloop', spec)).status, 2, 'edp needs an ERT (FM812)');
  assert.match((await run('map', '--timeloop', spec, '--ert', ert, '--metric', 'speed')).err, /FM805/);
  assert.match((await run('map', '--timeloop', spec, '--ert', ert, '--threads', '0')).err, /FM813/);
  assert.match((await run('map', '--timeloop', spec, '--ert', ert, '--time-limit', 'soon')).err, /FM811/);
  assert.match((await run('map', '--timeloop', spec, '--ert', ert, '--budget', '1.5')).err, /FM814/);
  assert.match((await run('map')).err, /FM810/);
});

test('fusemax model --map: searches the mapping of our own specs and reports it in our mapping format', async () => {
  const r = await run('model', '--arch', join(specs, 'archs', 'gemm-2level.yaml'), '--problem', join(specs, 'mappings', 'gemm-64.problem.yaml'), '--map', 'delay,energy', '--json');
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as { cycles: number; mapping: { levels: { level: string }[] }; search: { exhaustive: boolean; metrics: string[] } };
  assert.deepEqual(j.search.metrics, ['delay', 'energy']);
  assert.equal(j.cycles, 64 * 64 * 64 / 16, 'every one of the 16 PEs busy every cycle');
  assert.ok(j.mapping.levels.some((l) => l.level === 'DRAM'));
});

test('--budget: a search cut by its work budget gives the same mapping and counts on every run, on 1 and 2 threads', async () => {
  // ex-simple-weight-stationary (a Timeloop peer mapper run) cannot be exhausted within this budget.
  const peer = join(import.meta.dirname, '..', 'fixtures', 'timeloop-peer', 'ex-simple-weight-stationary');
  const args = ['map', '--timeloop', join(peer, 'parsed-processed-input.yaml'), '--ert', join(peer, 'timeloop-model.ERT.yaml'), '--budget', '20000', '--time-limit', '600', '--json'];
  type Out = { mapping: Entry[]; evaluated: number; valid: number; metrics: Record<string, number>; exhaustive: boolean; budget_spent: boolean };
  const once = async (threads: string): Promise<Out> => {
    const r = await run(...args, '--threads', threads);
    assert.equal(r.status, 0, r.err);
    return JSON.parse(r.out) as Out;
  };
  const a = await once('2');
  const b = await once('2');
  const one = await once('1');
  assert.equal(a.exhaustive, false);
  assert.equal(a.budget_spent, true);
  assert.ok(a.evaluated >= 20000 && a.evaluated < 20000 * 1.5, `${a.evaluated} evaluated for a budget of 20000`);
  for (const x of [b, one]) {
    assert.deepEqual(x.mapping, a.mapping);
    assert.deepEqual([x.evaluated, x.valid, x.metrics], [a.evaluated, a.valid, a.metrics]);
  }
});
