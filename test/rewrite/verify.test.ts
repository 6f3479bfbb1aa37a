import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { optimize } from '../../src/rewrite/search.ts';
import { stabilityOf, verifyRewrite, LARGE_SCALE } from '../../src/rewrite/verify.ts';
import { verificationShapes } from '../../src/rewrite/verification-shapes.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { maxRelativeDifference, Tensor } from '../../src/tensor/index.ts';

// Regression (FUSEMAX_PROPERTY_SEED=870610894 of the optimize property): where the original cascade
// itself overflows, its outputs say nothing about a rewrite (a reassociated rewrite turns ∞ − ∞ into NaN
// where the original gave −∞, or the reverse). Such a data set is skipped, with the reason, and the
// rewrite is judged on the data where the original is finite.
test('a data set on which the original is not finite is skipped, with the reason, and does not decide stability', () => {
  // Y = Σ exp(exp(a)) overflows to +∞ when some a > 6.6: never on standard normal data, always at
  // scale 30 or offset 1e5. Then the original Z = Σ Y·a[k] is NaN (∞ times both signs) and the deferred
  // Z = (Σ a[k])·Y is ±∞.
  const c = loadCascade('input A[K]\nY = exp(exp(A[k]))\nZ = Y * A[k]\n', 'overflow.cascade');
  const r = optimize(c);
  assert.deepEqual(r.rules.map((x) => x.rule), ['defer']);
  const shapes = verificationShapes(c, r.cascade);
  // The premise, recomputed here: at scale 30 the original's Z is not finite and the rewrite's differs.
  const s0 = resolveShapes(c, shapes);
  const scaled = new Map([...completeInputs(c, s0, 12)].map(([n, t]) => [n, Tensor.fromDense(n, t.rankIds, t.shape, t.toDense().map((x) => x * LARGE_SCALE))] as const));
  const original = (runCascade(c, s0, scaled).outputs.get('Z') as Tensor).toDense();
  const rewritten = (runCascade(r.cascade, resolveShapes(r.cascade, shapes), scaled).outputs.get('Z') as Tensor).toDense();
  assert.ok(original.every(Number.isNaN) && rewritten.every((x) => Math.abs(x) === Infinity), `${original} ${rewritten}`);
  assert.ok(!(maxRelativeDifference(rewritten, original) <= 1e-9), 'compared, the overflowed outputs would fail the rewrite');

  const v = verifyRewrite(c, r.cascade, shapes);
  const summary = v.cases.map((x) => [x.data, x.input ?? null, x.skipped ?? null]);
  const skip = 'the original cascade does not give finite outputs on this data';
  assert.deepEqual(summary, [['normal', null, null], ['scaled', null, skip], ['offset', 'A', skip]]);
  assert.ok(v.cases.filter((x) => x.skipped).every((x) => Number.isNaN(x.maxRelError)));
  // The error reported is the normal data's (the scaled case was skipped), a rounding difference.
  assert.equal(v.maxRelError, v.cases[0]?.maxRelError);
  assert.ok(v.maxRelError > 0 && v.maxRelError < 1e-12, String(v.maxRelError));
  assert.equal(stabilityOf(v), 'stable');
});
