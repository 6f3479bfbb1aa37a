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
];

test('lower bounds by hand: the pass count, the output that forces it, the value it waits for, the reason', () => {
  for (const [name, cascade, want] of CASES) assert.deepEqual(show(cascade()), want, name);
});
