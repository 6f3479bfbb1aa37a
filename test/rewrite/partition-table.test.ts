import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { partition } from '../../src/rewrite/partition.ts';
import { draftCascade, draftOf, draftText } from '../../src/rewrite/draft.ts';
import { verifyRewrite } from '../../src/rewrite/search.ts';

// The partition rule M = M1 × M0 (FuseMax Eqs. 39–40): blocked copies of the inputs, intermediates
// indexed by (m1, m0), each reduction over M split into a local one over M0 and one over M1 with the
// same (associative, commutative) operator. Rewritten text by hand, then checked on random data.
const ACCEPTED: ReadonlyArray<readonly [string, string]> = [
  ['input A[M]\nT[m] = exp(A[m])\nY = T[m]\n', 'BA[m1,m0] = A[m1*M0+m0]\nBT[m1,m0] = exp(BA[m1,m0])\nLY[m1] = BT[m1,m0]\nY = LY[m1]\n'],
  ['input A[K,M], B[M]\nT[k] = A[k,m] * B[m] :: reduce max\n',
    'BA[k,m1,m0] = A[k,m1*M0+m0]\nBB[m1,m0] = B[m1*M0+m0]\nLT[m1,k] = BA[k,m1,m0] * BB[m1,m0] :: reduce max\nT[k] = LT[m1,k] :: reduce max\n'],
  ['input A[M], B[M]\nT[m] = A[m] * B[m]\nY = T[m]\n',
    'BA[m1,m0] = A[m1*M0+m0]\nBB[m1,m0] = B[m1*M0+m0]\nBT[m1,m0] = BA[m1,m0] * BB[m1,m0]\nLY[m1] = BT[m1,m0]\nY = LY[m1]\n'],
  ['input A[M], B[M]\nY = A[m] * B[m] :: reduce min\n',
    'BA[m1,m0] = A[m1*M0+m0]\nBB[m1,m0] = B[m1*M0+m0]\nLY[m1] = BA[m1,m0] * BB[m1,m0] :: reduce min\nY = LY[m1] :: reduce min\n'],
  // Taken names: BA is an input (A's copy is BA2, so A2's is BA22), LY an Einsum (Y's local sum is LY2).
  ['input A[M], BA[M]\nA2[m] = A[m] * BA[m]\nY = A2[m]\n',
    'BA2[m1,m0] = A[m1*M0+m0]\nBBA[m1,m0] = BA[m1*M0+m0]\nBA22[m1,m0] = BA2[m1,m0] * BBA[m1,m0]\nLY[m1] = BA22[m1,m0]\nY = LY[m1]\n'],
  ['input A[M], B\nLY = B * 2\nY = A[m] * LY\n', 'BA[m1,m0] = A[m1*M0+m0]\nLY = B * 2\nLY2[m1] = BA[m1,m0] * LY\nY = LY2[m1]\n'],
  // A filter on another rank's variable stays.
  ['input A[M,K]\nY[m] = A[m,k : k <= 2]\nZ = Y[m]\n', 'BA[m1,m0,k] = A[m1*M0+m0,k]\nBY[m1,m0] = BA[m1,m0,k:k<=2]\nLZ[m1] = BY[m1,m0]\nZ = LZ[m1]\n'],
];

