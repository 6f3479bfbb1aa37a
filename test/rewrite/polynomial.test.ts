import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ValueExpr } from '../../src/ir/cascade.ts';
import { AtomTable, Polynomial, productExpr, sumExpr } from '../../src/rewrite/polynomial.ts';
import { draftText, ex } from '../../src/rewrite/draft.ts';

// The polynomial normal form of `expand`, against algebra done by hand.
const table = new AtomTable();
const X = table.intern(ex.acc('X', []), true);
const Y = table.intern(ex.acc('Y', []), false);
const x = Polynomial.atom(X);
const y = Polynomial.atom(Y);
const one = Polynomial.constant(1);

/** The monomials as 'coef·x^e·y^e' strings (atoms by tensor name), sorted. */
function show(p: Polynomial): string[] {
  const name = (key: string) => table.get(key).label;
  return [...p.terms.values()].map((m) => [String(m.coef), ...[...m.powers].map(([k, e]) => `${name(k)}^${e}`).sort()].join('·')).sort();
}

/** An expression in the notation (as the single Einsum Z of a draft). */
function print(e: ValueExpr): string {
  const text = draftText({ operators: [], inputs: ['X', 'Y', 'W'].map((name) => ({ name, ranks: [] })), outputs: ['Z'], shapes: new Map(), einsums: [{ tensor: 'Z', indices: [], expr: e, reduction: null }] });
  return text.slice(text.lastIndexOf('Z = ') + 4).trim();
}

test('polynomials: products multiply out, equal monomials combine, zero terms and zero exponents vanish', () => {
  // (x + 1)(x − 1) = x² − 1
  assert.deepEqual(show(x.add(one).mul(x.add(one, -1))), ['-1', '1·X^2']);
  // (x + 2y)² = x² + 4xy + 4y²
  const s = x.add(y.mul(Polynomial.constant(2)));
  assert.deepEqual(show(s.mul(s)), ['1·X^2', '4·X^1·Y^1', '4·Y^2']);
  // x·x⁻¹ = 1; x − x = 0 (no terms); 3·(x·y)/(x·y) = 3
  assert.deepEqual(show(x.mul(Polynomial.atom(X, -1))), ['1']);
  assert.equal(x.add(x, -1).terms.size, 0);
  const xy = x.mul(y);
  assert.deepEqual(show(Polynomial.constant(3).mul(xy).mul(xy.inverse() as Polynomial)), ['3']);
  // Zero coefficients are dropped, equal monomials added (whatever the order of their atoms).
  assert.deepEqual(show(Polynomial.of([{ coef: 0, powers: new Map([[X.key, 1]]) }, { coef: 2, powers: new Map([[X.key, 1], [Y.key, 1]]) }, { coef: 5, powers: new Map([[Y.key, 1], [X.key, 1]]) }])), ['7·X^1·Y^1']);
  assert.equal(Polynomial.of([{ coef: 2, powers: new Map() }, { coef: -2, powers: new Map() }]).terms.size, 0);
  assert.deepEqual(show(Polynomial.constant(0)), []);
  assert.deepEqual(show(x.add(y, 1).add(y, -1)), ['1·X^1']);
});

test('polynomials: the inverse of one monomial; a sum has none', () => {
  const m = Polynomial.of([{ coef: 2, powers: new Map([[X.key, 2], [Y.key, -1]]) }]);
  assert.deepEqual(show(m.inverse() as Polynomial), ['0.5·X^-2·Y^1']);
  assert.equal(x.add(one).inverse(), null);
  assert.equal(Polynomial.constant(0).inverse(), null);
  assert.deepEqual(show(Polynomial.constant(4).inverse() as Polynomial), ['0.25']);
});

test('atoms: one per distinct sub-expression, named by the tensor or shape they read', () => {
  assert.equal(table.intern(ex.acc('X', []), false), X, 'the same expression is the same atom (the first varying flag stays)');
  assert.equal(X.varying, true);
  assert.equal(Y.varying, false);
  assert.equal(table.intern(ex.shape('D'), false).label, 'D');
  assert.equal(table.intern(ex.bin('add', ex.acc('X', []), ex.num(1)), true).label, 'T');
  assert.notEqual(table.intern(ex.bin('add', ex.acc('X', []), ex.num(2)), true).key, table.intern(ex.bin('add', ex.acc('X', []), ex.num(1)), true).key);
  assert.throws(() => table.get('nothing'), /no atom nothing/);
});

test('productExpr and sumExpr write monomials and sums back as expressions', () => {
  assert.equal(print(productExpr(table, new Map([[X.key, 2], [Y.key, -1]]))), 'X * X / Y');
  assert.equal(print(productExpr(table, new Map([[Y.key, -2]]))), '1 / Y / Y');
  assert.equal(print(productExpr(table, new Map())), '1');
  assert.equal(print(productExpr(table, new Map([[Y.key, 1]]), [ex.acc('W', [])])), 'W * Y');
  const [a, b, c] = [ex.acc('X', []), ex.acc('Y', []), ex.acc('W', [])];
  assert.equal(print(sumExpr([{ coef: 1, expr: a }, { coef: -2, expr: b }, { coef: 0.5, expr: c }])), 'X - 2 * Y + 0.5 * W');
  assert.equal(print(sumExpr([{ coef: -1, expr: a }, { coef: 1, expr: b }])), '-X + Y');
  assert.equal(print(sumExpr([{ coef: -3, expr: a }])), '-(3 * X)');
  assert.equal(print(sumExpr([{ coef: 3, expr: ex.num(1) }, { coef: -4, expr: ex.num(1) }])), '3 - 4');
  assert.equal(print(sumExpr([{ coef: 3, expr: ex.num(2) }])), '3 * 2', 'only a 1 is replaced by the coefficient');
  assert.equal(print(sumExpr([])), '0');
});
