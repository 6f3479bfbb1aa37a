import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import {
  definitionKey, definitionOf, draftCascade, draftOf, draftText, dropUnread, ex, exprVars, freshName, indexVarNames, inliningMap, ix, readers, reducedVarsOf, renameRank, rx, simplifyRank, type DraftEinsum,
} from '../../src/rewrite/draft.ts';
import type { ValueExpr } from '../../src/ir/cascade.ts';
import type { RankExprAst } from '../../src/notation/ast.ts';
import { printRankExpr } from '../../src/notation/print.ts';
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

test('rank expressions: renaming folds the integer parts (0·M0 + 0 → 0, m + 0 → m, constants computed)', () => {
  const at = (r: RankExprAst) => printRankExpr(r);
  const b = (op: '+' | '-' | '*' | '/' | '%', left: RankExprAst, right: RankExprAst): RankExprAst => ({ kind: 'binop', op, left, right, span: { start: 0, end: 0 } });
  // m1*M0+m0 at m1 = 0, m0 = 0 is 0; at m1 = 0 it is m0; at m0 = 0 it is m1*M0.
  const split = rx.split('m1', 'M0', 'm0');
  assert.equal(at(renameRank(split, new Map([['m1', rx.n(0)], ['m0', rx.n(0)]]))), '0');
  assert.equal(at(renameRank(split, new Map([['m1', rx.n(0)]]))), 'm0');
  assert.equal(at(renameRank(split, new Map([['m0', rx.n(0)]]))), 'm1*M0');
  assert.equal(at(renameRank(split, new Map([['m1', rx.v('i')]]))), 'i*M0+m0');
  // Integer arithmetic, with floor division and a non-negative remainder.
  assert.deepEqual([b('+', rx.n(7), rx.n(3)), b('-', rx.n(7), rx.n(3)), b('*', rx.n(7), rx.n(3)), b('/', rx.n(7), rx.n(3)), b('/', rx.n(-7), rx.n(2)), b('%', rx.n(7), rx.n(3)), b('%', rx.n(-7), rx.n(3))].map((r) => at(simplifyRank(r))), ['10', '4', '21', '2', '-4', '1', '2']);
  assert.equal(at(simplifyRank(b('-', rx.v('k'), rx.n(0)))), 'k');
  assert.equal(at(simplifyRank(b('+', rx.n(0), rx.v('k')))), 'k');
  assert.equal(at(simplifyRank(b('-', rx.n(0), rx.v('k')))), '0-k');
  assert.equal(at(simplifyRank(b('*', rx.v('k'), rx.n(0)))), '0');
  assert.equal(at(simplifyRank(b('*', rx.v('k'), rx.n(1)))), 'k*1');
  assert.equal(at(renameRank({ kind: 'neg', operand: rx.v('k'), span: { start: 0, end: 0 } }, new Map([['k', rx.v('j')]]))), '-j');
  assert.equal(at(renameRank(rx.s('K'), new Map([['K', rx.n(1)]]))), 'K', 'a shape is not a variable');
});

test('definitions: the single writer with plain-variable indices, inlining maps, span-free keys, unread Einsums', () => {
  const c = loadCascade('input A[K,J], B[J]\nT[k,j] = A[k,j] * B[j]\nS[0] = 0\nS[k+1] = S[k] + A[k,0]\nU[k] = T[k,0] * 2\nY = U[k]\n', 'defs.cascade');
  const d = draftOf(c);
  const t = definitionOf(d, 'T');
  assert.equal(t?.tensor, 'T');
  assert.equal(definitionOf(d, 'A'), null, 'an input');
  assert.equal(definitionOf(d, 'S'), null, 'two writers');
  assert.equal(definitionOf({ ...d, einsums: [{ ...(d.einsums[2] as DraftEinsum), indices: [ix.e(rx.plus1('k'))] }] }, 'S'), null, 'an index that is not a plain variable');
  // T[k,j] inlined at T[i,0]: k → i, j → 0.
  const map = inliningMap(t as DraftEinsum, ex.acc('T', [ix.v('i'), ix.e(rx.n(0))]) as Extract<ValueExpr, { kind: 'access' }>);
  assert.deepEqual([...(map ?? [])].map(([k, v]) => `${k}=${printRankExpr(v)}`), ['k=i', 'j=0']);
  assert.equal(inliningMap({ ...(t as DraftEinsum), indices: [ix.v('k'), ix.v('k')] }, ex.acc('T', [ix.v('i'), ix.v('j')]) as Extract<ValueExpr, { kind: 'access' }>), null, 'a repeated variable');
  assert.equal(inliningMap(t as DraftEinsum, ex.acc('T', [ix.v('i'), { kind: 'filter', variable: 'j', op: '<=', bound: rx.v('i') }]) as Extract<ValueExpr, { kind: 'access' }>), null, 'a filter at the access');
  assert.equal(inliningMap({ ...(t as DraftEinsum), indices: [ix.init('k'), ix.v('j')] }, ex.acc('T', [ix.v('i'), ix.v('j')]) as Extract<ValueExpr, { kind: 'access' }>), null, 'a filter in the definition');
  // Keys ignore spans (the same text parsed twice) but see operators, merges, indices and reductions.
  const key = (text: string) => definitionKey(draftOf(loadCascade(`input A[K], B[K]\n${text}\n`, 'k.cascade')).einsums[0] as DraftEinsum);
  assert.equal(key('Y = A[k] * B[k]'), key('Y  =  A[k]*B[k]'));
  assert.notEqual(key('Y = A[k] * B[k]'), key('Y = A[k] + B[k]'));
  assert.notEqual(key('Y = A[k] * B[k]'), key('Y = A[k] * B[k] :: map *(union)'));
  assert.notEqual(key('Y = A[k] * B[k]'), key('Y = A[k] * B[k] :: reduce max'));
  assert.notEqual(key('Y = A[k] * B[k]'), key('Y[k] = A[k] * B[k]'));
  // Unread candidates go, repeatedly (U only fed Y); outputs, non-candidates and self-reads do not keep them.
  const e = (tensor: string, reads: string[]): DraftEinsum => ({ tensor, indices: [], expr: reads.map((r) => ex.acc(r, [])).reduce((a, x) => ex.bin('add', a, x), ex.num(0)), reduction: null });
  const names = (x: DraftEinsum[]) => x.map((y) => y.tensor);
  assert.deepEqual(names(dropUnread([e('U', ['A']), e('Y', ['U']), e('Z', ['A'])], ['Z'], new Set(['U', 'Y']))), ['Z']);
  assert.deepEqual(names(dropUnread([e('U', ['A']), e('Y', ['U']), e('Z', ['A'])], ['Z'], new Set(['U']))), ['U', 'Y', 'Z']);
  assert.deepEqual(names(dropUnread([e('R', ['R', 'A']), e('Z', ['A'])], ['Z'], new Set(['R']))), ['Z'], 'reading itself does not keep R');
  assert.deepEqual(names(dropUnread([e('U', ['A']), e('Z', ['A'])], ['Z', 'U'], new Set(['U']))), ['U', 'Z']);
});
