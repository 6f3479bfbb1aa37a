import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { MERGES, MERGE_NAMES, lookupMerge, mergeAllows } from '../../src/ops/merge.ts';
import { defaultOperators, OperatorRegistry, userBinaryOperator } from '../../src/ops/compute.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { printCascade } from '../../src/notation/print.ts';
import { cascadeStructure } from '../../src/ir/structure.ts';
import { Tensor } from '../../src/tensor/index.ts';
import { runOn } from '../helpers/run.ts';

// EDGE Appendix A as transcribed in ../shared/reference/papers.md §2.4: output presence for
// (left, right) = (0,0) (0,1) (1,0) (1,1).
const APPENDIX_A: Record<string, string> = {
  pass_through: '1111', no_pass: '0000', intersect: '0001', take_left_only: '0010', take_left: '0011', take_right_only: '0100',
  take_right: '0101', xor: '0110', union: '0111', nor: '1000', xnor: '1001', not_right: '1010', not_left: '1100',
  implies_left: '1011', implies_right: '1101', nand: '1110',
};

test('the 16 merge operators have EDGE Appendix A truth tables', () => {
  assert.equal(MERGE_NAMES.length, 16);
  for (const name of MERGE_NAMES) {
    const m = MERGES[name];
    const bits = [[false, false], [false, true], [true, false], [true, true]].map(([l, r]) => (mergeAllows(m, l as boolean, r as boolean) ? '1' : '0')).join('');
    assert.equal(bits, APPENDIX_A[name], name);
  }
  // All 16 Boolean functions of two inputs, each once.
  assert.equal(new Set(Object.values(APPENDIX_A)).size, 16);
});

test('merge symbols and aliases resolve', () => {
  assert.equal(lookupMerge('∩')?.name, 'intersect');
  assert.equal(lookupMerge('∪')?.name, 'union');
  assert.equal(lookupMerge('←')?.name, 'take_left');
  assert.equal(lookupMerge('1')?.name, 'pass_through');
  assert.equal(lookupMerge('bogus'), undefined);
});

test('property: identities, commutativity and annihilators hold as declared', () => {
  const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
  for (const name of defaultOperators.names()) {
    const op = defaultOperators.lookup(name);
    if (op?.kind !== 'binary') continue;
    fc.assert(fc.property(finite, finite, (a, b) => {
      // Values compare with === (the sign of a zero carries no meaning here).
      if (op.identity !== undefined) assert.ok(op.apply(op.identity, a) === a, `${name} identity`);
      if (op.commutative) assert.ok(op.apply(a, b) === op.apply(b, a), `${name} commutes`);
      if (op.annihilator !== undefined) assert.ok(op.apply(op.annihilator, a) === op.annihilator, `${name} annihilator`);
    }), propertyParams(300));
  }
});

test('sub-then-exp is exp(a − b) with the pass-through merge; ÷ takes the left operand', () => {
  const subExp = defaultOperators.binary('sub_exp');
  assert.equal(subExp?.apply(3, 1), Math.exp(2));
  assert.equal(subExp?.defaultMerge, 'pass_through');
  assert.equal(defaultOperators.binary('/')?.defaultMerge, 'take_left');
  assert.equal(defaultOperators.binary('*')?.defaultMerge, 'intersect');
});

test('user operators: registered with an identity they reduce; without one the checker refuses', () => {
  const ops = new OperatorRegistry();
  ops.register(userBinaryOperator({ name: 'logaddexp', apply: (a, b) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))), identity: -Infinity, commutative: true, associative: true }));
  ops.register(userBinaryOperator({ name: 'hypot', apply: Math.hypot }));
  const c = loadCascade('input A[K]\nY = A[k] :: reduce logaddexp\n', 'u.cascade', ops);
  assert.equal(c.einsums[0]?.reduction?.op.name, 'logaddexp');
  assert.throws(() => loadCascade('input A[K]\nY = A[k] :: reduce hypot\n', 'u.cascade', ops), /FM229: reduce operator 'hypot' has no identity/);
  assert.throws(() => ops.register(userBinaryOperator({ name: 'hypot', apply: Math.hypot })), /already registered/);
});

test('operators declared in a cascade file: a log-sum-exp reduction and a softplus map run and round-trip', () => {
  const text = 'input X[K,P]\noperator logaddexp(a, b) = max(a, b) + log(1 + exp(-abs(a - b))) identity -inf\noperator softplus(x) = log(1 + exp(x))\nL[p] = X[k,p] :: reduce logaddexp\nS[k,p] = softplus(X[k,p])\noutput L, S\n';
  const c = loadCascade(text, 'lse.cascade');
  assert.deepEqual(cascadeStructure(loadCascade(printCascade(c), 'again')), cascadeStructure(c));
  assert.equal(defaultOperators.lookup('logaddexp'), undefined, 'the shared registry is untouched');
  const x = Float64Array.of(1, -2, 3, 0.5, -1, 2);
  const { result } = runOn(c, { K: 3, P: 2 }, 1, new Map([['X', Tensor.fromDense('X', ['K', 'P'], [3, 2], x)]]));
  const l = (result.outputs.get('L') as Tensor).toDense();
  for (let p = 0; p < 2; p++) {
    const want = Math.log([0, 1, 2].reduce((s, k) => s + Math.exp(x[k * 2 + p] as number), 0));
    assert.ok(Math.abs((l[p] as number) - want) < 1e-14, `${l[p]} vs ${want}`);
  }
  const s = (result.outputs.get('S') as Tensor).toDense();
  assert.ok(Math.abs((s[0] as number) - Math.log(1 + Math.exp(1))) < 1e-15);
});

test('bad operator declarations are located diagnostics', () => {
  assert.throws(() => loadCascade('operator max(a, b) = a\nY[k] = A[k]\n', 'x'), /FM239: operator 'max' is already defined/);
  assert.throws(() => loadCascade('operator f(a) = a * B[k]\nY[k] = A[k]\n', 'x'), /FM239: an operator body computes from its parameters only/);
  assert.throws(() => loadCascade('operator f(a) = a identity 0\nY[k] = A[k]\n', 'x'), /FM239: a unary operator cannot reduce/);
  assert.throws(() => loadCascade('operator f(a, a) = a\nY[k] = A[k]\n', 'x'), /FM107: parameter 'a' is given twice/);
  assert.throws(() => loadCascade('operator f(a, b) = a - b\nY = A[k] :: reduce f\n', 'x'), /FM229: reduce operator 'f' has no identity/);
});
