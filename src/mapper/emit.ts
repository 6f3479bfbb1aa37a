/**
 * @file A found mapping in the forms others read: the model's `Mapping` (to evaluate it with
 * src/model, the numbers the mapper reports), and Timeloop's mapping list exactly as timeloop-mapper
 * writes `timeloop-mapper.map.yaml`: `datatype` keep/bypass directives for every level (innermost
 * first), then per level (innermost first) its `spatial` entry when it has a fan-out and its `temporal`
 * entry, factors of every dimension as `C1 M8` and permutations innermost first.
 */
import type { LevelMapping, Loop, Mapping } from '../model/types.ts';
import type { MapSpace } from './mapspace.ts';
import type { Choice, PreparedSearch } from './search.ts';
import { placeSpatial, type SpatialPlacement } from './spatial.ts';

export interface TimeloopMappingEntry {
  readonly target: string;
  readonly type: 'datatype' | 'spatial' | 'temporal';
  readonly keep?: readonly string[];
  readonly bypass?: readonly string[];
  readonly factors?: string;
  readonly permutation?: string;
  readonly split?: number;
}

const placements = new WeakMap<PreparedSearch, Map<number, SpatialPlacement>>();

/** Where the factors of spatial choice `index` sit (cached: local search asks for the same ones often). */
function placementOf(prep: PreparedSearch, index: number): SpatialPlacement {
  let byIndex = placements.get(prep);
  if (!byIndex) {
    byIndex = new Map();
    placements.set(prep, byIndex);
  }
  let p = byIndex.get(index);
  if (!p) {
    p = placeSpatial(prep.space, prep.spatial[index]!);
    if (byIndex.size < 65_536) byIndex.set(index, p);
  }
  return p;
}

/** The model's mapping of a choice. */
export function choiceMapping(prep: PreparedSearch, choice: Choice): Mapping {
  const space = prep.space;
  const placement = placementOf(prep, choice.spatial);
  const D = space.dims.length;
  const levels: LevelMapping[] = space.levels.map((lv, l) => {
    const order = choice.orders[l] ?? [];
    const temporal: Loop[] = [...order].reverse().map((d) => ({ dim: space.dims[d]!, bound: choice.temporal[l * D + d]! }));
    // Outermost first, as the Timeloop reader builds them from a permutation (innermost first).
    const spatialX: Loop[] = [];
    const spatialY: Loop[] = [];
    for (const d of spatialOrder(space, l, placement)) {
      const bound = placement.factors[l * D + d]!;
      if (bound > 1) (placement.axes[l * D + d] === 0 ? spatialX : spatialY).unshift({ dim: space.dims[d]!, bound });
    }
    const keep = space.tensors.filter((_, t) => (choice.keep[l]! & (1 << t)) !== 0).map((t) => t.name);
    return { level: lv.name, temporal, spatialX, spatialY, keep };
  });
  return space.computeCost !== undefined ? { levels, computeCost: space.computeCost } : { levels };
}

/**
 * Spatial loops of level l in the order Timeloop lists them (innermost first): a constrained
 * permutation's order, else X before Y in dimension order.
 */
function spatialOrder(space: MapSpace, l: number, placement: SpatialPlacement): number[] {
  const D = space.dims.length;
  const pinned = space.levels[l]!.spatialPermutation;
  const all = space.dims.map((_, d) => d);
  if (pinned) return [...pinned, ...all.filter((d) => !pinned.includes(d))];
  const x = all.filter((d) => placement.factors[l * D + d]! > 1 && placement.axes[l * D + d] === 0);
  const y = all.filter((d) => placement.factors[l * D + d]! > 1 && placement.axes[l * D + d] === 1);
  return [...x, ...y, ...all.filter((d) => placement.factors[l * D + d] === 1)];
}

