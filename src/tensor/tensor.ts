/**
 * @file Tensors as fibertrees (TeAAL's fibertree library, EDGE semantics): rank ids in a fixed order
 * (outermost first), one format per rank, and an empty value (0 unless given). An element is empty when
 * it is absent or equals the empty value; a sub-fiber is empty when it has no non-empty element.
 * Canonical form, kept by every constructor here: compressed fibers store neither empty elements nor
 * empty sub-fibers, an empty sub-fiber of an uncompressed fiber is a null child, and only the root may
 * be an empty fiber (it is null only for a 0-rank tensor). Tensors are immutable, so conversions share
 * unchanged subtrees. Also owns tensor comparison for tests and reports.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { fiberCoordAt, fiberLength, fiberPosition, makeFiber, type Fiber, type RankFormat } from './fiber.ts';

/** Coordinates are stored in Int32Array, so no extent may exceed this. */
const MAX_EXTENT = 0x7fffffff;

function product(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = (strides[i + 1] as number) * (shape[i + 1] as number);
  return strides;
}

/** Misuse by calling code (not user input) is a RangeError: the CLI validates what users give. */
function checkLayout(name: string, rankIds: readonly string[], shape: readonly number[], formats: readonly RankFormat[], emptyValue: number): void {
  if (rankIds.length !== shape.length || formats.length !== shape.length) {
    throw new RangeError(`tensor ${name}: ${rankIds.length} rank ids, ${shape.length} extents and ${formats.length} formats`);
  }
  for (const s of shape) if (!Number.isInteger(s) || s < 0 || s > MAX_EXTENT) throw new RangeError(`tensor ${name}: bad extent ${s} in shape [${shape.join(', ')}]`);
  for (const f of formats) if (f !== 'U' && f !== 'C') throw new RangeError(`tensor ${name}: bad rank format '${String(f)}'`);
  // No element could ever equal NaN, so "empty" would mean nothing.
  if (Number.isNaN(emptyValue)) throw new RangeError(`tensor ${name}: the empty value cannot be NaN`);
}

/** The root of a tensor without non-empty elements (the root is the one fiber allowed to be empty). */
function emptyFiber(shape: number, format: RankFormat, leaf: boolean, empty: number): Fiber {
  if (format === 'C') return makeFiber(shape, 'C', new Int32Array(0), leaf ? new Float64Array(0) : null, leaf ? null : []);
  if (!leaf) return makeFiber(shape, 'U', null, null, new Array<Fiber | null>(shape).fill(null));
  const values = new Float64Array(shape);
  if (empty !== 0) values.fill(empty);
  return makeFiber(shape, 'U', null, values, null);
}

/** A leaf fiber from its first `count` non-empty (coordinate, value) pairs, coordinates ascending. */
function leafFrom(shape: number, format: RankFormat, coords: ArrayLike<number>, values: ArrayLike<number>, count: number, empty: number): Fiber {
  if (format === 'C') {
    const c = new Int32Array(count);
    const v = new Float64Array(count);
    for (let i = 0; i < count; i++) { c[i] = coords[i] as number; v[i] = values[i] as number; }
    return makeFiber(shape, 'C', c, v, null);
  }
  const v = new Float64Array(shape);
  if (empty !== 0) v.fill(empty);
  for (let i = 0; i < count; i++) v[coords[i] as number] = values[i] as number;
  return makeFiber(shape, 'U', null, v, null);
}

/** A non-leaf fiber from its non-empty children, coordinates ascending. */
function nodeFrom(shape: number, format: RankFormat, coords: readonly number[], children: readonly Fiber[]): Fiber {
  if (format === 'C') return makeFiber(shape, 'C', Int32Array.from(coords), null, children);
  const slots = new Array<Fiber | null>(shape).fill(null);
  for (let i = 0; i < children.length; i++) slots[coords[i] as number] = children[i] as Fiber;
  return makeFiber(shape, 'U', null, null, slots);
}

