import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestWithin, tradeoff } from '../../src/analysis/tradeoff.ts';
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
