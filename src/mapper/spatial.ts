/**
 * @file Spatial choices. Counts depend on a spatial group's total factor per dimension only (which fan-out
 * level of the group a factor sits at, and whether on X or Y, changes no count), so the search
 * enumerates per-group totals and asks here whether some placement fits: every level's X and Y
 * products within its fan-outs, fixed factors and axes respected, minimum utilizations met. The first
 * fitting placement in a fixed order (outer levels first, X before Y) is the one a mapping reports.
 */
import { divisors } from './factors.ts';
import type { MapSpace } from './mapspace.ts';

/** One spatial choice for the whole mapping: per level and dimension, the factor counted there. */
export interface SpatialChoice {
  /** L × D, row-major: the group totals sit at each group's head level; 1 elsewhere. */
  readonly factors: Int32Array;
  /** Product of all spatial factors (utilized compute instances). */
  readonly product: number;
}

/** Where a group's factors go: per level of the architecture and dimension, the factor and its axis. */
export interface SpatialPlacement {
  /** L × D factors (1 where none). */
  readonly factors: Int32Array;
  /** L × D axes: 0 X, 1 Y. */
  readonly axes: Int8Array;
}

/**
 * Every spatial choice whose groups can be placed, each dimension's factors (with the fixed temporal
 * ones) dividing its size. `limit` stops the enumeration early (the search then covers fewer choices).
 */
export function enumerateSpatial(space: MapSpace, limit = Infinity): { choices: SpatialChoice[]; complete: boolean } {
  const D = space.dims.length;
  const L = space.levels.length;
  // What the temporal fixed factors and the spatial ones outside any group already take of each dimension.
  const room = space.sizes.map((s, d) => {
    let fixed = 1;
    for (const l of space.levels) fixed *= Math.max(1, l.temporalFixed[d]!);
    return s / fixed;
  });
  const choices: SpatialChoice[] = [];
  const totals = space.groups.map(() => new Int32Array(D).fill(1));
  const feasible = new Map<string, boolean>();
  let complete = true;

  // In a group without per-dimension constraints, dimensions are interchangeable: whether totals fit
  // depends on their multiset only.
  const interchangeable = space.groups.map((grp) =>
    grp.levels.every((li) => {
      const lv = space.levels[li]!;
      return lv.spatialFixed.every((f) => f === 0) && lv.spatialAxis.every((a) => a === lv.spatialAxis[0]);
    }),
  );
  const groupFits = (g: number): boolean => {
    const key = `${g}:${interchangeable[g] ? Array.from(totals[g]!).sort((a, b) => a - b).join(',') : totals[g]!.join(',')}`;
    let ok = feasible.get(key);
    if (ok === undefined) {
      ok = placeGroup(space, g, totals[g]!) !== undefined;
      feasible.set(key, ok);
    }
    return ok;
  };

  const visit = (g: number, d: number, left: number[], product: number): void => {
    if (choices.length >= limit) {
      complete = false;
      return;
    }
    if (g === space.groups.length) {
      const factors = new Int32Array(L * D).fill(1);
      space.groups.forEach((grp, gi) => {
        for (let x = 0; x < D; x++) factors[grp.head * D + x] = totals[gi]![x]!;
      });
      let all = 1;
      for (const t of totals) for (const f of t) all *= f;
      choices.push({ factors, product: all });
      return;
    }
    const group = space.groups[g]!;
    if (d === D) {
      if (groupFits(g)) visit(g + 1, 0, left, 1);
      return;
    }
    // Fixed pieces of d in this group, and whether a free slot can take more.
    let fixed = 1;
    let hasFree = false;
    for (const li of group.levels) {
      const f = space.levels[li]!.spatialFixed[d]!;
      if (f > 0) fixed *= f;
      else hasFree = true;
    }
    const budget = left[d]!;
    const options = hasFree ? divisors(budget) : [1];
    for (const h of options) {
      const f = fixed * h;
      if (product * f > group.capacity) break;
      totals[g]![d] = f;
      const next = left.slice();
      next[d] = budget / h;
      visit(g, d + 1, next, product * f);
    }
    totals[g]![d] = 1;
  };

  // The spatial fixed factors are taken out of the room up front; free parts divide what is left.
  const left = room.map((r, d) => {
    let fixed = 1;
    for (const l of space.levels) fixed *= Math.max(1, l.spatialFixed[d]!);
    return r / fixed;
  });
  if (left.every((x) => Number.isInteger(x))) visit(0, 0, left, 1);
  return { choices, complete };
}

