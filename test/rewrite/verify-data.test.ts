import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import type { Tensor } from '../../src/tensor/index.ts';
import {
  allowedError, CONDITIONING_FACTOR, LARGE_OFFSET, LARGE_SCALE, PERTURBATION, stabilityOf, STABILITY_TOLERANCE, Verifier, verifyRewrite, type Verification, type VerificationCase,
} from '../../src/rewrite/verify.ts';
import { verificationShapes } from '../../src/rewrite/verification-shapes.ts';

// The verification's data sets, recomputed here: standard normal (seed 11), scaled by 30 (seed 12), and
// each input in turn offset by 1e5 (seed 13). A "rewrite" that adds 1 to every output element differs
// from the original by exactly 1 / ‖y‖∞ (normwise, largest element), with y the original's output on that data, so each
// case's error pins its data.
const ORIGINAL = loadCascade('input A[D], B[D]\nY[d] = A[d] + B[d]\n', 'sum.cascade');
const PLUS_ONE = loadCascade('input A[D], B[D]\nY[d] = A[d] + B[d] + 1\n', 'plus-one.cascade');

function expectedError(seed: number, scale: number, offsetOf: (name: string) => number): number {
  const inputs = completeInputs(ORIGINAL, resolveShapes(ORIGINAL, new Map([['D', 6]])), seed);
  const data = (n: string) => (inputs.get(n) as Tensor).toDense().map((v) => v * scale + offsetOf(n));
  const a = data('A');
  const b = data('B');
  return 1 / Math.max(...a.map((v, i) => Math.abs(v + (b[i] as number))));
}

test('verification runs standard normal, scaled and per-input offset data (recomputed), and reports the larger of the first two', () => {
  const v = verifyRewrite(ORIGINAL, PLUS_ONE, new Map([['D', 6]]));
  assert.deepEqual(v.cases.map((x) => [x.data, x.scale, x.offset, x.input, x.seed]), [
    ['normal', 1, 0, undefined, 11],
    ['scaled', 30, 0, undefined, 12],
    ['offset', 1, 1e5, 'A', 13],
    ['offset', 1, 1e5, 'B', 13],
  ]);
  const want = [
    expectedError(11, 1, () => 0),
    expectedError(12, 30, () => 0),
    expectedError(13, 1, (n) => (n === 'A' ? 1e5 : 0)),
    expectedError(13, 1, (n) => (n === 'B' ? 1e5 : 0)),
  ];
  v.cases.forEach((x, i) => assert.ok(Math.abs(x.maxRelError - (want[i] as number)) <= 1e-12 * (want[i] as number), `${x.data} ${x.input}: ${x.maxRelError} vs ${want[i]}`));
  assert.equal(v.maxRelError, Math.max(v.cases[0]?.maxRelError as number, v.cases[1]?.maxRelError as number));
  // Every error exceeds the tolerance, so the original's own movement was measured: a sum moves by
  // about the perturbation (1e-14) relative, far below the tolerance, which stays the allowance.
  for (const x of v.cases) {
    assert.ok(x.conditioning !== undefined && x.conditioning > 0 && x.conditioning < 1e-13, `${x.data}: ${x.conditioning}`);
    assert.equal(allowedError(x), STABILITY_TOLERANCE);
  }
  assert.equal(stabilityOf(v), 'unstable');
  // The scale and offset are parameters: at scale 1 and offset 0 every case has the normal error of its seed.
  const plain = new Verifier(ORIGINAL, STABILITY_TOLERANCE, 1, 0).verify(PLUS_ONE, new Map([['D', 6]]));
  assert.ok(Math.abs((plain.cases[1]?.maxRelError as number) - expectedError(12, 1, () => 0)) < 1e-15);
  assert.ok(Math.abs((plain.cases[2]?.maxRelError as number) - expectedError(13, 1, () => 0)) < 1e-15);
});

