import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { builtinCascade, diagnosticOf } from '../helpers/cascades.ts';

const cases: Array<{ name: string; text: string; code: string; line: number; col: number; message: RegExp }> = [
  { name: 'unknown tensor', text: 'input A[K], B[K]\nY = A[k] * C[k]\n', code: 'FM208', line: 2, col: 12, message: /unknown tensor 'C'/ },
  { name: 'inconsistent rank use', text: 'input A[M,K], B[K,N]\nZ[m,n] = A[m,k] * B[m,n]\n', code: 'FM219', line: 2, col: 21, message: /'m' ranges over M but indexes rank K of 'B'/ },
  { name: 'recurrence without initialization', text: 'input A[K]\nS[i+1] = S[i] + A[i]\n', code: 'FM232', line: 2, col: 1, message: /recurrence of 'S' has no initialization/ },
  { name: 'reduce operator without identity', text: 'input A[K]\nY = A[k] :: reduce -\n', code: 'FM229', line: 2, col: 20, message: /reduce operator '-' has no identity/ },
  { name: 'syntax error', text: 'input A[K]\nY = A[k] * \n', code: 'FM102', line: 2, col: 12, message: /expected a tensor, a number or a call but found end of line/ },
  { name: 'unknown operator', text: 'Y[k] = expp(A[k])\n', code: 'FM221', line: 1, col: 8, message: /unknown operator 'expp'/ },
  { name: 'unknown merge', text: 'Y[k] = A[k] * B[k] :: map *(inter)\n', code: 'FM226', line: 1, col: 29, message: /unknown merge operator 'inter'/ },
  { name: 'cycle without iterative rank', text: 'input A[K]\nY[k] = Y[k] + A[k]\n', code: 'FM234', line: 2, col: 8, message: /depends on itself/ },
  { name: 'used before computed', text: 'input A[K]\nY[k] = X[k] * A[k]\nX[k] = A[k]\n', code: 'FM210', line: 2, col: 8, message: /'X' is used before/ },
  { name: 'wrong number of indices', text: 'input A[K,M]\nY[k] = A[k]\n', code: 'FM211', line: 2, col: 8, message: /'A' has 2 ranks \(K, M\) but is indexed with 1/ },
  { name: 'two writers', text: 'input A[K]\nY[k] = A[k]\nY[k] = A[k] * A[k]\n', code: 'FM231', line: 3, col: 1, message: /written by more than one Einsum/ },
  { name: 'stop on a non-iterative variable', text: 'input A[K]\nY = A[k]\nstop k >= K\n', code: 'FM237', line: 3, col: 6, message: /'k' is not an iterative rank variable/ },
  { name: 'bad character', text: 'input A[K]\nY = A[k] $ 2\n', code: 'FM101', line: 2, col: 10, message: /unexpected character '\$'/ },
];

for (const c of cases) {
  test(`diagnostic: ${c.name}`, () => {
    const d = diagnosticOf(c.text);
    assert.equal(d.code, c.code, d.formatted);
    assert.equal(d.line, c.line, d.formatted);
    assert.equal(d.col, c.col, d.formatted);
    assert.match(d.formatted, c.message);
    // file:line:col, the line, and a caret under the column.
    assert.match(d.formatted, new RegExp(`^test\\.cascade:${c.line}:${c.col}: error ${c.code}: `));
    const lines = d.formatted.split('\n');
    const caretLine = lines[2] ?? '';
    assert.equal(caretLine.indexOf('^') - caretLine.indexOf('|') - 2, c.col - 1, d.formatted);
  });
}

function shapeError(cascade: string, shapes: Record<string, number>): UserError {
  try {
    resolveShapes(builtinCascade(cascade), new Map(Object.entries(shapes)));
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a shape error');
}

test('a tile count that no uniform tile shape gives names both shapes (a partial last tile is fine)', () => {
  const e = shapeError('attention-1pass', { M: 10, M1: 6, P: 4, E: 2, F: 2 });
  assert.equal(e.diagnostics[0]?.code, 'FM241');
  assert.match(e.message, /M = 10 cannot be split into M1 = 6 tiles of one shape: tiles of 2 make 5/);
});

test('missing and unknown shapes are named', () => {
  assert.match(shapeError('attention-3pass', { M: 8, P: 4 }).message, /missing shapes for ranks E, F/);
  assert.match(shapeError('attention-3pass', { M: 8, P: 4, E: 2, F: 2, X: 3 }).message, /shape X is not a rank of this cascade/);
  assert.match(shapeError('attention-1pass', { M: 512, M1: 3, M0: 256, P: 2, E: 2, F: 2 }).message, /M = 512 but M1 = 3 tiles of M0 = 256 cover 513\.\.768/);
});

test('partitions complete in every direction', () => {
  const c = builtinCascade('attention-1pass');
  const full = (s: Record<string, number>) => Object.fromEntries(resolveShapes(c, new Map(Object.entries({ P: 2, E: 2, F: 2, ...s }))));
  assert.equal(full({ M: 1024 }).M1, 4);
  assert.equal(full({ M: 1024, M0: 64 }).M1, 16);
  assert.equal(full({ M1: 3, M0: 5 }).M, 15);
  assert.equal(full({ M: 12, M1: 3 }).M0, 4);
});

test('a clean cascade produces no diagnostic', () => {
  assert.doesNotThrow(() => loadCascade('input A[K], B[K]\nY = A[k] * B[k]\n'));
});
