/**
 * @file Counts for affine projections (convolutions: ranks indexed by sums like P + R, strided
 * 2·P + R, dilated P + 2·R), in closed form, with Timeloop v0.4's semantics:
 *
 * - A tile is an axis-aligned box in data space: per rank, the span of the rank's expression over the
 *   loops at the level and below, Σ coefficient · (extent − 1) + 1 (holes of a stride included, as
 *   Timeloop's AAHR point sets count them). Utilized capacity is its size.
 * - Fills are the deltas between consecutive tiles. Timeloop walks the temporal loops above a level
 *   with uniform extrapolation: each loop runs iteration 0, then iteration 1 standing for iterations
 *   1 … n−1; the tile a delta is taken against is the one of the walk's previous step, so when loop m
 *   advances, the inner loops are back from index 1 (not n−1) to 0. The data-space translation is then
 *   t = v_m − Σ_{inner j} v_j (v = a loop's step in data space), the same at every such step.
 * - The delta of two boxes (Timeloop's AAHR subtraction): empty when they are equal; when they differ
 *   by a forward translation along a single rank that keeps them overlapping, the slab that slid in;
 *   otherwise (a backward move, a move along several ranks, no overlap) the whole new tile.
 * - Spatial multicast and reduction: children whose deltas are identical (equal offsets in data space)
 *   are served by one parent access; halos shared by neighbours with different offsets are not.
 * - Partition: ⌊parent partition · tile / spatial tile⌋ (artifact-fidelity.ts).
 *
 * For a rank-subset projection all of this reduces to the formulas of analysis.ts (a relevant loop
 * always moves a tile off itself), which keep their faster path.
 */
import { partitionSpanStep, partitionSpanStepBig } from './artifact-fidelity.ts';
import type { BoundTensor, Nest } from './nest.ts';
import type { Fidelity } from './types.ts';

/** One loop of the whole nest, outermost first: a level's temporal loops, then its spatial ones. */
export interface NestLoop {
  readonly level: number;
  readonly dim: number;
  readonly bound: number;
  readonly spatial: boolean;
  /** Weight of this loop's index in its dimension's coordinate (product of the inner bounds over it). */
  stride: number;
}

export function nestLoops(nest: Nest): NestLoop[] {
  const loops: NestLoop[] = [];
  for (let level = 0; level < nest.levels.length; level++) {
    const lv = nest.levels[level]!;
    for (let k = 0; k < lv.temporalDims.length; k++) loops.push({ level, dim: lv.temporalDims[k]!, bound: lv.temporalBounds[k]!, spatial: false, stride: 1 });
    for (let k = 0; k < lv.spatialDims.length; k++) loops.push({ level, dim: lv.spatialDims[k]!, bound: lv.spatialBounds[k]!, spatial: true, stride: 1 });
  }
  // Outer loops are the more significant digits of their dimension.
  const inner = new Array<number>(nest.dimSizes.length).fill(1);
  for (let i = loops.length - 1; i >= 0; i--) {
    const l = loops[i]!;
    l.stride = inner[l.dim]!;
    inner[l.dim]! *= l.bound;
  }
  return loops;
}

/** The arithmetic the counts need (doubles or bigints, see analysis.ts). */
export interface SlidingArith<N extends number | bigint> {
  readonly zero: N;
  readonly one: N;
  of(n: number): N;
  add(a: N, b: N): N;
  mul(a: N, b: N): N;
  /** Exact quotient (b divides a). */
  div(a: N, b: N): N;
}

export interface SlidingCounts<N> {
  /** size[i]: the tile of one instance of level i (size[L] = 1). */
  readonly size: N[];
  /** deltaSum[i]: per instance of level i, the total of the deltas it receives, first tile included (0 where not kept). */
  readonly deltaSum: N[];
  /** part[i]: partition size. */
  readonly part: N[];
  readonly loops: readonly NestLoop[];
  /** Data-space step of every loop, per rank (loop-major). */
  readonly steps: number[];
  readonly nRanks: number;
}

