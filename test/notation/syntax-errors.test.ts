import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCascade } from '../../src/notation/parser.ts';
import type { ExprAst, RankExprAst } from '../../src/notation/ast.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';

// Syntax errors: the code, the position of the offending token (line, column, length of the caret) and
// the message. Inside brackets newlines do not end the statement, so a missing closer is reported at the
// end of the file.
const CASES: ReadonlyArray<readonly [string, string, number, number, number, string]> = [
  ['input a[K]', 'FM103', 1, 7, 1, 'tensor name \'a\' must start with an upper-case letter'],
  ['input A[k]', 'FM103', 1, 9, 1, 'rank name \'k\' must start with an upper-case letter'],
  ['input A[K', 'FM102', 2, 1, 1, 'expected \']\' but found end of line'],
  ['shape m = 4', 'FM103', 1, 7, 1, 'shape name \'m\' must start with an upper-case letter'],
  ['shape M = x', 'FM102', 1, 11, 1, 'expected a positive integer size for shape \'M\' but found \'x\''],
  ['shape M = 1.5', 'FM102', 1, 11, 3, 'expected a positive integer size for shape \'M\' but found \'1.5\''],
  ['shape M 4', 'FM102', 1, 9, 1, 'expected \'=\' but found \'4\''],
  ['operator F(a) = a', 'FM103', 1, 10, 1, 'operator name \'F\' must start with a lower-case letter'],
  ['operator f(A) = A', 'FM103', 1, 12, 1, 'parameter \'A\' must start with a lower-case letter'],
  ['operator f(a, a) = a', 'FM107', 1, 15, 1, 'parameter \'a\' is given twice'],
  ['operator f(a, b, c) = a', 'FM107', 1, 18, 1, 'an operator takes one or two parameters'],
  ['operator f(a) = a identity x', 'FM102', 1, 28, 1, 'expected a number or inf after \'identity\' but found \'x\''],
  ['operator f a = a', 'FM102', 1, 12, 1, 'expected \'(\' and the parameters but found \'a\''],
  ['operator f(a) a', 'FM102', 1, 15, 1, 'expected \'=\' and the operator\'s body but found \'a\''],
  ['operator f(a) = a merge (', 'FM102', 1, 25, 1, 'expected a merge operator (intersect, union, take_left, ∩, ∪, ←, 1, ...) but found \'(\''],
  ['stop K >= 3', 'FM103', 1, 6, 1, '\'K\' is not a rank variable'],
  ['stop k + K', 'FM102', 1, 8, 1, 'expected a comparison (>=, >, ==, ...) but found \'+\''],
  ['Y = A[k] ::', 'FM102', 1, 12, 1, 'expected an action after \'::\''],
  ['Y = A[k] :: populate', 'FM104', 1, 13, 8, 'populate actions are not supported'],
  ['Y = A[k] :: ⋘', 'FM104', 1, 13, 1, 'populate actions are not supported'],
  ['Y = A[k] :: foo', 'FM102', 1, 13, 3, 'expected \'map\', \'reduce\', \'⋀\' or \'⋁\' but found \'foo\''],
  ['Y = A[i : j <= 2]', 'FM105', 1, 11, 1, 'a filter must constrain its own variable: write \'i : i <= ...\''],
  ['Y = A[k : k + 2]', 'FM102', 1, 13, 1, 'expected a comparison (=, <=, <, >=, >, !=) but found \'+\''],
  ['Y = A[1.5]', 'FM106', 1, 7, 3, 'rank expressions are integers; \'1.5\' is not'],
  ['Y = a', 'FM102', 1, 5, 1, '\'a\' is not a tensor: tensor names start with an upper-case letter'],
  ['Y = A[k] B[k]', 'FM102', 1, 10, 1, 'unexpected \'B\' after the end of the statement'],
  ['y = 1', 'FM102', 1, 1, 1, 'unexpected \'y\' at the start of a statement'],
  ['Y[k] = (A[k]', 'FM102', 2, 1, 1, 'expected \')\' but found end of line'],
  ['Y = max(A[k], B[k]', 'FM102', 2, 1, 1, 'expected \')\' closing the call but found end of line'],
  ['Y = A[k', 'FM102', 2, 1, 1, 'expected \']\' closing the index list but found end of line'],
  ['Y = A[k] :: map *(', 'FM102', 2, 1, 1, 'expected a merge operator (intersect, union, take_left, ∩, ∪, ←, 1, ...) but found end of line'],
  ['Y = A[k] :: reduce[k', 'FM102', 2, 1, 1, 'expected \']\' but found end of line'],
  ['Y = A[k] :: map', 'FM102', 1, 16, 1, 'expected a compute operator (+, *, max, ...) but found end of line'],
  [') = 1', 'FM102', 1, 1, 1, 'unexpected \')\' at the start of a statement'],
  ['Y[k] A[k]', 'FM102', 1, 6, 1, 'expected \'=\' after the output tensor but found \'A\''],
  ['Y = A[k] :: ⋁_{k', 'FM102', 2, 1, 1, 'expected \'}\' but found end of line'],
  ['Y = A[k] :: ⋁_', 'FM102', 1, 15, 1, 'expected a rank variable but found end of line'],
  ['Y = A[k] :: map +(∪', 'FM102', 2, 1, 1, 'expected \')\' but found end of line'],
  ['Y = A[(k]', 'FM102', 1, 9, 1, 'expected \')\' but found \']\''],
  ['Y = A[k+]', 'FM102', 1, 9, 1, 'expected a rank expression (a variable, a shape name or an integer) but found \']\''],
  ['⋄ k >= K', 'FM102', 1, 3, 1, 'expected \':\' after \'⋄\' but found \'k\''],
  ['Y = A[k] :: reduce +(,)', 'FM102', 1, 22, 1, 'expected a merge operator (intersect, union, take_left, ∩, ∪, ←, 1, ...) but found \',\''],
  ['Y = A[k] :: reduce +()', 'FM102', 1, 22, 1, 'expected a merge operator (intersect, union, take_left, ∩, ∪, ←, 1, ...) but found \')\''],
  ['Y[k] = A[k]\n  = 2', 'FM102', 2, 3, 1, 'unexpected \'=\' at the start of a statement'],
  // Every place that expects a name says what it expected.
  ['input aB[K]', 'FM103', 1, 7, 2, 'tensor name \'aB\' must start with an upper-case letter'],
  ['input ,', 'FM102', 1, 7, 1, 'expected a tensor name but found \',\''],
  ['input A[,]', 'FM102', 1, 9, 1, 'expected a rank name but found \',\''],
  ['output ,', 'FM102', 1, 8, 1, 'expected a tensor name but found \',\''],
  ['shape = 4', 'FM102', 1, 7, 1, 'expected a shape name but found \'=\''],
  ['operator (a) = a', 'FM102', 1, 10, 1, 'expected the operator name but found \'(\''],
  ['operator f() = 1', 'FM102', 1, 12, 1, 'expected a parameter name but found \')\''],
  ['operator f(a) = a identity -', 'FM102', 1, 29, 1, 'expected a number or inf after \'identity\' but found end of line'],
  ['stop 3 >= K', 'FM102', 1, 6, 1, 'expected the iterative rank variable but found \'3\''],
  ['stop k', 'FM102', 1, 7, 1, 'expected a comparison (>=, >, ==, ...) but found end of line'],
  ['⋄_ : k >= K', 'FM102', 1, 4, 1, 'expected the iterative rank variable but found \':\''],
  ['Y = A[k] :: reduce[,] +', 'FM102', 1, 20, 1, 'expected a rank variable but found \',\''],
  ['Y = A[k] :: map (', 'FM102', 1, 17, 1, 'expected a compute operator (+, *, max, ...) but found \'(\''],
  ['Y = A[k] :: map ⋀', 'FM102', 1, 17, 1, 'expected a compute operator (+, *, max, ...) but found \'⋀\''],
  ['Y = A[k] :: reduce[k] max(∪) (', 'FM102', 1, 30, 1, 'expected \'map\', \'reduce\', \'⋀\' or \'⋁\' but found \'(\''],
  // sub-then-exp is one name only when spelled exactly so.
  ['Y = A[k] :: map sub-then-log', 'FM102', 1, 20, 1, 'expected \'map\', \'reduce\', \'⋀\' or \'⋁\' but found \'-\''],
  ['Y = A[k] :: map sub-then+exp', 'FM102', 1, 20, 1, 'expected \'map\', \'reduce\', \'⋀\' or \'⋁\' but found \'-\''],
  ['Y = A[k] :: map sub-than-exp', 'FM102', 1, 20, 1, 'expected \'map\', \'reduce\', \'⋀\' or \'⋁\' but found \'-\''],
  ['Y = A[k] :: map sub+then-exp', 'FM102', 1, 20, 1, 'expected \'map\', \'reduce\', \'⋀\' or \'⋁\' but found \'+\''],
  ['Y = A[k] :: map max-then-exp', 'FM102', 1, 20, 1, 'expected \'map\', \'reduce\', \'⋀\' or \'⋁\' but found \'-\''],
  // ⊖ takes a side only when l or r follows it; other merges take no suffix.
  ['Y = A[k] :: map *(union l)', 'FM102', 1, 25, 1, 'expected \')\' but found \'l\''],
  ['Y = A[k] :: map *(⊖x)', 'FM102', 1, 20, 1, 'expected \')\' but found \'x\''],
  // Only a lower-case variable starts a filter.
  ['Y = A[K : K <= 2]', 'FM102', 1, 9, 1, 'expected \']\' closing the index list but found \':\''],
  ['Y = A[3 : k <= 2]', 'FM102', 1, 9, 1, 'expected \']\' closing the index list but found \':\''],
  ['Y = A[k : 3 <= 2]', 'FM102', 1, 11, 1, 'expected the filtered variable but found \'3\''],
  // An operator's parameters are values only inside its body.
  ['operator f(a) = a\nY = a', 'FM102', 2, 5, 1, '\'a\' is not a tensor: tensor names start with an upper-case letter'],
];

