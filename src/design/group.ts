/**
 * @file One fused group of Einsums: its traversal, its tiles, its binding and its schedule.
 *
 * - Traversal (`nestsOf`): the DRAM loops all members share. Parallel ranks are iterated by every
 *   member in the same pass and reduced by none (batch and query ranks); one more rank, the sequential
 *   rank, may be the innermost DRAM loop for the members that iterate it in one pass (the key chunks of
 *   attention: M1), the other members running before or after that loop. Every other rank is on chip
 *   whole, so a tensor read in a later pass over it than it was written is kept on chip.
 * - Keeps (`keepRules`): tensors from or to other groups (and inputs, outputs) are in DRAM, read from
 *   DRAM by their first reader and from the outer buffer by the others; state carried across steps
 *   (a recurrence's generations, results read after the loop, values made before it) stays in the
 *   outer buffer; a tensor passed between Einsums on different arrays goes through the innermost level
 *   the two arrays share (the global buffer, or DRAM when they share nothing else). Tensors passed
 *   between Einsums on one array stream through its registers, tile by tile.
 * - Layout: per array, the ranks its fan-outs carry: the one that keeps most PEs of the group's
 *   largest Einsum there busy, or each layout of distinct ranks when that one spreads a rank over two
 *   fan-outs; every member on that array keeps the layout (a rank it lacks leaves a fan-out idle).
 * - Tiles (`designNest`): the on-chip extent of each DRAM rank, by a best-move search over divisors.
 * - Binding (binding.ts): the assignments of members to arrays ranked by their lower bound; the best
 *   few are mapped exactly and scheduled (schedule.ts).
 */
import type { EinsumContext } from '../experiments/evaluate-design.ts';
import type { ArrayInstance } from '../experiments/instantiate.ts';
import type { Loop, Mapping, Problem } from '../model/types.ts';
import type { DesignCascade, DesignEinsum, Operand } from './einsums.ts';
import type { HardwareArray } from './hardware.ts';
import { arrayLevels, spatialFactors, type EinsumMapper, type KeepRule, type MappingRequest, type MappingResult, type Objective } from './mapper.ts';
import type { PointCost } from './operations.ts';
import { scheduleEpochs, type Schedule } from './schedule.ts';
import { better, exactBinding, rankBindings, type BindingEval, type ExactBinding } from './binding.ts';

export type Role = 'pre' | 'body' | 'post';

export interface GroupNest {
  readonly members: readonly DesignEinsum[];
  /** DRAM ranks shared by every member, outermost first. */
  readonly parallel: readonly string[];
  /** The innermost DRAM rank, iterated by the `body` members only. */
  readonly sequential?: string;
  readonly role: ReadonlyMap<string, Role>;
}

/** One array as the search sees it. */
export interface SearchArray {
  readonly hw: HardwareArray;
  readonly inst: ArrayInstance;
  readonly levels: NonNullable<ReturnType<typeof arrayLevels>>;
}

export interface SearchContext {
  readonly dc: DesignCascade;
  readonly arrays: ReadonlyMap<string, SearchArray>;
  /** Per Einsum: the arrays that can execute it and the cost of a point there. */
  readonly costs: ReadonlyMap<string, ReadonlyMap<string, PointCost>>;
  /** Unit energies per array (pJ), after the artifact's dropped unit names. */
  readonly unitEnergy: (array: string, unit: string) => number | undefined;
  readonly context: EinsumContext;
  readonly bandwidth: number;
  readonly objective: Objective;
  readonly mapper: EinsumMapper;
  /** Mappings already searched, by request. */
  readonly cache: Map<string, MappingResult | null>;
  /** Share no mapping across traversals (see `DesignRequest.exhaustive`). */
  readonly exhaustive: boolean;
  /** Counters for the report. */
  readonly counters: { mappings: number; evaluations: number; schedules: number; tiles: number; traversals: number };
}

