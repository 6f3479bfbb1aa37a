/**
 * Constraint handling, case by case, on a small Timeloop input (test/fixtures/mapper/matmul-3level.yaml):
 * each kind of constraint is read from the spec's own sections, and the mapping the mapper returns
 * honours it (checked on the mapping itself); the search stays exhaustive and the constrained optimum
 * is never better than the free one. Bad constraints are located diagnostics with their codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { findMapping, type MappedResult } from '../../src/mapper/map.ts';
import { readMapperSpec, withoutMapping } from '../../src/mapper/timeloop-spec.ts';
import type { Mapping } from '../../src/model/types.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';
import { applyErt, loadErt } from '../../src/timeloop/tables.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'mapper');
const base = readFileSync(join(dir, 'matmul-3level.yaml'), 'utf8');
const ert = loadErt('ERT', readFileSync(join(dir, 'matmul-3level.ERT.yaml'), 'utf8'));

/** The fixture with its constraint section replaced (YAML text of the targets list) and extra top-level text. */
function spec(targets: string, extra = ''): string {
  return base.replace('architecture_constraints:\n  targets: []\n', `architecture_constraints:\n  targets:\n${targets}\n`) + extra;
}

function solve(text: string): MappedResult {
  const loaded = loadTimeloopInput('spec.yaml', withoutMapping(text).text);
  const s = readMapperSpec(loaded.source, loaded.arch.levels.map((l) => l.name));
  const r = findMapping({ arch: applyErt(loaded.arch, ert), problem: loaded.problem, constraints: s.constraints, metrics: s.metrics });
  if (!r.ok) throw new UserError(r.issues.map(s.locate));
  assert.ok(r.result.exhaustive);
  return r.result;
}

function level(m: Mapping, name: string): Mapping['levels'][number] {
  const l = m.levels.find((x) => x.level === name);
  assert.ok(l, `no level ${name}`);
  return l;
}

function bound(loops: readonly { dim: string; bound: number }[], dim: string): number {
  return loops.find((l) => l.dim === dim)?.bound ?? 1;
}

const free = solve(base);

test('no constraints: DRAM keeps everything, the fan-out is used, the optimum is proven', () => {
  assert.deepEqual(level(free.mapping, 'DRAM').keep, ['A', 'B', 'Z']);
  assert.equal(free.evaluation.stats.utilizedInstances, 8);
});

test('temporal factors are fixed where a constraint fixes them', () => {
  const r = solve(spec('    - { target: GLB, type: temporal, factors: K=4 M=2 }'));
  const glb = level(r.mapping, 'GLB');
  assert.equal(bound(glb.temporal, 'K'), 4);
  assert.equal(bound(glb.temporal, 'M'), 2);
  assert.ok(r.metrics[0]! >= free.metrics[0]! * (1 - 1e-12));
});

test('a factor of 0 is the rest of the dimension (as Timeloop reads it)', () => {
  const r = solve(spec('    - { target: GLB, type: temporal, factors: K=0 }\n    - { target: DRAM, type: temporal, factors: K=1 }'));
  assert.equal(bound(level(r.mapping, 'GLB').temporal, 'K'), 4);
});

test('a partial permutation pins the innermost loops, in order', () => {
  const r = solve(spec('    - { target: DRAM, type: temporal, factors: M=2 N=2 K=2, permutation: NK }'));
  const loops = level(r.mapping, 'DRAM').temporal.filter((l) => l.bound > 1).map((l) => l.dim);
  assert.deepEqual(loops.slice(-2), ['K', 'N'], 'outermost first: ... K, N (N innermost)');
});

test('keep and bypass (datatype, bypass and dataspace entries alike)', () => {
  for (const type of ['bypass', 'datatype', 'dataspace']) {
    const r = solve(spec(`    - { target: GLB, type: ${type}, keep: [Z], bypass: [A] }`));
    const keep = level(r.mapping, 'GLB').keep ?? [];
    assert.ok(keep.includes('Z'));
    assert.ok(!keep.includes('A'));
  }
  const top = solve(spec('    - { target: DRAM, type: bypass, bypass: [Z] }'));
  assert.ok(!(level(top.mapping, 'DRAM').keep ?? []).includes('Z'), 'the outermost level bypasses a tensor only when told to');
});