test('syntax errors are located diagnostics pointing at the offending token', () => {
  for (const [text, code, line, col, length, message] of CASES) {
    try {
      parseCascade({ file: 'syntax.cascade', text: `${text}\n` });
      assert.fail(`no diagnostic for ${JSON.stringify(text)}`);
    } catch (e) {
      assert.ok(e instanceof UserError, `${JSON.stringify(text)}: ${String(e)}`);
      const d = e.diagnostics[0]!;
      assert.deepEqual([d.code, d.location?.line, d.location?.col, d.location?.length, d.message], [code, line, col, length, message], JSON.stringify(text));
    }
  }
});

test('the statements that parse: every declaration and action form', () => {
  const ast = parseCascade({ file: 'ok.cascade', text: 'input A[K], B[], C\noutput Y, Z\nshape K = 4, M0 = 2\noperator f(a) = -a\nY = A[k] :: ⋀_k ×(∩) ⋁_{k} +(⊖l) map *(⊖r)\nZ = A[k] :: reduce sub-then-exp(1)\n⋄_k : k ≥ K\n' });
  assert.deepEqual(ast.statements.map((s) => s.kind), ['input', 'output', 'shape', 'operator', 'einsum', 'einsum', 'stop']);
  const input = ast.statements[0];
  assert.ok(input?.kind === 'input');
  assert.deepEqual(input.tensors.map((t) => [t.name, t.ranks.map((r) => r.name)]), [['A', ['K']], ['B', []], ['C', []]]);
  const y = ast.statements[4];
  assert.ok(y?.kind === 'einsum');
  assert.deepEqual(y.actions.map((a) => [a.kind, a.ranks?.map((r) => r.name) ?? null, a.op.name, a.merge?.name ?? null]), [['map', ['k'], '×', '∩'], ['reduce', ['k'], '+', '⊖l'], ['map', null, '*', '⊖r']]);
  const z = ast.statements[5];
  assert.ok(z?.kind === 'einsum');
  assert.deepEqual([z.actions[0]?.op.name, z.actions[0]?.merge?.name], ['sub_exp', '1']);
  const stop = ast.statements[6];
  assert.ok(stop?.kind === 'stop');
  assert.deepEqual([stop.variable, stop.op], ['k', '>=']);
});

