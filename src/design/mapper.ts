/**
 * @file The mapping of one Einsum of a fused group on one array: a small search, exact on the model
 * (every candidate is counted by src/model and charged by the design evaluator's formulas). The group
 * fixes what fusion needs: the DRAM loops (the group's traversal), the on-chip tile of each DRAM rank,
 * the array's spatial layout (which rank each fan-out carries), and per operand whether DRAM keeps it
 * and whether the outer buffer must. The mapper chooses the rest:
 *
 * - spatial factors: the layout's rank on each fan-out, as large a divisor as fits;
 * - the outer buffer's temporal loops: the tile loops first (the group streams tile by tile), then the
 *   Einsum's own ranks in the order that moves least (every order tried);
 * - keep sets: per operand, which on-chip levels hold it (outer buffer when allowed, middle buffers,
 *   one of the innermost buffers), one operand at a time: an operand's counts do not depend on the
 *   other operands' keeps, so choosing each alone is optimal unless a buffer overflows.
 *
 * An operand that some spatial loop does not index (multicast input, spatially reduced output) is kept
 * above that fan-out. `mapEinsum` is the `EinsumMapper` the design search calls; another mapper (an
 * exhaustive one) can take its place behind the same interface.
 */
import { einsumResult, type EinsumContext, type EinsumResult } from '../experiments/evaluate-design.ts';
import type { EinsumInstance } from '../experiments/instantiate.ts';
import { nestFidelity } from '../experiments/artifact-quirks.ts';
import { analyzeNest, countNumber } from '../model/analysis.ts';
import { capacityIssues } from '../model/capacity.ts';
import { bindNest, type Nest } from '../model/nest.ts';
import type { Architecture, LevelMapping, Loop, Mapping, Problem } from '../model/types.ts';
import type { ArrayInstance } from '../experiments/instantiate.ts';
import { largestDivisorAtMost } from '../experiments/expr.ts';

export type Objective = 'latency' | 'energy' | 'edp';

/** What the group decides about one operand. */
export interface KeepRule {
  /** DRAM holds it (an input read here, or a result written there). */
  readonly dram: boolean;
  /** The outer buffer must hold it (state across steps, a pass boundary, a shared input). */
  readonly outer: boolean;
  /** A level that must hold it when its producer or reader runs on another array (the cost is reported). */
  readonly cross?: string;
}

export interface MappingRequest {
  readonly problem: Problem;
  readonly array: ArrayInstance;
  /** The group's DRAM loops this Einsum runs in, outermost first. */
  readonly dramLoops: readonly Loop[];
  /** The on-chip extent of each of those ranks (the tile), in the same order. */
  readonly tiles: readonly Loop[];
  /** Per spatial level of the array (in order): the rank it carries, if the Einsum has it. */
  readonly layout: readonly (string | undefined)[];
  readonly keep: ReadonlyMap<string, KeepRule>;
  /** Units per point (energy) and cycles per point of the Einsum on this array. */
  readonly ops: EinsumInstance['ops'];
  readonly cyclesPerStep: number;
  readonly context: EinsumContext;
  readonly objective: Objective;
}

export interface CrossCost {
  readonly energy: number;
  readonly traffic: number;
  /** Words the outer buffer then holds for it (0 when the crossing goes through DRAM). */
  readonly outerWords: number;
}

/** A mapping and what it costs. */
export interface MappedEinsum {
  readonly mapping: Mapping;
  readonly result: EinsumResult;
  /** Words per operand kept at the outer buffer. */
  readonly outerWords: ReadonlyMap<string, number>;
}

export interface MappingResult extends MappedEinsum {
  /**
   * For operands with a `cross` level: the extra cost when that level holds them (each alone; several
   * crossings of one Einsum cost about the sum, `withCrossings` gives the exact mapping).
   */
  readonly cross: ReadonlyMap<string, { readonly delta: CrossCost }>;
  /** The best mapping with these operands held at their `cross` level (undefined if none fits). */
  readonly withCrossings: (operands: readonly string[]) => MappedEinsum | undefined;
  /** Model evaluations made so far. */
  readonly evaluated: () => number;
}

export type EinsumMapper = (request: MappingRequest) => MappingResult | undefined;

