import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerBounds } from '../../src/analysis/lower-bound.ts';
import { loadCascade } from '../../src/ir/check.ts';
import type { Cascade } from '../../src/ir/cascade.ts';
import { builtinCascade } from '../helpers/cascades.ts';

// The lower bound's argument (src/analysis/lower-bound.ts, docs/passes.md "Lower bound") on cascades
// whose bounds follow from it by hand: an output that carries R and depends on a value complete only
// after a whole R fiber (a reduction over R, a final generation) needs 2 passes; one that only depends on
// data along R needs 1; an Einsum nobody needs makes 0. Each bound with its output, its completed value
// and its reason.
const show = (c: Cascade) => [...lowerBounds(c).values()].map((b) => [b.rank, b.whole ?? null, b.passes, b.output ?? null, b.completes ?? null, b.nested, b.reason]);

const CASES: ReadonlyArray<readonly [string, () => Cascade, unknown]> = [
  ['softmax', () => builtinCascade('softmax'),
    [["M",null,2,"Y","GM",[],"Y carries M and depends on GM, complete only after a whole M fiber (GM reduces M); in one pass an element at coordinate r could depend only on coordinates up to r, so at least 2 passes over M"],["P",null,1,"Y",null,[],"Y depends on data along P and Y carries P but depends on no value complete only after a whole P fiber: 1 pass over P"]]],
  ['cascade1-dot-reuse', () => builtinCascade('cascade1-dot-reuse'),
    [["K",null,1,"Z",null,[],"Z depends on data along K and no output carries K: 1 pass over K"]]],
  ['attention-1pass', () => builtinCascade('attention-1pass'),
    [["E",null,1,"AV",null,[],"AV depends on data along E and no output carries E: 1 pass over E"],["F",null,1,"AV",null,[],"AV depends on data along F and AV carries F but depends on no value complete only after a whole F fiber: 1 pass over F"],["M1","M",1,"AV",null,[],"AV depends on data along M1 and no output carries M1: 1 pass over M1 (the outer part of M)"],["P",null,1,"AV",null,[],"AV depends on data along P and AV carries P but depends on no value complete only after a whole P fiber: 1 pass over P"]]],
  ['input A[K]\nT = A[k] :: reduce max\nY[k] = A[k] - T\n', () => loadCascade('input A[K]\nT = A[k] :: reduce max\nY[k] = A[k] - T\n', 'bound.cascade'),
    [["K",null,2,"Y","T",[],"Y carries K and depends on T, complete only after a whole K fiber (T reduces K); in one pass an element at coordinate r could depend only on coordinates up to r, so at least 2 passes over K"]]],
  ['input A[K]\nY[i] = A[k] * A[i]\n', () => loadCascade('input A[K]\nY[i] = A[k] * A[i]\n', 'bound.cascade'),
    [["K",null,2,"Y","Y",["Y"],"Y carries K and depends on Y, complete only after a whole K fiber (Y reduces K); in one pass an element at coordinate r could depend only on coordinates up to r, so at least 2 passes over K"]]],
  ['input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY[k] = S[K] * A[k]\n', () => loadCascade('input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY[k] = S[K] * A[k]\n', 'bound.cascade'),
    [["K",null,2,"Y","S",[],"Y carries K and depends on S, complete only after a whole K fiber (S is read at its final generation over K); in one pass an element at coordinate r could depend only on coordinates up to r, so at least 2 passes over K"]]],
  ['input A[K], B[J]\nT[j] = B[j] * 2\nY[k] = A[k] * 3\n', () => loadCascade('input A[K], B[J]\nT[j] = B[j] * 2\nY[k] = A[k] * 3\n', 'bound.cascade'),
    [["J",null,0,null,null,[],"no output depends on an Einsum that iterates J: it could be dropped"],["K",null,1,"Y",null,[],"Y depends on data along K and Y carries K but depends on no value complete only after a whole K fiber: 1 pass over K"]]],
  // A final generation of a tensor with two ranks (S[K,p]) forces K only; P streams.
  ['input A[K,P]\nS[0,p] = 0\nS[k+1,p] = S[k,p] + A[k,p]\nY[k,p] = S[K,p] * A[k,p]\n', () => loadCascade('input A[K,P]\nS[0,p] = 0\nS[k+1,p] = S[k,p] + A[k,p]\nY[k,p] = S[K,p] * A[k,p]\n', 'bound.cascade'),
    [["K",null,2,"Y","S",[],"Y carries K and depends on S, complete only after a whole K fiber (S is read at its final generation over K); in one pass an element at coordinate r could depend only on coordinates up to r, so at least 2 passes over K"],["P",null,1,"Y",null,[],"Y depends on data along P and Y carries P but depends on no value complete only after a whole P fiber: 1 pass over P"]]],
  // Y carries M, so it carries M1, the outer part of M: 2 passes over M1 (GM is its maximum). M itself
  // is iterated only by Y, after GM is complete (1), and J is reduced into SJ, which no output carries (1).
  ['input X[M], W[J]\nshape M0 = 4\nBX[m1,m0] = X[m1*M0+m0]\nGM = BX[m1,m0] :: reduce max\nSJ = W[j]\nY[m] = exp(X[m] - GM) * SJ\n', () => loadCascade('input X[M], W[J]\nshape M0 = 4\nBX[m1,m0] = X[m1*M0+m0]\nGM = BX[m1,m0] :: reduce max\nSJ = W[j]\nY[m] = exp(X[m] - GM) * SJ\n', 'bound.cascade'),
    [["J",null,1,"Y",null,[],"Y depends on data along J and no output carries J: 1 pass over J"],["M",null,1,"Y",null,[],"Y depends on data along M and Y carries M but depends on no value complete only after a whole M fiber: 1 pass over M"],["M1","M",2,"Y","GM",[],"Y carries M1 and depends on GM, complete only after a whole M1 fiber (GM reduces M1); in one pass an element at coordinate r could depend only on coordinates up to r, so at least 2 passes over M1 (the outer part of M)"]]],
  // The completion Y waits for is the final generation it reads first, though T reduces K too.
  ['input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nT = A[k] :: reduce max\nY[k] = S[K] * A[k] - T\n', () => loadCascade('input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nT = A[k] :: reduce max\nY[k] = S[K] * A[k] - T\n', 'bound.cascade'),
    [["K",null,2,"Y","S",[],"Y carries K and depends on S, complete only after a whole K fiber (S is read at its final generation over K); in one pass an element at coordinate r could depend only on coordinates up to r, so at least 2 passes over K"]]],
  ['input A[K]\nY[k] = A[k] * 2\nZ[k] = A[k] * 3\noutput Y, Z\n', () => loadCascade('input A[K]\nY[k] = A[k] * 2\nZ[k] = A[k] * 3\noutput Y, Z\n', 'bound.cascade'),
    [["K",null,1,"Y",null,[],"Y depends on data along K and Y, Z carry K but depend on no value complete only after a whole K fiber: 1 pass over K"]]],
  // A recurrence read through a filter (S[k : k <= 2]) streams: no final generation.
  ['input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY[k] = S[k : k <= 2] * A[k]\n', () => loadCascade('input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY[k] = S[k : k <= 2] * A[k]\n', 'bound.cascade'),
    [["K",null,1,"Y",null,[],"Y depends on data along K and Y carries K but depends on no value complete only after a whole K fiber: 1 pass over K"]]],
  // Two recurrences over J that read each other: the cycle says nothing about K (the dead Y iterates it).
  ['input X[K], C[J]\nA[0] = 0\nB[0] = 1\nA[j+1] = B[j] + C[j]\nB[j+1] = A[j] * 2\nY[k] = X[k] * 2\noutput A\n', () => loadCascade('input X[K], C[J]\nA[0] = 0\nB[0] = 1\nA[j+1] = B[j] + C[j]\nB[j+1] = A[j] * 2\nY[k] = X[k] * 2\noutput A\n', 'bound.cascade'),
    [["J",null,1,"A",null,[],"A depends on data along J and A carries J but depends on no value complete only after a whole J fiber: 1 pass over J"],["K",null,0,null,null,[],"no output depends on an Einsum that iterates K: it could be dropped"]]],
];

test('lower bounds by hand: the pass count, the output that forces it, the value it waits for, the reason', () => {
  for (const [name, cascade, want] of CASES) assert.deepEqual(show(cascade()), want, name);
});
