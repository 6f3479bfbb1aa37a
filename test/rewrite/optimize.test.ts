import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { analysePasses } from '../../src/analysis/passes.ts';
import { optimize, verifyRewrite } from '../../src/rewrite/search.ts';
import { online } from '../../src/rewrite/online.ts';
import { defer } from '../../src/rewrite/defer.ts';
import { draftOf } from '../../src/rewrite/draft.ts';
import { verificationShapes } from '../../src/cli/optimize.ts';
import { textbookAttention } from '../../src/exec/reference-attention.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { maxRelativeDifference, Tensor } from '../../src/tensor/index.ts';
import { builtinCascade } from '../helpers/cascades.ts';

test('attention-3pass → a 1-pass cascade over M1 (defer, partition, online) that computes the same AV', () => {
  const c = builtinCascade('attention-3pass');
  const r = optimize(c);
  assert.deepEqual(r.rules.map((x) => x.rule), ['defer', 'partition', 'online']);
  assert.equal(r.passesBefore.get('M'), 3);
  assert.equal(r.passesAfter.get('M1'), 1);
  assert.equal(r.passesAfter.get('M0'), 2, 'the M0 tile is read twice, as in FlashAttention-2');
  assert.deepEqual(r.cascade.partitions, [{ whole: 'M', outer: 'M1', inner: 'M0' }]);
  assert.ok([...r.cascade.iterativeRanks.values()].some((it) => it.rank === 'M1'));
  // The rewritten cascade against float64 textbook attention, with logits up to ~1e4.
  const shapes = resolveShapes(r.cascade, new Map(Object.entries({ M: 64, M0: 16, P: 12, E: 8, F: 6 })));
  const inputs = completeInputs(r.cascade, shapes, 3);
  const big = new Map([...inputs].map(([n, t]) => [n, n === 'V' ? t : Tensor.fromDense(n, t.rankIds, t.shape, t.toDense().map((x) => x * 25))] as const));
  const out = runCascade(r.cascade, shapes, big).outputs.get('AV') as Tensor;
  const d = (n: string) => (big.get(n) as Tensor).toDense();
  const ref = textbookAttention({ M: 64, P: 12, E: 8, F: 6 }, d('Q'), d('K'), d('V'));
  assert.ok(Math.max(...(runCascade(r.cascade, shapes, big).tensors.get('BQK') as Tensor).toDense().map(Math.abs)) > 3000, 'large logits');
  assert.ok(maxRelativeDifference(out.toDense(), ref) < 1e-12);
  const v = verifyRewrite(c, r.cascade, verificationShapes(c, r.cascade));
  assert.ok(v.maxRelError < 1e-12, String(v.maxRelError));
  assert.equal(v.cases[1]?.scale, 30);
});

test('cascade1-dot-reuse → 1 pass over K (Cascade 2: the multiplication by Y is deferred)', () => {
  const c = builtinCascade('cascade1-dot-reuse');
  const r = optimize(c);
  assert.equal(r.passesAfter.get('K'), 1);
  assert.deepEqual(r.rules.map((x) => x.rule), ['defer']);
  assert.match(r.text, /SA = A\[k\]\nZ = SA \* Y/);
  assert.ok(r.compute.after < r.compute.before, 'one multiplication instead of K');
  assert.ok(verifyRewrite(c, r.cascade, verificationShapes(c, r.cascade)).maxRelError < 1e-12);
});

test('the online rule alone turns Cascade 1 into Cascade 3 (running Y, rescaled Z)', () => {
  const c = builtinCascade('cascade1-dot-reuse');
  const r = online(c, draftOf(c), 0);
  assert.ok(r.ok, r.ok ? '' : r.refusal.reason);
  const again = optimize(c, { rules: ['online'] });
  assert.equal(again.passesAfter.get('K'), 1);
  assert.match(again.text, /RY\[k\+1\] = RY\[k\] \+ A\[k\] \* B\[k\]\nCY\[k\] = RY\[k\+1\] \/ RY\[k\]\nRZ\[k\+1\] = RY\[k\+1\] \* A\[k\] \+ RZ\[k\] \* CY\[k\]\nZ = RZ\[K\]/);
  assert.ok(verifyRewrite(c, again.cascade, verificationShapes(c, again.cascade)).maxRelError < 1e-12);
});

test('with only the deferral rule, attention-3pass reaches 2 passes', () => {
  const r = optimize(builtinCascade('attention-3pass'), { rules: ['defer'] });
  assert.equal(r.passesAfter.get('M'), 2);
  assert.match(r.text, /SNV\[f,p\] = SN\[m,p\] \* V\[f,m\]\nAV\[f,p\] = SNV\[f,p\] \/ SD\[p\]/);
});