export interface GroupDesign {
  readonly nest: GroupNest;
  readonly tiles: ReadonlyMap<string, number>;
  readonly layout: ReadonlyMap<string, readonly (string | undefined)[]>;
  readonly binding: ReadonlyMap<string, string>;
  readonly mappings: ReadonlyMap<string, Mapping>;
  readonly problems: ReadonlyMap<string, Problem>;
  /** Cycles per point on the bound array, and units per point. */
  readonly costs: ReadonlyMap<string, PointCost>;
  /** The arrays that can execute each member. */
  readonly runnable: ReadonlyMap<string, readonly string[]>;
  readonly computeSeconds: ReadonlyMap<string, number>;
  /** Operands that cross between arrays, per Einsum. */
  readonly crossing: ReadonlyMap<string, readonly string[]>;
  readonly schedule: Schedule;
  readonly traffic: number;
  readonly energy: number;
  readonly memorySeconds: number;
  readonly latency: number;
  /** Words held in each outer buffer, and what it can hold. */
  readonly buffer: ReadonlyMap<string, { readonly used: number; readonly capacity: number }>;
}

// ---------------------------------------------------------------------------------------------------
// Traversal

/** Intermediates each member reads from another member of the group, with the generation. */
function groupEdges(members: readonly DesignEinsum[]): { from: number; to: number; carried: boolean; final: boolean }[] {
  const index = new Map(members.map((m, i) => [m.name, i]));
  const out: { from: number; to: number; carried: boolean; final: boolean }[] = [];
  members.forEach((m, to) => {
    for (const r of m.reads) {
      const from = index.get(r.tensor);
      if (from === undefined) continue;
      out.push({ from, to, carried: r.generation === 'previous', final: r.generation === 'final' });
    }
  });
  return out;
}

