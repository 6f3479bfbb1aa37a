import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { defer } from '../../src/rewrite/defer.ts';
import { draftCascade, draftOf, draftText } from '../../src/rewrite/draft.ts';
import { verifyRewrite } from '../../src/rewrite/search.ts';

// The deferral rule on small sums, by distributivity (Σ_k a_k·t = t·Σ_k a_k, Σ_k a_k/t = (Σ_k a_k)/t,
// Σ_k t/a_k = t·Σ_k 1/a_k): the rewritten cascade by hand, then checked on random data.
const ACCEPTED: ReadonlyArray<readonly [string, string]> = [
  ['input A[K], B\nY = A[k] * B\n', 'SA = A[k]\nY = SA * B\n'],
  ['input A[K], B\nY = B * A[k]\n', 'SA = A[k]\nY = SA * B\n'],
  ['input A[K], B\nY = A[k] / B\n', 'SA = A[k]\nY = SA / B\n'],
  ['input A[K], B\nY = B / A[k]\n', 'SA = 1 / A[k]\nY = SA * B\n'],
  ['input A[K], B, C\nY = A[k] * B / C\n', 'SA = A[k]\nY = SA * B / C\n'],
  ['input A[K], B[K], C\nY = A[k] * C * B[k]\n', 'AB = A[k] * B[k]\nY = AB * C\n'],
  // A single-use product is inlined first (T disappears), and the deferred factors keep their indices.
  ['input A[K,J], B[J], C\nT[k,j] = A[k,j] * B[j]\nY[j] = T[k,j] * C\n', 'SA[j] = A[k,j]\nY[j] = SA[j] * B[j] * C\n'],
  // Other factors ride along when the product is inlined: a unary call and a constant.
  ['input A[K], B\nT[k] = exp(A[k]) * 2\nY = T[k] * B\n', 'ST = exp(A[k])\nY = ST * 2 * B\n'],
  // A quotient inlined: a / (b / c) = a·c / b.
  ['input A[K], B, C\nT[k] = B / A[k]\nY = C * T[k]\n', 'SA = 1 / A[k]\nY = SA * C * B\n'],
  // Not inlined: T reduces (j), is an output, has two readers, is read twice, or is a single factor.
  ['input A[K,J], B[J], C\nT[k] = A[k,j] * B[j]\nY = T[k] * C\n', 'T[k] = A[k,j] * B[j]\nST = T[k]\nY = ST * C\n'],
  ['input A[K], B[K], C\noutput T, Y\nT[k] = A[k] * B[k]\nY = T[k] * C\n', 'T[k] = A[k] * B[k]\nST = T[k]\nY = ST * C\n'],
  ['input A[K], B[K], C\nT[k] = A[k] * B[k]\nY = T[k] * C\nZ = T[k]\n', 'T[k] = A[k] * B[k]\nST = T[k]\nY = ST * C\nZ = T[k]\n'],
  ['input A[K], B[K], C\nT[k] = A[k] * B[k]\nY = T[k] * T[k] * C\n', 'T[k] = A[k] * B[k]\nTT = T[k] * T[k]\nY = TT * C\n'],
  ['input A[K], C\nT[k] = A[k]\nY = T[k] * C\n', 'T[k] = A[k]\nST = T[k]\nY = ST * C\n'],
  ['input A[K], C\nT[k] = 1 / A[k]\nY = T[k] * C\n', 'SA = 1 / A[k]\nY = SA * 1 * C\n'],
  ['input A[K], B\nY = (A[k] + 1) * B\n', 'ST = A[k] + 1\nY = ST * B\n'],
  ['input A[K,J], B\nY[j] = A[k,j] * B\n', 'SA[j] = A[k,j]\nY[j] = SA[j] * B\n'],
  ['input A[K], B[K], C\nT[k] = A[k] * B[k]\nY = C / T[k]\n', 'AB = 1 / A[k] / B[k]\nY = AB * C\n'],
];

const REFUSED: ReadonlyArray<readonly [string, RegExp]> = [
  ['input A[K], B[J]\nY = A[k] * B[j]\n', /every factor depends on the reduced variables/],
  ['input A[K], B\nY = A[k] + B\n', /every factor depends on the reduced variables/],
  ['input A[K]\nY = A[k] * 2\n', /only constants would move/],
  ['input A[K], B\nY = A[k] * B :: reduce max\n', /its reduction is max\(union\); only a \+ reduction distributes/],
  ['input A[K], B\nY[k] = A[k] * B\n', /it reduces nothing/],
  ['input A[K], B\nY = A[k] * B :: map *(union)\n', /every factor depends on the reduced variables/],
];

test('defer: the rewritten sums, by hand, and equal to the originals on random data', () => {
  for (const [text, want] of ACCEPTED) {
    const c = loadCascade(text, 'defer.cascade');
    const r = defer(draftOf(c), c.einsums.findIndex((e) => e.output.tensor === 'Y'));
    assert.ok(r.ok, `${text}: ${r.ok ? '' : r.refusal.reason}`);
    const out = draftText(r.rewrite.draft);
    assert.equal(out.slice(out.indexOf('\n', out.indexOf('output')) + 1), want, text);
    const shapes = new Map([['K', 5], ['J', 3]].filter(([k]) => text.includes(`${k}]`) || text.includes(`${k},`)) as [string, number][]);
    assert.ok(verifyRewrite(c, draftCascade(r.rewrite.draft), shapes, 2).maxRelError < 1e-12, text);
  }
});

test('defer refuses what distributivity does not allow', () => {
  for (const [text, reason] of REFUSED) {
    const c = loadCascade(text, 'defer.cascade');
    const r = defer(draftOf(c), c.einsums.length - 1);
    assert.equal(r.ok, false, text);
    assert.match(r.ok ? '' : r.refusal.reason, reason, text);
    assert.equal(r.ok ? '' : `${r.refusal.rule} ${r.refusal.target}`, 'defer Y', text);
  }
  const c = loadCascade('input A[K]\nY = A[k]\n', 'none.cascade');
  assert.deepEqual(defer(draftOf(c), 5), { ok: false, refusal: { rule: 'defer', target: '#5', reason: 'no such Einsum' } });
});

test('defer says what it moved and which identity it used', () => {
  const said = (text: string) => {
    const c = loadCascade(text, 'defer.cascade');
    const r = defer(draftOf(c), c.einsums.length - 1);
    return r.ok ? [r.rewrite.rule, r.rewrite.description, r.rewrite.condition] : [];
  };
  const condition = (v: string) => `× and ÷ distribute over +: Σ_${v} a·t = t·Σ a and Σ a/t = (Σ a)/t when t does not depend on ${v} (÷ needs t non-empty)`;
  assert.deepEqual(said('input A[K], B, C\nY = A[k] * B / C\n'), ['defer', 'Y: moved B, 1/C out of the sum over k into Y = SA·…', condition('k')]);
  assert.deepEqual(said('input A[K,J], B[J], C\nT[k,j] = A[k,j] * B[j]\nY[j] = T[k,j] * C\n'), ['defer', 'Y: moved B, C out of the sum over k into Y = SA·… (inlined T)', condition('k')]);
  assert.deepEqual(said('input A[K], B\nT[k] = exp(A[k]) * 2\nY = T[k] * B\n'), ['defer', 'Y: moved 2, B out of the sum over k into Y = ST·… (inlined T)', condition('k')]);
  assert.deepEqual(said('input A[K,J], B\nY = A[k,j] * B\n'), ['defer', 'Y: moved B out of the sum over k, j into Y = SA·…', condition('k,j').replace('depend on k,j', 'depend on k, j')]);
});