/** The syntax tree as S-expressions: operators, negations, calls (f() is (f)), numbers with their text, bare and bracketed accesses, parameters ($a). */
function rank(x: RankExprAst): string {
  return x.kind === 'binop' ? `(${x.op} ${rank(x.left)} ${rank(x.right)})` : x.kind === 'neg' ? `(neg ${rank(x.operand)})` : x.kind === 'int' ? String(x.value) : x.name;
}
function sexpr(x: ExprAst): string {
  switch (x.kind) {
    case 'number': return `${x.text}=${x.value}`;
    case 'param': return `$${x.name}`;
    case 'access': return x.bracketed ? `${x.tensor}[${x.indices.map((i) => (i.kind === 'rank' ? rank(i.expr) : `${i.variable}:${i.op}${rank(i.bound)}`)).join(',')}]` : x.tensor;
    case 'neg': return `(neg ${sexpr(x.operand)})`;
    case 'call': return `(${[x.name, ...x.args.map(sexpr)].join(' ')})`;
    case 'binary': return `(${x.op} ${sexpr(x.left)} ${sexpr(x.right)})`;
    default: { const never: never = x; return never; }
  }
}

test('the syntax tree of the Unicode operators, empty lists, calls without arguments and the spans of statements', () => {
  const text = [
    'input A[K], B[]', 'output Y, Z', 'shape K = 4, M0 = 2',
    'operator g(exp) = exp(exp) * inf identity −inf',
    'Y[] = A[m1×M0−−k] × B ÷ −f() − 2 :: reduce[] /(∪) ⋁_{} max',
    'Z[k] = A[k - 2 - 1] / B[] - A[-k]',
  ].join('\n') + '\n';
  const ast = parseCascade({ file: 'ok.cascade', text });
  // Each statement spans exactly its line.
  assert.deepEqual(ast.statements.map((s) => text.slice(s.span.start, s.span.end)), text.trimEnd().split('\n'));
  const op = ast.statements[3];
  assert.ok(op?.kind === 'operator');
  // A parameter named like a function is still that function when called.
  assert.equal(sexpr(op.body), '(* (exp $exp) inf=Infinity)');
  assert.deepEqual([op.identity?.value, op.identity && text.slice(op.identity.span.start, op.identity.span.end)], [-Infinity, '−inf']);
  const [y, z] = [ast.statements[4], ast.statements[5]];
  assert.ok(y?.kind === 'einsum' && z?.kind === 'einsum');
  assert.deepEqual([y.output.indices, text.slice(y.output.span.start, y.output.span.end)], [[], 'Y[]']);
  assert.equal(sexpr(y.expr), '(- (/ (* A[(- (* m1 M0) (neg k))] B) (neg (f))) 2=2)');
  assert.deepEqual(y.actions.map((a) => [a.kind, a.ranks?.map((r) => r.name) ?? null, a.op.name, a.merge?.name ?? null]), [['reduce', [], '/', '∪'], ['reduce', [], 'max', null]]);
  // Left-associative rank and value expressions; B[] is bracketed, B is not.
  assert.equal(sexpr(z.expr), '(- (/ A[(- (- k 2) 1)] B[]) A[(neg k)])');
});
