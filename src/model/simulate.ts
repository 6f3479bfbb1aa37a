/**
 * @file A brute-force simulator of a loop nest, for small problems: it iterates every step of the
 * temporal loops explicitly and works with explicit point sets. It shares no formula with analysis.ts
 * or sliding.ts and is the reference the closed-form counts are tested against (physical fidelity).
 *
 * What it does (Timeloop v0.4's semantics, spelled out on explicit sets):
 * - The tile of an instance of level k at a step of the loops above k: every operation point of the
 *   loops at level k and below is enumerated and projected; the tile is the bounding box of those data
 *   points (Timeloop's AAHR, so a stride's holes count), as the explicit set of the box's points.
 * - Fills: at each step, an instance of a keeper receives the delta between its tile and the tile it
 *   had at Timeloop's previous step. Timeloop extrapolates each loop from its iterations 0 and 1, so
 *   the previous step of (…, i_m, 0, …, 0) is (…, i_m − 1, 1, …, 1) (inner loops at index 1, or 0 for
 *   a loop of bound 1), not (…, i_m − 1, n − 1, …). The delta of two boxes: empty when equal; the
 *   points that slid in when the new box is the old one moved forward along a single rank, overlapping
 *   it; otherwise the whole new box.
 * - A parent keeper serves, at each step, the distinct delta sets of its children (identical sets are
 *   multicast, or reduced for outputs); the innermost keeper serves, at every cycle, the distinct data
 *   points the compute units below it use.
 * - Outputs: a keeper's updates are what it serves; the first update of a point needs no read, and the
 *   first arrival of a point in an instance is not a fill (no partial sum exists yet).
 */
import type { LevelStats, NestStats, TensorStats } from './analysis.ts';
import type { Nest } from './nest.ts';

interface SimLoop {
  readonly dim: number;
  readonly bound: number;
  readonly level: number;
  readonly spatial: boolean;
  stride: number;
}

type Box = { readonly min: number[]; readonly max: number[] };