/** Distinct data-space offsets among the instances the spatial loops of levels [from, to) spread. */
export function spread(sc: SlidingCounts<unknown>, from: number, to: number): number {
  const R = sc.nRanks;
  // Common case first: each spatial loop moves one rank and no two move the same one: no collisions.
  let product = 1;
  let touched = 0;
  let simple = true;
  for (let k = 0; k < sc.loops.length && simple; k++) {
    const l = sc.loops[k]!;
    if (!l.spatial || l.level < from || l.level >= to) continue;
    let moved = 0;
    let rank = -1;
    for (let r = 0; r < R; r++) if (sc.steps[k * R + r] !== 0) (moved++, (rank = r));
    if (moved === 0) continue;
    if (moved > 1 || rank >= 31 || touched & (1 << rank)) simple = false;
    touched |= 1 << rank;
    product *= l.bound;
  }
  if (simple) return product;
  const vectors: number[][] = [];
  const bounds: number[] = [];
  for (let k = 0; k < sc.loops.length; k++) {
    const l = sc.loops[k]!;
    if (!l.spatial || l.level < from || l.level >= to) continue;
    const v = sc.steps.slice(k * R, (k + 1) * R);
    if (v.every((x) => x === 0)) continue;
    vectors.push(v);
    bounds.push(l.bound);
  }
  return distinctOffsets(vectors, bounds, R);
}

function rankExtents(ranks: BoundTensor['ranks'], ext: number[], into: number[], at: number): void {
  for (let r = 0; r < ranks.length; r++) {
    let x = 1;
    for (const t of ranks[r]!) x += t.coefficient * (ext[t.dim]! - 1);
    into[at + r] = x;
  }
}

function boxSize<N extends number | bigint>(extents: number[], at: number, R: number, A: SlidingArith<N>): N {
  let s = A.one;
  for (let r = 0; r < R; r++) s = A.mul(s, A.of(extents[at + r]!));
  return s;
}

/** The counts of `tensor` (bit `bit` of the keep masks); deltas only for the levels that keep it. */
export function slidingCounts<N extends number | bigint>(nest: Nest, loops: readonly NestLoop[], tensor: BoundTensor, bit: number, fidelity: Fidelity, A: SlidingArith<N>): SlidingCounts<N> {
  const L = nest.levels.length;
  const R = tensor.ranks.length;
  const ranks = tensor.ranks;
  const nLoops = loops.length;

  // Data-space step of every loop: per rank, Σ coefficient · stride over the loop's dimension.
  const steps = new Array<number>(nLoops * R).fill(0);
  for (let j = 0; j < nLoops; j++) {
    const l = loops[j]!;
    for (let r = 0; r < R; r++) for (const t of ranks[r]!) if (t.dim === l.dim) steps[j * R + r]! += t.coefficient * l.stride;
  }

  // Rank extents (Σ coefficient · (extent − 1) + 1) of the tile at every level, from the innermost out,
  // and of the tile a level's spatial loops spread over its children (for partitions).
  const ext = new Array<number>(nest.dimSizes.length).fill(1);
  const X = new Array<number>((L + 1) * R).fill(0);
  const spatialX = new Array<number>(L * R).fill(0);
  rankExtents(ranks, ext, X, L * R);
  let j = nLoops - 1;
  for (let i = L - 1; i >= 0; i--) {
    // A level's spatial loops come after its temporal ones in nest order: meet them first going up.
    for (; j >= 0 && loops[j]!.level === i && loops[j]!.spatial; j--) ext[loops[j]!.dim]! *= loops[j]!.bound;
    rankExtents(ranks, ext, spatialX, i * R);
    for (; j >= 0 && loops[j]!.level === i; j--) ext[loops[j]!.dim]! *= loops[j]!.bound;
    rankExtents(ranks, ext, X, i * R);
  }
  const size: N[] = new Array<N>(L + 1);
  for (let i = 0; i <= L; i++) size[i] = boxSize(X, i * R, R, A);

  // The temporal loops in nest order, and how often each advances: (product of the bounds of the
  // temporal loops outside it) × (bound − 1).
  const temporal: number[] = [];
  for (let k = 0; k < nLoops; k++) if (!loops[k]!.spatial) temporal.push(k);
  const advances: N[] = new Array<N>(temporal.length);
  let outside = A.one;
  for (let a = 0; a < temporal.length; a++) {
    const bound = loops[temporal[a]!]!.bound;
    advances[a] = A.mul(outside, A.of(bound - 1));
    outside = A.mul(outside, A.of(bound));
  }

  // Deltas received by an instance of level k: the first tile, then for every temporal loop m above k
  // (times it advances) × (delta of the translation t_m = v_m − Σ of the inner steps above k).
  const deltaSum: N[] = new Array<N>(L);
  const t = new Array<number>(R).fill(0);
  let q = 0;
  for (let k = 0; k < L; k++) {
    while (q < temporal.length && loops[temporal[q]!]!.level < k) q++;
    if (!(nest.levels[k]!.keepMask & bit)) {
      deltaSum[k] = A.zero;
      continue;
    }
    const tile = size[k]!;
    let total = tile;
    t.fill(0);
    for (let a = q - 1; a >= 0; a--) {
      const at = temporal[a]! * R;
      let moved = -1;
      let movedCount = 0;
      for (let r = 0; r < R; r++) {
        if (steps[at + r]! + t[r]! !== 0) {
          moved = r;
          movedCount++;
        }
      }
      if (movedCount > 0) {
        const tr = steps[at + moved]! + t[moved]!;
        const extent = X[k * R + moved]!;
        const delta = movedCount === 1 && tr > 0 && tr < extent ? A.mul(A.div(tile, A.of(extent)), A.of(tr)) : tile;
        total = A.add(total, A.mul(advances[a]!, delta));
      }
      for (let r = 0; r < R; r++) t[r]! -= steps[at + r]!;
    }
    deltaSum[k] = total;
  }

  const part: N[] = new Array<N>(L);
  part[0] = size[0]!;
  for (let c = 1; c < L; c++) {
    const spatialTile = boxSize(spatialX, (c - 1) * R, R, A);
    part[c] = (typeof part[c - 1] === 'bigint'
      ? partitionSpanStepBig(part[c - 1] as bigint, size[c] as bigint, spatialTile as bigint, fidelity)
      : partitionSpanStep(part[c - 1] as number, size[c] as number, spatialTile as number, fidelity)) as N;
  }

  return { size, deltaSum, part, loops, steps, nRanks: R };
}

