/**
 * @file Nest analysis: Timeloop-compatible access counts of a bound nest, in closed form (no loop is
 * ever iterated). For every tensor and every level that keeps it: scalar reads, fills and updates per
 * instance, utilized capacity (the tile it holds) and partition size, exactly as Timeloop's stats print
 * them. The rules (fusemax-model.md §4.1), for a tensor T with relevant dimensions R(T):
 *
 * - size(i): product of the bounds of the loops (temporal and spatial) at level i and below over R(T),
 *   the tile one instance of level i holds;
 * - loads(i): product of the temporal bounds above level i from the outermost down to the innermost
 *   loop over R(T) (later, irrelevant loops reuse the tile: stationarity);
 * - content(k): per instance of keeper k, the accesses it serves: the next keeper's loads·size times the
 *   relevant spatial bounds in between (irrelevant ones multicast inputs and reduce outputs); for the
 *   innermost keeper, every cycle of the compute below it, with the same multicast/reduction;
 * - partition(i): the part of T one instance of level i ever touches (artifact-fidelity.ts).
 * Inputs: reads = content, fills = loads·size (none at the outermost keeper). Outputs: updates =
 * content, and the first access to each point is elided: reads = content − partition, fills =
 * loads·size − partition (none at the outermost keeper).
 *
 * Affine projections (sliding windows, strides, dilations) get tiles with halos and fills as deltas
 * between consecutive tiles, in sliding.ts; the keeper rules below are the same for both.
 *
 * Counts are exact: doubles while the total compute count stays below 2^53 (every count is bounded by
 * it), bigints beyond. A `Count` is a number when it is a safe integer and a bigint otherwise, so that
 * the common case costs no bigint allocation.
 */
import { partitionStep, partitionStepBig } from './artifact-fidelity.ts';
import type { Nest } from './nest.ts';
import { nestLoops, slidingCounts, spread, type NestLoop, type SlidingArith, type SlidingCounts } from './sliding.ts';
import type { Fidelity, LevelKind } from './types.ts';

/** An exact non-negative integer: a number when ≤ Number.MAX_SAFE_INTEGER, else a bigint. */
export type Count = number | bigint;

/** A count as a bigint (exact). */
export function countBig(c: Count): bigint {
  return typeof c === 'bigint' ? c : BigInt(c);
}

/** A count as a double (rounded above 2^53), for energies and other real-valued results. */
export function countNumber(c: Count): number {
  return Number(c);
}

function normalize(c: bigint): Count {
  return c <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(c) : c;
}

export interface TensorStats {
  readonly tensor: string;
  /** Per instance, as Timeloop prints them. */
  readonly reads: Count;
  readonly fills: Count;
  readonly updates: Count;
  /** Words of this tensor one instance holds (its tile). */
  readonly utilizedCapacity: Count;
  /** Words of this tensor one instance ever touches (wrapped under artifact fidelity). */
  readonly partitionSize: Count;
  /** Instances of the level in use (product of all spatial factors above). */
  readonly utilizedInstances: number;
}

export interface LevelStats {
  readonly name: string;
  readonly kind: LevelKind;
  readonly instances: number;
  readonly utilizedInstances: number;
  /** The tensors this level keeps, in problem order. */
  readonly tensors: readonly TensorStats[];
}

export interface NestStats {
  readonly problem: string;
  readonly fidelity: Fidelity;
  /** One per point of the iteration space. */
  readonly computes: Count;
  /** Product of all temporal bounds (no bandwidth throttling). */
  readonly cycles: Count;
  /** Compute instances in use: product of all spatial bounds. */
  readonly utilizedInstances: number;
  readonly computeInstances: number;
  /** Storage levels, outermost first. */
  readonly levels: readonly LevelStats[];
}

/** The arithmetic the counting rules need, so that one implementation serves doubles and bigints. */
interface Arith<N extends number | bigint> extends SlidingArith<N> {
  sub(a: N, b: N): N;
  partition(parent: N, childTile: N, spatialSplit: N, fidelity: Fidelity): N;
  count(a: N): Count;
}

const NUMBER: Arith<number> = {
  zero: 0,
  one: 1,
  of: (n) => n,
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  sub: (a, b) => a - b,
  partition: partitionStep,
  count: (a) => a,
};

const BIGINT: Arith<bigint> = {
  zero: 0n,
  one: 1n,
  of: (n) => BigInt(n),
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  sub: (a, b) => a - b,
  partition: partitionStepBig,
  count: normalize,
};

export interface AnalyzeOptions {
  readonly fidelity?: Fidelity;
  /** Force the bigint path (tests compare both paths); default: chosen by problem size. */
  readonly arithmetic?: 'auto' | 'bigint';
}

/** Access counts of a bound nest. */
export function analyzeNest(nest: Nest, options: AnalyzeOptions = {}): NestStats {
  const fidelity = options.fidelity ?? 'physical';
  let computes = 1;
  for (const s of nest.dimSizes) computes *= s;
  // Every count is bounded by the computes, except the fills of an affine tensor, bounded by cycles
  // times its whole (bounding-box) size.
  let bound = computes;
  for (const t of nest.tensors) {
    if (!t.affine) continue;
    let box = 1;
    for (const terms of t.ranks) {
      let x = 1;
      for (const term of terms) x += term.coefficient * (nest.dimSizes[term.dim]! - 1);
      box *= x;
    }
    bound = Math.max(bound, box * computes);
  }
  const exactInDoubles = bound <= Number.MAX_SAFE_INTEGER && options.arithmetic !== 'bigint';
  return exactInDoubles ? analyzeWith(nest, fidelity, NUMBER) : analyzeWith(nest, fidelity, BIGINT);
}

