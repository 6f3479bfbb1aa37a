import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysePasses } from '../../src/analysis/passes.ts';
import { loadCascade } from '../../src/ir/check.ts';

// Pass counts derived by hand from the pass definition (docs/cascade-notation.md, "Passes"): an operand
// read at its final generation T[K] is complete only after the whole K fiber, so a reader that iterates
// K waits for the next pass; generations k and k+1 stream within the pass that produces them.
const RECURRENCE = 'input A[K], B[J]\nS[0] = 0\nS[k+1] = S[k] + A[k]\n';

function analyse(rest: string) {
  const c = loadCascade(RECURRENCE + rest, 'final.cascade');
  const a = analysePasses(c);
  const passOf = (t: string) => a.einsumPasses.get(c.einsums.find((e) => e.output.tensor === t && !e.initializes)?.index as number)?.get('K');
  const tensorPasses = (t: string) => a.tensors.find((x) => x.tensor === t && x.rank === 'K')?.passes;
  const chains = a.chains.map((ch) => `${ch.rank}${ch.pass}:${ch.completes}->${ch.reader}${ch.via.length ? ` via ${ch.via.join(',')}` : ''} (${ch.reason})`);
  return { a, passOf, tensorPasses, chains };
}

test('reading the final generation inside the traversal that computes it forces the next pass', () => {
  const r = analyse('Y[k] = S[K] * A[k]\n');
  assert.equal(r.a.ranks.get('K'), 2);
  assert.equal(r.passOf('S'), 1);
  assert.equal(r.passOf('Y'), 2);
  assert.deepEqual(r.chains, ['K2:S->Y (final-generation)']);
  assert.deepEqual(r.tensorPasses('S'), [1, 2]);
  assert.deepEqual(r.tensorPasses('A'), [1, 2]);
  assert.deepEqual(r.tensorPasses('Y'), [2]);
});

test('a final generation reaches a later traversal through an Einsum outside it', () => {
  const r = analyse('T[j] = S[K] * B[j]\nY[k,j] = T[j] * A[k]\n');
  assert.equal(r.a.ranks.get('K'), 2);
  assert.equal(r.a.ranks.get('J'), 1);
  assert.equal(r.passOf('Y'), 2);
  assert.deepEqual(r.chains, ['K2:S->Y via T (final-generation)']);
});

test('generations k and k+1 stream: no extra pass', () => {
  for (const read of ['S[k+1]', 'S[k]']) {
    const r = analyse(`Y[k] = ${read} * A[k]\n`);
    assert.equal(r.a.ranks.get('K'), 1, read);
    assert.equal(r.passOf('Y'), 1, read);
    assert.deepEqual(r.chains, [], read);
  }
  // A reader of the final generation that does not iterate K makes no pass over K.
  const z = analyse('Z = S[K] * B[j]\n');
  assert.equal(z.a.ranks.get('K'), 1);
  assert.deepEqual(z.chains, []);
});

test('completions chain: a final generation, then a reduction of what read it', () => {
  const r = analyse('Y[k] = S[K] * A[k]\nU = Y[k]\nV[k] = U * A[k]\n');
  assert.equal(r.a.ranks.get('K'), 3);
  assert.deepEqual(['S', 'Y', 'U', 'V'].map(r.passOf), [1, 2, 2, 3]);
  assert.deepEqual(r.chains, ['K2:S->Y (final-generation)', 'K3:U->V (reduces)']);
  // A reduction and a final generation read together: both complete in pass 1, the reader is in pass 2.
  const both = analyse('T = A[k] :: reduce max\nY[k] = S[K] * T * A[k]\n');
  assert.equal(both.a.ranks.get('K'), 2);
  assert.equal(both.passOf('Y'), 2);
});
