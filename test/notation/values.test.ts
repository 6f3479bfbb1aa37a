import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { parseCascade } from '../../src/notation/parser.ts';
import type { ExprAst, RankExprAst } from '../../src/notation/ast.ts';
import { printCascade } from '../../src/notation/print.ts';
import { Tensor } from '../../src/tensor/index.ts';
import { runOn } from '../helpers/run.ts';

// Dense operands (no empty element, so every default merge computes every point): the value of each
// expression is pinned by the JavaScript expression beside it, which JavaScript parses with the usual
// precedence and left associativity, independently of our parser.
const A = [7, -1.5, 0.25, 3];
const B = [3, 2, -8, 0.5];
const C = [2, 0.5, 4, -3];

const TABLE: ReadonlyArray<readonly [string, (a: number, b: number, c: number) => number]> = [
  // associativity: + - * / group to the left
  ['A[k] - B[k] - C[k]', (a, b, c) => a - b - c],
  ['A[k] - B[k] + C[k]', (a, b, c) => a - b + c],
  ['A[k] + B[k] - C[k]', (a, b, c) => a + b - c],
  ['A[k] / B[k] / C[k]', (a, b, c) => a / b / c],
  ['A[k] / B[k] * C[k]', (a, b, c) => (a / b) * c],
  ['A[k] * B[k] / C[k]', (a, b, c) => (a * b) / c],
  ['A[k] − B[k] − C[k]', (a, b, c) => a - b - c],
  ['A[k] ÷ B[k] ÷ C[k]', (a, b, c) => a / b / c],
  ['A[k] - B[k] - C[k] - A[k]', (a, b, c) => a - b - c - a],
  // precedence: * / bind tighter than + -, unary minus tighter than both
  ['A[k] + B[k] * C[k]', (a, b, c) => a + b * c],
  ['A[k] * B[k] + C[k]', (a, b, c) => a * b + c],
  ['A[k] - B[k] / C[k]', (a, b, c) => a - b / c],
  ['A[k] × B[k] − C[k]', (a, b, c) => a * b - c],
  ['-A[k] + B[k]', (a, b) => -a + b],
  ['-A[k] * B[k]', (a, b) => -a * b],
  ['A[k] - -B[k]', (a, b) => a + b],
  ['- - A[k]', (a) => a],
  ['(A[k] - B[k]) - C[k]', (a, b, c) => a - b - c],
  ['A[k] - (B[k] - C[k])', (a, b, c) => a - (b - c)],
  ['A[k] / (B[k] / C[k])', (a, b, c) => a / (b / c)],
  ['(A[k] + B[k]) * C[k]', (a, b, c) => (a + b) * c],
  ['A[k] * (B[k] + C[k])', (a, b, c) => a * (b + c)],
  ['-(A[k] - B[k])', (a, b) => b - a],
  // number literals: decimals, leading dot, exponents, inf
  ['0.5 * A[k]', (a) => 0.5 * a],
  ['A[k] * 2.75', (a) => a * 2.75],
  ['.25 + A[k]', (a) => 0.25 + a],
  ['A[k] * 1e-3', (a) => a * 0.001],
  ['A[k] * 2.5e2', (a) => a * 250],
  ['A[k] * 1E+2', (a) => a * 100],
  ['A[k] / 4 / 2', (a) => a / 8],
  ['A[k] - 2 * B[k]', (a, b) => a - 2 * b],
  ['A[k] * -0.5', (a) => a * -0.5],
  ['A[k] - 10 - 3', (a) => a - 13],
  ['min(A[k], inf)', (a) => a],
  ['max(A[k], -inf)', (a) => a],
  ['min(A[k], 1.5)', (a) => Math.min(a, 1.5)],
  // calls: argument lists, nesting, exp(a - b) as sub-then-exp
  ['max(A[k], B[k]) - min(B[k], C[k])', (a, b, c) => Math.max(a, b) - Math.min(b, c)],
  ['max(A[k], B[k], C[k])', (a, b, c) => Math.max(a, b, c)],
  ['min(A[k] - B[k], C[k] * 2)', (a, b, c) => Math.min(a - b, c * 2)],
  ['exp(A[k] - B[k])', (a, b) => Math.exp(a - b)],
  ['exp(A[k] - B[k] - C[k])', (a, b, c) => Math.exp(a - b - c)],
  ['exp(A[k]) * 2', (a) => Math.exp(a) * 2],
  ['abs(B[k] - A[k]) + 1', (a, b) => Math.abs(b - a) + 1],
  ['sqrt(abs(A[k] * 4))', (a) => Math.sqrt(Math.abs(a * 4))],
  ['A[k] · B[k] :: map max(union)', (a, b) => Math.max(a, b)],
  ['A[k] · B[k] :: map -', (a, b) => a - b],
];