/** The mapping list as Timeloop's mapper writes it. */
export function timeloopMapping(prep: PreparedSearch, choice: Choice): TimeloopMappingEntry[] {
  const space = prep.space;
  const placement = placementOf(prep, choice.spatial);
  const D = space.dims.length;
  const innermostFirst = space.levels.map((_, l) => l).reverse();
  const out: TimeloopMappingEntry[] = [];
  for (const l of innermostFirst) {
    const lv = space.levels[l]!;
    const keep = space.tensors.filter((_, t) => (choice.keep[l]! & (1 << t)) !== 0).map((t) => t.name);
    const bypass = space.tensors.filter((_, t) => (choice.keep[l]! & (1 << t)) === 0).map((t) => t.name);
    out.push({ target: lv.name, type: 'datatype', keep, bypass });
  }
  for (const l of innermostFirst) {
    const lv = space.levels[l]!;
    if (lv.fanoutX * lv.fanoutY > 1) {
      const order = spatialOrder(space, l, placement);
      const factors = space.dims.map((_, d) => placement.factors[l * D + d]!);
      // Positions before `split` are X: the X loops come first in `order` unless a constraint fixed the order.
      let split = 0;
      if (lv.spatialSplit !== undefined) {
        split = lv.spatialSplit;
      } else if (lv.spatialPermutation) {
        split = order.findIndex((d) => factors[d]! > 1 && placement.axes[l * D + d] === 1);
        if (split < 0) split = order.length;
      } else {
        split = order.filter((d) => factors[d]! > 1 && placement.axes[l * D + d] === 0).length;
      }
      out.push({ target: lv.name, type: 'spatial', factors: factorText(space, factors), permutation: permutationText(space, order), split });
    }
    const chosen = choice.orders[l] ?? [];
    const pinned = lv.pinned;
    const order = [...pinned, ...chosen.filter((d) => !pinned.includes(d)), ...space.dims.map((_, d) => d).filter((d) => !pinned.includes(d) && !chosen.includes(d))];
    const factors = space.dims.map((_, d) => choice.temporal[l * D + d]!);
    out.push({ target: lv.name, type: 'temporal', factors: factorText(space, factors), permutation: permutationText(space, order) });
  }
  return out;
}

/** `C1 M8 R3` (Timeloop's mapper output); `NAME=8` for names that are not all letters. */
function factorText(space: MapSpace, factors: readonly number[]): string {
  return space.dims.map((name, d) => (/^[A-Za-z]+$/.test(name) ? `${name}${factors[d]}` : `${name}=${factors[d]}`)).join(' ');
}

/** `CMRSNPQ` when every dimension is one letter, else names separated by spaces. */
function permutationText(space: MapSpace, order: readonly number[]): string {
  const names = order.map((d) => space.dims[d]!);
  return space.dims.every((n) => n.length === 1) ? names.join('') : names.join(' ');
}

/** A model mapping in our own mapping-spec format (src/readers/mapping.ts), ready to be written as YAML. */
export function mappingSpec(mapping: Mapping): { levels: Record<string, unknown>[]; computeCost?: Record<string, number> } {
  const loops = (ls: readonly Loop[]): Record<string, number> => Object.fromEntries(ls.filter((l) => l.bound > 1).map((l) => [l.dim, l.bound]));
  const levels = mapping.levels.map((lm) => {
    const out: Record<string, unknown> = { level: lm.level };
    if (lm.temporal.some((l) => l.bound > 1)) out['temporal'] = loops(lm.temporal);
    const x = loops(lm.spatialX);
    const y = loops(lm.spatialY);
    if (Object.keys(x).length + Object.keys(y).length > 0) out['spatial'] = { ...(Object.keys(x).length ? { x } : {}), ...(Object.keys(y).length ? { y } : {}) };
    if (lm.keep !== undefined) out['keep'] = [...lm.keep];
    return out;
  });
  return mapping.computeCost !== undefined ? { computeCost: { ...mapping.computeCost }, levels } : { levels };
}