test('spatial factors, permutation and split: what goes to X and what to Y', () => {
  const r = solve(spec('    - { target: PE_array, type: spatial, factors: M=4 N=2, permutation: MNK, split: 1 }'));
  const pe = level(r.mapping, 'PE_array');
  assert.deepEqual(pe.spatialX, [{ dim: 'M', bound: 4 }]);
  assert.deepEqual(pe.spatialY, [{ dim: 'N', bound: 2 }]);
  const y = solve(spec('    - { target: PE_array, type: spatial, permutation: NMK, split: 0 }'));
  assert.deepEqual(level(y.mapping, 'PE_array').spatialX, [], 'split 0: everything on Y (fan-out 2)');
  assert.ok(y.evaluation.stats.utilizedInstances <= 2);
});

test('utilization floors: the spatial fan-out and a buffer\'s capacity', () => {
  const r = solve(spec('    - { target: PE_array, type: utilization, min: 1.0 }\n    - { target: PE_array, type: spatial, factors: K=1 }'));
  assert.equal(r.evaluation.stats.utilizedInstances, 8);
  // min_utilization of the GLB (an architecture attribute): its tiles must fill at least half of it.
  const r2 = solve(base.replace('attributes: { depth: 64, width: 64, datawidth: 16, meshX: 1, meshY: 1 }', 'attributes: { depth: 64, width: 64, datawidth: 16, meshX: 1, meshY: 1, min_utilization: 0.5 }'));
  const used = r2.evaluation.stats.levels[1]!.tensors.reduce((s, t) => s + Number(t.utilizedCapacity), 0);
  assert.ok(used >= 128, `GLB holds ${used} of 256 words`);
});

test('no_iteration_over_dataspaces: no loop over those tensors\' dimensions at that level', () => {
  // A is indexed by M and K: the GLB may only loop over N, the array only spread N.
  const r = solve(spec('    - { target: GLB, type: temporal, no_iteration_over_dataspaces: [A] }\n    - { target: PE_array, type: spatial, no_iteration_over_dataspaces: [A] }'));
  const glb = level(r.mapping, 'GLB');
  assert.equal(bound(glb.temporal, 'M') * bound(glb.temporal, 'K'), 1);
  const pe = level(r.mapping, 'PE_array');
  assert.equal(bound([...pe.spatialX, ...pe.spatialY], 'M') * bound([...pe.spatialX, ...pe.spatialY], 'K'), 1);
  assert.ok(r.metrics[0]! >= free.metrics[0]! * (1 - 1e-12));
  assert.ok(free.mapping.levels.some((l) => ['M', 'K'].some((d) => bound(l.level === 'GLB' ? l.temporal : [...l.spatialX, ...l.spatialY], d) > 1 && (l.level === 'GLB' || l.level === 'PE_array'))), 'the free optimum does loop over M or K there');
});

test('max_overbooked_proportion: accepted, since the mapper never overbooks; a note says so', () => {
  const text = spec('    - { target: GLB, type: max_overbooked_proportion, proportion: 0.25 }');
  const loaded = loadTimeloopInput('spec.yaml', text);
  const s = readMapperSpec(loaded.source, loaded.arch.levels.map((l) => l.name));
  assert.ok(s.notes.some((n) => n.includes('never overbooks')));
  assert.deepEqual(solve(text).metrics, free.metrics);
});

test('max_temporal_loops_in_a_mapping bounds the loops of the whole mapping', () => {
  const r = solve(base.replace('num_threads: 2', 'num_threads: 2\n  max_temporal_loops_in_a_mapping: 2'));
  const loops = r.mapping.levels.reduce((n, l) => n + l.temporal.filter((x) => x.bound > 1).length, 0);
  assert.ok(loops <= 2);
  assert.ok(free.mapping.levels.reduce((n, l) => n + l.temporal.filter((x) => x.bound > 1).length, 0) > 2, 'the free optimum uses more loops');
  assert.throws(() => solve(base.replace('num_threads: 2', 'num_threads: 2\n  max_temporal_loops_in_a_mapping: 1')), /FM806/, '32 iterations per PE cannot be one loop over a dimension of 8');
});

