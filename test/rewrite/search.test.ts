import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimize, operationCount, ruleApplications, trackedRank, verifyRewrite } from '../../src/rewrite/search.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { maxRelativeDifference } from '../../src/tensor/index.ts';
import { builtinCascade } from '../helpers/cascades.ts';

test('operation counts by hand: map operations per point plus one per reduced point', () => {
  // Cascade 1: Y = Σ_k A·B and Z = Σ_k Y·A: (1 + 1)·K each.
  const c1 = builtinCascade('cascade1-dot-reuse');
  assert.equal(operationCount(c1, resolveShapes(c1, new Map([['K', 8]]))), 32);
  // Cascade 3: RY (+, ×: 2 per step) and RZ (×, ÷, +, ×: 4 per step); initializations and Z = RZ[K] cost nothing.
  const c3 = builtinCascade('cascade3-iterative');
  assert.equal(operationCount(c3, resolveShapes(c3, new Map([['K', 8]]))), 48);
  // 3-pass attention at M = 4, P = 3, E = 2, F = 5: QK 2·MPE, GM MP, SN MP, SD MP, A MP, AV 2·MPF.
  const a = builtinCascade('attention-3pass');
  const [M, P, E, F] = [4, 3, 2, 5];
  assert.equal(operationCount(a, resolveShapes(a, new Map(Object.entries({ M, P, E, F })))), 2 * M * P * E + 4 * M * P + 2 * M * P * F);
});

test('optimize: the search budget, the rule set, the counting shapes and the refusals it reports', () => {
  const a = builtinCascade('attention-3pass');
  // One state expanded: the counting shapes are 1024 for every rank of the inputs.
  const one = optimize(a, { maxStates: 1 });
  assert.equal(one.rank, 'M');
  assert.deepEqual([...one.compute.shapes].slice(0, 4), [['E', 1024], ['P', 1024], ['M', 1024], ['F', 1024]]);
  // Partition alone does not remove a pass: nothing is applied.
  assert.deepEqual(optimize(a, { rules: ['partition'] }).rules, []);
  // All rules at given shapes: three rewrites, the default chunk M0 = 256 and M1 = M / 256.
  const all = optimize(a, { shapes: new Map([['M', 512], ['P', 256], ['E', 64], ['F', 64]]) });
  assert.deepEqual(all.rules.map((x) => x.rule), ['defer', 'partition', 'online']);
  assert.deepEqual([...all.compute.shapes], [['E', 64], ['P', 256], ['M', 512], ['F', 64], ['M0', 256], ['M1', 2]]);
  assert.deepEqual([all.passesAfter.get('M1'), all.passesAfter.get('M0')], [1, 2]);
  assert.ok(all.compute.after < all.compute.before, `${all.compute.after} < ${all.compute.before}`);
  // A chunk of 128 splits M into 4 × 128.
  const small = optimize(a, { chunk: 128, shapes: new Map([['M', 512], ['P', 256], ['E', 64], ['F', 64]]) });
  assert.deepEqual([small.compute.shapes.get('M0'), small.compute.shapes.get('M1')], [128, 4]);
});

test('operation counts: unary operators count, a variable pinned by an == filter does not', () => {
  const u = loadCascade('input A[K]\nY[k] = -exp(A[k])\n', 'unary.cascade');
  assert.equal(operationCount(u, resolveShapes(u, new Map([['K', 8]]))), 2 * 8);
  // Y[i] = Σ_{k = i} 2·A[k]: one × and one + per i, not per (i, k).
  const f = loadCascade('input A[K]\nY[i] = A[k : k == i] * 2\n', 'filter.cascade');
  assert.equal(operationCount(f, resolveShapes(f, new Map([['K', 8], ['I', 5]]))), 2 * 5);
});

test('verifyRewrite measures the difference of a wrong rewrite at both scales, and a lost output is an error', () => {
  const original = loadCascade('input A[K]\nY = A[k] * A[k]\n', 'o.cascade');
  const wrong = loadCascade('input A[K]\nY = A[k] * A[k] + 1\n', 'w.cascade');
  const shapes = new Map([['K', 4]]);
  const v = verifyRewrite(original, wrong, shapes, 3);
  // By hand from the same random data: Σ a² against Σ (a² + 1) = Σ a² + K, with a scaled by 1 and by 3.
  const want = ([[1, 11], [3, 12]] as const).map(([scale, seed]) => {
    const a = completeInputs(original, resolveShapes(original, shapes), seed).get('A')!.toDense().map((x) => x * scale);
    const y = a.reduce((s, x) => s + x * x, 0);
    return { scale, seed, maxRelError: maxRelativeDifference([y + 4], [y]) };
  });
  const ordinaryAndLarge = v.cases.slice(0, 2);
  assert.deepEqual(ordinaryAndLarge.map((c) => [c.scale, c.seed]), want.map((c) => [c.scale, c.seed]));
  ordinaryAndLarge.forEach((c, i) => assert.ok(Math.abs(c.maxRelError - want[i]!.maxRelError) < 1e-12, `${c.maxRelError} vs ${want[i]!.maxRelError}`));
  assert.equal(v.maxRelError, v.cases[0]!.maxRelError, 'here the ordinary scale differs most');
  assert.ok(v.cases[0]!.maxRelError !== v.cases[1]!.maxRelError);
  const lost = loadCascade('input A[K]\nZ = A[k] * A[k]\n', 'lost.cascade');
  assert.throws(() => verifyRewrite(original, lost, shapes), /the rewritten cascade lost output Y/);
});

