/**
 * @file Tensors as fibertrees: ranks in a fixed order (outermost first), each stored 'U' or 'C', an
 * empty value (0 unless given). An element is empty when it is absent or equals the empty value;
 * compressed fibers never store empty elements or empty sub-fibers.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { fiberCoordAt, fiberLength, fiberPosition, type Fiber, type RankFormat } from './fiber.ts';

function checkLayout(name: string, rankIds: readonly string[], shape: readonly number[], formats: readonly RankFormat[]): void {
  if (rankIds.length !== shape.length || formats.length !== shape.length) {
    throw new Error(`tensor ${name}: ${rankIds.length} rank ids, ${shape.length} extents and ${formats.length} formats`);
  }
  for (const s of shape) if (!Number.isSafeInteger(s) || s < 0) throw new Error(`tensor ${name}: bad extent ${s}`);
}

/** Build the fiber of rank `depth` over the row-major block starting at `offset`; null when it holds nothing non-empty. */
function buildFiber(data: Float64Array, shape: readonly number[], formats: readonly RankFormat[], depth: number, offset: number, stride: readonly number[], empty: number): Fiber | null {
  const n = shape[depth] as number;
  const format = formats[depth] as RankFormat;
  const s = stride[depth] as number;
  if (depth === shape.length - 1) {
    if (format === 'U') {
      const values = data.subarray(offset, offset + n);
      let any = false;
      for (let i = 0; i < n; i++) if (values[i] !== empty) { any = true; break; }
      return any ? { shape: n, format, coords: null, values, children: null } : null;
    }
    let count = 0;
    for (let i = 0; i < n; i++) if (data[offset + i] !== empty) count++;
    if (count === 0) return null;
    const coords = new Int32Array(count);
    const values = new Float64Array(count);
    for (let i = 0, k = 0; i < n; i++) {
      const v = data[offset + i] as number;
      if (v !== empty) { coords[k] = i; values[k] = v; k++; }
    }
    return { shape: n, format, coords, values, children: null };
  }
  const children: (Fiber | null)[] = new Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const child = buildFiber(data, shape, formats, depth + 1, offset + i * s, stride, empty);
    children[i] = child;
    if (child) count++;
  }
  if (count === 0) return null;
  if (format === 'U') return { shape: n, format, coords: null, values: null, children };
  const coords = new Int32Array(count);
  const kept: Fiber[] = [];
  for (let i = 0; i < n; i++) {
    const child = children[i];
    if (child) { coords[kept.length] = i; kept.push(child); }
  }
  return { shape: n, format, coords, values: null, children: kept };
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = (strides[i + 1] as number) * (shape[i + 1] as number);
  return strides;
}

export class Tensor {
  private constructor(
    readonly name: string,
    readonly rankIds: readonly string[],
    readonly shape: readonly number[],
    readonly formats: readonly RankFormat[],
    readonly emptyValue: number,
    readonly root: Fiber | null,
    readonly scalarValue: number,
  ) {}

