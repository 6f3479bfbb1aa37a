/**
 * @file NumPy .npy files in memory (the CLI does the file I/O). Reads format versions 1.0, 2.0 and 3.0
 * of float64/float32/float16, signed and unsigned integers and bools of either byte order (all
 * converted to float64), in C or Fortran order, into row-major data. Writes float64 or float32 as
 * version 1.0, byte for byte as `np.save` does. Any defect of a file is a UserError naming the file:
 * FM301 when it is not a readable .npy (magic, version, truncation, header), FM302 when its dtype is
 * not numeric (complex, object, strings, structured) — never another kind of exception.
 */
import { fail } from '../diagnostics/diagnostic.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** NumPy aligns the start of the data to this many bytes. */
const ARRAY_ALIGN = 64;
/** NumPy leaves room in the header for the first (growth) axis to reach this many digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** Deepest nesting accepted in a header literal (NumPy's own headers nest 2 deep; this bounds recursion). */
const MAX_LITERAL_DEPTH = 16;

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface NpyArray {
  readonly shape: number[];
  /** Row-major (C order) values. */
  readonly data: Float64Array;
  /** The file's dtype descriptor, e.g. '<f8'. */
  readonly dtype: string;
}

function unreadable(file: string, what: string): never {
  return fail('FM301', `${file}: not a readable .npy file: ${what}`);
}

function unsupported(file: string, descr: string, why: string): never {
  return fail('FM302', `${file}: unsupported dtype '${descr}' (${why})`, undefined, 'save float64 or float32 data, e.g. np.save(f, np.asarray(x, dtype=np.float64))');
}

/** The Python literals that can appear in a header. */
type Literal = string | number | boolean | null | { readonly tuple: readonly Literal[] } | readonly Literal[] | ReadonlyMap<Literal, Literal>;

/**
 * Parse the Python literal of a header (what NumPy reads with ast.literal_eval): strings, integers
 * (with Python 2's `L` suffix), True/False/None, tuples, lists and dicts. Anything else is FM301.
 */
function parseLiteral(text: string, file: string): Literal {
  let i = 0;
  const ws = (): void => { while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++; };
  const expect = (ch: string): void => {
    ws();
    if (text[i] !== ch) unreadable(file, `malformed header: expected '${ch}' at offset ${i}`);
    i++;
  };
  const sequence = (close: string, depth: number): Literal[] => {
    const items: Literal[] = [];
    for (;;) {
      ws();
      if (text[i] === close) { i++; return items; }
      items.push(value(depth + 1));
      ws();
      if (text[i] === ',') { i++; continue; }
      expect(close);
      return items;
    }
  };
  const value = (depth: number): Literal => {
    if (depth > MAX_LITERAL_DEPTH) unreadable(file, 'malformed header: nested too deeply');
    ws();
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      let s = '';
      for (i++; i < text.length && text[i] !== ch; i++) {
        if (text[i] === '\\') i++;
        s += text[i] ?? '';
      }
      if (i >= text.length) unreadable(file, 'malformed header: unterminated string');
      i++;
      return s;
    }
    if (ch === '(') {
      i++;
      const start = i;
      const items = sequence(')', depth);
      // `(x)` is just x in Python; a tuple of one needs the comma.
      return items.length === 1 && !text.slice(start, i - 1).trimEnd().endsWith(',') ? (items[0] as Literal) : { tuple: items };
    }
    if (ch === '[') { i++; return sequence(']', depth); }
    if (ch === '{') {
      i++;
      const map = new Map<Literal, Literal>();
      for (;;) {
        ws();
        if (text[i] === '}') { i++; return map; }
        const key = value(depth + 1);
        expect(':');
        const v = value(depth + 1);
        if (map.has(key)) unreadable(file, `malformed header: key ${String(key)} given twice`);
        map.set(key, v);
        ws();
        if (text[i] === ',') { i++; continue; }
        expect('}');
        return map;
      }
    }
    const word = /^(?:[+-]?[0-9]+L?|True|False|None)/.exec(text.slice(i, i + 64))?.[0];
    if (word === undefined) unreadable(file, `malformed header: unexpected ${ch === undefined ? 'end' : `'${ch}'`} at offset ${i}`);
    i += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    return Number(word.replace('L', ''));
  };
  const result = value(0);
  ws();
  if (i !== text.length) unreadable(file, `malformed header: text after the dictionary at offset ${i}`);
  return result;
}