/**
 * A placement of group g's totals on its levels and axes, or undefined when none fits. Levels outside
 * the group are left at 1.
 */
function placeGroup(space: MapSpace, g: number, totals: ArrayLike<number>): SpatialPlacement | undefined {
  const D = space.dims.length;
  const L = space.levels.length;
  const group = space.groups[g]!;
  const levels = group.levels.map((i) => space.levels[i]!);
  const n = levels.length;
  const xUsed = new Array<number>(n).fill(1);
  const yUsed = new Array<number>(n).fill(1);
  const piece = levels.map(() => new Int32Array(D).fill(1));
  const axis = levels.map(() => new Int8Array(D));

  const dfs = (d: number): boolean => {
    if (d === D) {
      return levels.every((l, i) => (xUsed[i]! * yUsed[i]!) >= l.minSpatialUtilization * l.fanoutX * l.fanoutY);
    }
    let fixed = 1;
    const free: number[] = [];
    levels.forEach((l, i) => {
      const f = l.spatialFixed[d]!;
      if (f > 0) fixed *= f;
      else free.push(i);
    });
    const total = totals[d]!;
    if (total % fixed !== 0) return false;
    const h = total / fixed;
    if (h > 1 && free.length === 0) return false;
    // Split h over the free levels (the last takes the rest), fixed pieces where fixed.
    const split = (k: number, rest: number): boolean => {
      if (k === free.length - 1 || free.length === 0) {
        if (free.length > 0) piece[free[k]!]![d] = rest;
        return placeAxes(0);
      }
      for (const p of divisors(rest)) {
        piece[free[k]!]![d] = p;
        if (split(k + 1, rest / p)) return true;
      }
      piece[free[k]!]![d] = 1;
      return false;
    };
    const placeAxes = (i: number): boolean => {
      if (i === n) return dfs(d + 1);
      const l = levels[i]!;
      const f = l.spatialFixed[d]! > 0 ? l.spatialFixed[d]! : piece[i]![d]!;
      piece[i]![d] = f;
      if (f === 1) return placeAxes(i + 1);
      const fixedAxis = l.spatialAxis[d]!;
      for (const a of fixedAxis >= 0 ? [fixedAxis] : [0, 1]) {
        const used = a === 0 ? xUsed : yUsed;
        const limit = a === 0 ? l.fanoutX : l.fanoutY;
        if (used[i]! * f > limit) continue;
        used[i] = used[i]! * f;
        axis[i]![d] = a;
        if (placeAxes(i + 1)) return true;
        used[i] = used[i]! / f;
      }
      return false;
    };
    if (split(0, h)) return true;
    levels.forEach((_, i) => (piece[i]![d] = 1));
    return false;
  };
  if (!dfs(0)) return undefined;
  const factors = new Int32Array(L * D).fill(1);
  const axes = new Int8Array(L * D);
  group.levels.forEach((li, i) => {
    for (let d = 0; d < D; d++) {
      factors[li * D + d] = piece[i]![d]!;
      axes[li * D + d] = axis[i]![d]!;
    }
  });
  return { factors, axes };
}

/** The placement of every group of a choice (defined for every enumerated choice). */
export function placeSpatial(space: MapSpace, choice: SpatialChoice): SpatialPlacement {
  const D = space.dims.length;
  const L = space.levels.length;
  const factors = new Int32Array(L * D).fill(1);
  const axes = new Int8Array(L * D);
  space.groups.forEach((grp, g) => {
    const totals = Array.from({ length: D }, (_, d) => choice.factors[grp.head * D + d]!);
    const p = placeGroup(space, g, totals);
    if (!p) throw new Error(`spatial group ${g} has no placement for ${totals.join(',')}`);
    for (const li of grp.levels) {
      for (let d = 0; d < D; d++) {
        factors[li * D + d] = p.factors[li * D + d]!;
        axes[li * D + d] = p.axes[li * D + d]!;
      }
    }
  });
  return { factors, axes };
}