/** How many distinct points Σ x_s · v_s takes for x_s in [0, bound_s). */
export function distinctOffsets(vectors: readonly (readonly number[])[], bounds: readonly number[], nRanks: number): number {
  if (vectors.length === 0) return 1;
  const singleRank = vectors.map((v) => {
    let r = -1;
    for (let i = 0; i < nRanks; i++) if (v[i] !== 0) r = r === -1 ? i : -2;
    return r;
  });
  if (singleRank.every((r) => r >= 0)) {
    // Ranks are independent: multiply the distinct sums of each.
    let n = 1;
    for (let r = 0; r < nRanks; r++) {
      const cs: number[] = [];
      const ns: number[] = [];
      singleRank.forEach((rr, s) => {
        if (rr === r) {
          cs.push(vectors[s]![r]!);
          ns.push(bounds[s]!);
        }
      });
      if (cs.length > 0) n *= distinctSums(cs, ns);
    }
    return n;
  }
  // A loop moves several ranks at once: enumerate the points.
  let points = new Set<string>(['']);
  let coords: number[][] = [new Array<number>(nRanks).fill(0)];
  vectors.forEach((v, s) => {
    const next: number[][] = [];
    points = new Set<string>();
    for (const c of coords) {
      for (let x = 0; x < bounds[s]!; x++) {
        const p = c.map((ci, r) => ci + x * v[r]!);
        const key = p.join(',');
        if (!points.has(key)) {
          points.add(key);
          next.push(p);
        }
      }
    }
    coords = next;
  });
  return coords.length;
}

/** Distinct values of Σ x_s · c_s (c_s > 0, x_s in [0, n_s)). */
function distinctSums(cs: readonly number[], ns: readonly number[]): number {
  const order = cs.map((_, i) => i).sort((a, b) => cs[a]! - cs[b]!);
  // Mixed radix (each step beyond the reach of the smaller ones): no two sums collide.
  let reach = 0;
  let product = 1;
  let radix = true;
  for (const i of order) {
    if (cs[i]! <= reach) radix = false;
    reach += cs[i]! * (ns[i]! - 1);
    product *= ns[i]!;
  }
  if (radix) return product;
  let values = new Set<number>([0]);
  for (const i of order) {
    const next = new Set<number>();
    for (const v of values) for (let x = 0; x < ns[i]!; x++) next.add(v + x * cs[i]!);
    values = next;
  }
  return values.size;
}
