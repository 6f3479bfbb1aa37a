/**
 * @file Every reproduced quirk of the published tool chain, behind one switch (`fidelity: 'artifact'`).
 * Nothing else in src/model knows about them; with the default `physical` fidelity none applies.
 *
 * 1. Partition sizes in uint64 (Timeloop's ComputePartitionSizes). Timeloop walks the levels computing
 *    each tensor's per-instance partition as ((parent partition · child tile) mod 2^64) / denominator.
 *    When the product reaches 2^64 it wraps, the partition comes out too small, and with it the
 *    first-read elision of outputs: reads of an output become close to its updates (fusemax-model.md
 *    §4.1, §8). Physically the partition is just parent partition / relevant spatial split.
 * 2. Areas in float32: Timeloop keeps per-instance areas as single-precision floats (its stats print
 *    79.23 µm² × 65536 as 5192417.50, not 5192417.28).
 */
import type { Fidelity } from './types.ts';
import { assertNever } from './never.ts';

const TWO_POW_53 = 2 ** 53;

/**
 * The child's partition from the parent's, with `numerator = childTile` and `denominator = (relevant
 * spatial split at the parent) · childTile`. Physical: exact. Artifact: the numerator product wraps
 * modulo 2^64 first. Number version; callers guarantee parent and child tile are exact (≤ 2^53).
 */
export function partitionStep(parent: number, childTile: number, spatialSplit: number, fidelity: Fidelity): number {
  switch (fidelity) {
    case 'physical':
      return exactQuotient(parent, spatialSplit);
    case 'artifact': {
      const product = parent * childTile;
      // Below 2^53 the double product is exact and far from 2^64: nothing wraps.
      if (product < TWO_POW_53) return exactQuotient(product, spatialSplit * childTile);
      // A wrapped product divided by childTile (≥ 2^11 here) stays below 2^53, so the result is exact.
      return Number(BigInt.asUintN(64, BigInt(parent) * BigInt(childTile)) / BigInt(spatialSplit * childTile));
    }
    default:
      return assertNever(fidelity);
  }
}

/** The same step on bigints, for problems whose counts exceed 2^53. */
export function partitionStepBig(parent: bigint, childTile: bigint, spatialSplit: bigint, fidelity: Fidelity): bigint {
  switch (fidelity) {
    case 'physical':
      return parent / spatialSplit;
    case 'artifact':
      return BigInt.asUintN(64, parent * childTile) / (spatialSplit * childTile);
    default:
      return assertNever(fidelity);
  }
}

/** floor(a / b) for integers below 2^53, without the rounding of a floating-point division. */
function exactQuotient(a: number, b: number): number {
  return (a - (a % b)) / b;
}

/** Per-instance area as the model uses it. */
export function instanceArea(area: number, fidelity: Fidelity): number {
  switch (fidelity) {
    case 'physical':
      return area;
    case 'artifact':
      return Math.fround(area);
    default:
      return assertNever(fidelity);
  }
}

/**
 * The general step for affine (sliding-window) projections, where the parent's spatial tile is not a
 * whole number of child tiles: partition(child) = ⌊partition(parent) · childTile / spatialTile⌋, with
 * spatialTile the tile the parent's spatial loops spread over its children (for a rank subset,
 * split · childTile, and then this is `partitionStep`). Artifact: the product wraps modulo 2^64 first.
 */
export function partitionSpanStep(parent: number, childTile: number, spatialTile: number, fidelity: Fidelity): number {
  const product = parent * childTile;
  if (product < TWO_POW_53) return exactQuotient(product, spatialTile);
  return Number(partitionSpanStepBig(BigInt(parent), BigInt(childTile), BigInt(spatialTile), fidelity));
}

export function partitionSpanStepBig(parent: bigint, childTile: bigint, spatialTile: bigint, fidelity: Fidelity): bigint {
  switch (fidelity) {
    case 'physical':
      return (parent * childTile) / spatialTile;
    case 'artifact':
      return BigInt.asUintN(64, parent * childTile) / spatialTile;
    default:
      return assertNever(fidelity);
  }
}
