/**
 * @file `fusemax design` as one pure function: a cascade, a hardware description and a workload point
 * in; a complete design (the specs/designs format) and its evaluation out.
 *
 * 1. The cascade (optionally rewritten to make fewer passes, src/rewrite) becomes the Einsums to map
 *    (einsums.ts), with the workload's batch ranks for a transformer model.
 * 2. Each Einsum's operations are costed on every array that can execute them (operations.ts).
 * 3. Fusion: the Einsums, in cascade order, are cut into contiguous groups; each group is designed
 *    (group.ts: traversal, tiles, layout, mappings, binding, schedule) and the groups run one after
 *    another. `--fusion none` puts every Einsum alone (every intermediate through DRAM); `auto` takes
 *    the best of that, the greedy longest groups, and (up to 8 Einsums) every cut.
 * 4. The design is emitted (emit.ts), loaded back and evaluated by the same evaluator as the hand-written
 *    designs; the search's own totals must agree with that evaluation.
 *
 * Codes: FM853 an Einsum no array can execute; FM854 no design fits the hardware (a buffer too small
 * for any tile of a group).
 */
import { UserError, fail } from '../diagnostics/diagnostic.ts';
import { quirksFor } from '../experiments/artifact-quirks.ts';
import { loadDesign, type DesignSpec, type LoadedDesign } from '../experiments/design-spec.ts';
import { evaluateDesign, type DesignResult } from '../experiments/evaluate-design.ts';
import { instantiate, instantiateHardware } from '../experiments/instantiate.ts';
import { shapeWorkload, workload as modelWorkload, type Workload, type WorkloadSpec } from '../experiments/workload.ts';
import type { Cascade } from '../ir/cascade.ts';
import { ranksOf } from '../ir/cascade.ts';
import { resolveShapes } from '../ir/shapes.ts';
import type { Fidelity } from '../model/types.ts';
import { optimize } from '../rewrite/search.ts';
import { designCascade, type DesignCascade, type DesignEinsum } from './einsums.ts';
import { designSpec, designYaml } from './emit.ts';
import { better } from './binding.ts';
import { designGroup, type GroupDesign, type SearchArray, type SearchContext } from './group.ts';
import { hardwareOf, type Hardware } from './hardware.ts';
import { arrayLevels, mapEinsum, type EinsumMapper, type Objective } from './mapper.ts';
import { pointCost, type PointCost } from './operations.ts';

export type Fusion = 'auto' | 'none';

export type WorkloadPoint =
  | { readonly kind: 'model'; readonly spec: WorkloadSpec; readonly model: string; readonly seq: string }
  | { readonly kind: 'shape'; readonly shapes: ReadonlyMap<string, number> };

export interface DesignRequest {
  readonly cascade: Cascade;
  /** The cascade's name (a built-in one, or the file's base name). */
  readonly cascadeName: string;
  /** The design whose hardware is used. */
  readonly hardware: LoadedDesign;
  readonly point: WorkloadPoint;
  readonly fidelity: Fidelity;
  readonly objective: Objective;
  readonly fusion: Fusion;
  /** Rewrite the cascade to make fewer passes first. */
  readonly optimize: boolean;
  /** The per-Einsum mapper (default: mapper.ts). */
  readonly mapper?: EinsumMapper;
  /**
   * Design every cut and map every traversal's requests anew (no lower bounds, no mappings shared
   * across traversals): the slow reference the tests compare the search with (same design).
   */
  readonly exhaustive?: boolean;
}

export interface DesignOutcome {
  /** The cascade designed (rewritten under `optimize`). */
  readonly cascade: Cascade;
  readonly rewrites: readonly string[];
  readonly einsums: DesignCascade;
  readonly groups: readonly GroupDesign[];
  readonly spec: DesignSpec;
  readonly yaml: string;
  /** The emitted design evaluated by the design evaluator. */
  readonly result: DesignResult;
  readonly workload: Workload;
  readonly searched: { readonly groups: number; readonly traversals: number; readonly mappings: number; readonly evaluations: number; readonly schedules: number; readonly tiles: number; readonly partitions: number };
}

const BATCH_RANKS = ['B', 'H'] as const;
const FULL_SEARCH_EINSUMS = 8;

