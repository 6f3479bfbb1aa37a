import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { readNpy, writeNpy } from '../../src/tensor/index.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'npy');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const ascii = (s: string) => new TextEncoder().encode(s);

/** A version 1.0 file with the given header text (padded as NumPy does) and data bytes. */
function npyWith(header: string, data: Uint8Array = new Uint8Array(0), version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const text = header + ' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(prefix + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true); else view.setUint32(8, text.length, true);
  out.set(ascii(text), prefix);
  out.set(data, prefix + text.length);
  return out;
}

test('reads what NumPy wrote: every dtype, byte order, memory order and format version', () => {
  assert.deepEqual(readNpy(fixture('f8_2x3.npy')), { shape: [2, 3], data: Float64Array.of(1.5, -2, 0, 3.25, 1e-300, -7), dtype: '<f8' });
  assert.deepEqual(readNpy(fixture('f4_4.npy')).data, Float64Array.from([0.1, -0.2, 3, 1e30], Math.fround));
  assert.deepEqual(readNpy(fixture('f8_fortran_2x3.npy')), { shape: [2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 6), dtype: '<f8' });
  const f4f = readNpy(fixture('f4_fortran_2x3x4.npy'));
  assert.deepEqual(f4f.shape, [2, 3, 4]);
  assert.deepEqual(f4f.data, Float64Array.from({ length: 24 }, (_, i) => i - 11.5));
  assert.deepEqual(readNpy(fixture('f8_be_2x2.npy')), { shape: [2, 2], data: Float64Array.of(1.5, -2.25, Infinity, 5e-324), dtype: '>f8' });
  assert.deepEqual(readNpy(fixture('f2_4.npy')).data, Float64Array.of(1, -0.5, 65504, 2 ** -24));
  assert.deepEqual(readNpy(fixture('i4_2x2.npy')).data, Float64Array.of(1, -2, 3, 4));
  assert.deepEqual(readNpy(fixture('i8_3.npy')).data, Float64Array.of(-(2 ** 40), 7, 2 ** 53));
  assert.deepEqual(readNpy(fixture('u1_4.npy')), { shape: [4], data: Float64Array.of(0, 1, 128, 255), dtype: '|u1' });
  assert.deepEqual(readNpy(fixture('b1_3.npy')), { shape: [3], data: Float64Array.of(1, 0, 1), dtype: '|b1' });
  assert.deepEqual(readNpy(fixture('f8_scalar.npy')), { shape: [], data: Float64Array.of(2.5), dtype: '<f8' });
  assert.deepEqual(readNpy(fixture('f8_empty_0x3.npy')), { shape: [0, 3], data: new Float64Array(0), dtype: '<f8' });
  for (const v of ['v2_f8_3.npy', 'v3_f8_3.npy']) assert.deepEqual(readNpy(fixture(v)).data, Float64Array.of(1, 2, 3), v);
  // A file that does not start at offset 0 of its buffer (as Node's pooled Buffers do) reads the same.
  const shifted = new Uint8Array(fixture('f8_2x3.npy').length + 3);
  shifted.set(fixture('f8_2x3.npy'), 3);
  assert.deepEqual(readNpy(shifted.subarray(3)).data, readNpy(fixture('f8_2x3.npy')).data);
  assert.deepEqual(readNpy(readFileSync(join(FIXTURES, 'f4_4.npy'))).data, readNpy(fixture('f4_4.npy')).data, 'a Node Buffer');
});