/** The fiber of rank `depth` over the row-major block at `offset`; null when it holds nothing non-empty. */
function fiberFromDense(data: Float64Array, shape: readonly number[], formats: readonly RankFormat[], strides: readonly number[], depth: number, offset: number, empty: number): Fiber | null {
  const n = shape[depth] as number;
  const format = formats[depth] as RankFormat;
  if (depth === shape.length - 1) {
    if (format === 'U') {
      // A view, not a copy: this is what makes all-'U' construction cheap.
      const values = data.subarray(offset, offset + n);
      for (let i = 0; i < n; i++) if (values[i] !== empty) return makeFiber(n, 'U', null, values, null);
      return null;
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
    return makeFiber(n, 'C', coords, values, null);
  }
  const s = strides[depth] as number;
  const children = new Array<Fiber | null>(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const child = fiberFromDense(data, shape, formats, strides, depth + 1, offset + i * s, empty);
    children[i] = child;
    if (child) count++;
  }
  if (count === 0) return null;
  if (format === 'U') return makeFiber(n, 'U', null, null, children);
  const coords = new Int32Array(count);
  const kept: Fiber[] = [];
  for (let i = 0; i < n; i++) {
    const child = children[i];
    if (child) { coords[kept.length] = i; kept.push(child); }
  }
  return makeFiber(n, 'C', coords, null, kept);
}

export class Tensor {
  /** The fibertree, or undefined until first asked for when the tensor is backed by `dense`. */
  private tree: Fiber | null | undefined;

  private constructor(
    readonly name: string,
    readonly rankIds: readonly string[],
    readonly shape: readonly number[],
    readonly formats: readonly RankFormat[],
    readonly emptyValue: number,
    tree: Fiber | null | undefined,
    /** The value of a 0-rank tensor (emptyValue otherwise). */
    readonly scalarValue: number,
    /**
     * Row-major data of an all-'U' tensor built by fromDense (whose leaves are views of it anyway), so
     * that construction, get, nnz and asDense need not build or walk the tree.
     */
    private readonly dense: Float64Array | null,
  ) {
    this.tree = tree;
  }

  /** Null for a 0-rank tensor; otherwise a fiber, possibly an empty one when the tensor has no non-empty element. */
  get root(): Fiber | null {
    if (this.tree === undefined) {
      const d = this.dense as Float64Array;
      this.tree = fiberFromDense(d, this.shape, this.formats, stridesOf(this.shape), 0, 0, this.emptyValue) ?? emptyFiber(this.shape[0] as number, 'U', this.shape.length === 1, this.emptyValue);
    }
    return this.tree;
  }

  /**
   * From row-major data (every rank 'U' unless formats say otherwise). The tensor keeps `data` (all-'U'
   * tensors read it directly, uncompressed leaf fibers are views of it), so the caller must not modify
   * `data` afterwards. All-'U' construction is O(1): the tree is built on first access to `root`.
   */
  static fromDense(name: string, rankIds: readonly string[], shape: readonly number[], data: Float64Array, formats?: readonly RankFormat[], emptyValue = 0): Tensor {
    const f = formats ?? shape.map((): RankFormat => 'U');
    checkLayout(name, rankIds, shape, f, emptyValue);
    if (data.length !== product(shape)) throw new RangeError(`tensor ${name}: ${data.length} values for shape [${shape.join(', ')}]`);
    if (shape.length === 0) return new Tensor(name, [], [], [], emptyValue, null, data[0] as number, null);
    if (f.every((x) => x === 'U')) return new Tensor(name, [...rankIds], [...shape], [...f], emptyValue, undefined, emptyValue, data);
    const root = fiberFromDense(data, shape, f, stridesOf(shape), 0, 0, emptyValue) ?? emptyFiber(shape[0] as number, f[0] as RankFormat, shape.length === 1, emptyValue);
    return new Tensor(name, [...rankIds], [...shape], [...f], emptyValue, root, emptyValue, null);
  }

  /**
   * From (coordinates, value) pairs in any order (every rank 'C' unless formats say otherwise); later
   * duplicates overwrite earlier ones, so a later empty value removes an element. Coordinates outside
   * the shape are the user's error FM320. Never materializes the dense array.
   */
  static fromEntries(name: string, rankIds: readonly string[], shape: readonly number[], entries: Iterable<readonly [readonly number[], number]>, formats?: readonly RankFormat[], emptyValue = 0): Tensor {
    const f = formats ?? shape.map((): RankFormat => 'C');
    checkLayout(name, rankIds, shape, f, emptyValue);
    const r = shape.length;
    const flat: number[] = [];
    const vals: number[] = [];
    for (const [coords, value] of entries) {
      if (coords.length !== r || coords.some((c, i) => !Number.isInteger(c) || c < 0 || c >= (shape[i] as number))) {
        fail('FM320', `tensor ${name}: coordinates [${coords.join(', ')}] are outside its shape [${shape.join(', ')}]`);
      }
      for (const c of coords) flat.push(c);
      vals.push(value);
    }
    if (r === 0) return new Tensor(name, [], [], [], emptyValue, null, vals.length > 0 ? (vals[vals.length - 1] as number) : emptyValue, null);
    const cmp = (i: number, j: number): number => {
      for (let d = 0; d < r; d++) {
        const x = (flat[i * r + d] as number) - (flat[j * r + d] as number);
        if (x !== 0) return x;
      }
      return 0;
    };
    const n = vals.length;
    let order = Array.from({ length: n }, (_, i) => i);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = cmp(i - 1, i) < 0;
    // Array.prototype.sort is stable, so the last of equal coordinates is the latest given.
    if (!sorted) order = order.sort(cmp);
    const keep: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = order[k] as number;
      if (k + 1 < n && cmp(i, order[k + 1] as number) === 0) continue;
      if (vals[i] !== emptyValue) keep.push(i);
    }
    const build = (depth: number, lo: number, hi: number): Fiber => {
      const extent = shape[depth] as number;
      const format = f[depth] as RankFormat;
      if (depth === r - 1) {
        const count = hi - lo;
        const coords = new Int32Array(count);
        const values = new Float64Array(count);
        for (let k = 0; k < count; k++) { const i = keep[lo + k] as number; coords[k] = flat[i * r + depth] as number; values[k] = vals[i] as number; }
        return leafFrom(extent, format, coords, values, count, emptyValue);
      }
      const coords: number[] = [];
      const children: Fiber[] = [];
      for (let start = lo; start < hi;) {
        const c = flat[(keep[start] as number) * r + depth] as number;
        let end = start + 1;
        while (end < hi && flat[(keep[end] as number) * r + depth] === c) end++;
        coords.push(c);
        children.push(build(depth + 1, start, end));
        start = end;
      }
      return nodeFrom(extent, format, coords, children);
    };
    const root = keep.length > 0 ? build(0, 0, keep.length) : emptyFiber(shape[0] as number, f[0] as RankFormat, r === 1, emptyValue);
    return new Tensor(name, [...rankIds], [...shape], [...f], emptyValue, root, emptyValue, null);
  }

  static scalar(name: string, value: number, emptyValue = 0): Tensor {
    checkLayout(name, [], [], [], emptyValue);
    return new Tensor(name, [], [], [], emptyValue, null, value, null);
  }

  /** Product of the shape (1 for a 0-rank tensor). */
  size(): number {
    return product(this.shape);
  }

  /** Row-major values, empty elements as the empty value: a fresh array the caller may modify. */
  toDense(): Float64Array {
    if (this.dense) return this.dense.slice();
    const root = this.root;
    if (root === null) return Float64Array.of(this.scalarValue);
    const out = new Float64Array(this.size());
    if (this.emptyValue !== 0) out.fill(this.emptyValue);
    const strides = stridesOf(this.shape);
    const last = this.shape.length - 1;
    const walk = (f: Fiber, depth: number, offset: number): void => {
      const coords = f.coords;
      if (depth === last) {
        const values = f.values as Float64Array;
        if (coords === null) out.set(values, offset);
        else for (let p = 0; p < coords.length; p++) out[offset + (coords[p] as number)] = values[p] as number;
        return;
      }
      const s = strides[depth] as number;
      const children = f.children as readonly (Fiber | null)[];
      for (let p = 0; p < children.length; p++) {
        const child = children[p];
        if (child) walk(child, depth + 1, offset + (coords === null ? p : (coords[p] as number)) * s);
      }
    };
    walk(root, 0, 0);
    return out;
  }

  /**
   * Row-major values without a copy where the tensor has them (all-'U' tensors built by fromDense: the
   * very array given), else toDense(). The result must not be modified.
   */
  asDense(): Float64Array {
    return this.dense ?? this.toDense();
  }

  /** The value at `coords` (emptyValue where empty). Wrong arity or coordinates outside the shape are a RangeError. */
  get(coords: readonly number[]): number {
    this.checkCoords(coords);
    if (this.dense) {
      let offset = 0;
      for (let d = 0; d < coords.length; d++) offset = offset * (this.shape[d] as number) + (coords[d] as number);
      return this.dense[offset] as number;
    }
    let f = this.root;
    if (f === null) return this.scalarValue;
    const last = this.shape.length - 1;
    for (let d = 0; ; d++) {
      const p = fiberPosition(f, coords[d] as number);
      if (p < 0) return this.emptyValue;
      if (d === last) return (f.values as Float64Array)[p] as number;
      const child: Fiber | null | undefined = (f.children as readonly (Fiber | null)[])[p];
      if (!child) return this.emptyValue;
      f = child;
    }
  }

  isEmptyAt(coords: readonly number[]): boolean {
    return this.get(coords) === this.emptyValue;
  }

  /** Number of non-empty elements. */
  nnz(): number {
    const empty = this.emptyValue;
    if (this.dense) {
      let n = 0;
      for (let i = 0; i < this.dense.length; i++) if (this.dense[i] !== empty) n++;
      return n;
    }
    const root = this.root;
    if (root === null) return this.scalarValue !== empty ? 1 : 0;
    const count = (f: Fiber): number => {
      if (f.values) {
        // Canonical 'C' leaves hold only non-empty values.
        if (f.coords) return f.coords.length;
        let n = 0;
        for (let i = 0; i < f.values.length; i++) if (f.values[i] !== empty) n++;
        return n;
      }
      let n = 0;
      for (const c of f.children as readonly (Fiber | null)[]) if (c) n += count(c);
      return n;
    };
    return count(root);
  }

  /** Non-empty elements in fibertree order (coordinates lexicographically ascending); each yields a fresh coordinate array. */
  *entries(): IterableIterator<[number[], number]> {
    const it = this.cursor();
    while (it.next()) yield [it.coords.slice(), it.value];
  }

  /** Calls `fn` for every non-empty element in fibertree order, without allocating; `coords` is reused between calls. */
  forEachEntry(fn: (coords: readonly number[], value: number) => void): void {
    const it = this.cursor();
    while (it.next()) fn(it.coords, it.value);
  }

  /** Same values in other formats; subtrees whose formats do not change are shared, not copied. */
  withFormats(formats: readonly RankFormat[]): Tensor {
    checkLayout(this.name, this.rankIds, this.shape, formats, this.emptyValue);
    if (this.dense) return Tensor.fromDense(this.name, this.rankIds, this.shape, this.dense, formats, this.emptyValue);
    const r = this.shape.length;
    const root = this.root;
    if (root === null || formats.every((f, i) => f === this.formats[i])) return new Tensor(this.name, this.rankIds, this.shape, [...formats], this.emptyValue, root, this.scalarValue, null);
    // unchangedFrom[d]: ranks d.. keep their format, so a (canonical, non-empty) sub-fiber of rank d can be shared.
    const unchangedFrom = new Array<boolean>(r + 1).fill(true);
    for (let d = r - 1; d >= 0; d--) unchangedFrom[d] = (unchangedFrom[d + 1] as boolean) && formats[d] === this.formats[d];
    const empty = this.emptyValue;
    const convert = (f: Fiber, depth: number): Fiber | null => {
      if (unchangedFrom[depth]) return f;
      const n = fiberLength(f);
      const format = formats[depth] as RankFormat;
      if (f.values) {
        const coords = new Int32Array(n);
        const values = new Float64Array(n);
        let k = 0;
        for (let p = 0; p < n; p++) {
          const v = f.values[p] as number;
          if (v !== empty) { coords[k] = fiberCoordAt(f, p); values[k] = v; k++; }
        }
        return k === 0 ? null : leafFrom(f.shape, format, coords, values, k, empty);
      }
      const coords: number[] = [];
      const children: Fiber[] = [];
      for (let p = 0; p < n; p++) {
        const child = (f.children as readonly (Fiber | null)[])[p];
        const c = child ? convert(child, depth + 1) : null;
        if (c) { coords.push(fiberCoordAt(f, p)); children.push(c); }
      }
      return children.length === 0 ? null : nodeFrom(f.shape, format, coords, children);
    };
    const converted = convert(root, 0) ?? emptyFiber(this.shape[0] as number, formats[0] as RankFormat, r === 1, empty);
    return new Tensor(this.name, this.rankIds, this.shape, [...formats], empty, converted, this.scalarValue, null);
  }

  withName(name: string): Tensor {
    return new Tensor(name, this.rankIds, this.shape, this.formats, this.emptyValue, this.tree, this.scalarValue, this.dense);
  }

  /**
   * Storage footprint per rank: stored coordinates (only 'C' fibers store any) and stored payloads
   * (values at the leaf rank, child references above). An empty sub-fiber of a 'U' fiber is held as
   * null here but would occupy storage in a real uncompressed layout, so it counts as an empty fiber:
   * `shape` slots when its rank is 'U' (recursively), nothing when 'C'. An all-'U' tensor's leaf
   * payloads are therefore always its size.
   */
  footprint(): { coords: number[]; payloads: number[] } {
    const coords = this.shape.map(() => 0);
    const payloads = this.shape.map(() => 0);
    const r = this.shape.length;
    const addEmptyFibers = (depth: number, count: number): void => {
      for (let d = depth; d < r && count > 0 && this.formats[d] === 'U'; d++) {
        count *= this.shape[d] as number;
        payloads[d] = (payloads[d] as number) + count;
      }
    };
    const walk = (f: Fiber, d: number): void => {
      const n = fiberLength(f);
      if (f.coords) coords[d] = (coords[d] as number) + n;
      payloads[d] = (payloads[d] as number) + n;
      if (!f.children) return;
      let nulls = 0;
      for (const c of f.children) if (c) walk(c, d + 1); else nulls++;
      addEmptyFibers(d + 1, nulls);
    };
    const root = this.root;
    if (root) walk(root, 0);
    return { coords, payloads };
  }

  private checkCoords(coords: readonly number[]): void {
    if (coords.length !== this.shape.length) throw new RangeError(`tensor ${this.name}: ${coords.length} coordinates for ${this.shape.length} ranks`);
    coords.forEach((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= (this.shape[i] as number)) throw new RangeError(`tensor ${this.name}: coordinates [${coords.join(', ')}] outside shape [${this.shape.join(', ')}]`);
    });
  }

  /** A depth-first walk over the non-empty elements with an explicit stack (no recursion, no allocation per element). */
  private cursor(): { next(): boolean; readonly coords: number[]; readonly value: number } {
    const root = this.root;
    const empty = this.emptyValue;
    const r = this.shape.length;
    const coords = new Array<number>(r).fill(0);
    const state = { coords, value: this.scalarValue, next: (): boolean => false };
    if (root === null) {
      let done = this.scalarValue === empty;
      state.next = () => (done ? false : (done = true));
      return state;
    }
    const fibers = new Array<Fiber>(r).fill(root);
    const pos = new Int32Array(r).fill(-1);
    let depth = 0;
    state.next = (): boolean => {
      while (depth >= 0) {
        const f = fibers[depth] as Fiber;
        const p = (pos[depth] as number) + 1;
        pos[depth] = p;
        if (p >= fiberLength(f)) { depth--; continue; }
        coords[depth] = fiberCoordAt(f, p);
        if (depth === r - 1) {
          const v = (f.values as Float64Array)[p] as number;
          if (v !== empty) { state.value = v; return true; }
        } else {
          const child = (f.children as readonly (Fiber | null)[])[p];
          if (child) { depth++; fibers[depth] = child; pos[depth] = -1; }
        }
      }
      return false;
    };
    return state;
  }
}

