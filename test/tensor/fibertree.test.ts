import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { Tensor, fiberCoordAt, fiberLength, fiberPosition, maxRelativeDifference, maxRelativeError, randomSparse, tensorsEqual, type Fiber, type RankFormat } from '../../src/tensor/index.ts';

/** A random layout: 1–4 ranks, extents 0–5, any formats, a density and an empty value. */
const layout = fc.integer({ min: 1, max: 4 }).chain((rank) => fc.record({
  shape: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: rank, maxLength: rank }),
  formats: fc.array(fc.constantFrom<RankFormat>('U', 'C'), { minLength: rank, maxLength: rank }),
  other: fc.array(fc.constantFrom<RankFormat>('U', 'C'), { minLength: rank, maxLength: rank }),
  density: fc.constantFrom(0, 0.1, 0.3, 0.7, 1),
  empty: fc.constantFrom(0, 0, -Infinity, 2.5),
  seed: fc.nat(),
}));
type Layout = typeof layout extends fc.Arbitrary<infer L> ? L : never;

const ids = (n: number) => Array.from({ length: n }, (_, i) => `R${i}`);
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Row-major data with round(density·size) non-empty elements, the rest equal to the empty value. */
function denseData(l: Layout): Float64Array {
  return randomSparse(l.shape, l.density, l.seed, 'normal').map((v) => (v === 0 ? l.empty : v));
}

/** Every coordinate of a shape in row-major order. */
function* points(shape: readonly number[]): Generator<number[]> {
  const n = size(shape);
  for (let i = 0; i < n; i++) {
    const c = new Array<number>(shape.length);
    let r = i;
    for (let d = shape.length - 1; d >= 0; d--) { c[d] = r % (shape[d] as number); r = Math.floor(r / (shape[d] as number)); }
    yield c;
  }
}

/** Whether fiber f (at `depth`) holds a non-empty element. */
function holdsSomething(f: Fiber, empty: number): boolean {
  if (f.values) return f.values.some((v) => v !== empty);
  return (f.children ?? []).some((c) => c !== null && holdsSomething(c, empty));
}

/** The canonical form every constructor promises (docs/tensors.md). */
function assertCanonical(t: Tensor): void {
  const r = t.shape.length;
  if (r === 0) { assert.equal(t.root, null); return; }
  assert.ok(t.root, 'a tensor with ranks has a root fiber');
  const visit = (f: Fiber, depth: number): void => {
    assert.equal(f.shape, t.shape[depth]);
    assert.equal(f.format, t.formats[depth]);
    const leaf = depth === r - 1;
    assert.equal(f.values !== null, leaf, 'values exactly at the leaf rank');
    assert.equal(f.children !== null, !leaf, 'children exactly above the leaf rank');
    const stored = (f.values ?? f.children) as ArrayLike<unknown>;
    if (f.format === 'U') {
      assert.equal(f.coords, null);
      assert.equal(stored.length, f.shape);
    } else {
      const coords = f.coords as Int32Array;
      assert.equal(stored.length, coords.length);
      for (let i = 0; i < coords.length; i++) {
        assert.ok((coords[i] as number) >= 0 && (coords[i] as number) < f.shape, 'coordinate inside the shape');
        if (i > 0) assert.ok((coords[i - 1] as number) < (coords[i] as number), 'strictly increasing coordinates');
      }
      if (f.values) assert.ok(f.values.every((v) => v !== t.emptyValue), 'a compressed leaf stores no empty value');
      if (f.children) assert.ok(f.children.every((c) => c !== null), 'a compressed fiber stores no null child');
    }
    if (depth > 0) assert.ok(holdsSomething(f, t.emptyValue), 'no empty sub-fiber is stored');
    for (const c of f.children ?? []) if (c) visit(c, depth + 1);
  };
  visit(t.root, 0);
}

function allFibers(t: Tensor): Fiber[] {
  const out: Fiber[] = [];
  const walk = (f: Fiber | null): void => { if (!f) return; out.push(f); for (const c of f.children ?? []) walk(c); };
  walk(t.root);
  return out;
}

test('property: fromDense in every format combination is canonical and reads back through every accessor', () => {
  fc.assert(fc.property(layout, (l) => {
    const data = denseData(l);
    const t = Tensor.fromDense('T', ids(l.shape.length), l.shape, data, l.formats, l.empty);
    assertCanonical(t);
    assert.deepEqual(t.toDense(), data);
    assert.deepEqual(t.asDense(), data);
    assert.equal(t.size(), data.length);
    const expected: Array<[number[], number]> = [];
    let i = 0;
    for (const c of points(l.shape)) {
      const v = data[i++] as number;
      assert.equal(t.get(c), v);
      assert.equal(t.isEmptyAt(c), v === l.empty);
      if (v !== l.empty) expected.push([c, v]);
    }
    assert.equal(t.nnz(), expected.length);
    assert.deepEqual([...t.entries()], expected, 'entries in fibertree (row-major) order');
    const seen: Array<[number[], number]> = [];
    t.forEachEntry((c, v) => seen.push([[...c], v]));
    assert.deepEqual(seen, expected);
  }), propertyParams(300));
});