/** The roles of an array's levels for the template. */
interface Levels {
  readonly dram: string;
  /** The outermost on-chip buffer: the tile loops and the Einsum's own loops. */
  readonly outer: string;
  /** Buffers between the outer buffer and the last fan-out. */
  readonly middle: readonly string[];
  /** Buffers below the last fan-out (the PEs' registers). */
  readonly inner: readonly string[];
  /** Fan-out levels, in order, with their width. */
  readonly spatial: readonly { readonly name: string; readonly fanout: number }[];
}

export function arrayLevels(arch: Architecture): Levels | undefined {
  const dram = arch.levels.find((l) => l.kind === 'dram');
  const outer = arch.levels.find((l) => l.kind === 'buffer');
  if (!dram || !outer) return undefined;
  const lastSpatial = arch.levels.map((l) => l.kind).lastIndexOf('spatial');
  const outerIndex = arch.levels.indexOf(outer);
  const middle: string[] = [];
  const inner: string[] = [];
  const spatial: { name: string; fanout: number }[] = [];
  arch.levels.forEach((l, i) => {
    if (l.kind === 'spatial') spatial.push({ name: l.name, fanout: l.fanoutX > 1 ? l.fanoutX : l.fanoutY });
    else if (l.kind === 'buffer' && i > outerIndex) (i < lastSpatial ? middle : inner).push(l.name);
  });
  return { dram: dram.name, outer: outer.name, middle, inner: inner.length > 0 ? inner : [outer.name], spatial };
}