function totals(groups: readonly GroupDesign[]): { latency: number; energy: number } {
  return { latency: groups.reduce((s, g) => s + g.latency, 0), energy: groups.reduce((s, g) => s + g.energy, 0) };
}

export function designCascadeOn(req: DesignRequest): DesignOutcome {
  let cascade = req.cascade;
  let rewrites: string[] = [];
  if (req.optimize) {
    const r = optimize(cascade);
    cascade = r.cascade;
    rewrites = r.rules.map((x) => `${x.rule}: ${x.description}`);
  }
  const hardware = hardwareOf(req.hardware);
  const quirks = quirksFor(req.fidelity);

  // The workload point: the cascade's ranks from the model (or the given shapes), batch ranks besides.
  let wl: Workload;
  let shapes: Map<string, number>;
  let batch: string[] = [];
  const cascadeRanks = ranksOf(cascade);
  if (req.point.kind === 'model') {
    wl = modelWorkload(req.point.spec, req.point.model, req.point.seq);
    const given = new Map<string, number>();
    for (const r of cascadeRanks) {
      const v = wl.values.get(r);
      if (typeof v === 'number') given.set(r, v);
    }
    shapes = resolveShapes(cascade, given);
    batch = BATCH_RANKS.filter((b) => !cascadeRanks.includes(b));
    for (const b of batch) shapes.set(b, wl.values.get(b) as number);
  } else {
    shapes = resolveShapes(cascade, req.point.shapes);
    wl = shapeWorkload(req.point.shapes);
  }

  // Only the hardware's parameters are evaluated (the design's dataflow parameters may need other names).
  const hwDesign: LoadedDesign = { spec: { ...req.hardware.spec, params: Object.fromEntries(hardware.params.map((p) => [p, req.hardware.spec.params[p]!])) }, source: req.hardware.source };
  const hwi = instantiateHardware(hwDesign, wl, quirks);
  const dropped = quirks.has('dropped-levels') ? new Set(req.hardware.spec.artifact?.dropped_levels ?? []) : new Set<string>();
  const unmatched = quirks.has('unmatched-energy-key') ? new Set(req.hardware.spec.artifact?.unmatched_units ?? []) : new Set<string>();
  const arrays = new Map<string, SearchArray>();
  for (const a of hardware.arrays) {
    const inst = hwi.arrays.get(a.name)!;
    const charges = new Map([...inst.charges].filter(([l]) => !dropped.has(l)));
    const levels = arrayLevels(inst.arch);
    if (!levels) continue;
    arrays.set(a.name, { hw: a, inst: { ...inst, charges }, levels });
  }

  const dc = designCascade(cascade, shapes, batch);
  const costs = pointCosts(dc, hardware, arrays);
  const ctx: SearchContext = {
    dc,
    arrays,
    costs,
    unitEnergy: (array, unit) => {
      if (unmatched.has(unit) || !hardware.arrays.find((a) => a.name === array)) return undefined;
      return req.hardware.spec.arch.units[unit]?.energy;
    },
    context: { quirks, spill: 0, wordBytes: hwi.wordBytes, clockHz: hwi.clockHz },
    bandwidth: hwi.bandwidth,
    objective: req.objective,
    mapper: req.mapper ?? mapEinsum,
    cache: new Map(),
    exhaustive: req.exhaustive ?? false,
    counters: { mappings: 0, evaluations: 0, schedules: 0, tiles: 0, traversals: 0 },
  };

  const { groups, partitions, designed } = choosePartition(ctx, dc.einsums, req.fusion);
  for (const m of ctx.cache.values()) if (m) ctx.counters.evaluations += m.evaluated();

  const hwName = req.hardware.spec.name;
  const spec = designSpec({
    name: `auto-${req.cascadeName}-${hwName}`.replace(/[^A-Za-z0-9_-]/g, '-'),
    label: `automatic ${req.cascadeName} on ${req.hardware.spec.label}`,
    description: `fusemax design ${req.cascadeName}${req.optimize ? ' --optimize' : ''} --arch ${hwName} at ${wl.label} (fidelity ${req.fidelity}, objective ${req.objective}, fusion ${req.fusion})`,
    cascadeName: req.cascadeName,
    cascade,
    hardware,
    workload: wl.values,
    shapes,
    groups,
  });
  const yaml = designYaml(spec, ` ${spec.description}\n Written by fusemax design: the hardware of ${hwName}, everything else searched (docs/design.md).`);
  const loaded = loadDesign(`${spec.name}.yaml`, yaml);
  const result = evaluateDesign(instantiate(loaded, wl, quirks));
  const mine = totals(groups);
  const agree = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  if (!agree(mine.latency, result.latency) || !agree(mine.energy, result.energy)) {
    throw new Error(`the emitted design evaluates to ${result.latency} s, ${result.energy} pJ, the search found ${mine.latency} s, ${mine.energy} pJ`);
  }
  return {
    cascade,
    rewrites,
    einsums: dc,
    groups,
    spec,
    yaml,
    result,
    workload: wl,
    searched: { groups: designed, partitions, ...ctx.counters },
  };
}