interface Header {
  readonly descr: string;
  readonly fortran: boolean;
  readonly shape: number[];
}

/** The header dict `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`, with NumPy's checks. */
function readHeader(text: string, file: string): Header {
  const d = parseLiteral(text, file);
  if (!(d instanceof Map)) unreadable(file, 'the header is not a dictionary');
  const keys = [...d.keys()].map(String).sort();
  if (keys.join() !== 'descr,fortran_order,shape') unreadable(file, `the header has keys ${keys.join(', ') || '(none)'}, not descr, fortran_order and shape`);
  const descr = d.get('descr');
  const fortran = d.get('fortran_order');
  const shape = d.get('shape');
  if (typeof fortran !== 'boolean') unreadable(file, "'fortran_order' is not True or False");
  if (typeof shape !== 'object' || shape === null || !('tuple' in shape)) unreadable(file, "'shape' is not a tuple");
  const dims = shape.tuple.map((x: Literal) => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) unreadable(file, `'shape' has an extent ${typeof x === 'number' ? x : 'that is not a number'}, not a non-negative integer`);
    return Math.abs(x); // a '-0' in the header is 0
  });
  if (Array.isArray(descr)) return unsupported(file, 'structured', 'record arrays with named fields are not numeric data');
  if (typeof descr !== 'string') unreadable(file, "'descr' is not a dtype string");
  return { descr, fortran, shape: dims };
}