/** Spatial factors along the layout: per fan-out, the rank it carries and its factor. */
export function spatialFactors(levels: Levels, layout: readonly (string | undefined)[], onChip: ReadonlyMap<string, number>): { level: string; dim: string; factor: number }[] {
  const left = new Map(onChip);
  const out: { level: string; dim: string; factor: number }[] = [];
  levels.spatial.forEach((s, i) => {
    const dim = layout[i];
    if (dim === undefined) return;
    const extent = left.get(dim);
    if (extent === undefined || extent <= 1) return;
    const factor = largestDivisorAtMost(extent, s.fanout);
    if (factor <= 1) return;
    out.push({ level: s.name, dim, factor });
    left.set(dim, extent / factor);
  });
  return out;
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/** Where one operand is kept on chip: the outer buffer, middle buffers, one inner buffer. */
interface Placement {
  readonly outer: boolean;
  readonly middle: readonly string[];
  readonly inner: string;
  /** The three as a string (a candidate's key is its operands' placements). */
  readonly key: string;
}

function placement(outer: boolean, middle: readonly string[], inner: string): Placement {
  return { outer, middle, inner, key: `${outer ? 1 : 0}${middle.join('+')}/${inner}` };
}

function withPlacement(place: ReadonlyMap<string, Placement>, name: string, p: Placement): Map<string, Placement> {
  return new Map(place).set(name, p);
}

type Key = readonly [number, number];

/** A counted candidate: its cost and the words each operand holds at the outer buffer. */
interface Evaluation {
  readonly result: EinsumResult;
  readonly outerWords: Map<string, number>;
}

export const mapEinsum: EinsumMapper = (req) => {
  const levels = arrayLevels(req.array.arch);
  if (!levels) return undefined;
  const dims = Object.keys(req.problem.dimensions);
  const dramDims = new Set(req.dramLoops.map((l) => l.dim));
  const onChip = new Map<string, number>();
  for (const t of req.tiles) onChip.set(t.dim, t.bound);
  for (const d of dims) if (!dramDims.has(d)) onChip.set(d, req.problem.dimensions[d]!);
  const spatial = spatialFactors(levels, req.layout, onChip);
  const remaining = new Map(onChip);
  for (const s of spatial) remaining.set(s.dim, remaining.get(s.dim)! / s.factor);
  const tileLoops: Loop[] = req.tiles.map((t) => ({ dim: t.dim, bound: remaining.get(t.dim)! }));
  const own = dims.filter((d) => !dramDims.has(d) && remaining.get(d)! > 1);
  const orders = own.length <= 4 ? permutations(own) : [own, [...own].reverse()];

  // Operand relevance to the spatial loops: which fan-outs an operand is not indexed by.
  const relevant = new Map(req.problem.dataSpaces.map((d) => [d.name, new Set(d.projection.map((r) => r[0]!.dim))]));
  const spatialIndex = new Map(levels.spatial.map((s, i) => [s.name, i]));
  const levelOrder = req.array.arch.levels.map((l) => l.name);
  /** The outermost fan-out whose loop does not index the operand (it must be kept above it), or -1. */
  const firstIrrelevantFanout = (name: string): number => {
    let idx = -1;
    for (const s of spatial) if (!relevant.get(name)!.has(s.dim)) {
      const at = levelOrder.indexOf(s.level);
      if (idx < 0 || at < idx) idx = at;
    }
    return idx;
  };
  const names = req.problem.dataSpaces.map((d) => d.name);

  const dramKept = names.filter((n) => req.keep.get(n)!.dram);
  // What a candidate's mapping does not vary: the fan-outs' loops, and the outer buffer's loops per order.
  const spatialMappings = new Map<string, LevelMapping>();
  for (const l of req.array.arch.levels) {
    if (l.kind !== 'spatial') continue;
    const s = spatial.find((x) => x.level === l.name);
    const loops = s ? [{ dim: s.dim, bound: s.factor }] : [];
    const onX = l.fanoutX > 1 || l.fanoutY <= 1;
    spatialMappings.set(l.name, { level: l.name, temporal: [], spatialX: onX ? loops : [], spatialY: onX ? [] : loops });
  }
  const outerLoops = new Map<readonly string[], Loop[]>();
  const outerTemporalOf = (order: readonly string[]): Loop[] => {
    let loops = outerLoops.get(order);
    if (loops === undefined) outerLoops.set(order, (loops = [...tileLoops.filter((l) => l.bound > 1), ...order.map((d) => ({ dim: d, bound: remaining.get(d)! }))]));
    return loops;
  };
  const build = (order: readonly string[], place: ReadonlyMap<string, Placement>, dram: readonly string[] = dramKept): Mapping => {
    const lm: LevelMapping[] = [];
    lm.push({ level: levels.dram, temporal: req.dramLoops, spatialX: [], spatialY: [], keep: names.filter((n) => dram.includes(n)) });
    for (const l of req.array.arch.levels) {
      if (l.name === levels.dram) continue;
      if (l.kind === 'spatial') {
        lm.push(spatialMappings.get(l.name)!);
        continue;
      }
      const keep = names.filter((n) => {
        const p = place.get(n)!;
        return (l.name === levels.outer && p.outer) || p.middle.includes(l.name) || p.inner === l.name;
      });
      lm.push({ level: l.name, temporal: l.name === levels.outer ? outerTemporalOf(order) : [], spatialX: [], spatialY: [], keep });
    }
    return { levels: lm };
  };

  const instance = (mapping: Mapping): EinsumInstance => ({
    name: req.problem.name,
    array: req.array.name,
    problem: req.problem,
    arch: req.array.arch,
    mapping,
    charges: req.array.charges,
    cyclesPerStep: req.cyclesPerStep,
    ops: req.ops,
    spill: [],
    mappingPath: [],
  });

  let evaluated = 0;
  const fidelity = nestFidelity(req.context.quirks);
  const outerIndex = levelOrder.indexOf(levels.outer);
  const outerLevel = req.array.arch.levels[outerIndex]!;
  const usable = (req.array.usableDepth.get(levels.outer) ?? Infinity) * (outerLevel.kind === 'buffer' ? outerLevel.blockSize : 1);
  const count = (mapping: Mapping): Evaluation | undefined => {
    evaluated++;
    // The model's evaluation without its energy (the design's charges are applied by einsumResult).
    const bound = bindNest(req.array.arch, req.problem, mapping);
    if (!bound.ok) return undefined;
    if (revisitsWithoutParent(bound.nest)) return undefined;
    const stats = analyzeNest(bound.nest, { fidelity });
    if (capacityIssues(bound.nest, stats).length > 0) return undefined;
    const outerStats = stats.levels[outerIndex]!;
    const outerWords = new Map(outerStats.tensors.map((t) => [t.tensor, countNumber(t.utilizedCapacity)]));
    let used = 0;
    outerWords.forEach((w) => (used += w));
    if (used > usable) return undefined;
    return { result: einsumResult(req.context, instance(mapping), stats), outerWords };
  };
  // The searches below revisit candidates (each operand's current placement among its options, the
  // second round, the crossings' searches from the same seeds): each distinct one is counted once.
  const evaluations = new Map<string, Evaluation | null>();
  const listKeys = new Map<readonly string[], string>();
  const listKey = (xs: readonly string[]): string => {
    let k = listKeys.get(xs);
    if (k === undefined) listKeys.set(xs, (k = xs.join(',')));
    return k;
  };
  /** The candidate of these placements, one of them possibly replaced (`moved` at `to`). */
  const evaluate = (order: readonly string[], place: ReadonlyMap<string, Placement>, dram: readonly string[], moved?: string, to?: Placement): Evaluation | undefined => {
    let key = `${listKey(order)}|${listKey(dram)}`;
    for (const n of names) key += `|${(n === moved ? to! : place.get(n)!).key}`;
    let e = evaluations.get(key);
    if (e === undefined) evaluations.set(key, (e = count(build(order, moved === undefined ? place : withPlacement(place, moved, to!), dram)) ?? null));
    return e ?? undefined;
  };
  const key = (r: EinsumResult): Key => {
    const traffic = r.readBytes + r.writeBytes;
    return req.objective === 'energy' ? [r.energyTotal, traffic] : [traffic, r.energyTotal];
  };
  const less = (a: Key, b: Key): boolean => a[0] < b[0] * (1 - 1e-12) || (a[0] <= b[0] * (1 + 1e-12) && a[1] < b[1]);

  // Every placement an operand may have.
  const middleSubsets: string[][] = [[]];
  for (const m of levels.middle) for (const s of [...middleSubsets]) middleSubsets.push([...s, m]);
  const optionLists = new Map<string, Placement[]>();
  const options = (name: string, forced?: string): Placement[] => {
    const at = `${name}|${forced ?? ''}`;
    let list = optionLists.get(at);
    if (list === undefined) optionLists.set(at, (list = placements(name, forced)));
    return list;
  };
  const placements = (name: string, forced?: string): Placement[] => {
    const rule = req.keep.get(name)!;
    const inDram = rule.dram || forced === levels.dram;
    const out: Placement[] = [];
    const fan = firstIrrelevantFanout(name);
    for (const outer of rule.outer || forced === levels.outer ? [true] : [true, false]) {
      for (const middle of middleSubsets) {
        if (forced !== undefined && forced !== levels.outer && forced !== levels.dram && !middle.includes(forced)) continue;
        for (const inner of levels.inner) {
          // Kept above every fan-out that does not index it (DRAM counts).
          if (fan >= 0 && !inDram) {
            const holders = [...(outer ? [levels.outer] : []), ...middle].map((l) => levelOrder.indexOf(l));
            if (!holders.some((h) => h < fan)) continue;
          }
          out.push(placement(outer, middle, inner));
        }
      }
    }
    return out;
  };

  interface Candidate {
    readonly order: readonly string[];
    readonly place: Map<string, Placement>;
    readonly dram: readonly string[];
    readonly result: EinsumResult;
    readonly outerWords: Map<string, number>;
  }

  /** The best order and placements with some operands held at a given level (their crossings). */
  const search = (forced: ReadonlyMap<string, string>): Candidate | undefined => {
    const dram = [...dramKept, ...[...forced].filter(([n, l]) => l === levels.dram && !dramKept.includes(n)).map(([n]) => n)];
    const optionsOf = (n: string): Placement[] => options(n, forced.get(n));
    // Two starting points: the outer buffer holds only what must be there (and what a fan-out
    // multicasts or reduces, unless DRAM does), or everything it may; one inner buffer each.
    const starts = [false, true].map((all) => {
      const start = new Map<string, Placement>();
      names.forEach((n, i) => {
        const rule = req.keep.get(n)!;
        const f = forced.get(n);
        const outer = all || rule.outer || f === levels.outer || (!rule.dram && f !== levels.dram && firstIrrelevantFanout(n) >= 0);
        start.set(n, placement(outer, f !== undefined && levels.middle.includes(f) ? [f] : [], levels.inner[i % levels.inner.length]!));
      });
      return start;
    });
    // Orders ranked at their better start; the best two then get their placements searched.
    const seeds: Candidate[] = [];
    for (const order of orders) {
      let seed: Candidate | undefined;
      for (const start of starts) {
        const r = evaluate(order, start, dram);
        if (r && (!seed || less(key(r.result), key(seed.result)))) seed = { order, place: new Map(start), dram, ...r };
      }
      if (seed) seeds.push(seed);
    }
    if (seeds.length === 0) {
      // The starting keeps overflow a buffer (several inner buffers of one word, FLAT's): try every inner assignment.
      for (const assign of innerAssignments(names, levels.inner)) {
        const place = new Map(names.map((n, i) => {
          const p = starts[0]!.get(n)!;
          return [n, placement(p.outer, p.middle, assign[i]!)];
        }));
        const r = evaluate(orders[0]!, place, dram);
        if (r && (seeds.length === 0 || less(key(r.result), key(seeds[0]!.result)))) seeds.splice(0, 1, { order: orders[0]!, place, dram, ...r });
      }
      if (seeds.length === 0) return undefined;
    }
    seeds.sort((a, b) => (less(key(a.result), key(b.result)) ? -1 : less(key(b.result), key(a.result)) ? 1 : 0));
    let best: Candidate | undefined;
    // The second order only when its start is close to the first's (its placements may then win).
    const close = seeds.length > 1 && key(seeds[1]!.result)[0] <= key(seeds[0]!.result)[0] * 1.5;
    for (const seed of seeds.slice(0, close ? 2 : 1)) {
      let cur = seed;
      // Each operand's placement in turn (once more when a buffer overflowed: that may have blocked a choice).
      for (let round = 0, overflowed = true; round < 2 && overflowed; round++) {
        overflowed = false;
        for (const n of names) {
          for (const p of optionsOf(n)) {
            const r = evaluate(cur.order, cur.place, dram, n, p);
            if (!r) overflowed = true;
            else if (less(key(r.result), key(cur.result))) cur = { order: cur.order, place: withPlacement(cur.place, n, p), dram, ...r };
          }
        }
      }
      if (!best || less(key(cur.result), key(best.result))) best = cur;
    }
    return best;
  };

  const base = search(new Map());
  if (!base) return undefined;
  // Crossings: what holding the operand at the shared level adds to the base mapping (its order and
  // the other operands' placements kept: an estimate for ranking bindings; `withCrossings` searches).
  const cross = new Map<string, { delta: CrossCost }>();
  const traffic = (x: EinsumResult): number => x.readBytes + x.writeBytes;
  for (const n of names) {
    const level = req.keep.get(n)!.cross;
    if (level === undefined) continue;
    const dram = level === levels.dram && !dramKept.includes(n) ? [...dramKept, n] : dramKept;
    let found: Evaluation | undefined;
    for (const p of options(n, level)) {
      const r = evaluate(base.order, base.place, dram, n, p);
      if (r && (!found || less(key(r.result), key(found.result)))) found = r;
    }
    if (!found) continue;
    cross.set(n, { delta: { energy: found.result.energyTotal - base.result.energyTotal, traffic: traffic(found.result) - traffic(base.result), outerWords: found.outerWords.get(n) ?? 0 } });
  }
  // The result outlives this search (the design search caches it): keep none of its candidates alive.
  evaluations.clear();
  const mapped = (c: Candidate): MappedEinsum => ({ mapping: build(c.order, c.place, c.dram), result: c.result, outerWords: c.outerWords });
  const withCrossings = (operands: readonly string[]): MappedEinsum | undefined => {
    if (operands.length === 0) return mapped(base);
    const found = search(new Map(operands.map((n) => [n, req.keep.get(n)!.cross!])));
    return found ? mapped(found) : undefined;
  };
  return { ...mapped(base), cross, withCrossings, evaluated: () => evaluated };
};

/**
 * Whether some operand that DRAM does not hold is brought into its outermost keeper more than once per
 * tile (a loop that does not index it sits above one that does). Its earlier values (a partial sum, a
 * streamed intermediate) would have to come from nowhere: the model counts no traffic for them, so
 * such a mapping is not a design.
 */
function revisitsWithoutParent(nest: Nest): boolean {
  for (let t = 0; t < nest.tensors.length; t++) {
    const bit = 1 << t;
    const outermost = nest.levels.findIndex((l) => (l.keepMask & bit) !== 0);
    if (outermost <= 0) continue;
    const mask = nest.tensors[t]!.mask;
    let product = 1;
    let upToRelevant = 1;
    let distinct = 1;
    for (let i = 0; i < outermost; i++) {
      const lv = nest.levels[i]!;
      for (let k = 0; k < lv.temporalDims.length; k++) {
        product *= lv.temporalBounds[k]!;
        if (mask & (1 << lv.temporalDims[k]!)) {
          upToRelevant = product;
          distinct *= lv.temporalBounds[k]!;
        }
      }
    }
    if (upToRelevant > distinct) return true;
  }
  return false;
}

/** Every assignment of operands to one inner buffer each. */
function innerAssignments(names: readonly string[], inner: readonly string[]): string[][] {
  let out: string[][] = [[]];
  for (let i = 0; i < names.length; i++) out = out.flatMap((a) => inner.map((b) => [...a, b]));
  return out;
}