function pointCosts(dc: DesignCascade, hardware: Hardware, arrays: ReadonlyMap<string, SearchArray>): Map<string, Map<string, PointCost>> {
  const out = new Map<string, Map<string, PointCost>>();
  for (const e of dc.einsums) {
    const per = new Map<string, PointCost>();
    const missing: string[] = [];
    for (const a of hardware.arrays) {
      if (!arrays.has(a.name)) continue;
      const c = pointCost(e.operations, a);
      if (c.ok) per.set(a.name, c.cost);
      else missing.push(`${a.name} lacks ${c.missing.join(', ')}`);
    }
    if (per.size === 0) {
      fail('FM853', `no array of '${hardware.design.spec.name}' can execute the Einsum of '${e.name}' (${e.operations.join(', ') || 'a copy'})`, undefined, `${missing.join('; ')}: add the operators to an array's \`operators\` in the hardware description`);
    }
    out.set(e.name, per);
  }
  return out;
}

/**
 * No design runs an Einsum alone faster than it reads its operands and writes its result once from
 * DRAM, or than its points take on its fastest array with every PE busy: a lower bound of `--fusion none`.
 */
function unfusedLowerBound(ctx: SearchContext, einsums: readonly DesignEinsum[]): number {
  let total = 0;
  for (const e of einsums) {
    let words = 0;
    for (const o of [...e.reads, e.output]) words += o.ranks.reduce((p, r) => p * e.dims.get(r)!, 1);
    const points = [...e.dims.values()].reduce((p, x) => p * x, 1);
    let compute = Infinity;
    for (const [array, cost] of ctx.costs.get(e.name)!) {
      const pes = ctx.arrays.get(array)!.levels.spatial.reduce((p, s) => p * s.fanout, 1);
      compute = Math.min(compute, (points * cost.cycles) / pes / ctx.context.clockHz);
    }
    total += Math.max((words * ctx.context.wordBytes) / ctx.bandwidth, compute);
  }
  return total;
}

/**
 * No design of a group is faster than it reads its inputs from DRAM once and writes its results there
 * once, or than its busiest array with every PE busy under the binding that balances them best. Every
 * count of the model is at least that (DRAM reads of a tensor cover it, a rank's loops multiply to its
 * size, spatial factors stay within the fan-outs); a margin of 1e-9 covers the rounding of the sums.
 */
