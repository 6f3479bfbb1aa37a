import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysePasses } from '../../src/analysis/passes.ts';
import { liveFootprint } from '../../src/analysis/footprint.ts';
import { bestWithin, tradeoff } from '../../src/analysis/tradeoff.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { builtinCascade } from '../helpers/cascades.ts';

// Three passes over K (test/analysis/final-generation.test.ts): S's recurrence in pass 1, Y reads its
// final generation in pass 2, V reads Y's reduction U in pass 3. A is read in all three passes, S in
// passes 1 and 2. Costs by hand from docs/passes.md: keep = the K fiber on chip; re-read = one read of
// K elements per extra pass (plus one write for an intermediate); recompute = K operations per extra
// pass (one add per generation), reading what the producer reads.
const CHAIN = 'input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY[k] = S[K] * A[k]\nU = Y[k] :: reduce max\nV[k] = U - A[k]\n';
const K = 8;

test('live footprint of tensors read in two and three passes, with and without shapes', () => {
  const c = loadCascade(CHAIN, 'chain.cascade');
  const f = liveFootprint(c, analysePasses(c), resolveShapes(c, new Map([['K', K]])));
  assert.deepEqual(f, [
    { tensor: 'A', rank: 'K', passes: [1, 2, 3], buffer: { symbolic: 'K', value: K }, reread: { symbolic: '2·K', value: 2 * K }, recompute: null, producer: null },
    { tensor: 'S', rank: 'K', passes: [1, 2], buffer: { symbolic: 'K', value: K }, reread: { symbolic: 'K', value: K }, recompute: { symbolic: 'K', value: K }, producer: 'S' },
  ]);
  const symbolic = liveFootprint(c, analysePasses(c));
  assert.deepEqual(symbolic.map((x) => [x.buffer, x.reread, x.recompute]), [[{ symbolic: 'K' }, { symbolic: '2·K' }, null], [{ symbolic: 'K' }, { symbolic: 'K' }, { symbolic: 'K' }]]);
  // Recomputing for two extra passes costs twice the producer's operations, reduced ranks included.
  const q = loadCascade('input A[K,E]\nQ[k] = A[k,e] * A[k,e]\nT = Q[k] :: reduce max\nY[k] = Q[k] - T\nU = Y[k] :: reduce max\nV[k] = Q[k] * U\n', 'q.cascade');
  assert.deepEqual(liveFootprint(q, analysePasses(q), resolveShapes(q, new Map([['K', 4], ['E', 3]]))), [
    { tensor: 'Q', rank: 'K', passes: [1, 2, 3], buffer: { symbolic: 'K', value: 4 }, reread: { symbolic: '2·K', value: 8 }, recompute: { symbolic: '2·K·E', value: 24 }, producer: 'Q' },
  ]);
});

test('trade-off: every plan, the Pareto frontier and the best plan per budget, by hand', () => {
  const c = loadCascade(CHAIN, 'chain.cascade');
  const t = tradeoff(c, resolveShapes(c, new Map([['K', K]])));
  // 2 bytes per element.
  assert.deepEqual(t.tensors.map((x) => [x.tensor, x.rank, x.passes, x.recomputeReads, x.options.map((o) => [o.option, o.onChipBytes, o.dramReadBytes, o.dramWriteBytes, o.dramBytes, o.extraOps])]), [
    ['A', 'K', [1, 2, 3], [], [['keep', 16, 0, 0, 0, 0], ['reread', 0, 32, 0, 32, 0]]],
    ['S', 'K', [1, 2], ['A'], [['keep', 16, 0, 0, 0, 0], ['reread', 0, 16, 16, 32, 0], ['recompute', 0, 0, 0, 0, 8]]],
  ]);
  assert.deepEqual(t.tensors.flatMap((x) => x.options.map((o) => o.detail)), [
    'keep K elements on chip across the pass boundary', 'read 2·K elements back from DRAM',
    'keep K elements on chip across the pass boundary', 'write it once, read K elements back from DRAM', 'recompute it with S (K operations)',
  ]);
  const cost = (p: { choices: Readonly<Record<string, string>>; onChipBytes: number; dramBytes: number; extraOps: number }) => `${p.choices['A']}/${p.choices['S']}: ${p.onChipBytes} ${p.dramBytes} ${p.extraOps}`;
  // Recomputing S reads A: with A spilled, one more read of its K elements (32 bytes over 2 extra passes: 16).
  assert.deepEqual(t.plans.map(cost), [
    'keep/keep: 32 0 0', 'keep/reread: 16 32 0', 'keep/recompute: 16 0 8',
    'reread/keep: 16 32 0', 'reread/reread: 0 64 0', 'reread/recompute: 0 48 8',
  ]);
  // Nothing is dominated here (equal plans do not dominate each other); sorted by on-chip, DRAM, operations.
  assert.deepEqual(t.pareto.map(cost), [
    'reread/recompute: 0 48 8', 'reread/reread: 0 64 0', 'keep/recompute: 16 0 8', 'keep/reread: 16 32 0', 'reread/keep: 16 32 0', 'keep/keep: 32 0 0',
  ]);
  assert.equal(cost(bestWithin(t, 16)!), 'keep/recompute: 16 0 8');
  assert.equal(cost(bestWithin(t, 15)!), 'reread/recompute: 0 48 8');
  assert.equal(cost(bestWithin(t, 1e9)!), 'keep/keep: 32 0 0');
  assert.equal(bestWithin(t, -1), undefined);
});