test('a correct rewrite is compared on every output; one that loses an output is an error, not a pass', () => {
  const two = loadCascade('input A[D], B[D]\noutput Y, Z\nY[d] = A[d] + B[d]\nZ = A[d] * B[d]\n', 'two.cascade');
  const same = loadCascade('input A[D], B[D]\noutput Y, Z\nZ = B[d] * A[d]\nY[d] = B[d] + A[d]\n', 'same.cascade');
  const v = verifyRewrite(two, same, new Map([['D', 6]]));
  assert.ok(v.cases.every((x) => x.maxRelError === 0 && x.conditioning === undefined), JSON.stringify(v.cases));
  assert.equal(stabilityOf(v), 'stable');
  const lost = loadCascade('input A[D], B[D]\nY[d] = A[d] + B[d]\n', 'lost.cascade');
  assert.throws(() => verifyRewrite(two, lost, new Map([['D', 6]])), /the rewritten cascade lost output Z/);
  // A changed output Z (and Y exact) counts.
  const wrongZ = loadCascade('input A[D], B[D]\noutput Y, Z\nY[d] = A[d] + B[d]\nZ = A[d] * B[d] * 2\n', 'z.cascade');
  assert.ok(Math.abs(verifyRewrite(two, wrongZ, new Map([['D', 6]])).maxRelError - 1) < 1e-15);
});

test('the error a case may show: the tolerance, or 10 times the original\'s own movement when larger', () => {
  assert.deepEqual([LARGE_SCALE, LARGE_OFFSET, PERTURBATION, CONDITIONING_FACTOR, STABILITY_TOLERANCE], [30, 1e5, 1e-14, 10, 1e-9]);
  const base: VerificationCase = { data: 'offset', scale: 1, offset: 1e5, input: 'X', seed: 13, maxRelError: 5e-9 };
  assert.equal(allowedError(base), 1e-9);
  assert.equal(allowedError({ ...base, conditioning: 1e-11 }), 1e-9);
  assert.equal(allowedError({ ...base, conditioning: 1e-9 }), 1e-8);
  assert.equal(allowedError({ ...base, conditioning: Infinity }), 1e-9);
  assert.equal(allowedError({ ...base, conditioning: NaN }), 1e-9);
  assert.equal(allowedError(base, 1e-6), 1e-6);
  assert.equal(allowedError({ ...base, conditioning: 1e-6 }, 1e-6), 10 * 1e-6);
  const judge = (...cases: VerificationCase[]) => stabilityOf({ maxRelError: 0, cases } satisfies Verification);
  assert.equal(judge(base), 'unstable');
  assert.equal(judge({ ...base, conditioning: 1e-9 }), 'stable', 'within 10 × the original\'s movement');
  assert.equal(judge({ ...base, maxRelError: 1e-9 }), 'stable', 'at the tolerance');
  assert.equal(judge({ ...base, maxRelError: NaN }), 'unstable', 'a NaN error is no agreement');
  assert.equal(judge({ ...base, maxRelError: NaN, skipped: 'the original cascade does not give finite outputs on this data' }), 'stable');
  assert.equal(judge({ ...base, maxRelError: 1e-12 }, base), 'unstable', 'every case counts');
  assert.equal(stabilityOf({ maxRelError: 0, cases: [base] }, 1e-8), 'stable');
});

test('verification shapes: 6 per rank of either cascade; a partitioned rank 10 in tiles of 4, its outer part derived', () => {
  const c = loadCascade('input A[D,P]\nY[p] = A[d,p]\n', 'a.cascade');
  const d = loadCascade('input A[D,P], W[E]\nY[p] = A[d,p] * W[e]\n', 'b.cascade');
  assert.deepEqual([...verificationShapes(c, d)].sort(), [['D', 6], ['E', 6], ['P', 6]]);
  const m = loadCascade('input X[M,P]\nshape M0 = 64\nBX[m1,m0,p] = X[m1*M0+m0,p]\nY[p] = BX[m1,m0,p]\n', 'm.cascade');
  assert.deepEqual([...verificationShapes(c, m)].sort(), [['D', 6], ['M', 10], ['M0', 4], ['P', 6]]);
  assert.deepEqual([...verificationShapes(m, c)].sort(), [['D', 6], ['M', 10], ['M0', 4], ['P', 6]]);
});
