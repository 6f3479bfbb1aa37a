/**
 * @file A brute-force simulator of a loop nest, for small problems: it runs every iteration with
 * explicit loops and keeps an explicit tile buffer (a set of tensor points) in every instance of every
 * level that keeps a tensor. It shares no formula with analysis.ts and is the reference the closed-form
 * counts are tested against (physical fidelity).
 *
 * What it does, step by step (one step = one iteration of all temporal loops):
 * - When the temporal loops above a keeper advance, each of its instances works out the tile its
 *   subtree needs next by enumerating the loops below; if the tile differs from the one it holds, it
 *   writes the old one back (outputs) and loads the new one. A load fills each point from the next
 *   keeper above, which reads it once for all of its children that load it at the same moment
 *   (multicast); write-backs of the same point by several children count once (spatial reduction).
 *   The outermost keeper has nothing above it: its loads are free.
 * - Every compute reads its operands from the innermost keeper, once per point and instance per step
 *   (multicast to the compute units), and updates its output point there, once per point and instance
 *   per step (spatial reduction).
 * - The first access to an output point needs no old value: the first fill of a point into an instance
 *   and the first read of a point by the compute are skipped.
 * - At the end, every instance writes its output tile back.
 */
import type { LevelStats, NestStats, TensorStats } from './analysis.ts';
import type { Nest } from './nest.ts';

interface SimLoop {
  readonly dim: number;
  readonly bound: number;
  readonly level: number;
  readonly spatial: boolean;
  /** Weight of this loop's index in its dimension's coordinate. */
  stride: number;
}

interface Keeper {
  readonly level: number;
  /** Per instance: the tile held, and every point ever loaded. */
  readonly held: (Set<number> | null)[];
  readonly loaded: Set<number>[];
  reads: number;
  fills: number;
  updates: number;
  maxTile: number;
}