  /** From row-major data (every rank 'U' unless formats say otherwise). Uncompressed leaves are views of `data`. */
  static fromDense(name: string, rankIds: readonly string[], shape: readonly number[], data: Float64Array, formats?: readonly RankFormat[], emptyValue = 0): Tensor {
    const f = formats ?? shape.map(() => 'U' as const);
    checkLayout(name, rankIds, shape, f);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`tensor ${name}: ${data.length} values for shape [${shape.join(', ')}]`);
    if (shape.length === 0) return new Tensor(name, [], [], [], emptyValue, null, data[0] ?? emptyValue);
    const root = size === 0 ? null : buildFiber(data, shape, f, 0, 0, stridesOf(shape), emptyValue);
    return new Tensor(name, [...rankIds], [...shape], [...f], emptyValue, root, emptyValue);
  }

  /** From (coordinates, value) pairs; later duplicates overwrite earlier ones. */
  static fromEntries(name: string, rankIds: readonly string[], shape: readonly number[], entries: Iterable<readonly [readonly number[], number]>, formats?: readonly RankFormat[], emptyValue = 0): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float64Array(size);
    if (emptyValue !== 0) data.fill(emptyValue);
    const strides = stridesOf(shape);
    for (const [coords, value] of entries) {
      if (coords.length !== shape.length || coords.some((c, i) => !Number.isInteger(c) || c < 0 || c >= (shape[i] as number))) {
        fail('FM320', `tensor ${name}: coordinates [${coords.join(', ')}] are outside its shape [${shape.join(', ')}]`);
      }
      data[coords.reduce((acc, c, i) => acc + c * (strides[i] as number), 0)] = value;
    }
    return Tensor.fromDense(name, rankIds, shape, data, formats ?? shape.map(() => 'C' as const), emptyValue);
  }

  static scalar(name: string, value: number, emptyValue = 0): Tensor {
    return new Tensor(name, [], [], [], emptyValue, null, value);
  }

  size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Row-major values, empty elements as the empty value. */
  toDense(): Float64Array {
    if (this.shape.length === 0) return Float64Array.of(this.scalarValue);
    const out = new Float64Array(this.size());
    if (this.emptyValue !== 0) out.fill(this.emptyValue);
    const strides = stridesOf(this.shape);
    const walk = (f: Fiber, depth: number, offset: number): void => {
      const s = strides[depth] as number;
      const n = fiberLength(f);
      for (let p = 0; p < n; p++) {
        const at = offset + fiberCoordAt(f, p) * s;
        if (f.values) out[at] = f.values[p] as number;
        else { const child = (f.children as readonly (Fiber | null)[])[p]; if (child) walk(child, depth + 1, at); }
      }
    };
    if (this.root) walk(this.root, 0, 0);
    return out;
  }

  get(coords: readonly number[]): number {
    if (this.shape.length === 0) return this.scalarValue;
    let f = this.root;
    for (let d = 0; d < coords.length && f; d++) {
      const p = fiberPosition(f, coords[d] as number);
      if (p < 0) return this.emptyValue;
      if (d === coords.length - 1) return f.values ? (f.values[p] as number) : this.emptyValue;
      f = (f.children as readonly (Fiber | null)[])[p] ?? null;
    }
    return this.emptyValue;
  }

  isEmptyAt(coords: readonly number[]): boolean {
    return this.get(coords) === this.emptyValue;
  }

  /** Non-empty elements in fibertree order. */
  *entries(): IterableIterator<[number[], number]> {
    if (this.shape.length === 0) {
      if (this.scalarValue !== this.emptyValue) yield [[], this.scalarValue];
      return;
    }
    const prefix: number[] = [];
    const empty = this.emptyValue;
    function* walk(f: Fiber): Generator<[number[], number]> {
      const n = fiberLength(f);
      for (let p = 0; p < n; p++) {
        prefix.push(fiberCoordAt(f, p));
        if (f.values) { const v = f.values[p] as number; if (v !== empty) yield [[...prefix], v]; }
        else { const child = (f.children as readonly (Fiber | null)[])[p]; if (child) yield* walk(child); }
        prefix.pop();
      }
    }
    if (this.root) yield* walk(this.root);
  }

  nnz(): number {
    let n = 0;
    for (const _ of this.entries()) n++;
    return n;
  }

  withFormats(formats: readonly RankFormat[]): Tensor {
    return Tensor.fromDense(this.name, this.rankIds, this.shape, this.toDense(), formats, this.emptyValue);
  }

  withName(name: string): Tensor {
    return new Tensor(name, this.rankIds, this.shape, this.formats, this.emptyValue, this.root, this.scalarValue);
  }

  /** Stored coordinates (only 'C' ranks store them) and payloads per rank. */
  footprint(): { coords: number[]; payloads: number[] } {
    const coords = this.shape.map(() => 0);
    const payloads = this.shape.map(() => 0);
    const walk = (f: Fiber, d: number): void => {
      const n = fiberLength(f);
      if (f.coords) coords[d] = (coords[d] as number) + n;
      payloads[d] = (payloads[d] as number) + n;
      if (f.children) for (const c of f.children) if (c) walk(c, d + 1);
    };
    if (this.root) walk(this.root, 0);
    return { coords, payloads };
  }
}

/** Same rank ids, shape and non-empty elements (exactly, or within a relative tolerance of the largest magnitude). */
export function tensorsEqual(a: Tensor, b: Tensor, relTol = 0): boolean {
  if (a.rankIds.join() !== b.rankIds.join() || a.shape.join() !== b.shape.join()) return false;
  if (relTol > 0) return maxRelativeError(a, b) <= relTol;
  const y = b.toDense();
  return a.toDense().every((v, i) => v === y[i] || (Number.isNaN(v) && Number.isNaN(y[i] as number)));
}

/** max |a − b| / max |b| over all coordinates. */
export function maxRelativeError(a: Tensor, b: Tensor): number {
  return maxRelativeDifference(a.toDense(), b.toDense());
}

/** max |x − y| / max |y| of two arrays (max |x − y| when y is all zeros). */
export function maxRelativeDifference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num = Math.max(num, Math.abs((x[i] as number) - (y[i] as number)));
    den = Math.max(den, Math.abs(y[i] as number));
  }
  return den === 0 ? num : num / den;
}