const REFUSED: ReadonlyArray<readonly [string, string, string]> = [
  ['input A[M,J]\nY = A[m,m1]\n', 'M', 'Y already uses m1 or m0'],
  ['input A[M], B[M]\nT[m] = A[m] * B[m]\nY = T[m]\noutput T, Y\n', 'M', 'the output T carries M'],
  ['input A[M]\nshape M0 = 2\nBA[m1,m0] = A[m1*M0+m0]\nY = BA[m1,m0]\n', 'M', 'M is already partitioned'],
  ['input A[M]\nshape M0 = 2\nBA[m1,m0] = A[m1*M0+m0]\nY = BA[m1,m0]\n', 'M1', 'M1 is itself a part of a partition'],
  ['input A[M]\nshape M0 = 2\nBA[m1,m0] = A[m1*M0+m0]\nY = BA[m1,m0]\n', 'M0', 'M0 is itself a part of a partition'],
  ['input A[M,M1]\nY = A[m,m1]\n', 'M', 'the names M1 and M0 are taken'],
  ['input A[M,M0]\nY = A[m,m0]\n', 'M', 'the names M1 and M0 are taken'],
  ['input A[M]\nS[0] = 0\nS[m+1] = S[m] + A[m]\n', 'M', 'S iterates M generation by generation'],
  ['input A[M]\nY[i] = A[m : m <= i]\n', 'M', 'Y filters m'],
  ['input A[M]\noperator f(a, b) = a + b identity 0\nY = A[m] :: reduce f\n', 'M', 'Y reduces m with f, which is not associative and commutative'],
  ['input A[M]\nT[m] = A[m+1]\nY = T[m]\n', 'M', 'T reads A with an index of M that is not the plain variable'],
  ['input A[M], B[M]\nT[i] = A[m] * B[i]\nY = T[m]\n', 'M', 'T reads B with an index of M that is not the plain variable'],
];

test('partition: the rewritten cascades, by hand, and equal to the originals on random data', () => {
  for (const [text, want] of ACCEPTED) {
    const c = loadCascade(text, 'partition.cascade');
    const r = partition(c, draftOf(c), 'M', 2);
    assert.ok(r.ok, `${text}: ${r.ok ? '' : r.refusal.reason}`);
    const out = draftText(r.rewrite.draft);
    assert.equal(out.slice(out.indexOf('\n', out.indexOf('shape')) + 1), want, text);
    assert.match(out, /\nshape {2}M0 = 2\n/);
    const shapes = new Map([['M', 6], ['M0', 2], ['K', 3]].filter(([k]) => k === 'M0' || text.includes(`${k}]`) || text.includes(`${k},`)) as [string, number][]);
    assert.ok(verifyRewrite(c, draftCascade(r.rewrite.draft), shapes, 2).maxRelError < 1e-12, text);
  }
});

test('partition refuses what it cannot split', () => {
  for (const [text, rank, reason] of REFUSED) {
    const c = loadCascade(text, 'partition.cascade');
    assert.deepEqual(partition(c, draftOf(c), rank, 2), { ok: false, refusal: { rule: 'partition', target: rank, reason } }, text);
  }
});

test('partition says what it split and blocked, and which identity it used', () => {
  const c = loadCascade('input A[M], B[M]\nT[m] = A[m] * B[m]\nY = T[m]\n', 'partition.cascade');
  const r = partition(c, draftOf(c), 'M', 2);
  assert.deepEqual(r.ok ? [r.rewrite.rule, r.rewrite.description, r.rewrite.condition] : [], ['partition',
    'split M into M1 × M0 (M0 = 2); blocked A → BA, B → BB, T → BT',
    'a reduction over M equals a reduction over M1 of reductions over M0 for associative, commutative operators (a partial last tile reduces exactly its own points)']);
});

test("partition of one rank leaves another rank's partition alone", () => {
  const c = loadCascade('input A[M], B[K]\nshape M0 = 2\nBA[m1,m0] = A[m1*M0+m0]\nT = BA[m1,m0]\nY[k] = B[k] * T\nZ = Y[k]\n', 'two.cascade');
  const r = partition(c, draftOf(c), 'K', 2);
  assert.ok(r.ok, r.ok ? '' : r.refusal.reason);
  const out = draftText(r.rewrite.draft);
  assert.match(out, /\nshape {2}M0 = 2, K0 = 2\n/);
  assert.equal(out.slice(out.indexOf('\n', out.indexOf('shape')) + 1), 'BB[k1,k0] = B[k1*K0+k0]\nBA[m1,m0] = A[m1*M0+m0]\nT = BA[m1,m0]\nBY[k1,k0] = BB[k1,k0] * T\nLZ[k1] = BY[k1,k0]\nZ = LZ[k1]\n');
  assert.ok(verifyRewrite(c, draftCascade(r.rewrite.draft), new Map([['M', 6], ['M0', 2], ['K', 4], ['K0', 2]]), 2).maxRelError < 1e-12);
});
