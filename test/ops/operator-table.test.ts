import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MERGES, MERGE_NAMES, lookupMerge, mergeAllows, mergeIncludesNeither } from '../../src/ops/merge.ts';
import { defaultOperators, OperatorRegistry, userBinaryOperator, userUnaryOperator, type BinaryOperator } from '../../src/ops/compute.ts';

// EDGE Appendix A as transcribed in ../shared/reference/papers.md §2.4: paper symbol, truth table over
// (l,r) = (0,0) (0,1) (1,0) (1,1), commutative, includes the neither-present point.
const EDGE_MERGES: Record<string, readonly [string, string, boolean, boolean]> = {
  pass_through: ['1', '1111', true, true], no_pass: ['F', '0000', true, false], intersect: ['∩', '0001', true, false],
  take_left_only: ['⊖l', '0010', false, false], take_left: ['←', '0011', false, false], take_right_only: ['⊖r', '0100', false, false],
  take_right: ['→', '0101', false, false], xor: ['⊕', '0110', true, false], union: ['∪', '0111', true, false],
  nor: ['∪̄', '1000', true, true], xnor: ['≡', '1001', true, true], not_right: ['↛', '1010', false, true],
  not_left: ['↚', '1100', false, true], implies_left: ['⇐', '1011', false, true], implies_right: ['⇒', '1101', false, true],
  nand: ['∩̄', '1110', true, true],
};

test('merges: symbol, commutativity and the neither-present point as EDGE Appendix A lists them', () => {
  assert.deepEqual([...MERGE_NAMES].sort(), Object.keys(EDGE_MERGES).sort());
  for (const name of MERGE_NAMES) {
    const [symbol, bits, commutative, neither] = EDGE_MERGES[name]!;
    const m = MERGES[name];
    assert.equal(m.name, name);
    assert.equal(m.symbol, symbol, name);
    assert.equal(m.table.map((b) => (b ? '1' : '0')).join(''), bits, name);
    assert.equal(m.commutative, commutative, `${name} commutative`);
    assert.equal(mergeIncludesNeither(m), neither, `${name} includes neither`);
    assert.equal(mergeAllows(m, false, false), bits[0] === '1', name);
    assert.equal(mergeAllows(m, false, true), bits[1] === '1', name);
    assert.equal(mergeAllows(m, true, false), bits[2] === '1', name);
    assert.equal(mergeAllows(m, true, true), bits[3] === '1', name);
    // Every name and every paper symbol resolves to the operator.
    assert.equal(lookupMerge(name), m, name);
    assert.equal(lookupMerge(symbol), m, symbol);
  }
  // FuseMax's and the notation's other spellings of pass-through.
  for (const s of ['𝟙', 'T', 'pass']) assert.equal(lookupMerge(s), MERGES.pass_through, s);
  for (const s of ['bogus', '', 'Union', 'toString', 'constructor', '∩∩']) assert.equal(lookupMerge(s), undefined, s);
});

// The built-in compute operators: properties from EDGE (papers.md §2.4: + and × commutative and
// associative with identities 0 and 1, × annihilated by 0, − and ÷ neither, no identity), the default
// merges of docs/cascade-notation.md ("Default EDGE actions"), identities of max/min as the reductions'
// seeds, and the EDGE Unicode and LaTeX spellings.
const BINARY: ReadonlyArray<{
  name: string; symbols: string[]; identity?: number; annihilator?: number; commutative: boolean; associative: boolean;
  merge: string; unicode: string; latex: string; value: (a: number, b: number) => number;
}> = [
  { name: 'add', symbols: ['+'], identity: 0, commutative: true, associative: true, merge: 'union', unicode: '+', latex: '+', value: (a, b) => a + b },
  { name: 'sub', symbols: ['-', '−'], commutative: false, associative: false, merge: 'union', unicode: '−', latex: '-', value: (a, b) => a - b },
  { name: 'mul', symbols: ['*', '×'], identity: 1, annihilator: 0, commutative: true, associative: true, merge: 'intersect', unicode: '×', latex: '\\times', value: (a, b) => a * b },
  { name: 'div', symbols: ['/', '÷'], commutative: false, associative: false, merge: 'take_left', unicode: '÷', latex: '\\div', value: (a, b) => a / b },
  { name: 'max', symbols: [], identity: -Infinity, commutative: true, associative: true, merge: 'union', unicode: 'max', latex: '\\max', value: Math.max },
  { name: 'min', symbols: [], identity: Infinity, commutative: true, associative: true, merge: 'union', unicode: 'min', latex: '\\min', value: Math.min },
  { name: 'sub_exp', symbols: ['sub-then-exp'], commutative: false, associative: false, merge: 'pass_through', unicode: 'sub-then-exp', latex: '\\mathrm{subexp}', value: (a, b) => Math.exp(a - b) },
];
const UNARY: ReadonlyArray<readonly [string, string, (a: number) => number]> = [
  ['neg', '-', (a) => -a], ['exp', '\\exp', Math.exp], ['sqrt', '\\sqrt', Math.sqrt], ['abs', '\\lvert\\cdot\\rvert', Math.abs],
  ['log', '\\log', Math.log], ['recip', '\\mathrm{recip}', (a) => 1 / a], ['square', '\\mathrm{square}', (a) => a * a],
];
// Pairs that tell each operator apart (ties, signs, zero, infinities).
const SAMPLES: ReadonlyArray<readonly [number, number]> = [[3, 1.5], [1.5, 3], [-2, 5], [2, 2], [0, -7], [-0.5, 0], [4, -Infinity], [-1, Infinity]];

