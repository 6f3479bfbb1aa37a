import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { Tensor, type RankFormat } from '../../src/tensor/index.ts';
import { runOn } from '../helpers/run.ts';

// A dense model of EDGE's map semantics (docs/cascade-notation.md "Default EDGE actions", EDGE §2.4):
// at each point the merge's truth table over (left present, right present) decides whether the point is
// computed; if it is, the operator sees an absent operand as its tensor's empty value; if not, the
// result is empty. Every written form below is checked against this model on operands that cover all
// four presence combinations, with zero empty values and with EDGE-style non-zero ones.
const TABLES: Record<string, string> = {
  pass_through: '1111', no_pass: '0000', intersect: '0001', take_left_only: '0010', take_left: '0011', take_right_only: '0100',
  take_right: '0101', xor: '0110', union: '0111', nor: '1000', xnor: '1001', not_right: '1010', not_left: '1100',
  implies_left: '1011', implies_right: '1101', nand: '1110',
};

// Present where the other is absent, both, neither; A present at 2,3,6,7 and B at 1,3,5,7.
const A_VALUES = [0, 0, 2.5, 0.75, 0, 0, 4, 1.25];
const B_VALUES = [0, 3, 0, 0.5, 0, 1.5, 0, 2];
const PRESENT_A = [false, false, true, true, false, false, true, true];
const PRESENT_B = [false, true, false, true, false, true, false, true];

type Binary = (a: number, b: number) => number;
/** Written form, the merge the notation document gives it, the value. */
const DEFAULT_BINARY: ReadonlyArray<readonly [string, string, Binary]> = [
  ['A[k] + B[k]', 'union', (a, b) => a + b],
  ['A[k] - B[k]', 'union', (a, b) => a - b],
  ['A[k] − B[k]', 'union', (a, b) => a - b],
  ['A[k] * B[k]', 'intersect', (a, b) => a * b],
  ['A[k] / B[k]', 'take_left', (a, b) => a / b],
  ['max(A[k], B[k])', 'union', Math.max],
  ['min(A[k], B[k])', 'union', Math.min],
  ['exp(A[k] - B[k])', 'pass_through', (a, b) => Math.exp(a - b)],
];
const DEFAULT_UNARY: ReadonlyArray<readonly [string, (a: number) => number]> = [
  ['-A[k]', (a) => -a], ['exp(A[k])', Math.exp], ['sqrt(A[k])', Math.sqrt], ['abs(A[k])', Math.abs], ['log(A[k])', Math.log],
  ['recip(A[k])', (a) => 1 / a], ['square(A[k])', (a) => a * a],
];

function operands(emptyA: number, emptyB: number, format: RankFormat): Map<string, Tensor> {
  const data = (values: number[], present: boolean[], empty: number) => Float64Array.from(values, (v, k) => (present[k] ? v : empty));
  return new Map([
    ['A', Tensor.fromDense('A', ['K'], [8], data(A_VALUES, PRESENT_A, emptyA), [format], emptyA)],
    ['B', Tensor.fromDense('B', ['K'], [8], data(B_VALUES, PRESENT_B, emptyB), [format], emptyB)],
  ]);
}

function model(table: string, f: Binary, emptyA: number, emptyB: number): number[] {
  return A_VALUES.map((a, k) => {
    const [pa, pb] = [PRESENT_A[k] as boolean, PRESENT_B[k] as boolean];
    if (table[(pa ? 2 : 0) + (pb ? 1 : 0)] !== '1') return 0;
    return f(pa ? a : emptyA, pb ? (B_VALUES[k] as number) : emptyB);
  });
}

function run(expr: string, emptyA: number, emptyB: number, format: RankFormat): number[] {
  const c = loadCascade(`input A[K], B[K]\nY[k] = ${expr}\n`, 'merge.cascade');
  const { result } = runOn(c, { K: 8 }, 1, operands(emptyA, emptyB, format));
  return [...(result.outputs.get('Y') as Tensor).toDense()];
}

const SETUPS: ReadonlyArray<readonly [number, number, RankFormat]> = [[0, 0, 'C'], [0, 0, 'U'], [1.5, -2, 'C'], [-0.5, -4, 'U']];

function assertClose(got: number[], want: number[], what: string): void {
  for (let k = 0; k < want.length; k++) {
    const [g, w] = [got[k] as number, want[k] as number];
    assert.ok(g === w || Math.abs(g - w) <= 1e-15 * Math.abs(w), `${what} at k=${k}: ${g}, want ${w} (got ${got.join(' ')}, want ${want.join(' ')})`);
  }
}

test('default merges of every built-in operator on sparse operands match the dense EDGE model', () => {
  for (const [emptyA, emptyB, format] of SETUPS) {
    const where = `empties ${emptyA}/${emptyB}, format ${format}`;
    for (const [expr, merge, f] of DEFAULT_BINARY) {
      const table = TABLES[merge] as string;
      assertClose(run(expr, emptyA, emptyB, format), model(table, f, emptyA, emptyB), `${expr} (${merge}), ${where}`);
    }
    for (const [expr, f] of DEFAULT_UNARY) {
      // A unary maps against an all-ones operand with take-left: empty stays empty.
      assertClose(run(expr, emptyA, emptyB, format), model(TABLES.take_left as string, (a) => f(a), emptyA, emptyB), `${expr}, ${where}`);
    }
  }
});

test('every EDGE merge named in a map action computes exactly its truth table', () => {
  for (const [emptyA, emptyB, format] of [SETUPS[0]!, SETUPS[3]!]) {
    for (const [merge, table] of Object.entries(TABLES)) {
      const got = run(`A[k] - B[k] :: map -(${merge})`, emptyA, emptyB, format);
      assertClose(got, model(table, (a, b) => a - b, emptyA, emptyB), `-(${merge}), empties ${emptyA}/${emptyB}, format ${format}`);
    }
  }
});

test('reductions see only the present elements: max, min and + over a sparse fiber', () => {
  // Present values are all negative (max) or all positive (min), so counting an empty 0 would show.
  const neg = Float64Array.of(0, -3, 0, -1.5, 0, -7, 0, 0);
  const pos = Float64Array.of(0, 3, 0, 1.5, 0, 7, 0, 0);
  const reduce = (values: Float64Array, action: string, format: RankFormat): number => {
    const c = loadCascade(`input A[K]\nY = A[k] ${action}\n`, 'reduce.cascade');
    const { result } = runOn(c, { K: 8 }, 1, new Map([['A', Tensor.fromDense('A', ['K'], [8], values, [format])]]));
    return (result.outputs.get('Y') as Tensor).toDense()[0] as number;
  };
  for (const format of ['C', 'U'] as const) {
    assert.equal(reduce(neg, ':: reduce max', format), -1.5, format);
    assert.equal(reduce(pos, ':: reduce min', format), 1.5, format);
    assert.equal(reduce(neg, '', format), -11.5, format);
  }
});
