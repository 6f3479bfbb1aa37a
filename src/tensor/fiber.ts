/**
 * @file Fibers: the elements of one rank that share the coordinates of all higher ranks (fibertree
 * abstraction of TeAAL/FuseMax). A fiber is uncompressed ('U': one slot per coordinate 0..shape-1) or
 * compressed ('C': strictly increasing coordinates of its non-empty elements only). Leaf fibers hold
 * values, others hold child fibers (null = an empty sub-fiber in 'U').
 */

export type RankFormat = 'U' | 'C';

export interface Fiber {
  readonly shape: number;
  readonly format: RankFormat;
  /** 'C': coordinates of the stored elements, ascending; 'U': null (position = coordinate). */
  readonly coords: Int32Array | null;
  /** Leaf rank: payloads aligned with coords ('C') or of length shape ('U'); null otherwise. */
  readonly values: Float64Array | null;
  /** Non-leaf ranks: child fibers aligned like values; null otherwise. */
  readonly children: readonly (Fiber | null)[] | null;
}

/** Position of coordinate c in f, or -1 when f stores no element there. */
export function fiberPosition(f: Fiber, c: number): number {
  const coords = f.coords;
  if (coords === null) return c >= 0 && c < f.shape ? c : -1;
  let lo = 0;
  let hi = coords.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = coords[mid] as number;
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Number of stored positions. */
export function fiberLength(f: Fiber): number {
  return f.coords === null ? f.shape : f.coords.length;
}

/** Coordinate at a stored position. */
export function fiberCoordAt(f: Fiber, pos: number): number {
  return f.coords === null ? pos : (f.coords[pos] as number);
}
