import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysePasses } from '../../src/analysis/passes.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { runFused } from '../../src/exec/fused.ts';
import { builtinCascade } from '../helpers/cascades.ts';
import { runOn, shapesOf } from '../helpers/run.ts';

// Expected values derived by hand from the pass definition (docs/cascade-notation.md, "Passes").
function analyse(text: string) {
  const a = analysePasses(loadCascade(text, 'rules.cascade'));
  return {
    ranks: [...a.ranks],
    chains: a.chains.map((x) => `${x.rank}${x.pass}:${x.completes}->${x.reader}${x.via.length ? ` via ${x.via.join(',')}` : ''} (${x.reason})`),
    tensors: a.tensors.map((x) => `${x.tensor}/${x.rank}:${x.passes.join(',')}`),
  };
}

test('ranks of the iteration space: sorted, initializations excluded', () => {
  assert.deepEqual(analyse('input A[K], B[J]\nS[0] = B[j]\nS[k+1] = S[k] + A[k]\n').ranks, [['K', 1]]);
  const a = analysePasses(builtinCascade('attention-3pass'));
  assert.deepEqual([...a.ranks], [['E', 1], ['F', 1], ['M', 3], ['P', 1]]);
});

test('an initialization from a value complete over K delays the recurrence to the next pass (sequential = fused)', () => {
  // S[0] = max_k A[k] needs the whole K fiber before the recurrence over K can start.
  const text = 'input A[K]\nT = A[k] :: reduce max\nS[0] = T\nS[k+1] = S[k] + A[k]\nY[k] = S[k] * A[k]\n';
  assert.deepEqual(analyse(text), { ranks: [['K', 2]], chains: ['K2:T->S via S (reduces)'], tensors: ['A/K:1,2', 'S/K:2', 'Y/K:2'] });
  const c = loadCascade(text, 'init.cascade');
  const { result, inputs } = runOn(c, { K: 5 }, 3);
  const fused = runFused(c, shapesOf(c, { K: 5 }), inputs, 'K');
  assert.equal(fused.trace.traversalsPerFiber, 2);
  assert.deepEqual([...(fused.tensors.get('Y')!).toDense()], [...(result.tensors.get('Y')!).toDense()]);
});

test('when two completions force the same pass, the chain names the first operand', () => {
  const base = 'input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nT = A[k] :: reduce max\n';
  assert.deepEqual(analyse(`${base}Y[k] = T * S[K] * A[k]\n`).chains, ['K2:T->Y (reduces)']);
  assert.deepEqual(analyse(`${base}Y[k] = S[K] * T * A[k]\n`).chains, ['K2:S->Y (final-generation)']);
});

test('one chain per completed tensor and pass, however many readers wait for it', () => {
  assert.deepEqual(analyse('input A[K]\nT = A[k] :: reduce max\nY[k] = A[k] - T\nZ[k] = A[k] * T\n'), {
    ranks: [['K', 2]], chains: ['K2:T->Y (reduces)'], tensors: ['A/K:1,2', 'Y/K:2', 'Z/K:2'],
  });
});

test("a tensor's passes are listed in ascending order, whatever the order of its readers", () => {
  // B is first read in pass 2 (Y, after T's reduction), then in pass 1 (Z).
  assert.deepEqual(analyse('input A[K], B[K]\nT = A[k] :: reduce max\nY[k] = B[k] * T\nZ[k] = B[k] + A[k]\n').tensors, ['A/K:1', 'B/K:1,2', 'Y/K:2', 'Z/K:1']);
});

test('a filtered read of an intermediate along the rank streams; a rank iterated whole and partitioned is reported once', () => {
  assert.deepEqual(analyse('input A[K]\nT[k] = A[k] * A[k]\nY[i] = T[k : k <= i]\n'), { ranks: [['I', 1], ['K', 1]], chains: [], tensors: ['A/K:1', 'T/K:1', 'Y/I:1'] });
  assert.deepEqual(analyse('input K[M]\nshape M0 = 2\nBK[m1,m0] = K[m1*M0+m0]\nT = K[m] :: reduce max\nY[m] = K[m] - T\nU = BK[m1,m0]\n').tensors, ['K/M:1,2', 'BK/M0:1', 'BK/M1:1', 'Y/M:2']);
});

test('a completion reaches the traversal through two Einsums outside it; partitioned reads name only what carries the whole rank', () => {
  assert.deepEqual(analyse('input A[K], B[J]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nT[j] = S[K] * B[j]\nW[j] = T[j] * 2\nY[k,j] = W[j] * A[k]\n').chains, ['K2:S->Y via T,W (final-generation)']);
  // In the 1-pass cascade only K and V carry M (read through M1 × M0); Q, read in the same Einsums, does not.
  assert.deepEqual(analysePasses(builtinCascade('attention-1pass')).tensors.filter((x) => x.rank === 'M').map((x) => `${x.tensor}:${x.passes.join(',')}`), ['K:1', 'V:1']);
});

test('an Einsum outside the traversal waits for the latest completion among its operands, in either order', () => {
  // S (pass 1) → T (2) → U, reduced in pass 2 → W = U·S, outside the traversal of K, is complete after
  // pass 2 → Y, which reads W, runs in pass 3.
  for (const w of ['U * S', 'S * U']) {
    assert.deepEqual(analyse(`input A[K]\nS = A[k]\nT[k] = A[k] / S\nU = T[k]\nW = ${w}\nY[k] = A[k] * W\n`),
      { ranks: [['K', 3]], chains: ['K2:S->T (reduces)', 'K3:U->Y via W (reduces)'], tensors: ['A/K:1,2,3', 'T/K:2', 'Y/K:3'] }, w);
  }
});

test('one chain per completed value and pass: two readers of S in pass 2 give one, T in the same pass another', () => {
  const text = 'input A[K]\nS = A[k]\nT = A[k] :: reduce max\nY[k] = A[k] - S\nZ[k] = A[k] * S\nW[k] = A[k] + T\nV = Y[k] * Y[k]\nO[k] = Y[k] / V\n';
  assert.deepEqual(analyse(text), {
    ranks: [['K', 3]],
    chains: ['K2:S->Y (reduces)', 'K2:T->W (reduces)', 'K3:V->O (reduces)'],
    tensors: ['A/K:1,2', 'Y/K:2,3', 'Z/K:2', 'W/K:2', 'O/K:3'],
  });
});

test('a rank only iterated through its partition: the passes over M of the inputs read as X[m1*M0+m0], ascending', () => {
  // X is read first by Y (pass 2 over M1, after the maximum GM) and then by Z (pass 1).
  const text = 'input X[M,P], W[M,P]\nshape M0 = 4\nGM[p] = W[m1*M0+m0,p] :: reduce max\nY[m1,m0,p] = exp(X[m1*M0+m0,p] - GM[p])\nZ[m1,m0,p] = X[m1*M0+m0,p] * 2\n';
  assert.deepEqual(analyse(text).tensors, ['X/M:1,2', 'X/P:1', 'W/M:1', 'W/P:1', 'GM/P:1', 'Y/M0:2', 'Y/M1:2', 'Y/P:1', 'Z/M0:1', 'Z/M1:1', 'Z/P:1']);
});