/** 0 for equal values (NaN equals NaN here), |x − y| for finite ones, Infinity when a non-finite value differs. */
function elementDifference(x: number, y: number): number {
  if (x === y || (x !== x && y !== y)) return 0;
  return Number.isFinite(x) && Number.isFinite(y) ? Math.abs(x - y) : Infinity;
}

/** Non-empty elements as flat lists in fibertree order: `coords` holds each element's coordinates in turn. */
function entryList(t: Tensor): { coords: number[]; values: number[] } {
  const coords: number[] = [];
  const values: number[] = [];
  t.forEachEntry((c, v) => { for (const x of c) coords.push(x); values.push(v); });
  return { coords, values };
}

/**
 * Walk the union of the non-empty coordinates of a and b in order, with each side's value there (its
 * empty value where it has no element). Returns whether some coordinate is empty in both.
 */
function mergeEntries(a: Tensor, b: Tensor, visit: (x: number, y: number, inA: boolean, inB: boolean) => void): boolean {
  const ea = entryList(a);
  const eb = entryList(b);
  const r = a.shape.length;
  let i = 0;
  let j = 0;
  let union = 0;
  while (i < ea.values.length || j < eb.values.length) {
    let c = 0;
    if (i >= ea.values.length) c = 1;
    else if (j >= eb.values.length) c = -1;
    else for (let d = 0; d < r && c === 0; d++) c = (ea.coords[i * r + d] as number) - (eb.coords[j * r + d] as number);
    if (c === 0) visit(ea.values[i++] as number, eb.values[j++] as number, true, true);
    else if (c < 0) visit(ea.values[i++] as number, b.emptyValue, true, false);
    else visit(a.emptyValue, eb.values[j++] as number, false, true);
    union++;
  }
  return union < a.size();
}

