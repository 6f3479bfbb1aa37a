/**
 * @file The small shapes on which a rewritten cascade is verified against its original, and the error
 * a verified rewrite may show. Shared by `fusemax optimize` and the explorer page.
 */
import type { Cascade } from '../ir/cascade.ts';

/**
 * Largest relative error (normwise, against the original in float64) a verified rewrite may show on
 * any data set, unless the original itself moves more (src/rewrite/verify.ts, allowedError).
 */
export const VERIFY_TOLERANCE = 1e-9;

/** Small shapes for the verification runs: 6 per rank; a partitioned rank 10 in tiles of 4 (the last one partial). */
export function verificationShapes(original: Cascade, rewritten: Cascade): Map<string, number> {
  const shapes = new Map<string, number>();
  for (const c of [original, rewritten]) {
    for (const t of c.tensors.values()) for (const r of t.ranks) if (!shapes.has(r)) shapes.set(r, 6);
    for (const p of c.partitions) { shapes.set(p.whole, 10); shapes.set(p.inner, 4); shapes.delete(p.outer); }
  }
  return shapes;
}