test('property: fromEntries (any order, duplicates, later empties) matches a dense model; withFormats preserves values', () => {
  const entriesCase = layout.chain((l) => {
    const coord = fc.tuple(...l.shape.map((s) => fc.integer({ min: 0, max: Math.max(0, s - 1) })));
    const entry = fc.tuple(coord, fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constant(l.empty)));
    return fc.record({ l: fc.constant(l), entries: size(l.shape) === 0 ? fc.constant([]) : fc.array(entry, { maxLength: 40 }) });
  });
  fc.assert(fc.property(entriesCase, ({ l, entries }) => {
    const model = new Float64Array(size(l.shape)).fill(l.empty);
    for (const [c, v] of entries) model[c.reduce((acc, x, d) => acc * (l.shape[d] as number) + x, 0)] = v;
    const t = Tensor.fromEntries('T', ids(l.shape.length), l.shape, entries, l.formats, l.empty);
    assertCanonical(t);
    // -0 is the empty value 0: compare as numbers, not by Object.is.
    assert.ok(t.toDense().every((v, i) => v === model[i]));
    assert.equal(t.nnz(), model.filter((v) => v !== l.empty).length);
    const other = t.withFormats(l.other);
    assertCanonical(other);
    assert.deepEqual(other.formats, l.other);
    assert.ok(tensorsEqual(other, t));
    assert.ok(other.toDense().every((v, i) => v === model[i]));
    assert.deepEqual([...other.entries()], [...t.entries()]);
  }), propertyParams(300));
});

test('withFormats shares the subtrees whose formats do not change; withName shares everything', () => {
  const t = Tensor.fromDense('T', ['A', 'B', 'C'], [2, 2, 3], Float64Array.of(1, 0, 2, 0, 0, 0, 3, 4, 5, 0, 0, 6), ['U', 'C', 'C']);
  const u = t.withFormats(['C', 'C', 'C']);
  assert.equal(u.root?.format, 'C');
  assert.equal(u.root?.children?.[0], t.root?.children?.[0], 'the rank-B fiber is shared');
  const renamed = t.withName('S');
  assert.equal(renamed.name, 'S');
  assert.equal(renamed.root, t.root);
  // An all-'U' tensor keeps the array it was built from: no copy until toDense.
  const data = Float64Array.of(1, 2, 3, 4);
  const d = Tensor.fromDense('D', ['A', 'B'], [2, 2], data);
  assert.equal(d.asDense(), data);
  assert.notEqual(d.toDense(), data);
  assert.equal(d.root?.children?.[1]?.values?.buffer, data.buffer, 'uncompressed leaves are views of the data');
});

test('property: fiberPosition agrees with a linear search, in compressed and uncompressed fibers', () => {
  fc.assert(fc.property(layout, fc.array(fc.oneof(fc.integer({ min: -2, max: 7 }), fc.constantFrom(0.5, NaN, Infinity)), { minLength: 1, maxLength: 8 }), (l, probes) => {
    const t = Tensor.fromDense('T', ids(l.shape.length), l.shape, denseData(l), l.formats, l.empty);
    for (const f of allFibers(t)) {
      for (const c of probes) {
        let linear = -1;
        for (let p = 0; p < fiberLength(f); p++) if (fiberCoordAt(f, p) === c) linear = p;
        assert.equal(fiberPosition(f, c), linear, `coordinate ${c} in a '${f.format}' fiber`);
      }
    }
  }), propertyParams(200));
});

test('footprint: stored coordinates and payloads per rank, uncompressed empty sub-fibers included', () => {
  const data = Float64Array.of(0, 0, 0, 1, 0, 2); // [[0, 0, 0], [1, 0, 2]]
  const fp = (formats: RankFormat[]) => Tensor.fromDense('T', ['A', 'B'], [2, 3], data, formats).footprint();
  assert.deepEqual(fp(['U', 'U']), { coords: [0, 0], payloads: [2, 6] });
  assert.deepEqual(fp(['U', 'C']), { coords: [0, 2], payloads: [2, 2] });
  assert.deepEqual(fp(['C', 'U']), { coords: [1, 0], payloads: [1, 3] });
  assert.deepEqual(fp(['C', 'C']), { coords: [1, 2], payloads: [1, 2] });
  const three = Tensor.fromEntries('T', ['A', 'B', 'C'], [3, 2, 4], [[[1, 1, 2], 5]], ['U', 'U', 'C']);
  assert.deepEqual(three.footprint(), { coords: [0, 0, 1], payloads: [3, 6, 1] });
  fc.assert(fc.property(layout, (l) => {
    const data = denseData(l);
    const u = Tensor.fromDense('T', ids(l.shape.length), l.shape, data, l.shape.map(() => 'U'), l.empty).footprint();
    assert.equal(u.payloads.at(-1), size(l.shape), 'all-U stores every element');
    const c = Tensor.fromDense('T', ids(l.shape.length), l.shape, data, l.shape.map(() => 'C'), l.empty).footprint();
    const nnz = data.filter((v) => v !== l.empty).length;
    assert.equal(c.coords.at(-1), nnz);
    assert.deepEqual(c.coords, c.payloads);
  }), propertyParams(100));
});

