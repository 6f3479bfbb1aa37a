/**
 * @file NumPy .npy files (format versions 1.0, 2.0, 3.0): read little-endian float64/float32 and
 * integer/bool arrays (as float64), C or Fortran order; write float64 or float32 version 1.0 files laid
 * out exactly as NumPy writes them (header padded so that the data starts at a multiple of 64 bytes).
 */
import { fail } from '../diagnostics/diagnostic.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface Dtype {
  readonly bytes: number;
  readonly read: (view: DataView, offset: number) => number;
}

const DTYPES: Readonly<Record<string, Dtype>> = {
  '<f8': { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  '<f4': { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  '>f8': { bytes: 8, read: (v, o) => v.getFloat64(o, false) },
  '>f4': { bytes: 4, read: (v, o) => v.getFloat32(o, false) },
  '<i8': { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  '<i4': { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  '<i2': { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  '<u4': { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  '<u2': { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  '|u1': { bytes: 1, read: (v, o) => v.getUint8(o) },
  '|i1': { bytes: 1, read: (v, o) => v.getInt8(o) },
  '|b1': { bytes: 1, read: (v, o) => (v.getUint8(o) ? 1 : 0) },
};

export interface NpyArray {
  readonly shape: number[];
  /** Row-major (C order) values. */
  readonly data: Float64Array;
  readonly dtype: string;
}

function bad(file: string, what: string): never {
  return fail('FM301', `${file}: not a readable .npy file: ${what}`);
}

/** Parse the header dict `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`. */
function parseHeader(text: string, file: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) bad(file, 'malformed header');
  const parts = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = parts.map((p) => {
    if (!/^[0-9]+L?$/.test(p)) bad(file, `bad shape entry '${p}'`);
    return Number(p.replace('L', ''));
  });
  return { descr, fortran: fortran === 'True', shape };
}

export function readNpy(bytes: Uint8Array, file = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) bad(file, 'missing the \\x93NUMPY magic');
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) { headerLen = view.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) bad(file, 'truncated header');
    headerLen = view.getUint32(8, true); start = 12;
  } else return bad(file, `unsupported format version ${major}`);
  if (start + headerLen > bytes.length) bad(file, 'truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const { descr, fortran, shape } = parseHeader(header, file);
  const dtype = DTYPES[descr];
  if (!dtype) return fail('FM302', `${file}: unsupported dtype '${descr}'`, undefined, 'use float64 or float32 (np.asarray(x, dtype=np.float64))');
  const size = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (!Number.isSafeInteger(size * dtype.bytes) || dataStart + size * dtype.bytes > bytes.length) bad(file, `truncated data: ${size} elements of ${dtype.bytes} bytes expected`);
  const raw = new Float64Array(size);
  for (let i = 0; i < size; i++) raw[i] = dtype.read(view, dataStart + i * dtype.bytes);
  if (!fortran || shape.length < 2) return { shape, data: raw, dtype: descr };
  // Fortran order: the first index varies fastest; transpose to row-major.
  const data = new Float64Array(size);
  const idx = shape.map(() => 0);
  for (let f = 0; f < size; f++) {
    let c = 0;
    for (let d = 0; d < shape.length; d++) c = c * (shape[d] as number) + (idx[d] as number);
    data[c] = raw[f] as number;
    for (let d = 0; d < shape.length; d++) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return { shape, data, dtype: descr };
}

export function writeNpy(shape: readonly number[], data: ArrayLike<number>, dtype: 'float64' | 'float32' = 'float64'): Uint8Array {
  const descr = dtype === 'float64' ? '<f8' : '<f4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const bytesPer = dtype === 'float64' ? 8 : 4;
  const out = new Uint8Array(10 + header.length + data.length * bytesPer);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const base = 10 + header.length;
  for (let i = 0; i < data.length; i++) {
    if (dtype === 'float64') view.setFloat64(base + i * 8, data[i] as number, true);
    else view.setFloat32(base + i * 4, data[i] as number, true);
  }
  return out;
}
