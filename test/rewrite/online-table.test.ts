import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { online } from '../../src/rewrite/online.ts';
import { draftCascade, draftOf, draftText } from '../../src/rewrite/draft.ts';
import { verifyRewrite } from '../../src/rewrite/search.ts';

// The online rule (FuseMax Cascade 1 → 3, attention 3-pass → 1-pass): G = ⊕_m X becomes the running RG,
// each sum of G-scaled terms the recurrence RS[m+1] = term + RS[m]·CG[m] with the correction
// CG = exp(RG[m] − RG[m+1]) (⊕ = max) or RG[m+1]/RG[m] (⊕ = +); readers after the traversal read the
// final generations. The rewritten text by hand, then checked on random data; every refusal.
const X = 'input X[M,P], V[F,M]\n';
const ACCEPTED: ReadonlyArray<readonly [string, string]> = [
  // A scaled Einsum with other factors (a unary call, a constant): only G is replaced.
  [X + 'G[p] = X[m,p] :: reduce max\nE[m,p] = exp(X[m,p] - G[p]) * abs(X[m,p]) * 2\nS[p] = E[m,p]\n',
    'RG[m:m=0,p] = -inf\nRS[m:m=0,p] = 0\nRG[m+1,p] = max(RG[m,p], X[m,p])\nCG[m,p] = exp(RG[m,p] - RG[m+1,p])\nE[m,p] = exp(X[m,p] - RG[m+1,p]) * abs(X[m,p]) * 2\nRS[m+1,p] = E[m,p] + RS[m,p] * CG[m,p]\nS[p] = RS[M,p]\n'],
  [X + 'G[p] = X[m,p] :: reduce max\nS[p] = exp(X[m,p] - G[p])\nT[m,p] = S[p] * X[m,p]\n',
    'RG[m:m=0,p] = -inf\nRS[m:m=0,p] = 0\nRG[m+1,p] = max(RG[m,p], X[m,p])\nCG[m,p] = exp(RG[m,p] - RG[m+1,p])\nRS[m+1,p] = exp(X[m,p] - RG[m+1,p]) + RS[m,p] * CG[m,p]\nS[p] = RS[M,p]\nT[m2,p] = S[p] * X[m2,p]\n'],
  [X + 'G[p] = X[m,p] :: reduce max\nE[m,p] = exp(X[m,p] - G[p])\nS[f,p] = E[m,p] * V[f,m]\nO[f,p] = S[f,p] / G[p]\n',
    'RG[m:m=0,p] = -inf\nRS[m:m=0,f,p] = 0\nRG[m+1,p] = max(RG[m,p], X[m,p])\nCG[m,p] = exp(RG[m,p] - RG[m+1,p])\nG[p] = RG[M,p]\nE[m,p] = exp(X[m,p] - RG[m+1,p])\nRS[m+1,f,p] = E[m,p] * V[f,m] + RS[m,f,p] * CG[m,p]\nS[f,p] = RS[M,f,p]\nO[f,p] = S[f,p] / G[p]\n'],
  [X + 'G[p] = X[m,p]\nS[p] = X[m,p] * G[p]\n',
    'RG[m:m=0,p] = 0\nRS[m:m=0,p] = 0\nRG[m+1,p] = RG[m,p] + X[m,p]\nCG[m,p] = RG[m+1,p] / RG[m,p]\nRS[m+1,p] = X[m,p] * RG[m+1,p] + RS[m,p] * CG[m,p]\nS[p] = RS[M,p]\n'],
  [X + 'G[p] = X[m,p] :: reduce max\nS[p] = exp(X[m,p] - G[p])\noutput S, G\n',
    'RG[m:m=0,p] = -inf\nRS[m:m=0,p] = 0\nRG[m+1,p] = max(RG[m,p], X[m,p])\nCG[m,p] = exp(RG[m,p] - RG[m+1,p])\nG[p] = RG[M,p]\nRS[m+1,p] = exp(X[m,p] - RG[m+1,p]) + RS[m,p] * CG[m,p]\nS[p] = RS[M,p]\n'],
  [X + 'G[p] = X[m,p] :: reduce max\nS[p] = exp(X[m,p] - G[p])\nZ[p] = S[p] + G[p]\n',
    'RG[m:m=0,p] = -inf\nRS[m:m=0,p] = 0\nRG[m+1,p] = max(RG[m,p], X[m,p])\nCG[m,p] = exp(RG[m,p] - RG[m+1,p])\nG[p] = RG[M,p]\nRS[m+1,p] = exp(X[m,p] - RG[m+1,p]) + RS[m,p] * CG[m,p]\nS[p] = RS[M,p]\nZ[p] = S[p] + G[p]\n'],
];