export function nestsOf(ctx: SearchContext, members: readonly DesignEinsum[]): GroupNest[] {
  const first = members[0]!;
  const samePass = (r: string, ms: readonly DesignEinsum[]): boolean => new Set(ms.map((m) => m.passes.get(r))).size === 1;
  const parallel = [...first.dims.keys()].filter((r) =>
    members.every((m) => m.dims.has(r) && !m.reduced.includes(r) && m.recurrence !== r) && samePass(r, members));
  const inputBytes = (r: string): number => {
    let bytes = 0;
    const seen = new Set<string>();
    for (const m of members) for (const o of m.reads) {
      if (seen.has(o.tensor) || members.some((x) => x.name === o.tensor) || !o.ranks.includes(r)) continue;
      seen.add(o.tensor);
      bytes += o.ranks.reduce((p, x) => p * (m.dims.get(x) ?? 1), 1);
    }
    return bytes;
  };
  const batch = ctx.dc.batchRanks;
  parallel.sort((a, b) => Number(batch.includes(b)) - Number(batch.includes(a)) || (batch.includes(a) ? batch.indexOf(a) - batch.indexOf(b) : inputBytes(b) - inputBytes(a)));

  const edges = groupEdges(members).filter((e) => !e.carried && e.from !== e.to);
  const reach = (start: number, forward: boolean): Set<number> => {
    const seen = new Set<number>();
    const stack = [start];
    while (stack.length > 0) {
      const x = stack.pop()!;
      for (const e of edges) {
        const y = forward ? (e.from === x ? e.to : -1) : e.to === x ? e.from : -1;
        if (y >= 0 && !seen.has(y)) {
          seen.add(y);
          stack.push(y);
        }
      }
    }
    return seen;
  };
  const out: GroupNest[] = [];
  // Sequential candidates: a rank most members iterate (the loop is the group's), or the rank a lone
  // Einsum reduces (its partial sums stay on chip across the loop). A recurrence's rank first.
  const ranks = [...new Set(members.flatMap((m) => [...m.dims.keys()]))]
    .filter((r) => !parallel.includes(r))
    .filter((r) => (members.length === 1 ? members[0]!.reduced.includes(r) : members.filter((m) => m.dims.has(r)).length * 2 > members.length))
    .sort((a, b) => Number(members.some((m) => m.recurrence === b)) - Number(members.some((m) => m.recurrence === a)));
  for (const r of ranks) {
    const body = members.map((m, i) => (m.dims.has(r) ? i : -1)).filter((i) => i >= 0);
    if (!samePass(r, body.map((i) => members[i]!))) continue;
    const role = new Map<string, Role>();
    let ok = true;
    members.forEach((m, i) => {
      if (body.includes(i)) return role.set(m.name, 'body');
      const after = [...reach(i, false)].some((j) => body.includes(j));
      const before = [...reach(i, true)].some((j) => body.includes(j));
      if (after && before) ok = false;
      role.set(m.name, after ? 'post' : 'pre');
    });
    if (ok) out.push({ members, parallel, sequential: r, role });
  }
  // Without a sequential rank, last: on equal cost, the traversal with a loop keeps less on chip.
  out.push({ members, parallel, role: new Map(members.map((m) => [m.name, 'body' as Role])) });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Keeps

/** The DRAM loops of a member: the parallel ranks, then the sequential one when it iterates it. */
function dramRanks(nest: GroupNest, m: DesignEinsum): string[] {
  return nest.sequential !== undefined && m.dims.has(nest.sequential) ? [...nest.parallel, nest.sequential] : [...nest.parallel];
}

/** The innermost non-spatial level two arrays share (by component name). */
export function sharedLevel(a: SearchArray, b: SearchArray): string {
  const bLevels = new Set(b.inst.arch.levels.filter((l) => l.kind !== 'spatial').map((l) => l.name));
  const common = a.inst.arch.levels.filter((l) => l.kind !== 'spatial' && bLevels.has(l.name));
  return common[common.length - 1]!.name;
}

function keepRules(ctx: SearchContext, nest: GroupNest, m: DesignEinsum, array: string): Map<string, KeepRule & { liveAcross: readonly string[] }> {
  const { dc } = ctx;
  const members = nest.members;
  const inGroup = new Map(members.map((x) => [x.name, x]));
  const readers = (t: string): DesignEinsum[] => members.filter((x) => x.reads.some((o) => o.tensor === t));
  const outsideReaders = (t: string): boolean => dc.einsums.some((x) => !inGroup.has(x.name) && x.reads.some((o) => o.tensor === t));
  const roleOf = (name: string): Role => nest.role.get(name)!;
  const arr = ctx.arrays.get(array)!;
  const crossLevel = (others: readonly DesignEinsum[]): string | undefined => {
    let level: string | undefined;
    for (const o of others) for (const a of ctx.costs.get(o.name)?.keys() ?? []) {
      if (a === array) continue;
      const l = sharedLevel(arr, ctx.arrays.get(a)!);
      if (level === undefined || arr.inst.arch.levels.findIndex((x) => x.name === l) < arr.inst.arch.levels.findIndex((x) => x.name === level)) level = l;
    }
    return level;
  };
  /** On-chip ranks over which the tensor is written in one pass and read in a later one, within the group. */
  const liveAcross = (t: string): string[] => {
    const producer = inGroup.get(t);
    if (!producer) return [];
    const out: string[] = [];
    for (const r of readers(t)) for (const [rank, pass] of r.passes) {
      if (dramRanks(nest, r).includes(rank)) continue;
      const p = producer.passes.get(rank);
      if (p !== undefined && p !== pass && !out.includes(rank)) out.push(rank);
    }
    return out;
  };
  const rules = new Map<string, KeepRule & { liveAcross: readonly string[] }>();
  const rule = (o: Operand, isOutput: boolean): KeepRule & { liveAcross: readonly string[] } => {
    const t = o.tensor;
    const producer = inGroup.get(t);
    if (!isOutput && producer === undefined) {
      // From DRAM: the first reader loads it, the others read the outer buffer's copy.
      const rs = readers(t);
      const firstReader = rs[0]!.name === m.name;
      return { dram: firstReader, outer: rs.length > 1, liveAcross: [] };
    }
    const state = o.generation === 'previous' || o.generation === 'final' || (isOutput && m.recurrence !== undefined);
    if (isOutput) {
      const rs = readers(t).filter((r) => r.name !== m.name);
      const dram = dc.outputs.has(t) || outsideReaders(t);
      const crossesRoles = rs.some((r) => roleOf(r.name) !== roleOf(m.name));
      const cross = crossLevel(rs);
      return { dram, outer: state || crossesRoles, ...(cross !== undefined ? { cross } : {}), liveAcross: liveAcross(t) };
    }
    const crossesRoles = roleOf(producer!.name) !== roleOf(m.name);
    const cross = producer!.name === m.name ? undefined : crossLevel([producer!]);
    return { dram: false, outer: state || crossesRoles, ...(cross !== undefined ? { cross } : {}), liveAcross: liveAcross(t) };
  };
  for (const o of m.reads) rules.set(o.name, rule(o, false));
  rules.set(m.output.name, rule(m.output, true));
  return rules;
}

// ---------------------------------------------------------------------------------------------------
// Mapping every member on every array it can run on, for given tiles

/** One problem object per member, whatever the group: the model caches its binding per problem. */
const problems = new WeakMap<DesignEinsum, Problem>();

function problemOf(m: DesignEinsum): Problem {
  let p = problems.get(m);
  if (p === undefined) {
    const ds = (o: Operand, isOutput: boolean) => ({ name: o.name, projection: o.ranks.map((r) => [{ dim: r, coefficient: 1 }]), isOutput });
    p = { name: m.name, dimensions: Object.fromEntries(m.dims), dataSpaces: [...m.reads.map((o) => ds(o, false)), ds(m.output, true)] };
    problems.set(m, p);
  }
  return p;
}

/** The extent of every rank of a member on chip: its tile for a DRAM rank, whole otherwise. */
function onChipExtents(nest: GroupNest, tiles: ReadonlyMap<string, number>, m: DesignEinsum): Map<string, number> {
  const out = new Map<string, number>();
  const dram = dramRanks(nest, m);
  for (const [r, n] of m.dims) out.set(r, dram.includes(r) ? tiles.get(r)! : n);
  return out;
}

/** A layout per array: the rank each of its fan-outs carries. */
export type Layouts = ReadonlyMap<string, readonly (string | undefined)[]>;

function largestOn(ctx: SearchContext, nest: GroupNest, array: string): DesignEinsum | undefined {
  const runnable = nest.members.filter((m) => ctx.costs.get(m.name)?.has(array));
  const points = (m: DesignEinsum): number => [...m.dims.values()].reduce((p, x) => p * x, 1);
  return runnable.length === 0 ? undefined : runnable.reduce((b, m) => (points(m) > points(b) ? m : b));
}

function preferenceOf(nest: GroupNest): string[] {
  const p = [...nest.parallel, ...(nest.sequential ? [nest.sequential] : []), ...nest.members.flatMap((m) => [...m.dims.keys()])];
  return p.filter((r, i) => p.indexOf(r) === i);
}

/**
 * Per array: the given layout, else the one that keeps most PEs of the group's largest Einsum there
 * busy at these tiles (ties: the ranks first in the traversal's order).
 */
function layouts(ctx: SearchContext, nest: GroupNest, tiles: ReadonlyMap<string, number>, fixed: Layouts): Map<string, (string | undefined)[]> {
  const out = new Map<string, (string | undefined)[]>();
  const preference = preferenceOf(nest);
  for (const [name, a] of ctx.arrays) {
    const largest = largestOn(ctx, nest, name);
    if (!largest) continue;
    const given = fixed.get(name);
    if (given) {
      out.set(name, [...given]);
      continue;
    }
    const extents = onChipExtents(nest, tiles, largest);
    const ranks = preference.filter((r) => (extents.get(r) ?? 1) > 1);
    let best: { layout: (string | undefined)[]; used: number; rank: number } | undefined;
    const walk = (i: number, layout: (string | undefined)[]): void => {
      if (i === a.levels.spatial.length) {
        const used = spatialFactors(a.levels, layout, extents).reduce((p, s) => p * s.factor, 1);
        const rank = layout.reduce((s, r, k) => s + (r === undefined ? ranks.length : ranks.indexOf(r)) * (ranks.length + 1) ** (layout.length - k), 0);
        if (!best || used > best.used || (used === best.used && rank < best.rank)) best = { layout: [...layout], used, rank };
        return;
      }
      for (const r of [...ranks, undefined]) walk(i + 1, [...layout, r]);
    };
    walk(0, []);
    out.set(name, best!.layout);
  }
  return out;
}

/**
 * Layouts worth trying on an array whatever the tiles: distinct ranks of its largest Einsum (batch
 * ranks aside) on its fan-outs, the ones that could keep most PEs busy first (at most six). A layout
 * that spreads one rank over two fan-outs uses more PEs but shares nothing between them.
 */
function layoutCandidates(ctx: SearchContext, nest: GroupNest, array: string): (string | undefined)[][] {
  const largest = largestOn(ctx, nest, array);
  if (!largest) return [];
  const a = ctx.arrays.get(array)!;
  const preference = preferenceOf(nest);
  const ranks = preference.filter((r) => largest.dims.has(r) && !ctx.dc.batchRanks.includes(r) && largest.dims.get(r)! > 1);
  const out: { layout: (string | undefined)[]; potential: number }[] = [];
  const walk = (i: number, layout: (string | undefined)[]): void => {
    if (i === a.levels.spatial.length) {
      const potential = layout.reduce((p, r, k) => p * (r === undefined ? 1 : Math.min(largest.dims.get(r)!, a.levels.spatial[k]!.fanout)), 1);
      if (layout.some((r) => r !== undefined)) out.push({ layout: [...layout], potential });
      return;
    }
    for (const r of [...ranks, undefined]) if (r === undefined || !layout.includes(r)) walk(i + 1, [...layout, r]);
  };
  walk(0, []);
  return out.sort((x, y) => y.potential - x.potential).slice(0, 3).map((x) => x.layout);
}

export interface Mapped {
  readonly member: DesignEinsum;
  readonly array: string;
  readonly result: MappingResult;
  readonly cost: PointCost;
  readonly problem: Problem;
  readonly rules: ReadonlyMap<string, KeepRule>;
}

/** What does not change with the tiles: each member's problem, keep rules per array, units per point. */
interface Prepared {
  readonly id: number;
  readonly nest: GroupNest;
  readonly problems: ReadonlyMap<string, Problem>;
  readonly dram: ReadonlyMap<string, readonly string[]>;
  readonly rules: ReadonlyMap<string, ReadonlyMap<string, ReturnType<typeof keepRules>>>;
  readonly ops: ReadonlyMap<string, ReadonlyMap<string, MappingRequest['ops']>>;
}

function prepare(ctx: SearchContext, nest: GroupNest): Prepared {
  const problems = new Map<string, Problem>();
  const dram = new Map<string, readonly string[]>();
  const rules = new Map<string, Map<string, ReturnType<typeof keepRules>>>();
  const ops = new Map<string, Map<string, MappingRequest['ops']>>();
  for (const m of nest.members) {
    problems.set(m.name, problemOf(m));
    dram.set(m.name, dramRanks(nest, m));
    const r = new Map<string, ReturnType<typeof keepRules>>();
    const o = new Map<string, MappingRequest['ops']>();
    for (const [array, cost] of ctx.costs.get(m.name)!) {
      r.set(array, keepRules(ctx, nest, m, array));
      o.set(array, Object.entries(cost.units).flatMap(([unit, count]) => {
        const energy = ctx.unitEnergy(array, unit);
        return energy === undefined ? [] : [{ unit, count, energy }];
      }));
    }
    rules.set(m.name, r);
    ops.set(m.name, o);
  }
  return { id: ++ctx.counters.traversals, nest, problems, dram, rules, ops };
}

function mapMember(ctx: SearchContext, prep: Prepared, tiles: ReadonlyMap<string, number>, layout: ReadonlyMap<string, readonly (string | undefined)[]>, m: DesignEinsum, array: string): Mapped | undefined {
  const a = ctx.arrays.get(array)!;
  const cost = ctx.costs.get(m.name)!.get(array)!;
  const dram = prep.dram.get(m.name)!;
  const dramLoops: Loop[] = dram.map((r) => ({ dim: r, bound: m.dims.get(r)! / tiles.get(r)! }));
  const tileLoops: Loop[] = dram.map((r) => ({ dim: r, bound: tiles.get(r)! }));
  const rules = prep.rules.get(m.name)!.get(array)!;
  const lay = layout.get(array)!.map((r) => (r !== undefined && m.dims.has(r) ? r : undefined));
  // A tensor live across passes over an on-chip rank stays in the outer buffer when that rank has a temporal loop there.
  const extents = onChipExtents(prep.nest, tiles, m);
  const spatial = spatialFactors(a.levels, lay, extents);
  const temporal = (r: string): boolean => (extents.get(r) ?? 1) / spatial.filter((s) => s.dim === r).reduce((p, s) => p * s.factor, 1) > 1;
  const keep = new Map<string, KeepRule>();
  // The request by its content: the same member with the same loops, tiles, layout and keeps in
  // another traversal or another group (the cuts share members) is the same mapping.
  let key = `${ctx.exhaustive ? prep.id : ''}|${m.name}|${array}|${dram.join(',')}|${tileLoops.map((l) => l.bound).join(',')}|${lay.join(',')}`;
  for (const [n, r] of rules) {
    const outer = r.outer || r.liveAcross.some(temporal);
    key += `|${n}:${r.dram ? 1 : 0}${outer ? 1 : 0}${r.cross ?? ''}`;
    keep.set(n, { dram: r.dram, outer, ...(r.cross !== undefined ? { cross: r.cross } : {}) });
  }
  const problem = prep.problems.get(m.name)!;
  let result = ctx.cache.get(key);
  if (result === undefined) {
    ctx.counters.mappings++;
    result = ctx.mapper({ problem, array: a.inst, dramLoops, tiles: tileLoops, layout: lay, keep, ops: prep.ops.get(m.name)!.get(array)!, cyclesPerStep: cost.cycles, context: ctx.context, objective: ctx.objective }) ?? null;
    ctx.cache.set(key, result);
  }
  return result ? { member: m, array, result, cost, problem, rules: keep } : undefined;
}

// ---------------------------------------------------------------------------------------------------
// The group

interface TileEval {
  readonly tiles: Map<string, number>;
  /** Layouts chosen by the search (the others follow the tiles). */
  readonly fixed: Layouts;
  readonly layout: Map<string, (string | undefined)[]>;
  readonly mapped: Map<string, Map<string, Mapped>>;
  readonly bindings: BindingEval[];
}

function evaluateTilesOnce(ctx: SearchContext, prep: Prepared, tiles: Map<string, number>, fixed: Layouts, keep = 1): TileEval | undefined {
  ctx.counters.tiles++;
  const nest = prep.nest;
  const layout = layouts(ctx, nest, tiles, fixed);
  const mapped = new Map<string, Map<string, Mapped>>();
  for (const m of nest.members) {
    const per = new Map<string, Mapped>();
    for (const array of ctx.costs.get(m.name)!.keys()) {
      const x = mapMember(ctx, prep, tiles, layout, m, array);
      if (x) per.set(array, x);
    }
    if (per.size === 0) return undefined;
    mapped.set(m.name, per);
  }
  const bindings = rankBindings(ctx, nest, mapped, keep);
  if (bindings.length === 0) return undefined;
  return { tiles, fixed, layout, mapped, bindings };
}

/** Divisors of n, at most `limit` of them spread geometrically (1 and n always included). */
export function tileCandidates(n: number, limit = 12): number[] {
  const divisors: number[] = [];
  for (let d = 1; d * d <= n; d++) if (n % d === 0) divisors.push(d, n / d);
  const all = [...new Set(divisors)].sort((a, b) => a - b);
  if (all.length <= limit) return all;
  const out = new Set<number>([1, n]);
  for (let k = 1; k < limit - 1; k++) out.add(all[Math.round((k * (all.length - 1)) / (limit - 1))]!);
  return [...out].sort((a, b) => a - b);
}

/** The best design of one group with one traversal, or undefined when nothing fits. */
export function designNest(ctx: SearchContext, nest: GroupNest): GroupDesign | undefined {
  const ranks = [...nest.parallel, ...(nest.sequential !== undefined ? [nest.sequential] : [])];
  const extent = (r: string): number => nest.members.find((m) => m.dims.has(r))!.dims.get(r)!;
  // A recurrence's rank moves one step at a time (its state is one tile); batch ranks give no reuse
  // (every tensor has them), so their tile stays 1.
  const fixed = new Set(ranks.filter((r) => ctx.dc.batchRanks.includes(r) || nest.members.some((m) => m.recurrence === r)));
  const searched = ranks.filter((r) => !fixed.has(r));
  const tiles = new Map(ranks.map((r) => [r, 1]));
  const scoreOf = (t: TileEval) => ({ latency: t.bindings[0]!.lowerBound, energy: t.bindings[0]!.energy });
  // The smallest tiles hold the least: when they do not fit, no tile does.
  const prep = prepare(ctx, nest);
  // Searches revisit tilings (a rank's candidates again after a move of that rank): evaluate each once.
  const seen = new Map<string, TileEval | null>();
  const evaluateTiles = (c: SearchContext, p: Prepared, t: Map<string, number>, fixed: Layouts, keep = 1): TileEval | undefined => {
    const key = `${[...t.values()].join(',')}|${[...fixed].map(([a, l]) => `${a}:${l.join(',')}`).join(';')}|${keep}`;
    let e = seen.get(key);
    if (e === undefined) seen.set(key, (e = evaluateTilesOnce(c, p, t, fixed, keep) ?? null));
    return e ?? undefined;
  };
  const first = evaluateTiles(ctx, prep, tiles, new Map());
  if (!first) return undefined;
  /**
   * Best-move search over the tiles: from a start, every rank's every candidate tile (the others
   * kept); the best move each time, while one improves. Then every divisor between the chosen tile's
   * candidate neighbours. A larger tile holds more, so past a tile that does not fit, the larger ones
   * of that rank are not tried.
   */
  const ascend = (start: TileEval): TileEval => {
    let cur = start;
    const coarse = new Map(searched.map((r) => [r, tileCandidates(extent(r))]));
    for (let step = 0; step < 16; step++) {
      let next: TileEval | undefined;
      for (const r of searched) {
        for (const t of coarse.get(r)!) {
          if (t === cur.tiles.get(r)) continue;
          const e = evaluateTiles(ctx, prep, new Map(cur.tiles).set(r, t), cur.fixed);
          if (!e) {
            if (t > cur.tiles.get(r)!) break;
            continue;
          }
          if (better(ctx.objective, scoreOf(e), scoreOf(next ?? cur))) next = e;
        }
      }
      if (!next) break;
      cur = next;
    }
    for (const r of searched) {
      const list = coarse.get(r)!;
      const at = list.indexOf(cur.tiles.get(r)!);
      const lo = list[Math.max(0, at - 1)]!;
      const hi = list[Math.min(list.length - 1, at + 1)]!;
      const base: TileEval = cur;
      for (const t of tileCandidates(extent(r), Infinity).filter((x) => x > lo && x < hi && !list.includes(x))) {
        const e = evaluateTiles(ctx, prep, new Map(base.tiles).set(r, t), base.fixed);
        if (e && better(ctx.objective, scoreOf(e), scoreOf(cur))) cur = e;
      }
    }
    return cur;
  };
  let best = ascend(first);
  // The layout that keeps most PEs busy may spread one rank over two fan-outs, or leave one idle while
  // the Einsum has other ranks: then nothing is shared across the array. Try each layout of distinct
  // ranks from the smallest tiles too.
  for (const array of ctx.arrays.keys()) {
    const auto = best.layout.get(array);
    if (!auto || (new Set(auto.filter((r) => r !== undefined)).size === auto.length)) continue;
    for (const layout of layoutCandidates(ctx, nest, array)) {
      const start = evaluateTiles(ctx, prep, tiles, new Map(best.fixed).set(array, layout));
      if (!start) continue;
      const e = ascend(start);
      if (better(ctx.objective, scoreOf(e), scoreOf(best))) best = e;
    }
  }

  // The best bindings: their exact mappings (all crossings together) and their exact schedule; stop
  // when no later one can beat the best.
  const ranked = evaluateTiles(ctx, prep, best.tiles, best.fixed, 16)!;
  const edges = groupEdges(nest.members);
  let chosen: { b: BindingEval; exact: ExactBinding; schedule: Schedule; latency: number } | undefined;
  for (const b of ranked.bindings) {
    if (chosen && !better(ctx.objective, { latency: b.lowerBound, energy: b.energy }, { latency: chosen.latency, energy: chosen.exact.energy })) {
      if (ctx.objective !== 'energy') break;
      continue;
    }
    const exact = exactBinding(ctx, nest, best.mapped, b);
    if (!exact) continue;
    ctx.counters.schedules++;
    const schedule = scheduleEpochs({
      nodes: nest.members.map((m) => ({ name: m.name, array: b.binding.get(m.name)!, seconds: b.seconds.get(m.name)! })),
      within: edges.filter((e) => !e.carried).map((e) => [e.from, e.to] as const),
      carried: edges.filter((e) => e.carried).map((e) => [e.from, e.to] as const),
    });
    const latency = Math.max(exact.traffic / ctx.bandwidth, schedule.seconds);
    if (!chosen || better(ctx.objective, { latency, energy: exact.energy }, { latency: chosen.latency, energy: chosen.exact.energy })) chosen = { b, exact, schedule, latency };
  }
  if (!chosen) return undefined;
  const c = chosen;
  const problems = new Map<string, Problem>();
  const costs = new Map<string, PointCost>();
  for (const m of nest.members) {
    const mp = best.mapped.get(m.name)!.get(c.b.binding.get(m.name)!)!;
    problems.set(m.name, mp.problem);
    costs.set(m.name, mp.cost);
  }
  return {
    nest,
    tiles: best.tiles,
    layout: best.layout,
    binding: c.b.binding,
    mappings: c.exact.mappings,
    problems,
    costs,
    runnable: new Map(nest.members.map((m) => [m.name, [...ctx.costs.get(m.name)!.keys()]])),
    computeSeconds: c.b.seconds,
    crossing: c.b.crossing,
    schedule: c.schedule,
    traffic: c.exact.traffic,
    energy: c.exact.energy,
    memorySeconds: c.exact.traffic / ctx.bandwidth,
    latency: c.latency,
    buffer: c.exact.buffer,
  };
}

/** The best design of a group over its traversals, or undefined when none fits. */
export function designGroup(ctx: SearchContext, members: readonly DesignEinsum[]): GroupDesign | undefined {
  let best: GroupDesign | undefined;
  for (const nest of nestsOf(ctx, members)) {
    const d = designNest(ctx, nest);
    if (d && (!best || better(ctx.objective, d, best))) best = d;
  }
  return best;
}
