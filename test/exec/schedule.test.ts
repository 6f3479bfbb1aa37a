import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { sequentialSchedule } from '../../src/exec/schedule.ts';
import { Tensor } from '../../src/tensor/index.ts';
import { runOn } from '../helpers/run.ts';

// Every way an Einsum of the loop's variable k can sit around a generation loop over K
// (src/exec/schedule.ts): E and U, a reduction over k that does not depend on the loop, run before it
// (U with E, which it reads); V depends on the recurrence and T reduces V inside the loop; Y reads T,
// complete only after the loop; Z reads the final generation S[K]; W reads Z; Q (no k) reads S[K] and
// R reads Q: all after the loop.
const TEXT = 'input A[K]\noutput W, R, T\nE[k] = exp(A[k])\nU = E[k]\nS[0] = U\nS[k+1] = S[k] + A[k]\nV[k] = S[k] * E[k]\nT = V[k]\nY[k] = T * A[k]\nZ[k] = S[K] * A[k]\nW[k] = Z[k] + Y[k]\nQ = S[K]\nR[k] = Q * A[k]\n';
const A = [0.5, -1.25, 2, 0.75];

test('the sequential schedule around a generation loop: before, inside and after it, and the values it computes', () => {
  const c = loadCascade(TEXT, 'schedule.cascade');
  const steps = sequentialSchedule(c).map((s) => (s.kind === 'loop' ? `loop ${s.variable}: ${s.einsums.map((e) => e.output.tensor).join(' ')}` : `${s.einsum.output.tensor}${s.einsum.initializes ? '[0]' : ''}`));
  assert.deepEqual(steps, ['E', 'U', 'S[0]', 'loop k: S V T', 'Y', 'Z', 'W', 'Q', 'R']);
  // The same arithmetic in float64, written out.
  const E = A.map(Math.exp);
  const U = E.reduce((s, x) => s + x, 0);
  const S = [U];
  A.forEach((a, k) => S.push((S[k] as number) + a));
  const T = A.reduce((s, _, k) => s + (S[k] as number) * (E[k] as number), 0);
  const final = S[A.length] as number;
  const given = new Map([['A', Tensor.fromDense('A', ['K'], [A.length], Float64Array.from(A))]]);
  const { result } = runOn(c, { K: A.length }, 1, given);
  const out = (n: string) => [...(result.outputs.get(n) as Tensor).toDense()];
  assert.deepEqual(out('T'), [T]);
  assert.deepEqual(out('W'), A.map((a) => final * a + T * a));
  assert.deepEqual(out('R'), A.map((a) => final * a));
});
