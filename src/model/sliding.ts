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
  readonly stride: number;
}

export function nestLoops(nest: Nest): NestLoop[] {
  const raw: { level: number; dim: number; bound: number; spatial: boolean }[] = [];
  nest.levels.forEach((lv, level) => {
    lv.temporalDims.forEach((dim, k) => raw.push({ level, dim, bound: lv.temporalBounds[k]!, spatial: false }));
    lv.spatialDims.forEach((dim, k) => raw.push({ level, dim, bound: lv.spatialBounds[k]!, spatial: true }));
  });
  const inner = nest.dimSizes.map(() => 1);
  const loops: NestLoop[] = new Array<NestLoop>(raw.length);
  for (let i = raw.length - 1; i >= 0; i--) {
    const r = raw[i]!;
    loops[i] = { ...r, stride: inner[r.dim]! };
    inner[r.dim]! *= r.bound;
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
  /** deltaSum[i]: per instance of level i, the total of the deltas it receives, first tile included. */
  readonly deltaSum: N[];
  /** part[i]: partition size. */
  readonly part: N[];
  /** Distinct data-space offsets among the instances the spatial loops of levels [from, to) spread. */
  spread(from: number, to: number): number;
}

export function slidingCounts<N extends number | bigint>(nest: Nest, loops: readonly NestLoop[], tensor: BoundTensor, fidelity: Fidelity, A: SlidingArith<N>): SlidingCounts<N> {
  const L = nest.levels.length;
  const D = nest.dimSizes.length;
  const ranks = tensor.ranks;

  // Extents per level: ext[i][d] = product of the bounds of the loops at level i and below over d.
  const ext: number[][] = new Array<number[]>(L + 1);
  const spatialExt: number[][] = new Array<number[]>(L);
  ext[L] = new Array<number>(D).fill(1);
  for (let i = L - 1; i >= 0; i--) {
    const e = ext[i + 1]!.slice();
    const s = ext[i + 1]!.slice();
    const lv = nest.levels[i]!;
    lv.temporalDims.forEach((d, k) => (e[d]! *= lv.temporalBounds[k]!));
    lv.spatialDims.forEach((d, k) => {
      e[d]! *= lv.spatialBounds[k]!;
      s[d]! *= lv.spatialBounds[k]!;
    });
    ext[i] = e;
    spatialExt[i] = s;
  }
  const rankExtent = (e: readonly number[], r: number): number => {
    let x = 1;
    for (const t of ranks[r]!) x += t.coefficient * (e[t.dim]! - 1);
    return x;
  };
  const boxSize = (e: readonly number[]): N => {
    let s = A.one;
    for (let r = 0; r < ranks.length; r++) s = A.mul(s, A.of(rankExtent(e, r)));
    return s;
  };

  const size: N[] = new Array<N>(L + 1);
  for (let i = 0; i <= L; i++) size[i] = boxSize(ext[i]!);

  // Data-space step of every loop: per rank, Σ coefficient · stride over the loop's dimension.
  const steps: number[][] = loops.map((l) => ranks.map((terms) => {
    let v = 0;
    for (const t of terms) if (t.dim === l.dim) v += t.coefficient * l.stride;
    return v;
  }));

  // Deltas: the first tile, then for every temporal loop m above the level, (times it advances) ×
  // (delta of translation t_m = v_m − Σ inner v_j).
  const deltaSum: N[] = new Array<N>(L);
  const t = new Array<number>(ranks.length);
  for (let k = 0; k < L; k++) {
    const X = ranks.map((_, r) => rankExtent(ext[k]!, r));
    const above: number[] = [];
    for (let j = 0; j < loops.length && loops[j]!.level < k; j++) if (!loops[j]!.spatial) above.push(j);
    // Times each loop advances: (product of the bounds outside it) × (bound − 1).
    const outside: N[] = new Array<N>(above.length);
    let p = A.one;
    for (let a = 0; a < above.length; a++) {
      outside[a] = p;
      p = A.mul(p, A.of(loops[above[a]!]!.bound));
    }
    let total = size[k]!;
    t.fill(0);
    for (let a = above.length - 1; a >= 0; a--) {
      const j = above[a]!;
      const v = steps[j]!;
      // t = v_m − (sum of the inner steps), accumulated in place: inner = −t before this loop.
      let moved = -1;
      let movedCount = 0;
      for (let r = 0; r < ranks.length; r++) {
        const tr = v[r]! + t[r]!;
        if (tr !== 0) {
          moved = r;
          movedCount++;
        }
      }
      let delta: N;
      if (movedCount === 0) delta = A.zero;
      else {
        const tr = v[moved]! + t[moved]!;
        delta = movedCount === 1 && tr > 0 && tr < X[moved]! ? A.mul(A.div(size[k]!, A.of(X[moved]!)), A.of(tr)) : size[k]!;
      }
      const loop = loops[j]!;
      total = A.add(total, A.mul(A.mul(outside[a]!, A.of(loop.bound - 1)), delta));
      for (let r = 0; r < ranks.length; r++) t[r]! -= v[r]!;
    }
    deltaSum[k] = total;
  }

  const part: N[] = new Array<N>(L);
  part[0] = size[0]!;
  for (let c = 1; c < L; c++) {
    const spatialTile = boxSize(spatialExt[c - 1]!);
    part[c] = (typeof part[c - 1] === 'bigint'
      ? partitionSpanStepBig(part[c - 1] as bigint, size[c] as bigint, spatialTile as bigint, fidelity)
      : partitionSpanStep(part[c - 1] as number, size[c] as number, spatialTile as number, fidelity)) as N;
  }

  const spread = (from: number, to: number): number => {
    const vectors: number[][] = [];
    const bounds: number[] = [];
    loops.forEach((l, j) => {
      if (!l.spatial || l.level < from || l.level >= to) return;
      const v = steps[j]!;
      if (v.every((x) => x === 0)) return;
      vectors.push(v);
      bounds.push(l.bound);
    });
    return distinctOffsets(vectors, bounds, ranks.length);
  };

  return { size, deltaSum, part, spread };
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