const REFUSED: ReadonlyArray<readonly [string, string]> = [
  [X + 'G[p] = X[m,p] :: reduce max\nS[p] = exp(X[m,p] - G[p]) :: reduce +(intersect)\n', 'S reduces with add, which does not commute with the rescaling'],
  [X + 'G = X[m,p]\nS = exp(X[m,p] - G)\n', 'it must reduce exactly one variable'],
  [X + 'G[p] = X[m,p] :: reduce max(intersect)\nS[p] = exp(X[m,p] - G[p])\n', 'its reduction must use the union merge'],
  ['input X[M,P], A[M]\nS[0] = 0\nS[m+1] = S[m] + A[m]\nG[p] = X[m,p] :: reduce max\nT[p] = exp(X[m,p] - G[p])\n', 'the cascade already has an iterative rank'],
  [X + 'G[p] = X[m,p] :: reduce max\nS[p] = X[m,p] - G[p]\n', 'S uses G in a way that does not rescale (it must enter as exp(x − G) with G a maximum of those x)'],
  [X + 'G[p] = X[m,p] :: reduce max\nS[p] = exp(X[m,p] - G[p]) :: reduce max\n', 'S reduces with max, which does not commute with the rescaling'],
  [X + 'G[p] = X[m,p] :: reduce max\nS = exp(X[m,p] - G[p])\n', 'S reduces m together with other variables'],
  [X + 'G[p] = X[m,p] :: reduce max\nE[m,p] = exp(X[m,p] - G[p])\n', 'no sum over M uses G'],
  [X + 'G[p] = X[m,p]\nS[p] = X[m,p] / G[p]\n', 'S does not use G as one scaling factor'],
  [X + 'G[p] = X[m,p] :: reduce max\nS[p] = exp(V[f,m] - G[p])\n', 'S uses G in a way that does not rescale (it must enter as exp(x − G) with G a maximum of those x)'],
];

const SHAPES = new Map([['M', 6], ['P', 3], ['F', 2]]);

test('online: the rewritten recurrences, by hand, and equal to the originals on random data', () => {
  for (const [text, want] of ACCEPTED) {
    const c = loadCascade(text, 'online.cascade');
    const r = online(c, draftOf(c), c.einsums.findIndex((e) => e.output.tensor === 'G'));
    assert.ok(r.ok, `${text}: ${r.ok ? '' : r.refusal.reason}`);
    const out = draftText(r.rewrite.draft);
    assert.equal(out.slice(out.indexOf('\n', out.indexOf('output')) + 1), want, text);
    assert.ok(verifyRewrite(c, draftCascade(r.rewrite.draft), SHAPES, 2).maxRelError < 1e-12, text);
  }
});

test('online refuses what the rescaling identities do not cover', () => {
  for (const [text, reason] of REFUSED) {
    const c = loadCascade(text, 'online.cascade');
    const r = online(c, draftOf(c), c.einsums.findIndex((e) => e.output.tensor === 'G'));
    assert.equal(r.ok ? '' : r.refusal.reason, reason, text);
    assert.equal(r.ok ? '' : `${r.refusal.rule} ${r.refusal.target}`, 'online G', text);
  }
  const c = loadCascade('input A[K]\nY = A[k]\n', 'none.cascade');
  assert.deepEqual(online(c, draftOf(c), 3), { ok: false, refusal: { rule: 'online', target: '#3', reason: 'no such Einsum' } });
});

test('online says what became running and which identity it used', () => {
  const said = (text: string) => {
    const c = loadCascade(text, 'online.cascade');
    const r = online(c, draftOf(c), 0);
    return r.ok ? [r.rewrite.rule, r.rewrite.description, r.rewrite.condition] : [];
  };
  assert.deepEqual(said(X + 'G[p] = X[m,p] :: reduce max\nE[m,p] = exp(X[m,p] - G[p])\nS[f,p] = E[m,p] * V[f,m]\nO[f,p] = S[f,p] / G[p]\n'), ['online',
    'G (max over M) becomes the running RG; S → RS are rescaled by CG at every step',
    'exp(a − b) = exp(a − c)·exp(c − b): a sum of exp(x − G) terms is rescaled to a new maximum by exp(G_old − G_new)']);
  assert.deepEqual(said(X + 'G[p] = X[m,p]\nS[p] = X[m,p] * G[p]\n'), ['online',
    'G (add over M) becomes the running RG; S → RS are rescaled by CG at every step',
    'a·G = a·G′·(G/G′): a sum of terms scaled by G is rescaled to a new G by the ratio (needs G non-zero once started)']);
});