/**
 * True when two tensors have the same rank ids, shape and non-empty elements. Without a tolerance the
 * values must be identical (NaN equals NaN) and the sets of non-empty coordinates the same; with
 * `relTol` > 0 it is `maxRelativeError(a, b) <= relTol`, so an element may be empty on one side if it is
 * within tolerance of that side's empty value. Names, formats and empty values are not compared.
 */
export function tensorsEqual(a: Tensor, b: Tensor, relTol = 0): boolean {
  if (a.rankIds.length !== b.rankIds.length || a.rankIds.some((id, i) => id !== b.rankIds[i]) || a.shape.some((s, i) => s !== b.shape[i])) return false;
  if (relTol > 0) return maxRelativeError(a, b) <= relTol;
  let same = true;
  mergeEntries(a, b, (x, y, inA, inB) => { if (!inA || !inB || elementDifference(x, y) !== 0) same = false; });
  return same;
}

/**
 * Largest relative error max|a − b| / max|b| over all coordinates, as a dense comparison (an empty
 * element reads as its tensor's empty value) computed over the non-empty elements only. Infinite where
 * a non-finite value differs; the maximum of |b| is taken over finite values; when b is all zero it is
 * the absolute max|a − b|. Different shapes are a RangeError.
 */
export function maxRelativeError(a: Tensor, b: Tensor): number {
  if (a.shape.length !== b.shape.length || a.shape.some((s, i) => s !== b.shape[i])) throw new RangeError(`cannot compare tensors of shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  let num = 0;
  let den = 0;
  const scale = (y: number): void => { if (Number.isFinite(y)) den = Math.max(den, Math.abs(y)); };
  const bothEmptySomewhere = mergeEntries(a, b, (x, y) => { num = Math.max(num, elementDifference(x, y)); scale(y); });
  if (bothEmptySomewhere) { num = Math.max(num, elementDifference(a.emptyValue, b.emptyValue)); scale(b.emptyValue); }
  return den === 0 ? num : num / den;
}

/** The same measure for two dense arrays of equal length: max|x − y| / max|y| (max|x − y| when y is all zero). */
export function maxRelativeDifference(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError(`cannot compare arrays of lengths ${x.length} and ${y.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    const b = y[i] as number;
    num = Math.max(num, elementDifference(x[i] as number, b));
    if (Number.isFinite(b)) den = Math.max(den, Math.abs(b));
  }
  return den === 0 ? num : num / den;
}