test('trade-off of the 3-pass attention: all nine plans and the frontier, by hand', () => {
  // X = M·P elements, 2 bytes each. QK: keep 2X B, re-read = write + read 2X B each, recompute M·P·E = 64X
  // operations; SN: the same with X operations, and recomputing SN reads QK (2X more DRAM bytes if QK is
  // spilled, QK's 64X operations again if QK is recomputed).
  const N = 256;
  const X = N * N;
  const c = builtinCascade('attention-3pass');
  const t = tradeoff(c, resolveShapes(c, new Map(Object.entries({ M: N, P: N, E: 64, F: 64 }))));
  const cost = (p: { choices: Readonly<Record<string, string>>; onChipBytes: number; dramBytes: number; extraOps: number }) => `${p.choices['QK']}/${p.choices['SN']}: ${p.onChipBytes / X} ${p.dramBytes / X} ${p.extraOps / X}`;
  assert.deepEqual(t.plans.map(cost), [
    'keep/keep: 4 0 0', 'keep/reread: 2 4 0', 'keep/recompute: 2 0 1',
    'reread/keep: 2 4 0', 'reread/reread: 0 8 0', 'reread/recompute: 0 6 1',
    'recompute/keep: 2 0 64', 'recompute/reread: 0 4 64', 'recompute/recompute: 0 0 129',
  ]);
  // recompute/keep is beaten by keep/recompute (same memory, fewer operations); nothing else is.
  assert.deepEqual(t.pareto.map(cost), [
    'recompute/recompute: 0 0 129', 'recompute/reread: 0 4 64', 'reread/recompute: 0 6 1', 'reread/reread: 0 8 0',
    'keep/recompute: 2 0 1', 'keep/reread: 2 4 0', 'reread/keep: 2 4 0', 'keep/keep: 4 0 0',
  ]);
  assert.equal(cost(bestWithin(t, 2 * X)!), 'keep/recompute: 2 0 1');
  assert.equal(cost(bestWithin(t, 0)!), 'recompute/recompute: 0 0 129');
});

test('an intermediate spilled across two extra passes is written once and read twice', () => {
  const q = loadCascade('input A[K,E]\nQ[k] = A[k,e] * A[k,e]\nT = Q[k] :: reduce max\nY[k] = Q[k] - T\nU = Y[k] :: reduce max\nV[k] = Q[k] * U\n', 'q.cascade');
  const t = tradeoff(q, resolveShapes(q, new Map([['K', 4], ['E', 3]])), 4);
  assert.deepEqual(t.tensors.map((x) => x.options.map((o) => [o.option, o.onChipBytes, o.dramReadBytes, o.dramWriteBytes, o.extraOps])), [
    [['keep', 16, 0, 0, 0], ['reread', 0, 32, 16, 0], ['recompute', 0, 0, 0, 24]],
  ]);
});

test('two partitions: a tile over M0 buffers every rank but M1, and the trade-off takes the first of two equal ranks', () => {
  // BX is read in passes 1 (GM) and 2 (Y) over M1 and over M0. Over M0 one M0 tile is buffered for all
  // of P (P1·P0: the outer part of P is not traversed by M0); over M1 the whole of BX.
  const c = loadCascade('input X[M,P]\nshape M0 = 4, P0 = 2\nBX[m1,m0,p1,p0] = X[m1*M0+m0, p1*P0+p0]\nGM[p1,p0] = BX[m1,m0,p1,p0] :: reduce max\nY[m1,m0,p1,p0] = exp(BX[m1,m0,p1,p0] - GM[p1,p0])\n', 'two.cascade');
  const f = liveFootprint(c, analysePasses(c));
  assert.deepEqual(f.map((x) => [x.tensor, x.rank, x.passes, x.buffer.symbolic, x.reread.symbolic]), [
    ['BX', 'M0', [1, 2], 'M0·P1·P0', 'M1·M0·P1·P0'],
    ['BX', 'M1', [1, 2], 'M1·M0·P1·P0', 'M1·M0·P1·P0'],
  ]);
  const t = tradeoff(c, resolveShapes(c, new Map([['M', 8], ['P', 4]])));
  assert.deepEqual(t.tensors.map((x) => [x.tensor, x.rank, x.options[0]?.onChipBytes]), [['BX', 'M0', 4 * 4 * 2]]);
});

test('the trade-off decides a tensor over the rank with the most passes: A over M (3) rather than K (2)', () => {
  // Over K: S reduces M, not K, so Y streams with it (pass 1) and only W, after Z, needs pass 2. Over M:
  // Y waits for S (2), Z reduces Y in pass 2, W waits for Z (3).
  const c = loadCascade('input A[K,M]\nS[k] = A[k,m]\nY[k,m] = A[k,m] / S[k]\nZ = Y[k,m]\nW[k,m] = A[k,m] - Z\n', 'ranks.cascade');
  assert.deepEqual(analysePasses(c).tensors.filter((x) => x.tensor === 'A').map((x) => [x.rank, x.passes]), [['K', [1, 2]], ['M', [1, 2, 3]]]);
  const t = tradeoff(c, resolveShapes(c, new Map([['K', 4], ['M', 3]])));
  assert.deepEqual(t.tensors.map((x) => [x.tensor, x.rank, x.passes]), [['A', 'M', [1, 2, 3]]]);
});
