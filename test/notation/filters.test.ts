import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { Tensor } from '../../src/tensor/index.ts';
import { runOn } from '../helpers/run.ts';

// Y[i] = Σ_k A[k : k OP i] with A[k] = 2^k, so each sum names the set of k it took; checked against
// the same comparison in JavaScript, for every spelling the notation accepts (ASCII and Unicode).
const A = [1, 2, 4, 8, 16];
const SPELLINGS: ReadonlyArray<readonly [string, (k: number, i: number) => boolean]> = [
  ['<=', (k, i) => k <= i], ['≤', (k, i) => k <= i], ['<', (k, i) => k < i], ['>=', (k, i) => k >= i], ['≥', (k, i) => k >= i],
  ['>', (k, i) => k > i], ['==', (k, i) => k === i], ['=', (k, i) => k === i], ['!=', (k, i) => k !== i], ['≠', (k, i) => k !== i],
];

test('filters select the coordinates their comparison allows, in every spelling', () => {
  for (const [op, holds] of SPELLINGS) {
    const c = loadCascade(`input A[K]\nY[i] = A[k : k ${op} i]\n`, 'filter.cascade');
    const given = new Map([['A', Tensor.fromDense('A', ['K'], [A.length], Float64Array.from(A))]]);
    const y = (runOn(c, { K: A.length, I: A.length }, 1, given).result.outputs.get('Y') as Tensor).toDense();
    const want = A.map((_, i) => A.reduce((s, a, k) => s + (holds(k, i) ? a : 0), 0));
    assert.deepEqual([...y], want, op);
  }
});

test('stopping conditions in every spelling end the recurrence where the comparison first holds', () => {
  // S[i+1] = S[i] + A[i] from S[0] = 0 stops at the first i where `i OP 3` holds; Z = S[K] (generations past the stop stay empty).
  for (const [op, holds] of SPELLINGS) {
    if (holds(0, 3)) continue; // a stop that holds at once computes nothing
    const c = loadCascade(`input A[K]\nS[0] = 0\nS[i+1] = S[i] + A[i]\nstop i ${op} 3\n`, 'stop.cascade');
    const given = new Map([['A', Tensor.fromDense('A', ['K'], [A.length], Float64Array.from(A))]]);
    const { result } = runOn(c, { K: A.length }, 1, given);
    let stop = 0;
    while (!holds(stop, 3)) stop++;
    assert.equal(result.generations.get('i'), stop, op);
    const s = (result.outputs.get('S') as Tensor).toDense();
    assert.equal(s[stop], A.slice(0, stop).reduce((x, y) => x + y, 0), op);
  }
});