/** Simulate; refuses nests above `maxComputes` iterations. */
export function simulateNest(nest: Nest, maxComputes = 1_000_000): NestStats {
  const L = nest.levels.length;
  const loops: SimLoop[] = [];
  nest.levels.forEach((lv, level) => {
    lv.temporalDims.forEach((dim, k) => loops.push({ dim, bound: lv.temporalBounds[k]!, level, spatial: false, stride: 1 }));
    lv.spatialDims.forEach((dim, k) => loops.push({ dim, bound: lv.spatialBounds[k]!, level, spatial: true, stride: 1 }));
  });
  // Coordinates: outer loops are the more significant digits of their dimension.
  for (let i = loops.length - 1; i >= 0; i--) {
    let stride = 1;
    for (let j = i + 1; j < loops.length; j++) if (loops[j]!.dim === loops[i]!.dim) stride *= loops[j]!.bound;
    loops[i]!.stride = stride;
  }
  const temporal = loops.filter((l) => !l.spatial);
  const spatial = loops.filter((l) => l.spatial);
  const product = (ls: readonly SimLoop[]): number => ls.reduce((p, l) => p * l.bound, 1);
  const computes = nest.dimSizes.reduce((p, s) => p * s, 1);
  if (computes > maxComputes) throw new Error(`simulateNest: ${computes} iterations is too many to simulate`);
  // Loops owned by levels above k: the first tPrefix[k] temporal and sPrefix[k] spatial loops.
  const tPrefix: number[] = [];
  const sPrefix: number[] = [];
  for (let k = 0; k <= L; k++) {
    tPrefix.push(temporal.filter((l) => l.level < k).length);
    sPrefix.push(spatial.filter((l) => l.level < k).length);
  }
  const instancesAt = (k: number): number => product(spatial.slice(0, sPrefix[k]));

  // Tensor points as mixed-radix numbers over their dimensions.
  const tensors = nest.tensors.map((t) => {
    const dims: number[] = [];
    for (let d = 0; d < nest.dimSizes.length; d++) if (t.mask & (1 << d)) dims.push(d);
    const size = dims.reduce((p, d) => p * nest.dimSizes[d]!, 1);
    return { ...t, dims, size };
  });
  const pointOf = (t: number, coord: readonly number[]): number => {
    let key = 0;
    for (const d of tensors[t]!.dims) key = key * nest.dimSizes[d]! + coord[d]!;
    return key;
  };

  const keepers = tensors.map((_, t) =>
    nest.levels
      .map((lv, level) => ({ lv, level }))
      .filter(({ lv }) => lv.keepMask & (1 << t))
      .map(({ level }): Keeper => {
        const n = instancesAt(level);
        return { level, held: new Array<Set<number> | null>(n).fill(null), loaded: Array.from({ length: n }, () => new Set<number>()), reads: 0, fills: 0, updates: 0, maxTile: 0 };
      }),
  );

  const tIdx = new Array<number>(temporal.length).fill(0);
  const coord = new Array<number>(nest.dimSizes.length).fill(0);

  /** Digits of instance `inst` of level k (its spatial loops above), outermost first. */
  const instDigits = (k: number, inst: number): number[] => {
    const digits = new Array<number>(sPrefix[k]!).fill(0);
    for (let i = sPrefix[k]! - 1; i >= 0; i--) {
      digits[i] = inst % spatial[i]!.bound;
      inst = Math.floor(inst / spatial[i]!.bound);
    }
    return digits;
  };

  /** The points of tensor t that instance `inst` of level k needs while the temporal loops above stay put. */
  const tileOf = (t: number, k: number, inst: number): Set<number> => {
    const fixed = new Array<number>(nest.dimSizes.length).fill(0);
    temporal.slice(0, tPrefix[k]).forEach((l, i) => (fixed[l.dim]! += tIdx[i]! * l.stride));
    const digits = instDigits(k, inst);
    spatial.slice(0, sPrefix[k]).forEach((l, i) => (fixed[l.dim]! += digits[i]! * l.stride));
    const below = loops.filter((l) => l.level >= k);
    const idx = new Array<number>(below.length).fill(0);
    const tile = new Set<number>();
    for (;;) {
      const c = fixed.slice();
      below.forEach((l, i) => (c[l.dim]! += idx[i]! * l.stride));
      tile.add(pointOf(t, c));
      let i = below.length - 1;
      while (i >= 0 && ++idx[i]! === below[i]!.bound) idx[i--] = 0;
      if (i < 0) return tile;
    }
  };

  const writeBack = (t: number, j: number, inst: number, tile: Set<number>, into: Set<number>): void => {
    const parent = keepers[t]![j - 1];
    if (!parent || !tensors[t]!.isOutput) return;
    const pInst = Math.floor(inst / (instancesAt(keepers[t]![j]!.level) / instancesAt(parent.level)));
    for (const p of tile) into.add(pInst * tensors[t]!.size + p);
  };

  const tileEvent = (t: number, j: number): void => {
    const keeper = keepers[t]![j]!;
    const parent = keepers[t]![j - 1];
    const fan = parent ? instancesAt(keeper.level) / instancesAt(parent.level) : 1;
    const size = tensors[t]!.size;
    const parentReads = new Set<number>();
    const parentUpdates = new Set<number>();
    for (let inst = 0; inst < keeper.held.length; inst++) {
      const next = tileOf(t, keeper.level, inst);
      const old = keeper.held[inst];
      if (old && old.size === next.size && [...next].every((p) => old.has(p))) continue;
      if (old) writeBack(t, j, inst, old, parentUpdates);
      const pInst = Math.floor(inst / fan);
      for (const p of next) {
        const first = !keeper.loaded[inst]!.has(p);
        keeper.loaded[inst]!.add(p);
        if (!parent || (tensors[t]!.isOutput && first)) continue;
        keeper.fills++;
        parentReads.add(pInst * size + p);
      }
      keeper.held[inst] = next;
      keeper.maxTile = Math.max(keeper.maxTile, next.size);
    }
    if (parent) {
      parent.reads += parentReads.size;
      parent.updates += parentUpdates.size;
    }
  };

  const cycles = product(temporal);
  const pes = product(spatial);
  const computeTouched = tensors.map(() => new Set<number>());
  let changed = 0;
  for (let step = 0; step < cycles; step++) {
    tensors.forEach((_, t) => keepers[t]!.forEach((k, j) => (step === 0 || changed < tPrefix[k.level]! ? tileEvent(t, j) : undefined)));

    const stepSets = tensors.map(() => new Set<number>());
    const sIdx = new Array<number>(spatial.length).fill(0);
    for (let pe = 0; pe < pes; pe++) {
      coord.fill(0);
      temporal.forEach((l, i) => (coord[l.dim]! += tIdx[i]! * l.stride));
      spatial.forEach((l, i) => (coord[l.dim]! += sIdx[i]! * l.stride));
      tensors.forEach((tensor, t) => {
        const inner = keepers[t]![keepers[t]!.length - 1];
        if (!inner) return;
        const inst = Math.floor(pe / (pes / inner.held.length));
        const p = pointOf(t, coord);
        if (!inner.held[inst]?.has(p)) throw new Error(`simulateNest: ${tensor.name} point ${p} is not in the tile of instance ${inst}`);
        stepSets[t]!.add(inst * tensor.size + p);
      });
      let i = spatial.length - 1;
      while (i >= 0 && ++sIdx[i]! === spatial[i]!.bound) sIdx[i--] = 0;
    }
    tensors.forEach((tensor, t) => {
      const inner = keepers[t]![keepers[t]!.length - 1];
      if (!inner) return;
      if (!tensor.isOutput) {
        inner.reads += stepSets[t]!.size;
        return;
      }
      inner.updates += stepSets[t]!.size;
      for (const key of stepSets[t]!) {
        if (computeTouched[t]!.has(key)) inner.reads++;
        else computeTouched[t]!.add(key);
      }
    });

    // Next step: the position of the outermost temporal loop that moves.
    let i = temporal.length - 1;
    while (i >= 0 && ++tIdx[i]! === temporal[i]!.bound) tIdx[i--] = 0;
    changed = i;
  }
  // Final write-back of every output tile.
  tensors.forEach((tensor, t) => {
    if (!tensor.isOutput) return;
    keepers[t]!.forEach((k, j) => {
      const into = new Set<number>();
      k.held.forEach((tile, inst) => tile && writeBack(t, j, inst, tile, into));
      const parent = keepers[t]![j - 1];
      if (parent) parent.updates += into.size;
    });
  });

  const levels: LevelStats[] = nest.levels.map((lv, level) => {
    const stats: TensorStats[] = [];
    tensors.forEach((tensor, t) => {
      const k = keepers[t]!.find((x) => x.level === level);
      if (!k) return;
      const n = k.held.length;
      stats.push({
        tensor: tensor.name,
        reads: perInstance(k.reads, n),
        fills: perInstance(k.fills, n),
        updates: perInstance(k.updates, n),
        utilizedCapacity: k.maxTile,
        partitionSize: Math.max(...k.loaded.map((s) => s.size)),
        utilizedInstances: n,
      });
    });
    return { name: lv.spec.name, kind: lv.spec.kind, instances: lv.instances, utilizedInstances: instancesAt(level), tensors: stats };
  });
  return { problem: nest.problem.name, fidelity: 'physical', computes, cycles, utilizedInstances: pes, computeInstances: nest.computeInstances, levels };
}

function perInstance(total: number, instances: number): number {
  if (total % instances !== 0) throw new Error(`simulateNest: ${total} accesses do not split evenly over ${instances} instances`);
  return total / instances;
}