test('built-in binary operators: values, properties, default merges and spellings', () => {
  assert.deepEqual(defaultOperators.names(), [...BINARY.map((b) => b.name), ...UNARY.map(([n]) => n)]);
  for (const want of BINARY) {
    const op = defaultOperators.binary(want.name);
    assert.ok(op, want.name);
    assert.equal(op.kind, 'binary');
    assert.deepEqual(op.symbols, want.symbols, want.name);
    assert.equal(op.identity, want.identity, `${want.name} identity`);
    assert.equal(op.annihilator, want.annihilator, `${want.name} annihilator`);
    assert.equal(op.commutative, want.commutative, `${want.name} commutative`);
    assert.equal(op.associative, want.associative, `${want.name} associative`);
    assert.equal(op.defaultMerge, want.merge, `${want.name} default merge`);
    assert.equal(op.unicode, want.unicode, want.name);
    assert.equal(op.latex, want.latex, want.name);
    for (const [a, b] of SAMPLES) assert.ok(Object.is(op.apply(a, b), want.value(a, b)) || op.apply(a, b) === want.value(a, b), `${want.name}(${a}, ${b}) = ${op.apply(a, b)}`);
    for (const s of want.symbols) assert.equal(defaultOperators.binary(s), op, s);
    assert.equal(defaultOperators.unary(want.name), undefined);
  }
  for (const [name, latex, value] of UNARY) {
    const op = defaultOperators.unary(name);
    assert.ok(op, name);
    assert.equal(op.kind, 'unary');
    assert.equal(op.defaultMerge, 'take_left', `${name}: empty stays empty`);
    assert.equal(op.latex, latex, name);
    for (const a of [2.25, -3, 0, 0.5]) assert.ok(Object.is(op.apply(a), value(a)), `${name}(${a}) = ${op.apply(a)}`);
    assert.equal(defaultOperators.binary(name), undefined);
  }
  assert.equal(defaultOperators.lookup('nope'), undefined);
  assert.equal(defaultOperators.binary('nope'), undefined);
  assert.equal(defaultOperators.unary('nope'), undefined);
});

test('max and min pick the larger and smaller operand, including ties of signed zeros and infinities', () => {
  const max = defaultOperators.binary('max') as BinaryOperator;
  const min = defaultOperators.binary('min') as BinaryOperator;
  assert.equal(max.apply(-Infinity, -1e308), -1e308);
  assert.equal(min.apply(Infinity, 1e308), 1e308);
  assert.equal(max.apply(2, 2), 2);
  assert.equal(min.apply(-3, -3), -3);
});

test('user operators: defaults (not commutative, not associative, union merge, no identity) and LaTeX names', () => {
  const f = userBinaryOperator({ name: 'log_add', apply: (a, b) => a + b });
  assert.equal(f.kind, 'binary');
  assert.deepEqual(f.symbols, []);
  assert.equal('identity' in f, false);
  assert.equal(f.commutative, false);
  assert.equal(f.associative, false);
  assert.equal(f.defaultMerge, 'union');
  assert.equal(f.unicode, 'log_add');
  assert.equal(f.latex, '\\mathrm{log\\_add}');
  assert.equal(f.apply(2, 3), 5);
  const g = userBinaryOperator({ name: 'g', apply: Math.max, identity: -Infinity, commutative: true, associative: true, defaultMerge: 'intersect' });
  assert.equal(g.identity, -Infinity);
  assert.equal(g.commutative, true);
  assert.equal(g.associative, true);
  assert.equal(g.defaultMerge, 'intersect');
  assert.equal(userBinaryOperator({ name: 'z', apply: Math.max, identity: 0 }).identity, 0, 'an identity of 0 is kept');
  const u = userUnaryOperator({ name: 'soft_plus', apply: (a) => Math.log1p(Math.exp(a)) });
  assert.equal(u.kind, 'unary');
  assert.equal(u.defaultMerge, 'take_left');
  assert.equal(u.latex, '\\mathrm{soft\\_plus}');
  assert.equal(u.apply(0), Math.log(2));
});

test('registries: clones are independent, user operators are found by name only, names are unique', () => {
  const base = new OperatorRegistry();
  const copy = base.clone();
  copy.register(userBinaryOperator({ name: 'hypot', apply: Math.hypot }));
  copy.register(userUnaryOperator({ name: 'cube', apply: (a) => a ** 3 }));
  assert.equal(copy.binary('hypot')?.apply(3, 4), 5);
  assert.equal(copy.unary('cube')?.apply(2), 8);
  assert.equal(base.lookup('hypot'), undefined);
  assert.equal(defaultOperators.lookup('hypot'), undefined);
  assert.deepEqual(copy.names().slice(-2), ['hypot', 'cube']);
  assert.equal(copy.binary('+'), base.binary('add'), 'a clone shares the built-in operators');
  assert.throws(() => copy.register(userUnaryOperator({ name: 'exp', apply: Math.exp })), /operator 'exp' is already registered/);
  // An empty registry knows nothing; a registry built from a list knows exactly that list.
  const only = new OperatorRegistry([userBinaryOperator({ name: 'f', apply: Math.min })]);
  assert.deepEqual(only.names(), ['f']);
  assert.equal(only.lookup('+'), undefined);
});