test('writes byte for byte what NumPy writes', () => {
  assert.deepEqual(writeNpy([2, 3], Float64Array.of(0, 1, 2, 3, 4, 5), 'float64'), fixture('f8_arange_2x3.npy'));
  assert.deepEqual(writeNpy([2, 3], Float64Array.of(1.5, -2, 0, 3.25, 1e-300, -7)), fixture('f8_2x3.npy'));
  assert.deepEqual(writeNpy([], Float64Array.of(-0.75)), fixture('w_f8_scalar.npy'));
  assert.deepEqual(writeNpy([5], Float64Array.of(-1, -0.5, 0, 0.5, 1)), fixture('w_f8_5.npy'));
  assert.deepEqual(writeNpy([3, 1, 2], Float64Array.from({ length: 6 }, (_, i) => Math.fround(i / 3)), 'float32'), fixture('w_f4_3x1x2.npy'));
  assert.deepEqual(writeNpy([0, 3], new Float64Array(0)), fixture('f8_empty_0x3.npy'));
  const aligned = writeNpy([10, 10, 10, ...new Array<number>(11).fill(1)], Float64Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(aligned, fixture('w_f8_aligned_14d.npy'));
  assert.equal(aligned.length - 8000, 192, 'a header already on a 64-byte boundary gets 64 more bytes, as in NumPy');
  assert.throws(() => writeNpy([2, 2], new Float64Array(3)), RangeError);
});

test('property: float64 and float32 round trips, the data starting at a multiple of 64 bytes', () => {
  const shapes = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
  fc.assert(fc.property(shapes.chain((shape) => fc.record({
    shape: fc.constant(shape),
    values: fc.array(fc.double(), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }),
  })), ({ shape, values }) => {
    const data = Float64Array.from(values);
    const f8 = writeNpy(shape, data, 'float64');
    assert.equal((f8.length - data.length * 8) % 64, 0);
    const back = readNpy(f8);
    assert.deepEqual(back.shape, shape);
    assert.deepEqual(back.data, data, 'exact, -0 and NaN included');
    const f4 = readNpy(writeNpy(shape, data, 'float32'));
    assert.equal(f4.dtype, '<f4');
    assert.deepEqual(f4.data, data.map(Math.fround));
  }), propertyParams(300));
});

test('property: Fortran-order files read as the row-major array', () => {
  const shapes = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 });
  fc.assert(fc.property(shapes, (shape) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const rowMajor = Float64Array.from({ length: size }, (_, i) => i);
    // Store element (i0, i1, ...) at the Fortran offset i0 + s0·(i1 + s1·(...)).
    const fortran = new Float64Array(size);
    for (let c = 0; c < size; c++) {
      let rest = c;
      let offset = 0;
      let stride = 1;
      const idx = shape.map(() => 0);
      for (let d = shape.length - 1; d >= 0; d--) { idx[d] = rest % (shape[d] as number); rest = Math.floor(rest / (shape[d] as number)); }
      for (let d = 0; d < shape.length; d++) { offset += (idx[d] as number) * stride; stride *= shape[d] as number; }
      fortran[offset] = rowMajor[c] as number;
    }
    const bytes = writeNpy(shape, fortran);
    // 'False' → 'True ' keeps the header length.
    const text = new TextDecoder('latin1').decode(bytes.subarray(10, 128)).replace("'fortran_order': False", "'fortran_order': True ");
    bytes.set(ascii(text), 10);
    assert.deepEqual(readNpy(bytes).data, rowMajor);
  }), propertyParams(100));
});

/** Asserts that reading `bytes` fails with a diagnostic of `code` that names the file. */
function assertDiagnostic(bytes: Uint8Array, code: string, pattern: RegExp): void {
  assert.throws(() => readNpy(bytes, 'bad.npy'), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.equal(e.diagnostics[0]?.code, code, e.message);
    assert.match(e.message, /bad\.npy: /);
    assert.match(e.message, pattern);
    return true;
  });
}

test('non-numeric dtypes are FM302 naming the file and the dtype', () => {
  assertDiagnostic(fixture('c16_2.npy'), 'FM302', /unsupported dtype '<c16' \(complex numbers\)/);
  assertDiagnostic(fixture('O_2.npy'), 'FM302', /'\|O' \(Python objects\)/);
  assertDiagnostic(fixture('U3_2.npy'), 'FM302', /'<U3' \(strings\)/);
  assertDiagnostic(fixture('rec_2.npy'), 'FM302', /record arrays/);
  assertDiagnostic(npyWith("{'descr': '=f8', 'fortran_order': False, 'shape': (0,), }"), 'FM302', /native byte order/);
  assertDiagnostic(npyWith("{'descr': '|f8', 'fortran_order': False, 'shape': (0,), }"), 'FM302', /'\|f8'/);
  assertDiagnostic(npyWith("{'descr': '<f16', 'fortran_order': False, 'shape': (0,), }"), 'FM302', /'<f16'/);
});

