import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestWithin, tradeoff, type Plan } from '../../src/analysis/tradeoff.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { builtinCascade } from '../helpers/cascades.ts';

const N = 4096;
const E = 64;

test('attention-3pass at M = P = 4096: QK and SN can be kept, re-read or recomputed at the right cost', () => {
  const c = builtinCascade('attention-3pass');
  const t = tradeoff(c, resolveShapes(c, new Map(Object.entries({ M: N, P: N, E, F: E }))), 2);
  assert.deepEqual(t.tensors.map((x) => x.tensor), ['QK', 'SN']);
  const qk = Object.fromEntries((t.tensors[0]?.options ?? []).map((o) => [o.option, o]));
  assert.equal(qk['keep']?.onChipBytes, N * N * 2, 'M·P elements on chip');
  assert.equal(qk['reread']?.dramReadBytes, N * N * 2, 'one extra read of M·P elements');
  assert.equal(qk['reread']?.dramWriteBytes, N * N * 2, 'written once to be read back');
  assert.equal(qk['recompute']?.extraOps, N * N * E, 'M·P·E MACs to recompute it');
  const sn = Object.fromEntries((t.tensors[1]?.options ?? []).map((o) => [o.option, o]));
  assert.equal(sn['keep']?.onChipBytes, N * N * 2);
  assert.equal(sn['recompute']?.extraOps, N * N);
  // Recomputing SN re-reads QK: with QK spilled that is one more read of M·P elements.
  const spilledQK = t.plans.find((p) => p.choices['QK'] === 'reread' && p.choices['SN'] === 'recompute');
  assert.equal(spilledQK?.dramBytes, 3 * N * N * 2);
  // The frontier: nothing dominated, both extremes present.
  assert.ok(t.pareto.some((p) => p.onChipBytes === 2 * N * N * 2 && p.dramBytes === 0 && p.extraOps === 0));
  assert.ok(t.pareto.some((p) => p.onChipBytes === 0 && p.dramBytes === 0));
  for (const p of t.pareto) for (const q of t.plans) {
    assert.ok(!(q.onChipBytes <= p.onChipBytes && q.dramBytes <= p.dramBytes && q.extraOps <= p.extraOps && (q.onChipBytes < p.onChipBytes || q.dramBytes < p.dramBytes || q.extraOps < p.extraOps)));
  }
  assert.deepEqual(bestWithin(t, 32 * 1024 * 1024)?.choices, { QK: 'keep', SN: 'recompute' });
});

test('the 1-pass cascade has nothing to trade over M1, only the M0 tile', () => {
  const c = builtinCascade('attention-1pass');
  const t = tradeoff(c, resolveShapes(c, new Map(Object.entries({ M: N, P: N, E, F: E }))));
  assert.deepEqual(t.tensors.map((x) => `${x.tensor}/${x.rank}`), ['BV/M0', 'BQK/M0']);
  assert.equal(t.tensors[1]?.options[0]?.onChipBytes, 256 * N * 2, 'an M0·P tile');
});

test('attention-3pass: all nine plans, the Pareto frontier and the best plan per budget, by hand', () => {
  // M = P = 64, E = F = 8, 2-byte words. u = M·P·2 bytes, the size of QK or SN; recomputing QK costs
  // X = M·P·E MACs, recomputing SN (an exp per element) Y = M·P operations and re-reads QK (one more read
  // of u when QK is spilled, one more recomputation X when QK is recomputed).
  const c = builtinCascade('attention-3pass');
  const t = tradeoff(c, resolveShapes(c, new Map(Object.entries({ M: 64, P: 64, E: 8, F: 8 }))), 2);
  const u = 64 * 64 * 2;
  const X = 64 * 64 * 8;
  const Y = 64 * 64;
  const row = (p: { choices: Readonly<Record<string, string>>; onChipBytes: number; dramBytes: number; extraOps: number }) => [p.choices['QK'], p.choices['SN'], p.onChipBytes, p.dramBytes, p.extraOps];
  // keep: u on chip; reread: one write and one read (2u); recompute: the operations.
  const plans = [
    ['keep', 'keep', 2 * u, 0, 0],
    ['keep', 'reread', u, 2 * u, 0],
    ['keep', 'recompute', u, 0, Y],
    ['reread', 'keep', u, 2 * u, 0],
    ['reread', 'reread', 0, 4 * u, 0],
    ['reread', 'recompute', 0, 2 * u + u, Y],
    ['recompute', 'keep', u, 0, X],
    ['recompute', 'reread', 0, 2 * u, X],
    ['recompute', 'recompute', 0, 0, X + Y + X],
  ];
  assert.deepEqual(t.plans.map(row), plans);
  // Only (recompute, keep) is dominated: (keep, recompute) costs the same bytes and Y < X operations.
  // The frontier is sorted by on-chip bytes, then DRAM bytes, then operations (ties keep plan order).
  assert.deepEqual(t.pareto.map(row), [plans[8], plans[7], plans[5], plans[4], plans[2], plans[1], plans[3], plans[0]]);
  // The least DRAM traffic within the budget, then the fewest operations.
  assert.deepEqual([0, u - 1, u, 2 * u - 1, 2 * u].map((b) => row(bestWithin(t, b) as Plan)), [plans[8], plans[8], plans[2], plans[2], plans[0]]);
  assert.equal(bestWithin(t, -1), undefined);
});