test('operation counts of a ragged partition count the real points of the partial tile', () => {
  // LY[m1] = Σ_m0 2·BX: a × and a + per real point (M of them, not M1·M0); Y = Σ_m1 LY: a + per tile.
  const c = loadCascade('input X[M]\nshape M0 = 4\nBX[m1,m0] = X[m1*M0+m0]\nLY[m1] = BX[m1,m0] * 2\nY = LY[m1]\n', 'ragged.cascade');
  assert.equal(operationCount(c, resolveShapes(c, new Map([['M', 10]]))), 2 * 10 + 3);
  assert.equal(operationCount(c, resolveShapes(c, new Map([['M', 12]]))), 2 * 12 + 3);
});

test('the tracked rank is the outer part of the rank\'s own partition; the rules tried on each Einsum', () => {
  const two = loadCascade('input X[M], W[K]\nshape M0 = 4, K0 = 2\nBX[m1,m0] = X[m1*M0+m0]\nBW[k1,k0] = W[k1*K0+k0]\nY = BX[m1,m0] * BW[k1,k0]\n', 'two.cascade');
  assert.deepEqual(['K', 'M', 'P'].map((r) => trackedRank(two, r)), ['K1', 'M1', 'P']);
  // Defer on each reduction, expand (shifted, and the textbook form since it trades accuracy) on the
  // reductions over D, partition (refused: an output carries D), online on reductions over D.
  const l = loadCascade('input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) / D\nZ[d,p] = X[d,p] * V[p]\n', 'l.cascade');
  const tried = ruleApplications(l, 'D').map((r) => (r.ok ? `${r.rewrite.rule}${r.rewrite.trades ? ' (trades accuracy)' : ''}: ${r.rewrite.description.replace(/:.*/, '')}` : `no ${r.refusal.rule}: ${r.refusal.target}`));
  assert.deepEqual(tried, ['defer: MU', 'defer: V', 'no expand: MU', 'expand: V', 'expand (trades accuracy): V', 'no partition: D', 'no online: MU', 'no online: V']);
  assert.deepEqual(ruleApplications(l, 'D', ['expand']).map((r) => r.ok), [false, true, true]);
  assert.deepEqual(ruleApplications(l, 'P', ['expand', 'online']), [], 'nothing reduces P');
});

test('partition is not tried on a rank that is already partitioned, or a part of one', () => {
  const p = loadCascade('input X[M,P]\nshape M0 = 4\nBX[m1,m0,p] = X[m1*M0+m0,p]\nGM[p] = BX[m1,m0,p] :: reduce max\nY[m1,m0,p] = BX[m1,m0,p] - GM[p]\n', 'p.cascade');
  assert.deepEqual(['M', 'M1', 'M0'].map((r) => ruleApplications(p, r, ['partition']).length), [0, 0, 0]);
  assert.deepEqual(ruleApplications(p, 'P', ['partition']).map((r) => (r.ok ? '' : r.refusal.reason)), ['the output Y carries P']);
});

test('an unstable rewrite is refused with one warning per pass count, saying which rules, how far off and what was allowed', () => {
  // Σ (X − MU)² / D multiplied out as written: on X offset by 1e5 it cancels ~1e10 against ~1.
  const v = loadCascade('input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) / D\n', 'variance.cascade');
  const unstable = /^a rewrite to 1 pass over D \(expand\) is numerically unstable: relative error \d\.\d\de-\d on data with X offset by 1e\+5 \(allowed \d\.\de-\d+\); /;
  const safe = optimize(v);
  assert.equal(safe.warnings.length, 1, safe.warnings.join('\n'));
  assert.match(safe.warnings[0] as string, new RegExp(`${unstable.source}refused \\(--allow-unstable accepts it\\)$`));
  assert.equal(safe.stability, 'stable');
  assert.match(safe.text, /XS\[d,p\] = X\[d,p\] - X\[0,p\]/);
  const risky = optimize(v, { allowUnstable: true });
  assert.match(risky.warnings[0] as string, new RegExp(`${unstable.source}accepted \\(--allow-unstable\\)$`));
  assert.equal(risky.stability, 'unstable');
  const unverified = optimize(v, { verify: false });
  assert.equal(unverified.stability, 'unverified');
  assert.deepEqual(unverified.warnings, []);
  assert.equal(unverified.verification, undefined);
  assert.ok(unverified.rules.every((r) => r.verification === undefined));
});
