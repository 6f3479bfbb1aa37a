import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { draftCascade, draftOf, draftText, ex, exprVars, freshName, indexVarNames, ix, readers, reducedVarsOf, rx } from '../../src/rewrite/draft.ts';
import { cascadeStructure } from '../../src/ir/structure.ts';

test('drafts: a cascade round-trips; + (union) reductions become implicit, others stay', () => {
  const c = loadCascade('input A[K,J], B[J]\nS = A[k,j] :: reduce +\nT = A[k,j] :: reduce max\nU = A[k,j] :: reduce +(intersect)\nV[j] = B[j] * S + T + U\n', 'd.cascade');
  const d = draftOf(c);
  assert.deepEqual(d.einsums.map((e) => e.reduction && `${e.reduction.op.name}(${e.reduction.merge.name})`), [null, 'max(union)', 'add(intersect)', null]);
  assert.deepEqual(d.inputs, [{ name: 'A', ranks: ['K', 'J'] }, { name: 'B', ranks: ['J'] }]);
  assert.equal(draftText(d), 'input  A[K,J], B[J]\noutput V\nS = A[k,j]\nT = A[k,j] :: reduce max\nU = A[k,j] :: reduce +(intersect)\nV[j] = B[j] * S + T + U\n');
  assert.deepEqual(cascadeStructure(draftCascade(d)), cascadeStructure(c));
});

test('draft helpers: fresh names, variables of indices and expressions, reduced variables, readers, builders', () => {
  const c = loadCascade('input A[M], BA[K], BA2[K]\nY[m1,m0] = A[m1*M0+m0]\nZ[i] = A[m : m <= i] * BA[k] * BA[-k]\nW = Y[m1,m0]\n', 'h.cascade');
  const d = draftOf(c);
  assert.equal(freshName(d, 'BA'), 'BA3');
  assert.equal(freshName(d, 'Y'), 'Y2');
  assert.equal(freshName(d, 'Q'), 'Q');
  assert.deepEqual(d.einsums[0]!.indices.flatMap(indexVarNames), ['m1', 'm0']);
  assert.deepEqual(indexVarNames(ix.e(rx.split('m1', 'M0', 'm0'))), ['m1', 'm0']);
  assert.deepEqual(indexVarNames({ kind: 'filter', variable: 'm', op: '<=', bound: rx.v('i') }), ['m']);
  assert.deepEqual(indexVarNames(ix.e({ kind: 'neg', operand: rx.plus1('k'), span: { start: 0, end: 0 } })), ['k']);
  assert.deepEqual(indexVarNames(ix.init('m1')), ['m1']);
  assert.deepEqual(reducedVarsOf(d.einsums[1]!), ['m', 'k']);
  assert.deepEqual([...exprVars(d.einsums[1]!.expr)], ['m', 'k']);
  assert.deepEqual(readers(d, 'A').map((e) => e.tensor), ['Y', 'Z']);
  assert.deepEqual(readers(d, 'Y').map((e) => e.tensor), ['W']);
  const forms = (['add', 'sub', 'mul', 'div', 'max', 'min', 'sub_exp'] as const).map((n) => {
    const b = ex.bin(n, ex.acc('A', [ix.v('k')]), ex.num(2));
    return b.kind === 'binary' ? `${b.op.name}:${b.form}:${b.merge.name}` : '';
  });
  assert.deepEqual(forms, ['add:infix:union', 'sub:infix:union', 'mul:infix:intersect', 'div:infix:take_left', 'max:call:union', 'min:call:union', 'sub_exp:exp-sub:pass_through']);
});