test('scalars and empty tensors', () => {
  const s = Tensor.scalar('S', 4);
  assert.equal(s.root, null);
  assert.equal(s.scalarValue, 4);
  assert.deepEqual(s.toDense(), Float64Array.of(4));
  assert.equal(s.get([]), 4);
  assert.equal(s.nnz(), 1);
  assert.deepEqual([...s.entries()], [[[], 4]]);
  assert.equal(Tensor.scalar('Z', 0).nnz(), 0);
  assert.equal(Tensor.fromDense('S', [], [], Float64Array.of(7)).scalarValue, 7);
  assert.equal(Tensor.fromEntries('S', [], [], [[[], 1], [[], 3]]).scalarValue, 3);
  assert.equal(Tensor.fromEntries('S', [], [], [], undefined, -Infinity).scalarValue, -Infinity);
  assert.equal(Tensor.fromDense('A', ['K'], [3], Float64Array.of(1, 2, 3)).scalarValue, 0, 'emptyValue for tensors with ranks');
  for (const formats of [['U', 'U'], ['U', 'C'], ['C', 'U'], ['C', 'C']] as RankFormat[][]) {
    const e = Tensor.fromDense('E', ['A', 'B'], [2, 3], new Float64Array(6), formats);
    assert.ok(e.root, 'an empty tensor still has a root fiber');
    assert.equal(e.nnz(), 0);
    assert.deepEqual([...e.entries()], []);
    assert.equal(fiberLength(e.root), formats[0] === 'U' ? 2 : 0);
    if (formats[0] === 'U') assert.deepEqual(e.root.children, [null, null]);
  }
});

test('empty values other than 0: equal elements are empty, absent ones read as the empty value', () => {
  const inf = Tensor.fromDense('D', ['K'], [4], Float64Array.of(-Infinity, 3, -Infinity, 0), ['C'], -Infinity);
  assert.equal(inf.nnz(), 2, 'an explicit 0 is a value when the empty value is -inf');
  assert.deepEqual(Array.from(inf.root?.coords ?? []), [1, 3]);
  assert.equal(inf.get([0]), -Infinity);
  assert.deepEqual(inf.toDense(), Float64Array.of(-Infinity, 3, -Infinity, 0));
  assert.deepEqual(inf.footprint(), { coords: [2], payloads: [2] });
  const u = Tensor.fromEntries('U', ['K'], [3], [[[1], 5]], ['U'], -Infinity);
  assert.deepEqual(u.root?.values, Float64Array.of(-Infinity, 5, -Infinity), 'uncompressed slots hold the empty value');
});

