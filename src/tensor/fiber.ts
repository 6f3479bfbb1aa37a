/**
 * @file Fibers, the unit of the fibertree abstraction (TeAAL's fibertree library, EDGE): the elements
 * of one rank that share the coordinates of all higher ranks. A fiber is uncompressed ('U': one slot
 * per coordinate 0..shape-1, empty slots hold the empty value or a null child) or compressed ('C':
 * strictly increasing coordinates of its non-empty elements only). Leaf fibers hold values, the others
 * child fibers. This module owns the fiber shape and the position/coordinate primitives that
 * co-iteration is written with; building fibers from data is `tensor.ts`'s job.
 */

export type RankFormat = 'U' | 'C';

/** One fiber: the elements of one rank that share the coordinates of all higher ranks. */
export interface Fiber {
  /** Extent of this rank. */
  readonly shape: number;
  readonly format: RankFormat;
  /** 'C': strictly increasing coordinates of the stored elements; 'U': null (position = coordinate). */
  readonly coords: Int32Array | null;
  /** Leaf rank only: payload values, aligned with coords ('C') or of length shape ('U'); null otherwise. */
  readonly values: Float64Array | null;
  /** Non-leaf ranks only: child fibers aligned like values; a null child in 'U' is an empty sub-fiber; null otherwise. */
  readonly children: readonly (Fiber | null)[] | null;
}

/**
 * Every fiber is made here, so that all fibers share one property order (one hidden class in V8, which
 * keeps the executor's monomorphic property reads fast).
 */
export function makeFiber(shape: number, format: RankFormat, coords: Int32Array | null, values: Float64Array | null, children: readonly (Fiber | null)[] | null): Fiber {
  return { shape, format, coords, values, children };
}

/** Position of coordinate c in fiber f, or -1 if f stores no element at c (binary search for 'C', c itself for 'U' when 0<=c<shape). */
export function fiberPosition(f: Fiber, c: number): number {
  const coords = f.coords;
  // `c >>> 0 === c` rejects negative, fractional and NaN coordinates in one comparison.
  if (coords === null) return c >>> 0 === c && c < f.shape ? c : -1;
  let lo = 0;
  let hi = coords.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = coords[mid] as number;
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Number of stored positions (coords.length for 'C', shape for 'U'). */
export function fiberLength(f: Fiber): number {
  return f.coords === null ? f.shape : f.coords.length;
}

/** Coordinate at a stored position. */
export function fiberCoordAt(f: Fiber, pos: number): number {
  return f.coords === null ? pos : (f.coords[pos] as number);
}
