import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { runFused } from '../../src/exec/fused.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { Tensor } from '../../src/tensor/index.ts';
import { runOn, shapesOf } from '../helpers/run.ts';

const A = [1.5, -0.25, 2, 0.75];
const SUM = A.reduce((s, a) => s + a, 0);

function run(text: string): { sequential: number[]; fused: number[]; traversals: number } {
  const c = loadCascade(text, 'final.cascade');
  const given = new Map([['A', Tensor.fromDense('A', ['K'], [A.length], Float64Array.from(A))]]);
  const { result, inputs } = runOn(c, { K: A.length }, 1, given);
  const fused = runFused(c, shapesOf(c, { K: A.length }), inputs, 'K');
  const out = c.outputs[c.outputs.length - 1] as string;
  return { sequential: [...(result.outputs.get(out) as Tensor).toDense()], fused: [...(fused.tensors.get(out) as Tensor).toDense()], traversals: fused.trace.traversalsPerFiber };
}

test('an Einsum over K that reads the final generation S[K] sees the whole recurrence (sequential and fused)', () => {
  // Y[k] = S[K] · A[k] with S[K] = Σ A: the reader runs after the loop of k, not inside it.
  const r = run('input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY[k] = S[K] * A[k]\n');
  const want = A.map((a) => SUM * a);
  assert.deepEqual(r.sequential, want);
  assert.deepEqual(r.fused, want);
  assert.equal(r.traversals, 2);
  // Generations inside the loop still stream: Y[k] = S[k+1] · A[k] is a prefix sum times A[k].
  const prefix = run('input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY[k] = S[k+1] * A[k]\n');
  const want2 = A.map((a, k) => A.slice(0, k + 1).reduce((s, x) => s + x, 0) * a);
  assert.deepEqual(prefix.sequential, want2);
  assert.deepEqual(prefix.fused, want2);
  assert.equal(prefix.traversals, 1);
});

test('a chain of completions: final generation, reduction, reader: three traversals', () => {
  const r = run('input A[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY[k] = S[K] * A[k]\nU = Y[k] :: reduce max\nV[k] = U - A[k]\n');
  const u = Math.max(...A.map((a) => SUM * a));
  assert.deepEqual(r.sequential, A.map((a) => u - a));
  assert.deepEqual(r.fused, r.sequential);
  assert.equal(r.traversals, 3);
});

test('a recurrence that reads the final generation of its own loop is refused with a located FM238', () => {
  const c = loadCascade('input A[K]\nS[0] = 0\nR[0] = 0\nS[k+1] = S[k] + A[k]\nR[k+1] = R[k] + S[K] * A[k]\n', 'own.cascade');
  assert.throws(() => runOn(c, { K: 4 }), (e: unknown) => {
    assert.ok(e instanceof UserError);
    assert.equal(e.diagnostics[0]?.code, 'FM238');
    assert.equal(e.diagnostics[0]?.location?.line, 5);
    assert.match(e.diagnostics[0]?.message ?? '', /the recurrence of 'R' needs a value complete over K inside the loop of k/);
    return true;
  });
});
