import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysePasses } from '../../src/analysis/passes.ts';
import { liveFootprint } from '../../src/analysis/footprint.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { builtinCascade } from '../helpers/cascades.ts';

// Expected results from the table "Expected results on the cascades" of the cascade-notation contract
// (../shared/docs/cascade-notation.md, section Passes), which restates the FuseMax paper's counts.
const EXPECTED: Record<string, { ranks: Record<string, number>; tensors: Record<string, number> }> = {
  'cascade1-dot-reuse': { ranks: { K: 2 }, tensors: { 'A/K': 2, 'B/K': 1 } },
  'cascade2-deferred': { ranks: { K: 1 }, tensors: { 'A/K': 1 } },
  'cascade3-iterative': { ranks: { K: 1 }, tensors: { 'A/K': 1 } },
  'attention-3pass': { ranks: { M: 3 }, tensors: { 'K/M': 1, 'QK/M': 2, 'SN/M': 2, 'V/M': 1 } },
  'attention-3pass-deferred-division': { ranks: { M: 2 }, tensors: { 'QK/M': 2, 'SN/M': 1 } },
  'attention-2pass': { ranks: { M1: 2, M0: 2 }, tensors: { 'BK/M1': 1, 'BK/M0': 1, 'K/M': 1, 'LM/M1': 2, 'SLD/M1': 2, 'SLNV/M1': 2 } },
  'attention-1pass': { ranks: { M1: 1, M0: 2 }, tensors: { 'BK/M1': 1, 'BV/M1': 1, 'BQK/M0': 2, 'K/M': 1 } },
};

for (const [name, want] of Object.entries(EXPECTED)) {
  test(`passes of ${name} match the paper`, () => {
    const a = analysePasses(builtinCascade(name));
    for (const [rank, n] of Object.entries(want.ranks)) assert.equal(a.ranks.get(rank), n, `passes over ${rank}`);
    for (const [key, n] of Object.entries(want.tensors)) {
      const [tensor, rank] = key.split('/');
      const t = a.tensors.find((x) => x.tensor === tensor && x.rank === rank);
      assert.ok(t, `no entry for ${key}`);
      assert.equal(t.passes.length, n, `${key}: passes ${t.passes.join(',')}`);
    }
  });
}

test('3-pass attention: pass of every Einsum and the chains in order', () => {
  const c = builtinCascade('attention-3pass');
  const a = analysePasses(c);
  const passOf = (t: string) => a.einsumPasses.get(c.einsums.find((e) => e.output.tensor === t)?.index as number)?.get('M');
  assert.deepEqual(['QK', 'GM', 'SN', 'SD', 'A', 'AV'].map(passOf), [1, 1, 2, 2, 3, 3]);
  assert.deepEqual(a.chains.map((ch) => [ch.rank, ch.pass, ch.completes, ch.reader]), [['M', 2, 'GM', 'SN'], ['M', 3, 'SD', 'A']]);
});

test('1-pass attention: the M0 chain runs through RM, outside the Einsums of M0', () => {
  const a = analysePasses(builtinCascade('attention-1pass'));
  const ch = a.chains.find((x) => x.rank === 'M0');
  assert.deepEqual(ch && [ch.completes, ch.reader, ch.via], ['LM', 'SLN', ['RM']]);
  assert.equal(a.chains.filter((x) => x.rank === 'M1').length, 0);
});

test('live footprint: QK costs M·P on chip, M·P re-read, or M·P·E recompute', () => {
  const c = builtinCascade('attention-3pass');
  const shapes = resolveShapes(c, new Map(Object.entries({ M: 4096, P: 4096, E: 64, F: 64 })));
  const f = liveFootprint(c, analysePasses(c), shapes);
  const qk = f.find((x) => x.tensor === 'QK');
  assert.ok(qk);
  assert.equal(qk.buffer.symbolic, 'M·P');
  assert.equal(qk.buffer.value, 4096 * 4096);
  assert.equal(qk.reread.value, 4096 * 4096);
  assert.equal(qk.recompute?.symbolic, 'M·P·E');
  assert.equal(qk.recompute?.value, 4096 * 4096 * 64);
  assert.equal(f.find((x) => x.tensor === 'SN')?.recompute?.symbolic, 'M·P');
});

test('live footprint: the 1-pass tile is M0·P', () => {
  const c = builtinCascade('attention-1pass');
  const f = liveFootprint(c, analysePasses(c));
  assert.equal(f.find((x) => x.tensor === 'BQK' && x.rank === 'M0')?.buffer.symbolic, 'M0·P');
});

test('a recurrence that feeds a reduction of its own rank back into itself is rejected', () => {
  const text = 'input A[K]\nS[0] = 0\nT = S[k]\nS[k+1] = S[k] + A[k] * T\n';
  try {
    analysePasses(loadCascade(text, 'cyc.cascade'));
    assert.fail('expected FM250');
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    assert.equal(e.diagnostics[0]?.code, 'FM250');
    assert.equal(e.diagnostics[0]?.location?.line, 4);
  }
});