test('rewrites refuse when their condition does not hold', () => {
  const minNorm = loadCascade('input X[M,P], V[F,M]\nG[p] = X[m,p] :: reduce min\nS[f,p] = exp(X[m,p] - G[p]) * V[f,m]\n', 'min.cascade');
  const r1 = online(minNorm, draftOf(minNorm), 0);
  assert.equal(r1.ok, false);
  assert.match(r1.ok ? '' : r1.refusal.reason, /min has no rescaling/);
  const maxOfProducts = loadCascade('input A[K], B[K]\nY = A[k] * B[k]\nZ = Y * A[k] :: reduce max\n', 'maxred.cascade');
  const r2 = defer(draftOf(maxOfProducts), 1);
  assert.match(r2.ok ? '' : r2.refusal.reason, /only a \+ reduction distributes/);
  const squared = loadCascade('input X[M,P], V[F,M]\nG[p] = X[m,p] :: reduce max\nS[f,p] = exp(X[m,p] - G[p]) * exp(X[m,p] - G[p]) * V[f,m]\n', 'sq.cascade');
  const r3 = online(squared, draftOf(squared), 0);
  assert.match(r3.ok ? '' : r3.refusal.reason, /does not use G as one scaling factor/);
  // Found by the property test: G is a maximum of other values than the exponent's, so a running G
  // would not bound the exponents and exp could overflow before the correction.
  const unbounded = loadCascade('input In0[K], In1[I,K]\nT0[] = In0[k] * In0[k]\nT1[i] = In1[i,k] * T0[] :: reduce max\nT2[i] = exp(In0[k] - T1[i])\n', 'unbounded.cascade');
  const r4 = online(unbounded, draftOf(unbounded), 1);
  assert.match(r4.ok ? '' : r4.refusal.reason, /with T1 a maximum of those x/);
});

const RANKS = ['I', 'J', 'K'];
const randomCascade = fc.record({
  inputs: fc.array(fc.subarray(RANKS, { minLength: 1 }), { minLength: 2, maxLength: 3 }),
  einsums: fc.array(fc.record({ a: fc.nat(), b: fc.nat(), keep: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), op: fc.constantFrom('*', '+', 'max', 'exp', '/'), reduce: fc.constantFrom('+', 'max') }), { minLength: 1, maxLength: 5 }),
}).map(({ inputs, einsums }) => {
  const tensors = inputs.map((r, i) => ({ name: `In${i}`, ranks: [...r] }));
  const lines = [`input ${tensors.map((t) => `${t.name}[${t.ranks.join(',')}]`).join(', ')}`];
  einsums.forEach((e, n) => {
    const x = tensors[e.a % tensors.length] as { name: string; ranks: string[] };
    const y = tensors[e.b % tensors.length] as { name: string; ranks: string[] };
    const acc = (t: { name: string; ranks: string[] }) => `${t.name}[${t.ranks.map((r) => r.toLowerCase()).join(',')}]`;
    const space = RANKS.filter((r) => x.ranks.includes(r) || y.ranks.includes(r));
    const out = space.filter((_, i) => e.keep[i] ?? true);
    const rhs = e.op === 'max' ? `max(${acc(x)}, ${acc(y)})` : e.op === 'exp' ? `exp(${acc(x)} - ${acc(y)})` : `${acc(x)} ${e.op} ${acc(y)}`;
    lines.push(`T${n}[${out.map((r) => r.toLowerCase()).join(',')}] = ${rhs}${out.length < space.length && e.reduce !== '+' ? ` :: reduce ${e.reduce}` : ''}`);
    tensors.push({ name: `T${n}`, ranks: out });
  });
  return lines.join('\n') + '\n';
});

test('property: optimize never changes what a random cascade computes', () => {
  const params = propertyParams(300);
  let rewritten = 0;
  fc.assert(fc.property(randomCascade, (text) => {
    const c = loadCascade(text, 'random.cascade');
    const r = optimize(c, { chunk: 2, maxStates: 40 });
    if (r.rules.length === 0) return;
    rewritten++;
    assert.ok(Math.max(...r.passesAfter.values()) <= Math.max(...analysePasses(c).ranks.values()));
    const v = verifyRewrite(c, r.cascade, verificationShapes(c, r.cascade), 3);
    // Reassociation rounds differently; anything beyond that would be a wrong rewrite.
    assert.ok(!(v.maxRelError > 1e-9), `${v.maxRelError}\n${text}\n→\n${r.text}`);
  }), params);
  // The test only means something if rewrites happen (about 1 cascade in 12 of this generator).
  assert.ok(rewritten >= params.numRuns / 40, `only ${rewritten} random cascades were rewritten`);
});