function evaluate(expr: string, operators = ''): Float64Array {
  const c = loadCascade(`input A[K], B[K], C[K]\n${operators}Y[k] = ${expr}\n`, 'values.cascade');
  const data = (name: string, v: number[]) => Tensor.fromDense(name, ['K'], [v.length], Float64Array.from(v));
  const given = new Map([['A', data('A', A)], ['B', data('B', B)], ['C', data('C', C)]]);
  return (runOn(c, { K: A.length }, 1, given).result.outputs.get('Y') as Tensor).toDense();
}

test('expressions evaluate with the usual precedence, left associativity and literal values', () => {
  for (const [expr, want] of TABLE) {
    const got = evaluate(expr);
    for (let k = 0; k < A.length; k++) {
      const w = want(A[k] as number, B[k] as number, C[k] as number);
      assert.ok(Math.abs((got[k] as number) - w) <= 1e-15 * Math.max(1, Math.abs(w)), `${expr} at k=${k}: ${got[k]}, want ${w}`);
    }
  }
});

test('printing and re-parsing keeps every value of the table', () => {
  for (const [expr] of TABLE) {
    const c = loadCascade(`input A[K], B[K], C[K]\nY[k] = ${expr}\n`, 'values.cascade');
    const again = printCascade(c);
    assert.deepEqual(evaluate(again.split('\n').find((l) => l.startsWith('Y'))!.replace(/^Y\[k\] = /, '')), evaluate(expr), `${expr} printed as ${again}`);
  }
});

test('number literals keep their text and value in the syntax tree', () => {
  const literals: ReadonlyArray<readonly [string, number]> = [
    ['0', 0], ['7', 7], ['0.5', 0.5], ['.25', 0.25], ['12.125', 12.125], ['1e3', 1000], ['1e-3', 0.001], ['2.5E+2', 250], ['6E-1', 0.6], ['007', 7],
  ];
  for (const [text, value] of literals) {
    const ast = parseCascade({ file: 'x', text: `Y = ${text}\n` });
    const e = ast.statements[0];
    assert.ok(e?.kind === 'einsum' && e.expr.kind === 'number', text);
    assert.equal(e.expr.value, value, text);
    assert.equal(e.expr.text, text);
  }
  // A dangling exponent or dot is not part of the number.
  assert.throws(() => parseCascade({ file: 'x', text: 'Y = 2e\n' }), /FM102/);
  assert.throws(() => parseCascade({ file: 'x', text: 'Y = 2.\n' }), /FM102/);
});

test('literals in shapes, rank expressions, stops and operator declarations', () => {
  const c = loadCascade('input A[K]\nshape K = 12, M0 = 4\noperator f(a, b) = a - b - 0.5 identity -2.5 merge intersect\nS[0] = 0.25\nS[i+1] = S[i] + A[i]\nY[k] = f(A[k], A[k])\nstop i >= 10\n', 'lit.cascade');
  assert.deepEqual([...c.shapeDefaults], [['K', 12], ['M0', 4]]);
  assert.equal(c.operators[0]?.identity, -2.5);
  assert.equal(c.operators[0]?.merge, 'intersect');
  const it = c.iterativeRanks.get('i');
  assert.ok(it);
  assert.equal(it.stop.op, '>=');
  assert.deepEqual(it.stop.bound, { kind: 'int', value: 10, span: it.stop.bound.span });
  // The operator body groups to the left: f(a, a) = a - a - 0.5 = -0.5 everywhere.
  assert.deepEqual([...evaluate('f(A[k], B[k])', 'operator f(a, b) = a - b - 0.5\n')], A.map((a, k) => a - (B[k] as number) - 0.5));
  assert.deepEqual([...evaluate('g(A[k], B[k])', 'operator g(a, b) = a / b / 2 * 3\n')], A.map((a, k) => ((a / (B[k] as number)) / 2) * 3));
  assert.deepEqual([...evaluate('h(A[k])', 'operator h(x) = -x - 1.5e1\n')], A.map((a) => -a - 15));
});

test('rank expressions group to the left too, with * / % above + -', () => {
  const ast = parseCascade({ file: 'x', text: 'Y[i] = A[i - 2 - 1] + A[i * 2 / 2] + A[(i + 1) % 3]\n' });
  const e = ast.statements[0];
  assert.ok(e?.kind === 'einsum');
  const show = (r: RankExprAst): string => (r.kind === 'binop' ? `(${show(r.left)} ${r.op} ${show(r.right)})` : r.kind === 'neg' ? `(-${show(r.operand)})` : r.kind === 'int' ? String(r.value) : r.name);
  const indices: string[] = [];
  const walk = (x: ExprAst): void => {
    if (x.kind === 'binary') { walk(x.left); walk(x.right); }
    if (x.kind === 'access') for (const ix of x.indices) if (ix.kind === 'rank') indices.push(show(ix.expr));
  };
  walk(e.expr);
  assert.deepEqual(indices, ['((i - 2) - 1)', '((i * 2) / 2)', '((i + 1) % 3)']);
});