function analyzeWith<N extends number | bigint>(nest: Nest, fidelity: Fidelity, A: Arith<N>): NestStats {
  const levels = nest.levels;
  const L = levels.length;

  let computes = A.one;
  for (const s of nest.dimSizes) computes = A.mul(computes, A.of(s));
  let cycles = A.one;
  let spatialAll = 1;
  const instAbove: number[] = new Array<number>(L);
  for (let i = 0; i < L; i++) {
    const lv = levels[i]!;
    instAbove[i] = spatialAll;
    for (const b of lv.temporalBounds) cycles = A.mul(cycles, A.of(b));
    for (const b of lv.spatialBounds) spatialAll *= b;
  }

  const tensorStats: TensorStats[][] = levels.map(() => []);
  const size: N[] = new Array<N>(L + 1);
  const loads: N[] = new Array<N>(L);
  const split: N[] = new Array<N>(L);
  const part: N[] = new Array<N>(L);

  let loops: NestLoop[] | undefined;
  for (let t = 0; t < nest.tensors.length; t++) {
    const tensor = nest.tensors[t]!;
    const mask = tensor.mask;
    const bit = 1 << t;
    // Sliding windows: sizes, deltas and partitions from sliding.ts; else the rank-subset rules below.
    let sc: SlidingCounts<N> | undefined;
    if (tensor.affine) {
      loops ??= nestLoops(nest);
      sc = slidingCounts(nest, loops, tensor, bit, fidelity, A);
      for (let i = 0; i <= L; i++) size[i] = sc.size[i]!;
      for (let i = 0; i < L; i++) part[i] = sc.part[i]!;
    } else {
      // Tile sizes (inner to outer) and the relevant spatial split at each level.
      size[L] = A.one;
      for (let i = L - 1; i >= 0; i--) {
        const lv = levels[i]!;
        let s = size[i + 1]!;
        for (let k = 0; k < lv.temporalDims.length; k++) if (mask & (1 << lv.temporalDims[k]!)) s = A.mul(s, A.of(lv.temporalBounds[k]!));
        let sp = A.one;
        for (let k = 0; k < lv.spatialDims.length; k++) if (mask & (1 << lv.spatialDims[k]!)) sp = A.mul(sp, A.of(lv.spatialBounds[k]!));
        size[i] = A.mul(s, sp);
        split[i] = sp;
      }

      // Loads: temporal product above each level down to its innermost relevant loop.
      let prod = A.one;
      let upToRelevant = A.one;
      for (let i = 0; i < L; i++) {
        loads[i] = upToRelevant;
        const lv = levels[i]!;
        for (let k = 0; k < lv.temporalDims.length; k++) {
          prod = A.mul(prod, A.of(lv.temporalBounds[k]!));
          if (mask & (1 << lv.temporalDims[k]!)) upToRelevant = prod;
        }
      }

      // Partition sizes, level by level through bypassed levels too (this is where the wrap happens).
      part[0] = size[0]!;
      for (let c = 1; c < L; c++) part[c] = A.partition(part[c - 1]!, size[c]!, split[c - 1]!, fidelity);
    }

    // Keepers, outermost first.
    let first = true;
    for (let k = 0; k < L; k++) {
      if (!(levels[k]!.keepMask & bit)) continue;
      let next = k + 1;
      while (next < L && !(levels[next]!.keepMask & bit)) next++;
      // Children served at once: the distinct offsets the spatial loops in between spread (rank subset:
      // the product of the relevant spatial bounds; irrelevant ones multicast inputs, reduce outputs).
      let between = A.one;
      if (sc) between = A.of(spread(sc, k, next));
      else for (let i = k; i < next; i++) between = A.mul(between, split[i]!);
      // The innermost keeper serves every cycle of the compute below it; the others, everything the
      // next keeper receives per instance (first tile included: for a rank subset, loads · size).
      const content = next === L ? A.mul(cycles, between) : A.mul(sc ? sc.deltaSum[next]! : A.mul(loads[next]!, size[next]!), between);
      const share = first ? A.zero : sc ? sc.deltaSum[k]! : A.mul(loads[k]!, size[k]!);
      let reads: N;
      let fills: N;
      let updates: N;
      if (tensor.isOutput) {
        updates = content;
        reads = A.sub(content, part[k]!);
        fills = first ? A.zero : A.sub(share, part[k]!);
      } else {
        reads = content;
        fills = share;
        updates = A.zero;
      }
      tensorStats[k]!.push({
        tensor: tensor.name,
        reads: A.count(reads),
        fills: A.count(fills),
        updates: A.count(updates),
        utilizedCapacity: A.count(size[k]!),
        partitionSize: A.count(part[k]!),
        utilizedInstances: instAbove[k]!,
      });
      first = false;
    }
  }

  return {
    problem: nest.problem.name,
    fidelity,
    computes: A.count(computes),
    cycles: A.count(cycles),
    utilizedInstances: spatialAll,
    computeInstances: nest.computeInstances,
    levels: levels.map((lv, i) => ({
      name: lv.spec.name,
      kind: lv.spec.kind,
      instances: lv.instances,
      utilizedInstances: instAbove[i]!,
      tensors: tensorStats[i]!,
    })),
  };
}