test('metrics: optimization_metrics, else optimization_metric (lexicographic list)', () => {
  const text = base.replace('optimization_metrics: [edp]', 'optimization_metrics: []\n  optimization_metric: [delay, energy]');
  const r = solve(text);
  assert.deepEqual(r.metricNames, ['delay', 'energy']);
  assert.equal(r.metrics[0], 32, 'the fewest cycles: 256 computes on 8 PEs');
});

test('bad constraints are located diagnostics', () => {
  const code = (text: string): { code: string; line: number; message: string } => {
    try {
      solve(text);
    } catch (err) {
      if (err instanceof UserError) return { code: err.diagnostics[0]!.code, line: err.diagnostics[0]!.location?.line ?? 0, message: err.diagnostics[0]!.message };
      throw err;
    }
    throw new Error('expected a diagnostic');
  };
  const line = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
  const cases: [string, string, string][] = [
    ['    - { target: NOPE, type: temporal, factors: M=2 }', 'FM801', 'NOPE'],
    ['    - { target: GLB, type: temporal, factors: Q=2 }', 'FM801', 'Q=2'],
    ['    - { target: GLB, type: temporal, factors: M=3 }', 'FM802', 'M=3'],
    ['    - { target: GLB, type: bypass, keep: [A], bypass: [A] }', 'FM802', 'keep: [A]'],
    ['    - { target: GLB, type: spatial, factors: M=2 }', 'FM802', 'M=2'],
    ['    - { target: GLB, type: temporal, factors: M-2 }', 'FM803', 'M-2'],
    ['    - { target: GLB, type: temporal, maximize_dims: [M] }', 'FM804', 'maximize_dims'],
    ['    - { target: GLB, type: temporal, no_reuse: [A] }', 'FM804', 'no_reuse'],
    ['    - { target: GLB, type: temporal, rmw_first_update: [Z] }', 'FM804', 'rmw_first_update'],
    ['    - { target: GLB, type: dataspace, no_coalesce: [Z] }', 'FM804', 'no_coalesce'],
    ['    - { target: GLB, type: temporal, default_max_factor: 4 }', 'FM804', 'default_max_factor'],
    ['    - { target: GLB, type: temporal, factors: M<=2 }', 'FM804', 'M<=2'],
    ['    - { target: GLB, type: temporal, no_iteration_over_dataspaces: [Q] }', 'FM801', 'Q]'],
    ['    - { target: GLB, type: temporal, factors: M=2, no_iteration_over_dataspaces: [A] }', 'FM802', 'no_iteration'],
    ['    - { target: GLB, type: max_overbooked_proportion }', 'FM803', 'max_overbooked'],
    ['    - { target: GLB, type: weird }', 'FM804', 'weird'],
  ];
  for (const [targets, want, needle] of cases) {
    const text = spec(targets);
    const got = code(text);
    assert.equal(got.code, want, targets);
    assert.equal(got.line, line(text, needle), `${targets}: located on its line`);
    // Timeloop keys the mapper cannot honour yet say so (unknown keys say they are unsupported).
    if (['no_reuse', 'rmw_first_update', 'no_coalesce', 'default_max_factor', 'M<=2'].includes(needle)) assert.match(got.message, /not supported by the mapper yet/);
  }
  assert.equal(code(base.replace('optimization_metrics: [edp]', 'optimization_metrics: [speed]')).code, 'FM805');
});

test('a mapping in the spec is ignored and its lines are kept', () => {
  const text = base.replace('mapping: []', 'mapping:\n  - target: DRAM\n    type: temporal\n    factors: M=8 N=8 K=4\n    permutation: MNK');
  const out = withoutMapping(text);
  assert.equal(out.entries, 1);
  assert.equal(out.text.split('\n').length, text.split('\n').length);
  assert.deepEqual(solve(text).metrics, free.metrics);
});
