import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readNpy, writeNpy } from '../../src/tensor/index.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'npy');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

test('reads the files NumPy wrote (float64, float32, Fortran order, int32, scalar, empty)', () => {
  assert.deepEqual(readNpy(fixture('f8_2x3.npy')), { shape: [2, 3], data: Float64Array.of(1.5, -2, 0, 3.25, 1e-300, -7), dtype: '<f8' });
  assert.deepEqual(Array.from(readNpy(fixture('f4_4.npy')).data), [0.1, -0.2, 3, 1e30].map(Math.fround));
  assert.deepEqual(readNpy(fixture('f8_fortran_2x3.npy')), { shape: [2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 6), dtype: '<f8' });
  assert.deepEqual(Array.from(readNpy(fixture('i4_2x2.npy')).data), [1, -2, 3, 4]);
  assert.deepEqual(readNpy(fixture('f8_scalar.npy')), { shape: [], data: Float64Array.of(2.5), dtype: '<f8' });
  assert.deepEqual(readNpy(fixture('f8_empty_0x3.npy')).shape, [0, 3]);
});

test('writes byte for byte what NumPy writes', () => {
  assert.deepEqual(writeNpy([2, 3], Float64Array.of(0, 1, 2, 3, 4, 5), 'float64'), fixture('f8_arange_2x3.npy'));
  assert.deepEqual(writeNpy([2, 3], Float64Array.of(1.5, -2, 0, 3.25, 1e-300, -7)), fixture('f8_2x3.npy'));
});

test('property: float64 and float32 round trips', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.double(), (shape, x) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = Float64Array.from({ length: size }, (_, i) => x * (i + 1));
    const back = readNpy(writeNpy(shape, data, 'float64'));
    assert.deepEqual(back.shape, shape);
    assert.deepEqual(Array.from(back.data), Array.from(data));
    assert.deepEqual(Array.from(readNpy(writeNpy(shape, data, 'float32')).data), Array.from(data, Math.fround));
  }), { numRuns: 300 });
});

test('unsupported and malformed files are FM30x diagnostics naming the file', () => {
  assert.throws(() => readNpy(fixture('c16_2.npy'), 'c.npy'), (e: unknown) => e instanceof UserError && e.diagnostics[0]?.code === 'FM302' && /c\.npy: unsupported dtype '<c16'/.test(e.message));
  assert.throws(() => readNpy(new TextEncoder().encode('hello'), 'x.npy'), /FM301: x\.npy: not a readable \.npy file/);
  const good = fixture('f8_2x3.npy');
  assert.throws(() => readNpy(good.subarray(0, good.length - 3), 't.npy'), /FM301: t\.npy: .*truncated data/);
});

test('property: mutated and truncated files never throw anything but a diagnostic', () => {
  const base = fixture('f8_2x3.npy');
  fc.assert(fc.property(fc.nat({ max: base.length }), fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }), (cut, edits) => {
    const bytes = base.slice(0, cut);
    for (const e of edits) if (e.at < bytes.length) bytes[e.at] = e.byte;
    try {
      readNpy(bytes, 'm.npy');
    } catch (err) {
      assert.ok(err instanceof UserError, String(err));
    }
  }), { numRuns: 600 });
});