function groupLowerBound(ctx: SearchContext, members: readonly DesignEinsum[]): number {
  const produced = new Set(members.map((m) => m.name));
  const inputs = new Map<string, number>();
  let words = 0;
  for (const m of members) {
    for (const o of m.reads) {
      if (produced.has(o.tensor)) continue;
      const size = o.ranks.reduce((p, r) => p * m.dims.get(r)!, 1);
      inputs.set(o.tensor, Math.min(inputs.get(o.tensor) ?? Infinity, size));
    }
    const t = m.output.tensor;
    if (ctx.dc.outputs.has(t) || ctx.dc.einsums.some((x) => !produced.has(x.name) && x.reads.some((o) => o.tensor === t))) {
      words += m.output.ranks.reduce((p, r) => p * m.dims.get(r)!, 1);
    }
  }
  inputs.forEach((w) => (words += w));
  // Each member's least time on each array that can run it; the binding with the least busiest array.
  const arrays = [...ctx.arrays.keys()];
  const options = members.map((m) => {
    const points = [...m.dims.values()].reduce((p, x) => p * x, 1);
    return [...ctx.costs.get(m.name)!].map(([a, cost]) => {
      const pes = ctx.arrays.get(a)!.inst.arch.levels.reduce((p, l) => p * l.fanoutX * l.fanoutY, 1);
      return { array: arrays.indexOf(a), seconds: (points * cost.cycles) / pes / ctx.context.clockHz };
    });
  });
  const busy = new Array<number>(arrays.length).fill(0);
  let makespan = Infinity;
  const walk = (i: number): void => {
    const longest = Math.max(...busy);
    if (longest >= makespan) return;
    if (i === options.length) {
      makespan = longest;
      return;
    }
    for (const o of options[i]!) {
      busy[o.array]! += o.seconds;
      walk(i + 1);
      busy[o.array]! -= o.seconds;
    }
  };
  walk(0);
  return Math.max((words * ctx.context.wordBytes) / ctx.bandwidth, makespan) * (1 - 1e-9);
}

/**
 * Contiguous groups, each designed; the best cut by the objective. Up to 8 Einsums every cut (a
 * dynamic program over the cut points, all-alone included); beyond, the longest group that fits from
 * each start, against every Einsum alone unless that cannot be faster (its lower bound).
 */
function choosePartition(ctx: SearchContext, einsums: readonly DesignEinsum[], fusion: Fusion): { groups: GroupDesign[]; partitions: number; designed: number } {
  const memo = new Map<string, GroupDesign | null>();
  const group = (i: number, j: number): GroupDesign | undefined => {
    const key = `${i}:${j}`;
    let g = memo.get(key);
    if (g === undefined) {
      g = designGroup(ctx, einsums.slice(i, j)) ?? null;
      memo.set(key, g);
    }
    return g ?? undefined;
  };
  const alone = (i: number): GroupDesign => {
    const g = group(i, i + 1);
    if (!g) throw new UserError({ code: 'FM854', message: `the Einsum of '${einsums[i]!.name}' does not fit the hardware: no tile of it fits its buffers`, hint: 'a larger buffer (--set on the hardware), or smaller shapes' });
    return g;
  };
  const n = einsums.length;
  const result = (groups: GroupDesign[], partitions: number) => ({ groups, partitions, designed: memo.size });
  if (fusion === 'none' || n === 1) return result(einsums.map((_, i) => alone(i)), 1);
  if (n <= FULL_SEARCH_EINSUMS) {
    // best[j]: the best groups for the first j Einsums.
    const best: (GroupDesign[] | undefined)[] = [[]];
    let cuts = 0;
    for (let j = 1; j <= n; j++) {
      for (let i = 0; i < j; i++) {
        const head = best[i];
        if (!head) continue;
        // A cut whose latency cannot come below the best so far is not designed (that changes nothing:
        // it would not be better, and the comparisons after it are against the same best).
        if (!ctx.exhaustive && ctx.objective === 'latency' && best[j] && totals(head).latency + groupLowerBound(ctx, einsums.slice(i, j)) > totals(best[j]!).latency * (1 + 1e-12)) continue;
        const g = group(i, j);
        if (!g) continue;
        cuts++;
        const cand = [...head, g];
        if (!best[j] || better(ctx.objective, totals(cand), totals(best[j]!))) best[j] = cand;
      }
    }
    if (!best[n]) einsums.forEach((_, i) => alone(i));
    return result(best[n]!, cuts);
  }
  const greedy: GroupDesign[] = [];
  for (let i = 0; i < n; ) {
    let j = n;
    while (j > i + 1 && !group(i, j)) j--;
    greedy.push(j === i + 1 ? alone(i) : group(i, j)!);
    i = j;
  }
  if (ctx.objective === 'latency' && totals(greedy).latency < unfusedLowerBound(ctx, einsums)) return result(greedy, 1);
  const none = einsums.map((_, i) => alone(i));
  return result(better(ctx.objective, totals(none), totals(greedy)) ? none : greedy, 2);
}
