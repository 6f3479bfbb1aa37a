/**
 * A cascade as the Einsums an automatic design maps (src/design/einsums.ts, operations.ts, hardware.ts):
 * views, generations, final reads, passes, operations per point and what they cost on the +Binding and
 * +Cascade arrays (the artifact's compute_cost, fusemax-model.md §4.5 and §4.7).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { designCascade } from '../../src/design/einsums.ts';
import { hardwareOf } from '../../src/design/hardware.ts';
import { operationsOf, pointCost } from '../../src/design/operations.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { optimize } from '../../src/rewrite/search.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { loadDesign } from '../../src/experiments/design-spec.ts';
import { builtinCascade } from '../helpers/cascades.ts';
import { library } from '../experiments/helpers.ts';

const ATTENTION_SHAPES = new Map([['E', 64], ['F', 64], ['M', 1024], ['P', 1024]]);

function attention1() {
  const c = builtinCascade('attention-1pass');
  const shapes = resolveShapes(c, ATTENTION_SHAPES);
  shapes.set('B', 64);
  shapes.set('H', 12);
  return designCascade(c, shapes, ['B', 'H']);
}

test('operations per point: multiply-accumulate, exp(a − b), reductions', () => {
  const c = loadCascade('input A[K,M], B[K,N], X[M]\nT[m,n] = A[k,m] * B[k,n]\nU[m,n] = exp(T[m,n] - X[m])\nV[m] = U[m,n] :: reduce max\nW[m,n] = U[m,n] + T[m,n] * X[m]\nY[m] = 1 / sqrt(V[m] + 0.5)\nZ[m] = W[m,n]');
  const ops = new Map(c.einsums.map((e) => [e.output.tensor, operationsOf(e)]));
  assert.deepEqual(ops.get('T'), ['mac']);
  assert.deepEqual(ops.get('U'), ['sub_exp']);
  assert.deepEqual(ops.get('V'), ['max']);
  assert.deepEqual(ops.get('W'), ['mac']);
  assert.deepEqual(ops.get('Y'), ['div', 'sqrt', 'add']);
  assert.deepEqual(ops.get('Z'), ['add']);
});

test('attention-1pass: views of the inputs, batch ranks, generations and passes', () => {
  const d = attention1();
  assert.deepEqual(d.views.map((v) => [v.tensor, v.of, v.kind]), [['BK', 'K', 'input'], ['BV', 'V', 'input']]);
  assert.ok(d.inputs.has('BK') && d.inputs.has('Q'));
  assert.deepEqual(d.einsums.map((e) => e.name), ['BQK', 'LM', 'RM', 'SLN', 'SLD', 'SLNV', 'PRM', 'SPD', 'RD', 'SPNV', 'RNV', 'AV']);
  const byName = new Map(d.einsums.map((e) => [e.name, e]));
  const bqk = byName.get('BQK')!;
  assert.deepEqual([...bqk.dims], [['B', 64], ['H', 12], ['E', 64], ['P', 1024], ['M1', 4], ['M0', 256]]);
  assert.deepEqual(bqk.reduced, ['E']);
  // The running max reads its previous generation, a data space of its own that lives across M1 steps.
  const rm = byName.get('RM')!;
  assert.equal(rm.recurrence, 'M1');
  assert.deepEqual(rm.reads.map((o) => [o.name, o.generation]), [['RM_prev', 'previous'], ['LM', 'plain']]);
  assert.deepEqual(byName.get('PRM')!.reads.map((o) => [o.name, o.tensor, o.generation]), [['RM_prev', 'RM', 'previous'], ['RM', 'RM', 'current']]);
  // The final division reads the last generations: the M1 rank drops out.
  const av = byName.get('AV')!;
  assert.deepEqual(av.reads.map((o) => [o.name, o.generation, o.ranks]), [['RNV', 'final', ['B', 'H', 'F', 'P']], ['RD', 'final', ['B', 'H', 'P']]]);
  // LM reduces M0 and SLN needs it: SLN is in the second pass over M0 (docs/passes.md).
  assert.equal(byName.get('LM')!.passes.get('M0'), 1);
  assert.equal(byName.get('SLN')!.passes.get('M0'), 2);
});

test('an alias of an intermediate is read through: the optimized 3-pass cascade divides by RSD[M1]', () => {
  const c = optimize(builtinCascade('attention-3pass')).cascade;
  const d = designCascade(c, resolveShapes(c, ATTENTION_SHAPES), []);
  assert.ok(d.views.some((v) => v.tensor === 'SD' && v.of === 'RSD' && v.kind === 'alias'));
  const av = d.einsums.find((e) => e.name === 'AV')!;
  assert.deepEqual(av.reads.map((o) => [o.tensor, o.generation, o.ranks]), [['RSNV', 'final', ['F', 'P']], ['RSD', 'final', ['P']]]);
  // RSD[m1+1] = LSD + RSD·CGM: one multiply-accumulate.
  assert.deepEqual(d.einsums.find((e) => e.name === 'RSD')!.operations, ['mac']);
});

test("operator costs: FuseMax's exponential is 6 MACs + 1 add on both arrays, +Cascade's 2D array has none", () => {
  const binding = hardwareOf(library().designs.get('binding')!);
  const [b2d, b1d] = [binding.arrays.find((a) => a.name === '2d')!, binding.arrays.find((a) => a.name === '1d')!];
  assert.deepEqual(pointCost(['sub_exp'], b2d), { ok: true, cost: { cycles: 7, units: { mac: 6, add: 1 } } });
  assert.deepEqual(pointCost(['sub_exp'], b1d), { ok: true, cost: { cycles: 7, units: { mac: 6, add: 1 } } });
  assert.deepEqual(pointCost(['div'], b2d), { ok: false, missing: ['div'] });
  const cascade = hardwareOf(library().designs.get('cascade')!);
  const [c2d, c1d] = [cascade.arrays.find((a) => a.name === '2d')!, cascade.arrays.find((a) => a.name === '1d')!];
  assert.deepEqual(pointCost(['sub_exp'], c1d), { ok: true, cost: { cycles: 2, units: { exp: 1, add: 1 } } });
  assert.deepEqual(pointCost(['max', 'sub_exp'], c2d), { ok: false, missing: ['max', 'sub_exp'] });
  // FLAT's softmax array is pipelined: one cycle per element whatever the operation.
  const flat1d = hardwareOf(library().designs.get('flat')!).arrays.find((a) => a.name === '1d')!;
  assert.equal((pointCost(['sub_exp'], flat1d) as { cost: { cycles: number } }).cost.cycles, 1);
  // The hardware's parameters only: +Binding's dataflow parameters (P1, P2, M1) are not kept.
  assert.deepEqual(binding.params, ['clock_hz', 'bandwidth', 'PE', 'L3_bytes', 'L3_width', 'rf1d_depth', 'rf_depth', 'rf_1d_array_depth']);
});

test('FM851: an array without operators; FM852: an intermediate read through a partition', () => {
  const text = "name: x\nlabel: x\nparams: { clock_hz: 1, bandwidth: 1 }\narch:\n  components:\n    DRAM: { kind: dram, width: 64, energy: { read: 1, write: 1 } }\n  units: { mac: { energy: 1 } }\narrays:\n  a: { levels: [DRAM], units: [mac] }\neinsums: {}\nbinding: {}\nschedule: [{ epochs: [[[X]]] }]\n";
  assert.throws(() => hardwareOf(loadDesign('x.yaml', text)), (e: unknown) => e instanceof UserError && e.diagnostics[0]!.code === 'FM851' && e.diagnostics[0]!.location?.line === 9);
  const c = loadCascade('input A[M]\nshape M0 = 4\nT[m] = A[m] * 2\nBT[m1,m0] = T[m1*M0+m0] * 3');
  assert.throws(() => designCascade(c, resolveShapes(c, new Map([['M', 16]])), []), (e: unknown) => e instanceof UserError && e.diagnostics[0]!.code === 'FM852');
});
