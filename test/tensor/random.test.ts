import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { Rng, randomNormal, randomSparse, randomTensor, randomUniform } from '../../src/tensor/index.ts';

function stats(x: Float64Array): { mean: number; std: number } {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return { mean, std: Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length) };
}

test('the generator is xoshiro128**: values pinned to an independent Python port of the published algorithm', () => {
  const words = (seed: number) => { const r = new Rng(seed); return [r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()]; };
  assert.deepEqual(words(0), [3809008728, 1133695204, 53579671, 2891528803]);
  assert.deepEqual(words(1), [2442144158, 3238099751, 3819917871, 2104621829]);
  assert.deepEqual(words(42), [2837322924, 544945897, 479756282, 3500138142]);
  assert.deepEqual(words(2 ** 40 + 3), [3743887778, 19256766, 3866561739, 1261655816]);
  assert.deepEqual(words(-5), [970291212, 2320972000, 3074949720, 979717378]);
  assert.deepEqual(Array.from(randomUniform([3], 1)), [0.5686059948349658, 0.8893939367683266, 0.4705824180198359]);
  assert.deepEqual(Array.from(randomNormal([3], 7)), [-1.6177301980272665, -1.0637932992656989, -0.5333751529532701]);
});

test('same seed, same data; other seeds (also beyond 32 bits), other data; bad seeds and densities are RangeErrors', () => {
  assert.deepEqual(randomNormal([4, 5], 42), randomNormal([4, 5], 42));
  assert.deepEqual(randomSparse([9, 9], 0.3, 5, 'normal'), randomSparse([9, 9], 0.3, 5, 'normal'));
  assert.notDeepEqual(randomNormal([5], 42), randomNormal([5], 43));
  assert.notDeepEqual(randomUniform([5], 1), randomUniform([5], 2 ** 32 + 1));
  assert.notDeepEqual(randomUniform([5], -1), randomUniform([5], 2 ** 32 - 1));
  assert.throws(() => new Rng(0.5), RangeError);
  assert.throws(() => randomNormal([2], Number.NaN), RangeError);
  assert.throws(() => randomSparse([4], 1.5, 1), RangeError);
  assert.throws(() => randomUniform([-1], 1), RangeError);
});

test('uniform and normal statistics over 1e5 samples', () => {
  const n = randomNormal([100000], 1, 2, 3);
  const ns = stats(n);
  // Tolerances are about five standard errors.
  assert.ok(Math.abs(ns.mean - 2) < 0.05, `mean ${ns.mean}`);
  assert.ok(Math.abs(ns.std - 3) < 0.035, `std ${ns.std}`);
  const within1 = n.filter((v) => Math.abs(v - 2) < 3).length / n.length;
  assert.ok(Math.abs(within1 - 0.6827) < 0.0075, `P(|z| < 1) = ${within1}`);
  const u = randomUniform([100000], 2, -1, 3);
  assert.ok(u.every((v) => v >= -1 && v < 3));
  const us = stats(u);
  assert.ok(Math.abs(us.mean - 1) < 0.02, `mean ${us.mean}`);
  assert.ok(Math.abs(us.std - 4 / Math.sqrt(12)) < 0.01, `std ${us.std}`);
  const bins = new Array<number>(10).fill(0);
  for (const v of u) bins[Math.floor((v + 1) / 0.4)]! += 1;
  for (const b of bins) assert.ok(Math.abs(b - 10000) < 500, `bin count ${b}`);
});

test('property: randomSparse has exactly round(density·size) non-zeros, none of them exactly 0', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 3 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(), fc.constantFrom('uniform' as const, 'normal' as const), (shape, density, seed, dist) => {
    const x = randomSparse(shape, density, seed, dist);
    const size = shape.reduce((a, b) => a * b, 1);
    assert.equal(x.length, size);
    assert.equal(x.filter((v) => v !== 0).length, Math.round(density * size));
    if (dist === 'uniform') assert.ok(x.every((v) => v >= 0 && v < 1));
  }), propertyParams(300));
  // Positions are uniform: over many seeds each of 10 slots is chosen about 30% of the time.
  const hits = new Array<number>(10).fill(0);
  for (let seed = 0; seed < 3000; seed++) randomSparse([10], 0.3, seed).forEach((v, i) => { if (v !== 0) hits[i]! += 1; });
  for (const h of hits) assert.ok(Math.abs(h - 900) < 130, `slot chosen ${h} times of 3000`);
});

test('randomTensor: seeded dense or sparse tensors in the formats asked for', () => {
  const d = randomTensor('Q', ['E', 'P'], [4, 6], 3);
  assert.deepEqual(d.formats, ['U', 'U']);
  assert.deepEqual(d.toDense(), randomNormal([4, 6], 3));
  const s = randomTensor('A', ['I', 'J'], [20, 30], 4, { density: 0.1, formats: ['U', 'C'], dist: 'uniform' });
  assert.equal(s.nnz(), 60);
  assert.deepEqual(s.toDense(), randomSparse([20, 30], 0.1, 4, 'uniform'));
  assert.deepEqual(randomTensor('U', ['K'], [5], 9, { dist: 'uniform' }).toDense(), randomUniform([5], 9));
});