test('unreadable files are FM301 naming the file and the defect', () => {
  const good = fixture('f8_2x3.npy');
  assertDiagnostic(ascii('hello'), 'FM301', /\\x93NUMPY magic/);
  assertDiagnostic(new Uint8Array(0), 'FM301', /magic/);
  assertDiagnostic(Uint8Array.from([...good.subarray(0, 6), 4, 0, ...good.subarray(8)]), 'FM301', /format version 4\.0/);
  assertDiagnostic(Uint8Array.from([...good.subarray(0, 6), 1, 1, ...good.subarray(8)]), 'FM301', /format version 1\.1/);
  assertDiagnostic(good.subarray(0, 9), 'FM301', /truncated header/);
  assertDiagnostic(good.subarray(0, 100), 'FM301', /truncated header/);
  assertDiagnostic(good.subarray(0, good.length - 3), 'FM301', /truncated data: shape \(2, 3\) needs 6 elements of 8 bytes, the file has 5/);
  const header = (h: string) => npyWith(h, new Uint8Array(48));
  assertDiagnostic(header("['descr', '<f8']"), 'FM301', /not a dictionary/);
  assertDiagnostic(header("{'descr': '<f8', 'shape': (2, 3), }"), 'FM301', /keys descr, shape, not/);
  assertDiagnostic(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}"), 'FM301', /keys/);
  assertDiagnostic(header("{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}"), 'FM301', /given twice/);
  assertDiagnostic(header("{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3), }"), 'FM301', /fortran_order/);
  assertDiagnostic(header("{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3], }"), 'FM301', /'shape' is not a tuple/);
  assertDiagnostic(header("{'descr': '<f8', 'fortran_order': False, 'shape': (6), }"), 'FM301', /'shape' is not a tuple/);
  assertDiagnostic(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3), }"), 'FM301', /extent -3/);
  assertDiagnostic(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 'a'), }"), 'FM301', /not a number/);
  assertDiagnostic(header("{'descr': 8, 'fortran_order': False, 'shape': (2, 3), }"), 'FM301', /'descr' is not a dtype string/);
  assertDiagnostic(header("{'descr': '<f8, 'fortran_order': False, 'shape': (2, 3), }"), 'FM301', /malformed header/);
  assertDiagnostic(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), } x"), 'FM301', /text after the dictionary/);
  assertDiagnostic(header(`{'descr': '<f8', 'fortran_order': False, 'shape': ${'('.repeat(40)}), }`), 'FM301', /nested too deeply/);
  assertDiagnostic(header("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999, 0), }"), 'FM301', /extent/);
  assertDiagnostic(npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", new Uint8Array(16)), 'FM301', /truncated data/);
  // Accepted: Python 2 longs, a version 2.0 header, and trailing bytes after the data (NumPy ignores them).
  assert.deepEqual(readNpy(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }")).shape, [2, 3]);
  assert.deepEqual(readNpy(npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8), 2)).data, Float64Array.of(0));
  assert.deepEqual(readNpy(Uint8Array.from([...good, 1, 2, 3])).data, readNpy(good).data);
});

test('property: mutated, truncated and spliced files never throw anything but an FM301/FM302 diagnostic', () => {
  const bases = ['f8_2x3.npy', 'f4_fortran_2x3x4.npy', 'v2_f8_3.npy', 'v3_f8_3.npy', 'i8_3.npy', 'b1_3.npy'].map(fixture);
  const headerBytes = fc.constantFrom(...ascii("{}()[]',:\"\\ TrueFalseNoneL0123456789-+<>|fiubcO\n\u0000\u00ff"));
  const mutation = fc.record({
    base: fc.nat({ max: bases.length - 1 }),
    cut: fc.nat({ max: 200 }),
    edits: fc.array(fc.record({ at: fc.nat({ max: 140 }), byte: fc.oneof(fc.integer({ min: 0, max: 255 }), headerBytes) }), { maxLength: 6 }),
  });
  let failures = 0;
  fc.assert(fc.property(mutation, ({ base, cut, edits }) => {
    const bytes = (bases[base] as Uint8Array).slice(0, cut);
    for (const e of edits) if (e.at < bytes.length) bytes[e.at] = e.byte;
    try {
      const r = readNpy(bytes, 'm.npy');
      assert.equal(r.data.length, r.shape.reduce((a, b) => a * b, 1));
    } catch (err) {
      failures++;
      assert.ok(err instanceof UserError, String(err));
      assert.ok(['FM301', 'FM302'].includes(err.diagnostics[0]?.code ?? ''), err.message);
      assert.match(err.message, /m\.npy: /);
    }
  }), propertyParams(800));
  assert.ok(failures > 300, `only ${failures} mutants were rejected`);
});