/** Simulate; refuses nests above `maxComputes` iterations. */
export function simulateNest(nest: Nest, maxComputes = 100_000): NestStats {
  const loops: SimLoop[] = [];
  nest.levels.forEach((lv, level) => {
    lv.temporalDims.forEach((dim, k) => loops.push({ dim, bound: lv.temporalBounds[k]!, level, spatial: false, stride: 1 }));
    lv.spatialDims.forEach((dim, k) => loops.push({ dim, bound: lv.spatialBounds[k]!, level, spatial: true, stride: 1 }));
  });
  for (let i = loops.length - 1; i >= 0; i--) {
    let stride = 1;
    for (let j = i + 1; j < loops.length; j++) if (loops[j]!.dim === loops[i]!.dim) stride *= loops[j]!.bound;
    loops[i]!.stride = stride;
  }
  const computes = nest.dimSizes.reduce((p, s) => p * s, 1);
  if (computes > maxComputes) throw new Error(`simulateNest: ${computes} iterations is too many to simulate`);
  const temporal = loops.filter((l) => !l.spatial);
  const spatial = loops.filter((l) => l.spatial);
  const product = (ls: readonly SimLoop[]): number => ls.reduce((p, l) => p * l.bound, 1);
  const cycles = product(temporal);
  const above = (k: number, ls: readonly SimLoop[]): SimLoop[] => ls.filter((l) => l.level < k);
  const instancesAt = (k: number): number => product(above(k, spatial));

  /** Every index tuple of `ls`, outermost digit first, in iteration order. */
  const tuples = (ls: readonly SimLoop[]): number[][] => {
    const out: number[][] = [];
    const idx = new Array<number>(ls.length).fill(0);
    for (;;) {
      out.push(idx.slice());
      let i = ls.length - 1;
      while (i >= 0 && ++idx[i]! === ls[i]!.bound) idx[i--] = 0;
      if (i < 0) return out;
    }
  };
  const coordOf = (ls: readonly SimLoop[], idx: readonly number[], into: number[]): void => {
    ls.forEach((l, i) => (into[l.dim]! += idx[i]! * l.stride));
  };
  const digits = (ls: readonly SimLoop[], inst: number): number[] => {
    const d = new Array<number>(ls.length).fill(0);
    for (let i = ls.length - 1; i >= 0; i--) {
      d[i] = inst % ls[i]!.bound;
      inst = Math.floor(inst / ls[i]!.bound);
    }
    return d;
  };

  const levels: TensorStats[][] = nest.levels.map(() => []);
  nest.tensors.forEach((tensor, t) => {
    const ranks = tensor.ranks;
    const extent = ranks.map((terms) => 1 + terms.reduce((s, x) => s + x.coefficient * (nest.dimSizes[x.dim]! - 1), 0));
    const project = (c: readonly number[]): number[] => ranks.map((terms) => terms.reduce((s, x) => s + x.coefficient * c[x.dim]!, 0));
    const keyOf = (p: readonly number[]): number => p.reduce((k, x, r) => k * extent[r]! + x, 0);
    const boxPoints = (b: Box): Set<number> => {
      const out = new Set<number>();
      const walk = (r: number, p: number[]): void => {
        if (r === ranks.length) {
          out.add(keyOf(p));
          return;
        }
        for (let x = b.min[r]!; x <= b.max[r]!; x++) walk(r + 1, [...p, x]);
      };
      walk(0, []);
      return out;
    };

    /** The box of instance `inst` of level k while the temporal loops above k are at `tIdx`. */
    const tileBox = (k: number, tIdx: readonly number[], inst: number): Box => {
      const base = new Array<number>(nest.dimSizes.length).fill(0);
      coordOf(above(k, temporal), tIdx, base);
      coordOf(above(k, spatial), digits(above(k, spatial), inst), base);
      const below = loops.filter((l) => l.level >= k);
      const min = ranks.map(() => Infinity);
      const max = ranks.map(() => -Infinity);
      for (const idx of tuples(below)) {
        const c = base.slice();
        coordOf(below, idx, c);
        project(c).forEach((x, r) => {
          min[r] = Math.min(min[r]!, x);
          max[r] = Math.max(max[r]!, x);
        });
      }
      return { min, max };
    };

    /** Timeloop's previous step of `idx` over `ls` (see the header), or null at the first step. */
    const previous = (ls: readonly SimLoop[], idx: readonly number[]): number[] | null => {
      let m = idx.length - 1;
      while (m >= 0 && idx[m] === 0) m--;
      if (m < 0) return null;
      return idx.map((x, j) => (j < m ? x : j === m ? x - 1 : Math.min(1, ls[j]!.bound - 1)));
    };

    const delta = (now: Box, before: Box | null): Set<number> => {
      const points = boxPoints(now);
      if (before === null) return points;
      const moved = ranks.map((_, r) => r).filter((r) => now.min[r] !== before.min[r] || now.max[r] !== before.max[r]);
      if (moved.length === 0) return new Set();
      const r = moved[0]!;
      const slid = moved.length === 1 && now.min[r]! > before.min[r]! && now.min[r]! <= before.max[r]!;
      if (!slid) return points;
      const old = boxPoints(before);
      return new Set([...points].filter((p) => !old.has(p)));
    };

    const keepers: number[] = [];
    nest.levels.forEach((lv, level) => {
      if (lv.keepMask & (1 << t)) keepers.push(level);
    });
    // Per keeper: what its instances serve (reads of inputs, updates of outputs) and receive (fills),
    // and per instance the points ever served and received.
    const stats = keepers.map((k) => {
      const n = instancesAt(k);
      const sets = (): Set<number>[] => Array.from({ length: n }, () => new Set<number>());
      return { k, n, served: 0, servedPoints: sets(), received: 0, receivedPoints: sets(), maxTile: 0 };
    });

    // Deltas into every keeper, served (except at the outermost) by the keeper above.
    stats.forEach((s, j) => {
      const T = above(s.k, temporal);
      const parent = stats[j - 1];
      for (const idx of tuples(T)) {
        const prev = previous(T, idx);
        const byParent = new Map<number, Map<string, Set<number>>>();
        for (let inst = 0; inst < s.n; inst++) {
          const now = tileBox(s.k, idx, inst);
          s.maxTile = Math.max(s.maxTile, boxPoints(now).size);
          if (!parent) continue;
          const d = delta(now, prev === null ? null : tileBox(s.k, prev, inst));
          s.received += d.size;
          for (const p of d) s.receivedPoints[inst]!.add(p);
          const pInst = Math.floor(inst / (s.n / parent.n));
          const groups = byParent.get(pInst) ?? new Map<string, Set<number>>();
          groups.set([...d].sort((a, b) => a - b).join(','), d);
          byParent.set(pInst, groups);
        }
        for (const [pInst, groups] of byParent) {
          for (const d of groups.values()) {
            parent!.served += d.size;
            for (const p of d) parent!.servedPoints[pInst]!.add(p);
          }
        }
      }
    });

    // The compute: at every cycle, each instance of the innermost keeper serves the distinct points
    // its compute units use.
    const inner = stats[stats.length - 1];
    if (inner) {
      const sAbove = above(inner.k, spatial);
      const sBelow = spatial.filter((l) => l.level >= inner.k);
      const below = tuples(sBelow);
      for (const tIdx of tuples(temporal)) {
        for (let inst = 0; inst < inner.n; inst++) {
          const base = new Array<number>(nest.dimSizes.length).fill(0);
          coordOf(temporal, tIdx, base);
          coordOf(sAbove, digits(sAbove, inst), base);
          const used = new Set<number>();
          for (const sIdx of below) {
            const c = base.slice();
            coordOf(sBelow, sIdx, c);
            used.add(keyOf(project(c)));
          }
          inner.served += used.size;
          for (const p of used) inner.servedPoints[inst]!.add(p);
        }
      }
    }

    const union = (sets: readonly Set<number>[]): number => sets.reduce((n, x) => n + x.size, 0);
    stats.forEach((s, j) => {
      let reads = s.served;
      let updates = 0;
      let fills = j === 0 ? 0 : s.received;
      if (tensor.isOutput) {
        updates = s.served;
        reads = s.served - union(s.servedPoints);
        if (j > 0) fills = s.received - union(s.receivedPoints);
      }
      const touched = j === 0 ? s.servedPoints : s.receivedPoints;
      levels[s.k]!.push({
        tensor: tensor.name,
        reads: perInstance(reads, s.n),
        fills: perInstance(fills, s.n),
        updates: perInstance(updates, s.n),
        utilizedCapacity: s.maxTile,
        partitionSize: Math.max(...touched.map((x) => x.size)),
        utilizedInstances: s.n,
      });
    });
  });

  const out: LevelStats[] = nest.levels.map((lv, level) => ({ name: lv.spec.name, kind: lv.spec.kind, instances: lv.instances, utilizedInstances: instancesAt(level), tensors: levels[level]! }));
  return { problem: nest.problem.name, fidelity: 'physical', computes, cycles, utilizedInstances: product(spatial), computeInstances: nest.computeInstances, levels: out };
}

function perInstance(total: number, instances: number): number {
  if (total % instances !== 0) throw new Error(`simulateNest: ${total} accesses do not split evenly over ${instances} instances`);
  return total / instances;
}