/** How to turn one stored element into a number. */
interface Dtype {
  readonly bytes: number;
  readonly read: (view: DataView, offset: number, little: boolean) => number;
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const KINDS: Readonly<Record<string, Dtype>> = {
  f2: { bytes: 2, read: (v, o, le) => float16(v.getUint16(o, le)) },
  f4: { bytes: 4, read: (v, o, le) => v.getFloat32(o, le) },
  f8: { bytes: 8, read: (v, o, le) => v.getFloat64(o, le) },
  i1: { bytes: 1, read: (v, o) => v.getInt8(o) },
  i2: { bytes: 2, read: (v, o, le) => v.getInt16(o, le) },
  i4: { bytes: 4, read: (v, o, le) => v.getInt32(o, le) },
  // 64-bit integers beyond 2^53 round to the nearest float64, as np.asarray(x, np.float64) does.
  i8: { bytes: 8, read: (v, o, le) => Number(v.getBigInt64(o, le)) },
  u1: { bytes: 1, read: (v, o) => v.getUint8(o) },
  u2: { bytes: 2, read: (v, o, le) => v.getUint16(o, le) },
  u4: { bytes: 4, read: (v, o, le) => v.getUint32(o, le) },
  u8: { bytes: 8, read: (v, o, le) => Number(v.getBigUint64(o, le)) },
  b1: { bytes: 1, read: (v, o) => (v.getUint8(o) !== 0 ? 1 : 0) },
};

/** The element reader for a descriptor such as '<f8', '>i4' or '|b1'. */
function dtypeOf(descr: string, file: string): { dtype: Dtype; little: boolean } {
  const m = /^([<>|])([a-zA-Z])(\d+)$/.exec(descr);
  const kind = m ? `${m[2]}${m[3]}` : '';
  const dtype = KINDS[kind];
  if (m && dtype && (m[1] !== '|' || dtype.bytes === 1)) return { dtype, little: m[1] !== '>' };
  const letter = m?.[2] ?? descr.replace(/^[<>|=]/, '')[0];
  const why = letter === 'c' ? 'complex numbers' : letter === 'O' ? 'Python objects' : letter === 'U' || letter === 'S' ? 'strings' : letter === 'M' || letter === 'm' ? 'dates and times' : descr.startsWith('=') ? 'native byte order is not a file byte order' : 'not a numeric dtype this reader knows';
  return unsupported(file, descr, why);
}

/** Parse a .npy file held in memory; `file` names it in diagnostics. */
export function readNpy(bytes: Uint8Array, file = '<npy>'): NpyArray {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) unreadable(file, 'it does not start with the \\x93NUMPY magic');
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (minor !== 0 || major < 1 || major > 3) unreadable(file, `unsupported format version ${major}.${minor} (1.0, 2.0 and 3.0 are supported)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) unreadable(file, 'truncated header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (start + headerLength > bytes.length) unreadable(file, `truncated header: ${headerLength} bytes announced, ${bytes.length - start} present`);
  // Versions 1 and 2 store the header in latin1, version 3 in UTF-8.
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const { descr, fortran, shape } = readHeader(headerText, file);
  const { dtype, little } = dtypeOf(descr, file);
  const size = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  const available = Math.floor((bytes.length - dataStart) / dtype.bytes);
  // Checked before allocating, so that a forged shape cannot ask for more memory than the file has.
  if (size > available) unreadable(file, `truncated data: shape (${shape.join(', ')}) needs ${size} elements of ${dtype.bytes} bytes, the file has ${available}`);
  const raw = decode(bytes, view, dataStart, size, dtype, little, descr);
  return { shape, data: fortran && shape.length > 1 ? fortranToRowMajor(raw, shape) : raw, dtype: descr };
}

/** The elements as float64: typed-array copies for native-order floats, DataView reads otherwise. */
function decode(bytes: Uint8Array, view: DataView, offset: number, size: number, dtype: Dtype, little: boolean, descr: string): Float64Array {
  if (little === LITTLE_ENDIAN_HOST && (descr.endsWith('f8') || descr.endsWith('f4'))) {
    // A fresh buffer is aligned whatever the file's offset in `bytes` was.
    const copy = new Uint8Array(size * dtype.bytes);
    copy.set(bytes.subarray(offset, offset + copy.length));
    return dtype.bytes === 8 ? new Float64Array(copy.buffer) : Float64Array.from(new Float32Array(copy.buffer));
  }
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = dtype.read(view, offset + i * dtype.bytes, little);
  return out;
}

/** Fortran order stores the first index fastest; walk it in that order and scatter to row-major positions. */
function fortranToRowMajor(raw: Float64Array, shape: readonly number[]): Float64Array {
  const r = shape.length;
  const strides = new Array<number>(r).fill(1);
  for (let d = r - 2; d >= 0; d--) strides[d] = (strides[d + 1] as number) * (shape[d + 1] as number);
  const out = new Float64Array(raw.length);
  const idx = new Array<number>(r).fill(0);
  let c = 0;
  for (let f = 0; f < raw.length; f++) {
    out[c] = raw[f] as number;
    for (let d = 0; d < r; d++) {
      idx[d] = (idx[d] as number) + 1;
      c += strides[d] as number;
      if ((idx[d] as number) < (shape[d] as number)) break;
      c -= (shape[d] as number) * (strides[d] as number);
      idx[d] = 0;
    }
  }
  return out;
}

/** Python's repr of a shape tuple: `()`, `(3,)`, `(2, 3)`. */
function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/**
 * A version 1.0 .npy file, as `np.save` writes it (C order): the sorted header dict, spare room for
 * the first extent to grow to GROWTH_AXIS_MAX_DIGITS digits, then spaces and a newline so that the data
 * starts at a multiple of 64 bytes (NumPy adds a whole 64 when already aligned). Headers too long for
 * version 1.0's 16-bit length are written as version 2.0, as NumPy does.
 */
export function writeNpy(shape: readonly number[], data: ArrayLike<number>, dtype: 'float64' | 'float32' = 'float64'): Uint8Array {
  for (const s of shape) if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`writeNpy: bad extent ${s}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new RangeError(`writeNpy: ${data.length} values for shape [${shape.join(', ')}]`);
  const descr = dtype === 'float64' ? '<f8' : '<f4';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const padded = (prefix: number): number => header.length + 1 + ARRAY_ALIGN - ((prefix + header.length + 1) % ARRAY_ALIGN);
  const major = padded(10) <= 0xffff ? 1 : 2;
  const prefix = major === 1 ? 10 : 12;
  header = header.padEnd(padded(prefix) - 1, ' ') + '\n';
  const itemBytes = dtype === 'float64' ? 8 : 4;
  const base = prefix + header.length;
  const out = new Uint8Array(base + size * itemBytes);
  out.set(MAGIC, 0);
  out[6] = major;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  // The header is ASCII (latin1 for version 1.0), one byte per character.
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  if (LITTLE_ENDIAN_HOST) {
    const typed = dtype === 'float32' ? Float32Array.from(data) : data instanceof Float64Array ? data : Float64Array.from(data);
    out.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), base);
  } else {
    for (let i = 0; i < size; i++) {
      if (dtype === 'float64') view.setFloat64(base + i * 8, data[i] as number, true);
      else view.setFloat32(base + i * 4, data[i] as number, true);
    }
  }
  return out;
}
