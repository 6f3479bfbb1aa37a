import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Tensor, fiberCoordAt, fiberLength, fiberPosition, randomNormal, randomSparse, randomUniform, type Fiber, type RankFormat } from '../../src/tensor/index.ts';

const layout = fc.integer({ min: 1, max: 4 }).chain((rank) => fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: rank, maxLength: rank }),
  formats: fc.array(fc.constantFrom<RankFormat>('U', 'C'), { minLength: rank, maxLength: rank }),
  density: fc.constantFrom(0, 0.2, 0.6, 1),
  seed: fc.nat(),
}));

function dense(l: { shape: number[]; density: number; seed: number }): Float64Array {
  return randomSparse(l.shape, l.density, l.seed, 'normal');
}

function* fibers(f: Fiber | null): Generator<Fiber> {
  if (!f) return;
  yield f;
  for (const c of f.children ?? []) yield* fibers(c);
}

test('property: every format round-trips dense data, counts non-empties, and stores no empties compressed', () => {
  fc.assert(fc.property(layout, (l) => {
    const data = dense(l);
    const t = Tensor.fromDense('T', l.shape.map((_, i) => `R${i}`), l.shape, data, l.formats);
    assert.deepEqual(Array.from(t.toDense()), Array.from(data));
    assert.equal(t.nnz(), data.filter((v) => v !== 0).length);
    for (const f of fibers(t.root)) {
      if (f.format !== 'C') continue;
      const coords = f.coords as Int32Array;
      for (let i = 1; i < coords.length; i++) assert.ok((coords[i - 1] as number) < (coords[i] as number), 'ascending coordinates');
      if (f.values) assert.ok(f.values.every((v) => v !== 0), 'no empty value stored');
      if (f.children) assert.ok(f.children.every((c) => c !== null), 'no empty sub-fiber stored');
    }
    // Converting formats keeps the values; entries() lists exactly the non-empties.
    const other = t.withFormats(l.formats.map((f) => (f === 'U' ? 'C' : 'U')));
    assert.deepEqual(Array.from(other.toDense()), Array.from(data));
    const fromEntries = Tensor.fromEntries('T', t.rankIds, l.shape, [...t.entries()], l.formats);
    assert.deepEqual(Array.from(fromEntries.toDense()), Array.from(data));
    for (const [coords, v] of t.entries()) assert.equal(t.get(coords), v);
  }), { numRuns: 400 });
});

test('property: fiberPosition agrees with a linear search', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 30 }), fc.integer({ min: -2, max: 64 }), (coords, probe) => {
    const sorted = [...coords].sort((a, b) => a - b);
    const t = Tensor.fromEntries('T', ['K'], [61], sorted.map((c) => [[c], c + 1] as const));
    const f = t.root;
    if (!f) { assert.equal(sorted.length, 0); return; }
    let linear = -1;
    for (let p = 0; p < fiberLength(f); p++) if (fiberCoordAt(f, p) === probe) linear = p;
    assert.equal(fiberPosition(f, probe), linear);
  }), { numRuns: 500 });
});

test('scalars, empty values other than 0, footprints', () => {
  const s = Tensor.scalar('S', 4);
  assert.deepEqual(Array.from(s.toDense()), [4]);
  assert.equal(s.nnz(), 1);
  const inf = Tensor.fromDense('D', ['K'], [4], Float64Array.of(Infinity, 3, Infinity, 1), ['C'], Infinity);
  assert.equal(inf.nnz(), 2);
  assert.equal(inf.get([0]), Infinity);
  assert.deepEqual(inf.footprint(), { coords: [2], payloads: [2] });
  assert.throws(() => Tensor.fromEntries('T', ['K'], [3], [[[5], 1]]), /FM320/);
});

test('seeded random data is deterministic, with the right statistics and exact density', () => {
  assert.deepEqual(Array.from(randomNormal([5], 42)), Array.from(randomNormal([5], 42)));
  assert.notDeepEqual(Array.from(randomNormal([5], 42)), Array.from(randomNormal([5], 43)));
  const n = randomNormal([100000], 1);
  const mean = n.reduce((a, b) => a + b, 0) / n.length;
  const std = Math.sqrt(n.reduce((a, b) => a + (b - mean) ** 2, 0) / n.length);
  assert.ok(Math.abs(mean) < 0.01 && Math.abs(std - 1) < 0.01, `mean ${mean}, std ${std}`);
  const u = randomUniform([100000], 2, -1, 3);
  assert.ok(u.every((v) => v >= -1 && v < 3));
  assert.ok(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 1) < 0.02);
  const sp = randomSparse([40, 25], 0.1, 3);
  assert.equal(sp.filter((v) => v !== 0).length, 100);
});
