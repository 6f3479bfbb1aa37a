import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { textbookAttention } from '../../src/exec/reference-attention.ts';
import { Tensor, randomNormal, randomSparse } from '../../src/tensor/index.ts';
import { relError, runOn } from '../helpers/run.ts';

const SPMSPV = 'input A[I,J], X[J]\nY[i] = A[i,j] * X[j]\n';

test('sparse matrix × sparse vector: same result as dense with zeros; visits only the intersection', () => {
  const c = loadCascade(SPMSPV, 'spmspv.cascade');
  const [I, J] = [60, 80];
  const a = randomSparse([I, J], 0.05, 5, 'normal');
  const x = randomSparse([J], 0.3, 6, 'normal');
  const sparse = new Map([
    ['A', Tensor.fromDense('A', ['I', 'J'], [I, J], a, ['C', 'C'])],
    ['X', Tensor.fromDense('X', ['J'], [J], x, ['C'])],
  ]);
  const dense = new Map([
    ['A', Tensor.fromDense('A', ['I', 'J'], [I, J], a)],
    ['X', Tensor.fromDense('X', ['J'], [J], x)],
  ]);
  const s = runOn(c, { I, J }, 1, sparse).result;
  const d = runOn(c, { I, J }, 1, dense).result;
  assert.deepEqual(Array.from((s.outputs.get('Y') as Tensor).toDense()), Array.from((d.outputs.get('Y') as Tensor).toDense()));
  // Brute force: the points the intersection merge allows.
  let allowed = 0;
  const want = new Float64Array(I);
  for (let i = 0; i < I; i++) for (let j = 0; j < J; j++) {
    if (a[i * J + j] !== 0 && x[j] !== 0) { allowed++; want[i] = (want[i] as number) + (a[i * J + j] as number) * (x[j] as number); }
  }
  assert.ok(allowed > 0);
  assert.equal(s.visits[0], allowed);
  assert.equal(d.visits[0], allowed);
  assert.ok(relError((s.outputs.get('Y') as Tensor).toDense(), want) < 1e-15);
  assert.equal((s.outputs.get('Y') as Tensor).formats[0], 'C');
});

const MASKED = `# Masked attention: the mask's empty points are never computed (÷ and sub-then-exp take the left operand).
input Q[E,P], K[E,M], V[F,M], Mask[M,P]
QK[m,p] = Mask[m,p] * Q[e,p] * K[e,m]
GM[p]   = QK[m,p] :: reduce max
SN[m,p] = exp(QK[m,p] - GM[p]) :: map sub_exp(take_left)
SD[p]   = SN[m,p]
A[m,p]  = SN[m,p] / SD[p]
AV[f,p] = A[m,p] * V[f,m]
`;

test('masked attention: sparse mask equals the dense computation with zeros and a masked float64 softmax', () => {
  const c = loadCascade(MASKED, 'masked.cascade');
  const shape = { M: 64, P: 24, E: 8, F: 6 };
  const maskValues = randomSparse([shape.M, shape.P], 0.25, 9, 'uniform').map((v) => (v !== 0 ? 1 : 0));
  const q = randomNormal([shape.E, shape.P], 1);
  const k = randomNormal([shape.E, shape.M], 2);
  const v = randomNormal([shape.F, shape.M], 3);
  const base = (formats: 'C' | 'U'): Map<string, Tensor> => new Map([
    ['Q', Tensor.fromDense('Q', ['E', 'P'], [shape.E, shape.P], q)],
    ['K', Tensor.fromDense('K', ['E', 'M'], [shape.E, shape.M], k)],
    ['V', Tensor.fromDense('V', ['F', 'M'], [shape.F, shape.M], v)],
    ['Mask', Tensor.fromDense('Mask', ['M', 'P'], [shape.M, shape.P], maskValues, [formats, formats])],
  ]);
  const sparse = runOn(c, shape, 1, base('C')).result;
  const dense = runOn(c, shape, 1, base('U')).result;
  const av = (sparse.outputs.get('AV') as Tensor).toDense();
  assert.deepEqual(Array.from(av), Array.from((dense.outputs.get('AV') as Tensor).toDense()));
  const ref = textbookAttention(shape, q, k, v, maskValues);
  assert.ok(relError(av, ref) < 1e-12, `relative error ${relError(av, ref)}`);
  const nnz = maskValues.reduce((s, x) => s + x, 0);
  // QK visits mask points × E; SN, A visit only the mask's points.
  assert.equal(sparse.visits[0], nnz * shape.E);
  assert.equal(sparse.visits[2], nnz);
  assert.equal(sparse.visits[4], nnz);
  assert.equal(dense.visits[0], nnz * shape.E);
});

test('filters: the filtered prefix sum S[i+1] = A[k : k <= i] equals the iterative one', () => {
  const filtered = loadCascade('input A[K]\nS[i+1] = A[k : k <= i]\n', 'filtered.cascade');
  const iterative = loadCascade('input A[K]\nS[0] = 0\nS[i+1] = S[i] + A[i]\n', 'iterative.cascade');
  const a = new Map([['A', Tensor.fromDense('A', ['K'], [12], Float64Array.from({ length: 12 }, (_, i) => i + 1))]]);
  const s1 = runOn(filtered, { K: 12, I: 12 }, 1, a).result; // i ranges over I by convention
  const s2 = runOn(iterative, { K: 12 }, 1, a).result;
  const want = [0, ...Array.from({ length: 12 }, (_, i) => ((i + 1) * (i + 2)) / 2)];
  assert.deepEqual(Array.from((s1.outputs.get('S') as Tensor).toDense()), want);
  assert.deepEqual(Array.from((s2.outputs.get('S') as Tensor).toDense()), want);
  // The filtered form recomputes: Σ_{i<K} (i+1) points.
  assert.equal(s1.visits[0], (12 * 13) / 2);
});