test('errors: coordinates outside the shape are FM320; misuse by code is a RangeError', () => {
  const isFM320 = (e: unknown) => e instanceof UserError && e.diagnostics[0]?.code === 'FM320' && /tensor T: coordinates \[/.test(e.message);
  assert.throws(() => Tensor.fromEntries('T', ['K'], [3], [[[3], 1]]), isFM320);
  assert.throws(() => Tensor.fromEntries('T', ['K'], [3], [[[-1], 1]]), isFM320);
  assert.throws(() => Tensor.fromEntries('T', ['K'], [3], [[[0.5], 1]]), isFM320);
  assert.throws(() => Tensor.fromEntries('T', ['K', 'L'], [3, 2], [[[1], 1]]), isFM320);
  assert.throws(() => Tensor.fromDense('T', ['K'], [3], new Float64Array(4)), RangeError);
  assert.throws(() => Tensor.fromDense('T', ['K'], [3], new Float64Array(3), ['U', 'C']), RangeError);
  assert.throws(() => Tensor.fromDense('T', ['K'], [-1], new Float64Array(0)), RangeError);
  assert.throws(() => Tensor.fromDense('T', ['K'], [3], new Float64Array(3), undefined, NaN), RangeError);
  const t = Tensor.fromDense('T', ['K', 'L'], [2, 2], Float64Array.of(1, 2, 3, 4), ['C', 'C']);
  assert.throws(() => t.get([1]), RangeError);
  assert.throws(() => t.get([1, 2]), RangeError);
  assert.throws(() => t.withFormats(['C']), RangeError);
});

test('tensorsEqual: rank ids, shape and non-empty elements; not names, formats or empty values', () => {
  const a = Tensor.fromDense('A', ['M', 'N'], [2, 2], Float64Array.of(1, 0, 0, 2));
  assert.ok(tensorsEqual(a, a.withFormats(['C', 'C']).withName('B')));
  assert.ok(!tensorsEqual(a, Tensor.fromDense('A', ['M', 'K'], [2, 2], Float64Array.of(1, 0, 0, 2))), 'rank ids');
  assert.ok(!tensorsEqual(a, Tensor.fromDense('A', ['M', 'N'], [2, 3], Float64Array.of(1, 0, 0, 0, 2, 0))), 'shape');
  const near = Tensor.fromDense('A', ['M', 'N'], [2, 2], Float64Array.of(1, 0, 0, 2 + 1e-12));
  assert.ok(!tensorsEqual(a, near));
  assert.ok(tensorsEqual(a, near, 1e-9));
  // Same dense values, but -inf-empty b has a non-empty 0 where a has nothing.
  const b = Tensor.fromDense('B', ['M', 'N'], [2, 2], Float64Array.of(1, 0, 0, 2), ['C', 'C'], -Infinity);
  assert.ok(!tensorsEqual(a, b));
  const c = Tensor.fromDense('C', ['M', 'N'], [2, 2], Float64Array.of(1, -Infinity, -Infinity, 2), ['C', 'C'], -Infinity);
  assert.ok(tensorsEqual(a, c), 'same non-empty elements, different empty values');
  assert.equal(maxRelativeError(a, c), Infinity, 'but densely they differ (0 against -inf)');
  const nan = Tensor.fromDense('N', ['K'], [2], Float64Array.of(NaN, 1));
  assert.ok(tensorsEqual(nan, nan.withFormats(['C'])), 'NaN equals NaN here');
  assert.ok(tensorsEqual(Tensor.scalar('S', 2), Tensor.scalar('T', 2)));
  assert.ok(!tensorsEqual(Tensor.scalar('S', 2), Tensor.scalar('T', 3)));
});

test('property: maxRelativeError is the dense max|a − b| / max|b|, whatever the formats', () => {
  fc.assert(fc.property(layout, fc.nat(), (l, seed2) => {
    const x = denseData(l);
    const y = denseData({ ...l, seed: seed2 });
    const a = Tensor.fromDense('A', ids(l.shape.length), l.shape, x, l.formats, l.empty);
    const b = Tensor.fromDense('B', ids(l.shape.length), l.shape, y, l.other, l.empty);
    assert.equal(maxRelativeError(a, b), maxRelativeDifference(x, y));
    assert.equal(maxRelativeError(a, a.withFormats(l.other)), 0);
  }), propertyParams(200));
  assert.equal(maxRelativeDifference([1, 2], [1, 4]), 0.5);
  assert.equal(maxRelativeDifference([3], [0]), 3, 'absolute when b is all zero');
  assert.equal(maxRelativeDifference([Infinity, 1], [Infinity, 1]), 0);
  assert.equal(maxRelativeDifference([Infinity, 1], [-Infinity, 1]), Infinity);
  assert.equal(maxRelativeDifference([NaN, 1], [2, 1]), Infinity);
  assert.throws(() => maxRelativeError(Tensor.scalar('S', 1), Tensor.fromDense('A', ['K'], [1], Float64Array.of(1))), RangeError);
});

test('speed: 1024×1024 from dense and back (all-U and all-C)', (t) => {
  const data = randomSparse([1024, 1024], 0.5, 1, 'normal');
  const time = (f: () => unknown): number => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) { const t0 = performance.now(); f(); best = Math.min(best, performance.now() - t0); }
    return best;
  };
  const u = Tensor.fromDense('T', ['M', 'P'], [1024, 1024], data);
  const c = Tensor.fromDense('T', ['M', 'P'], [1024, 1024], data, ['C', 'C']);
  const ms = {
    fromDenseU: time(() => Tensor.fromDense('T', ['M', 'P'], [1024, 1024], data)),
    toDenseU: time(() => u.toDense()),
    rootU: time(() => Tensor.fromDense('T', ['M', 'P'], [1024, 1024], data).root),
    fromDenseC: time(() => Tensor.fromDense('T', ['M', 'P'], [1024, 1024], data, ['C', 'C'])),
    toDenseC: time(() => c.toDense()),
  };
  t.diagnostic(JSON.stringify(ms));
  // Generous bounds (shared CI machines): these catch an accidental per-element allocation, not jitter.
  for (const [k, v] of Object.entries(ms)) assert.ok(v < 250, `${k} took ${v.toFixed(1)} ms`);
});
