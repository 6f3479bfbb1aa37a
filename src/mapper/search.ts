/**
 * @file The exact search: branch and bound over the mapspace, as a list of independent jobs so that
 * worker threads can share it (the CLI runs them in parallel; this module is pure and single-threaded).
 *
 * A job fixes the spatial factors (per group) and the keep sets (job.ts gives its closed-form costs);
 * inside it, a depth-first search fixes each level's temporal factors and then its loop order (among
 * the orders that change some count, permutations.ts), from the outermost level down. Children are
 * tried in order of their lower bound and cut as soon as it exceeds the best mapping known (the
 * incumbent, shared between jobs); states that an explored state dominates are cut too. Jobs run in
 * order of their lower bounds, after a first greedy dive into the most promising ones, so that good
 * mappings come early. Complete mappings are costed exactly in closed form, or by src/model when a
 * tensor is affine (mapspace.ts `costing`; then without dominance, and with every order of a level
 * whose loops cover two of an affine tensor's dimensions).
 *
 * Determinism: the search order is fixed; a bound prunes only when it exceeds the incumbent beyond
 * rounding, and dominance only cuts states no better than one explored earlier, so a mapping equal to
 * the best is never lost to a later one; ties go to the first mapping in job order. A search that
 * completes therefore returns the same mapping whatever the number of threads.
 */
import { boundExceeds, compareVectors, type Metric } from './metrics.ts';
import { divisors } from './factors.ts';
import { enumerateKeeps, jobCosts, type JobCosts } from './job.ts';
import { tileWords, type MapSpace } from './mapspace.ts';
import { everyOrder, permutationCandidates, type PermCandidate } from './permutations.ts';
import { evaluateNest } from '../model/evaluate.ts';
import type { LevelMapping, Loop } from '../model/types.ts';
import { evaluationMetrics } from './metrics.ts';
import { accessEnergy, leakageEnergy } from './charge.ts';
import { enumerateSpatial, placeSpatial, type SpatialChoice, type SpatialPlacement } from './spatial.ts';

/** A complete mapping as the search found it. */
export interface Choice {
  /** Index into the prepared spatial choices. */
  readonly spatial: number;
  /** Keep mask per level. */
  readonly keep: readonly number[];
  /** L × D temporal factors. */
  readonly temporal: readonly number[];
  /** Per level: its loops with a bound above 1, innermost first. */
  readonly orders: readonly (readonly number[])[];
}

export interface Found {
  readonly metrics: readonly number[];
  readonly choice: Choice;
  /** Position in the search order, for deterministic ties: [job, leaf within the job]. */
  readonly key: readonly [number, number];
}

export interface JobResult {
  readonly best?: Found;
  /** Complete mappings costed. */
  readonly leaves: number;
  /**
   * Partial mappings examined: rejected by a capacity, utilization or loop-count check, or bounded (each
   * stands for every mapping that completes it).
   */
  readonly partial: number;
  /** True when the job was cut short, by `shouldStop`, its leaf budget or its work cap. */
  readonly stopped: boolean;
  /** True when the cut was its work cap (a deterministic point: the same inputs cut at the same node). */
  readonly capped: boolean;
  /** True when the cut was `shouldStop` (a time limit: not deterministic). */
  readonly interrupted: boolean;
}

export interface JobContext {
  /** The best metrics known to the whole search, or undefined. */
  incumbent(): ArrayLike<number> | undefined;
  /** A better mapping was found. */
  offer(metrics: ArrayLike<number>): void;
  /** Polled every few thousand nodes. */
  shouldStop(): boolean;
}

/** A job: a spatial choice and either one keep choice or all of them. */
interface Job {
  readonly spatial: number;
  /** Index into keeps, or -1 for every keep choice (largest mapspaces). */
  readonly keep: number;
}

export interface PreparedSearch {
  readonly space: MapSpace;
  readonly metrics: readonly Metric[];
  readonly spatial: readonly SpatialChoice[];
  readonly keeps: readonly Int32Array[];
  readonly jobs: readonly Job[];
  /** jobs × metrics: each job's lower bound (the jobs are sorted by it). */
  readonly bounds: Float64Array;
  /** False when the spatial enumeration was cut (the search cannot be exhaustive). */
  readonly complete: boolean;
}

/** Above this many (spatial, keep) pairs, a job takes one spatial choice and every keep choice. */
const MAX_PAIR_JOBS = 1 << 18;
/** Spatial choices enumerated at most. */
const MAX_SPATIAL = 1 << 22;

/**
 * Enumerate the jobs and order them by lower bound. Deterministic: workers call it and agree. Above
 * `pairJobs` (spatial, keep) pairs, a job covers every keep choice of a spatial choice.
 */
export function prepareSearch(space: MapSpace, metrics: readonly Metric[], pairJobs = MAX_PAIR_JOBS): PreparedSearch {
  const { choices: spatial, complete } = enumerateSpatial(space, MAX_SPATIAL);
  const keeps = enumerateKeeps(space);
  const jobs: { job: Job; bound: Float64Array }[] = [];
  if (spatial.length * keeps.length <= pairJobs) {
    spatial.forEach((sc, s) => {
      keeps.forEach((k, ki) => {
        const costs = jobCosts(space, sc, k);
        if (costs) jobs.push({ job: { spatial: s, keep: ki }, bound: jobBound(metrics, costs) });
      });
    });
  } else {
    spatial.forEach((sc, s) => jobs.push({ job: { spatial: s, keep: -1 }, bound: spatialBound(space, metrics, sc) }));
  }
  // Stable sort by bound: equal bounds keep enumeration order.
  const order = jobs.map((_, i) => i).sort((a, b) => compareVectors(jobs[a]!.bound, jobs[b]!.bound) || a - b);
  const bounds = new Float64Array(order.length * metrics.length);
  order.forEach((i, k) => bounds.set(jobs[i]!.bound, k * metrics.length));
  return { space, metrics, spatial, keeps, jobs: order.map((i) => jobs[i]!.job), bounds, complete };
}

/** Whether job `jobIndex`'s lower bound exceeds `incumbent` (then it holds no mapping as good). */
export function jobBounded(prep: PreparedSearch, jobIndex: number, incumbent: ArrayLike<number> | undefined): boolean {
  const M = prep.metrics.length;
  return incumbent !== undefined && boundExceeds(prep.bounds.subarray(jobIndex * M, (jobIndex + 1) * M), incumbent);
}

/** Metric vector from energy, last-level accesses and cycles. */
function vector(metrics: readonly Metric[], energy: number, accesses: number, cycles: number, out: Float64Array, at = 0): void {
  for (let m = 0; m < metrics.length; m++) {
    const name = metrics[m]!;
    out[at + m] = name === 'edp' ? energy * 1e-12 * cycles : name === 'energy' ? energy : name === 'delay' ? cycles : accesses;
  }
}

function jobBound(metrics: readonly Metric[], c: JobCosts): Float64Array {
  let e = c.energyConst;
  let a = c.accessConst;
  for (let t = 0; t < c.T; t++) {
    e += c.energySuffix[t * (c.L + 1)]!;
    a += c.accessSuffix[t * (c.L + 1)]!;
  }
  const out = new Float64Array(metrics.length);
  vector(metrics, e, a, c.cycles, out);
  return out;
}

/**
 * A lower bound for every keep choice of a spatial choice: compute, leakage, and per tensor the cheapest
 * level that could be its innermost keeper, serving every compute (its reads for an input, its updates
 * for an output) and, when that keeper is not the outermost level and the outermost level keeps the
 * tensor, what the outermost level must at least do anyway (read each word of an input once, update each
 * word of an output once: whatever the keepers between, they move the whole tensor) and the keeper's own
 * fills of an input (each word at least once into every instance it is multicast to).
 */
function spatialBound(space: MapSpace, metrics: readonly Metric[], sc: SpatialChoice): Float64Array {
  const L = space.levels.length;
  const D = space.dims.length;
  const cycles = space.computes / sc.product;
  let e = space.computes * space.computeEnergy;
  let utilized = 1;
  space.levels.forEach((lv, l) => {
    if (lv.kind !== 'spatial') e += leakageEnergy(lv.leakEnergy, cycles, lv.instances, utilized);
    for (let d = 0; d < D; d++) utilized *= sc.factors[l * D + d]!;
  });
  let a = 0;
  const top = space.levels[0]!;
  space.tensors.forEach((t, ti) => {
    // An affine tensor's keepers can serve fewer accesses (neighbours share halos): no bound from it.
    if (t.affine) return;
    let deepestForced = 0;
    space.levels.forEach((lv, l) => {
      if (lv.keep[ti] === 1) deepestForced = l;
    });
    // Multicast of t's words over the spatial factors it does not depend on: below level l, and above it.
    const mcBelow: number[] = new Array<number>(L + 1).fill(1);
    for (let l = L - 1; l >= 0; l--) {
      let irrelevant = 1;
      for (let d = 0; d < D; d++) if (!(t.mask & (1 << d))) irrelevant *= sc.factors[l * D + d]!;
      mcBelow[l] = mcBelow[l + 1]! * irrelevant;
    }
    const topKeeps = top.keep[ti] === 1;
    const topCost = topKeeps ? (t.isOutput ? top.updateEnergy : top.readEnergy) * t.size : 0;
    let best = Infinity;
    let bestAccesses = Infinity;
    for (let l = deepestForced; l < L; l++) {
      const lv = space.levels[l]!;
      if (lv.keep[ti] === 0) continue;
      const perWord = t.isOutput ? lv.updateEnergy : lv.readEnergy;
      let cost = (perWord * space.computes) / mcBelow[l]!;
      let accesses = l === 0 ? space.computes / mcBelow[0]! : 0;
      if (l > 0 && topKeeps) {
        cost += topCost + (t.isOutput ? 0 : lv.writeEnergy * t.size * (mcBelow[0]! / mcBelow[l]!));
        accesses = t.size;
      }
      best = Math.min(best, cost);
      bestAccesses = Math.min(bestAccesses, accesses);
    }
    if (Number.isFinite(best)) e += best;
    if (Number.isFinite(bestAccesses)) a += bestAccesses;
  });
  const out = new Float64Array(metrics.length);
  vector(metrics, e, a, cycles, out);
  return out;
}

// -----------------------------------------------------------------------------------------------------
// The temporal search of one job

/** How often (in nodes) the search polls `shouldStop` and refreshes the incumbent. */
const POLL = 2048;

/**
 * Run job `jobIndex`. `leafBudget` stops it after that many complete mappings (a dive: the first leaf is
 * the greedy one, children being tried best bound first); `workCap` once it has examined that many
 * mappings (complete and partial, checked before each node); the result then says `stopped`. Given the
 * same incumbents from `ctx`, a run cut by its caps is the same wherever and whenever it runs.
 */
export function runJob(prep: PreparedSearch, jobIndex: number, ctx: JobContext, leafBudget = Infinity, workCap = Infinity): JobResult {
  const job = prep.jobs[jobIndex]!;
  // One search object per prepared search and thread, its arrays reused from job to job.
  let search = searches.get(prep);
  if (!search) {
    search = new TemporalSearch(prep);
    searches.set(prep, search);
  }
  search.reset(jobIndex, ctx, leafBudget, workCap);
  if (jobBounded(prep, jobIndex, ctx.incumbent())) return { leaves: 0, partial: 1, stopped: false, capped: false, interrupted: false };
  if (job.keep >= 0) {
    const costs = jobCosts(prep.space, prep.spatial[job.spatial]!, prep.keeps[job.keep]!);
    if (costs) search.run(costs, job.spatial);
  } else {
    // Every keep choice of this spatial choice, in order of bound.
    const sc = prep.spatial[job.spatial]!;
    const all = prep.keeps.flatMap((k) => {
      const costs = jobCosts(prep.space, sc, k);
      return costs ? [{ costs, bound: jobBound(prep.metrics, costs) }] : [];
    });
    all.sort((a, b) => compareVectors(a.bound, b.bound));
    for (const { costs, bound } of all) {
      if (search.stopped) break;
      const inc = ctx.incumbent();
      if (inc && boundExceeds(bound, inc)) break;
      search.run(costs, job.spatial);
    }
  }
  return search.result();
}

/**
 * The temporal search of one job: levels from the outermost down, each level's factors and then its loop
 * order (among the orders that change some count). State before level l: the remaining temporal
 * quotient q of every dimension, and per tensor its `lock` (the refetch its keepers below certainly
 * pay: irrelevant loops outside its innermost relevant loop so far) and `loads` (how often the next
 * keeper receives its tile). Every cost that the choices so far determine is added exactly (`decided`);
 * the rest is bounded below by job.ts's linear form.
 *
 * Dominance: two states with the same remaining quotients at the same level face the same future, whose
 * cost only grows with each tensor's lock; a state whose locks and decided cost are no better than those
 * of a state already explored is cut.
 */
class TemporalSearch {
  private readonly space: MapSpace;
  private readonly metrics: readonly Metric[];
  private readonly M: number;
  private readonly L: number;
  private readonly D: number;
  private readonly T: number;
  private readonly tensorMask: Int32Array;
  /** The dimensions of each affine tensor: every order of a level with two loops or more over them is tried. */
  private readonly affineMasks: readonly number[];
  private readonly permCache: Map<number, PermCandidate[]>[];
  /** Under model costing: where the job's spatial factors sit. */
  private placement: SpatialPlacement | undefined;

  private costs!: JobCosts;
  private spatialIndex = 0;

  // State per depth l (before level l is decided).
  private readonly q: Float64Array; // (L + 1) × D
  private readonly f: Int32Array; // L × D: chosen factors
  private readonly perm: (PermCandidate | undefined)[]; // chosen order per level
  private readonly prefixT: Float64Array; // L + 1: Π temporal factors above level l
  private readonly cumIrr: Float64Array; // (L + 1) × T: Π irrelevant temporal factors above level l
  private readonly lock: Float64Array; // (L + 1) × T
  private readonly loads: Float64Array; // (L + 1) × T: loads of a keeper at level l
  private readonly decidedE: Float64Array; // L + 1
  private readonly decidedA: Float64Array; // L + 1
  private readonly loops: Int32Array; // L + 1
  private readonly pools: ChildPool[];
  private readonly orderPools: ChildPool[];
  /** An order with every irrelevant loop inside every relevant one: the bound for any order. */
  private readonly innermostOrder: PermCandidate;
  /** The order `cost` evaluates at a level (its outside masks rewritten per level). */
  private readonly costOutside: Int32Array;
  private readonly costCandidate: PermCandidate;
  private readonly memo: Memo[];
  private radix!: Float64Array; // D: mixed-radix weights of the quotient key
  private readonly scratchLock: Float64Array;
  private readonly scratchLoads: Float64Array;
  private readonly genFactors: Int32Array;
  private readonly extScratch: Float64Array;
  private readonly genNext: Float64Array;
  private readonly genBound: Float64Array;

  private readonly incumbent: Float64Array;
  private hasIncumbent = false;
  private best: Found | undefined;
  private leaves = 0;
  private rejected = 0;
  private bounded = 0;
  private nodes = 0;
  stopped = false;
  private readonly leafMetrics: Float64Array;
  private termE = 0;
  private termA = 0;

  private jobIndex = 0;
  private ctx!: JobContext;
  private leafBudget = Infinity;
  private workCap = Infinity;
  private capped = false;
  private interrupted = false;

  constructor(private readonly prep: PreparedSearch) {
    this.space = prep.space;
    this.metrics = prep.metrics;
    this.M = prep.metrics.length;
    this.L = prep.space.levels.length;
    this.D = prep.space.dims.length;
    this.T = prep.space.tensors.length;
    this.tensorMask = Int32Array.from(prep.space.tensors.map((t) => t.mask));
    this.permCache = permutationCache(prep);
    this.affineMasks = prep.space.tensors.filter((t) => t.affine).map((t) => t.mask);
    const { L, D, T } = this;
    this.q = new Float64Array((L + 1) * D);
    this.f = new Int32Array(L * D);
    this.perm = new Array<PermCandidate | undefined>(L).fill(undefined);
    this.prefixT = new Float64Array(L + 1);
    this.cumIrr = new Float64Array((L + 1) * T);
    this.lock = new Float64Array((L + 1) * T);
    this.loads = new Float64Array((L + 1) * T);
    this.decidedE = new Float64Array(L + 1);
    this.decidedA = new Float64Array(L + 1);
    this.loops = new Int32Array(L + 1);
    this.pools = Array.from({ length: L }, () => new ChildPool(D, this.M));
    this.orderPools = Array.from({ length: L }, () => new ChildPool(D, this.M));
    this.innermostOrder = { order: [], outside: new Int32Array(T) };
    this.costOutside = new Int32Array(T);
    this.costCandidate = { order: [], outside: this.costOutside };
    this.memo = Array.from({ length: L + 1 }, () => new Memo(T));
    this.scratchLock = new Float64Array(T);
    this.scratchLoads = new Float64Array(T);
    this.genFactors = new Int32Array(D);
    this.extScratch = new Float64Array(D);
    this.genNext = new Float64Array(D);
    this.genBound = new Float64Array(this.M);
    this.incumbent = new Float64Array(this.M);
    this.leafMetrics = new Float64Array(this.M);
  }

  /** Start job `jobIndex` afresh (counts, best mapping, incumbent copy). */
  reset(jobIndex: number, ctx: JobContext, leafBudget: number, workCap: number): void {
    this.jobIndex = jobIndex;
    this.ctx = ctx;
    this.leafBudget = leafBudget;
    this.workCap = workCap;
    this.capped = false;
    this.interrupted = false;
    this.hasIncumbent = false;
    this.best = undefined;
    this.leaves = 0;
    this.rejected = 0;
    this.bounded = 0;
    this.nodes = 0;
    this.stopped = false;
  }

  result(): JobResult {
    return { ...(this.best ? { best: this.best } : {}), leaves: this.leaves, partial: this.rejected + this.bounded, stopped: this.stopped, capped: this.capped, interrupted: this.interrupted };
  }

  run(costs: JobCosts, spatialIndex: number): void {
    this.spatialIndex = spatialIndex;
    this.placement = this.space.costing === 'model' ? placeSpatial(this.space, this.prep.spatial[spatialIndex]!) : undefined;
    this.begin(costs);
    this.refreshIncumbent();
    this.level(0);
  }

  /** The state before level 0: nothing decided, the constant costs counted. */
  private begin(costs: JobCosts): void {
    this.costs = costs;
    const { D, T, L } = this;
    this.radix = new Float64Array(D);
    let r = 1;
    for (let d = 0; d < D; d++) {
      this.radix[d] = r;
      r *= divisors(costs.temporalTotal[d]!).length;
    }
    for (const m of this.memo) m.clear();
    for (let d = 0; d < D; d++) this.q[d] = costs.temporalTotal[d]!;
    this.prefixT[0] = 1;
    for (let t = 0; t < T; t++) {
      this.cumIrr[t] = 1;
      this.lock[t] = 1;
      this.loads[t] = 1;
    }
    // Constant costs: compute, leakage, and every innermost keeper serving the computes.
    let e = this.space.computes * this.space.computeEnergy + costs.leakage;
    let a = 0;
    for (let t = 0; t < T; t++) {
      const last = costs.lastKeeper[t]!;
      if (last < 0) continue;
      const served = (costs.cycles * costs.spatialPrefix[t * (L + 1) + L]!) / costs.spatialPrefix[t * (L + 1) + last]!;
      this.serveEnergy(t, last, served);
      e += this.termE;
      if (last === 0) a += this.termA;
    }
    this.decidedE[0] = e;
    this.decidedA[0] = a;
    this.loops[0] = 0;
  }

  private refreshIncumbent(): void {
    const inc = this.ctx.incumbent();
    if (inc && (!this.hasIncumbent || compareVectors(inc, this.incumbent) < 0)) {
      this.incumbent.set(inc as ArrayLike<number>);
      this.hasIncumbent = true;
    }
  }

  private poll(): void {
    if (this.leaves + this.rejected + this.bounded >= this.workCap) {
      this.stopped = true;
      this.capped = true;
      return;
    }
    if (++this.nodes % POLL !== 0) return;
    if (this.ctx.shouldStop()) {
      this.stopped = true;
      this.interrupted = true;
    }
    this.refreshIncumbent();
  }

  /** Decide level l's temporal factors and order (levels above are decided). */
  private level(l: number): void {
    const { L, D, costs } = this;
    if (l === L) {
      this.leaf();
      return;
    }
    const pool = this.pools[l]!;
    pool.clear();
    const q = this.q;
    // Options per dimension: fixed, forced to 1, the rest (innermost free level), or any divisor.
    const opts: (readonly number[])[] = new Array<readonly number[]>(D);
    for (let d = 0; d < D; d++) {
      const fixed = costs.temporalFixed[l * D + d]!;
      const avail = q[l * D + d]! / costs.reservedFrom[(l + 1) * D + d]!;
      if (fixed > 0) opts[d] = avail % fixed === 0 ? [fixed] : [];
      else if (fixed < 0) opts[d] = [1];
      else if (costs.lastFree[d] === l) opts[d] = [avail];
      else opts[d] = divisors(avail);
      if (opts[d]!.length === 0) return;
    }
    this.generate(l, opts, pool);
    pool.sort();
    for (let i = 0; i < pool.count; i++) {
      const c = pool.order[i]!;
      if (this.hasIncumbent && boundExceeds(pool.boundOf(c), this.incumbent)) break;
      this.descend(l, pool, c);
      if (this.stopped) return;
    }
  }

  /**
   * Every combination of the options that fits, bounded, into the pool. Dimensions are fixed one at a
   * time; tiles only shrink as factors at this level grow, so with the dimensions not fixed yet at their
   * largest factor a failing fit cuts every combination below, and along one dimension's (increasing)
   * options the first fitting one makes all the following fit.
   */
  private generate(l: number, opts: readonly (readonly number[])[], pool: ChildPool): void {
    const { D } = this;
    const f = this.genFactors;
    const next = this.genNext;
    for (let d = 0; d < D; d++) {
      const o = opts[d]!;
      next[d] = this.q[l * D + d]! / o[o.length - 1]!;
    }
    const lv = this.space.levels[l + 1];
    const minUsed = lv !== undefined && lv.kind === 'buffer' ? lv.minCapacityUtilization * lv.capacity : 0;
    const bound = this.genBound;
    const maxLoops = this.space.maxTemporalLoops;
    const visit = (d: number, loops: number): void => {
      if (d === D) {
        if (loops > maxLoops || (minUsed > 0 && this.usedAt(l + 1, next) < minUsed)) {
          this.rejected++;
          return;
        }
        // The best case of every order: no irrelevant loop outside a relevant one at this level.
        this.childState(l, f, this.innermostOrder);
        this.childBound(l, f, bound);
        pool.add(f, bound);
        this.bounded++;
        return;
      }
      const o = opts[d]!;
      const q = this.q[l * D + d]!;
      let k = 0;
      for (; k < o.length; k++) {
        next[d] = q / o[k]!;
        if (this.fits(l, next)) break;
        this.rejected++;
      }
      for (; k < o.length; k++) {
        const v = o[k]!;
        next[d] = q / v;
        f[d] = v;
        visit(d + 1, v > 1 ? loops + 1 : loops);
      }
      next[d] = q / o[o.length - 1]!;
    };
    visit(0, this.loops[l]!);
  }

  /** Words the tiles kept at level k hold when `next` is the rest of each dimension below level k − 1. */
  private usedAt(k: number, next: Float64Array): number {
    const { D, T, costs } = this;
    const keep = costs.keep[k]!;
    const ext = this.extScratch;
    for (let d = 0; d < D; d++) ext[d] = next[d]! * costs.spatialBelow[k * D + d]!;
    let used = 0;
    for (let t = 0; t < T; t++) if (keep & (1 << t)) used += tileWords(this.space.tensors[t]!, ext);
    return used;
  }

  /** The rest `next` after level l fits level l + 1 and can still be placed below (deeperFits). */
  private fits(l: number, next: Float64Array): boolean {
    const lv = this.space.levels[l + 1];
    if (lv !== undefined && lv.kind === 'buffer' && this.costs.keep[l + 1] !== 0 && this.usedAt(l + 1, next) > lv.capacity) return false;
    return this.deeperFits(l, next);
  }

  /**
   * Whether the rest `next` (after level l) can still be placed: at every deeper buffer k, the tiles it
   * keeps hold at least the rest of each dimension that no free level between l and k can take, that is
   * all of the rest but the fixed factors in between (and only its fixed factors otherwise).
   */
  private deeperFits(l: number, next: Float64Array): boolean {
    const { D, T, L, costs } = this;
    const ext = this.extScratch;
    for (let k = l + 2; k < L; k++) {
      const lv = this.space.levels[k]!;
      const keep = costs.keep[k]!;
      if (lv.kind !== 'buffer' || keep === 0) continue;
      for (let d = 0; d < D; d++) {
        const reserved = costs.reservedFrom[k * D + d]!;
        const least = costs.prevFree[k * D + d]! <= l ? (next[d]! * reserved) / costs.reservedFrom[(l + 1) * D + d]! : reserved;
        ext[d] = least * costs.spatialBelow[k * D + d]!;
      }
      let used = 0;
      for (let t = 0; t < T; t++) if (keep & (1 << t)) used += tileWords(this.space.tensors[t]!, ext);
      if (used > lv.capacity) return false;
    }
    return true;
  }

  /**
   * The child's per-tensor lock and loads (into the scratch arrays) and exact decided cost (termE/termA)
   * after fixing level l to factors f in order c.
   */
  private childState(l: number, f: Int32Array, c: PermCandidate): void {
    const { D, T, L, costs, tensorMask } = this;
    let all = 1;
    for (let d = 0; d < D; d++) all *= f[d]!;
    const above = this.prefixT[l]!;
    let e = this.decidedE[l]!;
    let a = this.decidedA[l]!;
    for (let t = 0; t < T; t++) {
      const mask = tensorMask[t]!;
      let relevant = 1;
      let outside = 1;
      const out = c.outside[t]!;
      for (let d = 0; d < D; d++) {
        if (mask & (1 << d)) relevant *= f[d]!;
        else if (out & (1 << d)) outside *= f[d]!;
      }
      if (relevant > 1) {
        this.scratchLock[t] = this.cumIrr[l * T + t]! * outside;
        this.scratchLoads[t] = above * relevant * outside;
      } else {
        this.scratchLock[t] = this.lock[l * T + t]!;
        this.scratchLoads[t] = this.loads[l * T + t]!;
      }
      // The keeper at level l + 1 now has its final loads.
      const i = l + 1;
      if (i < L && costs.prevKeeper[t * L + i]! >= 0) {
        this.pairEnergy(t, i, this.scratchLoads[t]!, f);
        e += this.termE;
        a += this.termA;
      }
    }
    this.termE = e;
    this.termA = a;
  }

  /**
   * Lower bound after fixing level l (childState must have run): the exact decided cost, plus for keepers
   * below level l + 1 the linear cost at the refetch they certainly pay: the lock, and below a level where
   * one of the tensor's relevant loops must still appear, every irrelevant loop fixed so far.
   */
  private childBound(l: number, f: Int32Array, out: Float64Array): void {
    const { D, T, L, costs, tensorMask } = this;
    let e = this.termE;
    let a = this.termA;
    const i = l + 1;
    const from = Math.min(i + 1, L);
    for (let t = 0; t < T; t++) {
      const mask = tensorMask[t]!;
      let irrelevant = 1;
      let forced = L;
      for (let d = 0; d < D; d++) {
        const v = f[d]!;
        if (mask & (1 << d)) {
          const rest = this.q[l * D + d]! / v / costs.reservedFrom[i * D + d]!;
          if (rest > 1 && costs.lastFree[d]! < forced) forced = costs.lastFree[d]!;
        } else {
          irrelevant *= v;
        }
      }
      const fixedAt = costs.nextFixedRelevant[t * (L + 1) + i]!;
      if (fixedAt < forced) forced = fixedAt;
      const lockNext = this.scratchLock[t]!;
      const allIrr = this.cumIrr[l * T + t]! * irrelevant;
      const split = Math.max(from, Math.min(forced + 1, L));
      const base = t * (L + 1);
      e += lockNext * (costs.energySuffix[base + from]! - costs.energySuffix[base + split]!) + allIrr * costs.energySuffix[base + split]! + costs.energyPairConst[base + from]!;
      a += lockNext * (costs.accessSuffix[base + from]! - costs.accessSuffix[base + split]!) + allIrr * costs.accessSuffix[base + split]! + costs.accessPairConst[base + from]!;
    }
    vector(this.metrics, e, a, costs.cycles, out);
  }

  /** Fix level l's factors to the pool's child c, then each of its loop orders (best bound first). */
  private descend(l: number, pool: ChildPool, c: number): void {
    const { D } = this;
    this.poll();
    if (this.stopped) return;
    const f = this.f.subarray(l * D, (l + 1) * D);
    let nonUnit = 0;
    for (let d = 0; d < D; d++) {
      const v = pool.factor(c, d);
      f[d] = v;
      if (v > 1) nonUnit |= 1 << d;
    }
    const candidates = this.candidates(l, nonUnit);
    if (candidates.length === 1) {
      this.enter(l, candidates[0]!);
      return;
    }
    const orders = this.orderPools[l]!;
    orders.clear();
    const bound = new Float64Array(this.M);
    for (let k = 0; k < candidates.length; k++) {
      this.childState(l, f, candidates[k]!);
      this.childBound(l, f, bound);
      orders.add(f, bound, k);
      this.bounded++;
    }
    orders.sort();
    for (let i = 0; i < orders.count; i++) {
      const o = orders.order[i]!;
      if (this.hasIncumbent && boundExceeds(orders.boundOf(o), this.incumbent)) break;
      this.enter(l, candidates[orders.tag(o)]!);
      if (this.stopped) return;
    }
  }

  /** Fix level l's order to c (its factors are set) and search below, unless an explored state dominates. */
  private enter(l: number, cand: PermCandidate): void {
    const { D, T, costs, tensorMask } = this;
    const f = this.f.subarray(l * D, (l + 1) * D);
    let loops = this.loops[l]!;
    let key = 0;
    let all = 1;
    for (let d = 0; d < D; d++) {
      const v = f[d]!;
      all *= v;
      const rest = this.q[l * D + d]! / v;
      this.q[(l + 1) * D + d] = rest;
      key += this.radix[d]! * divisorIndex(costs.temporalTotal[d]!, rest);
      if (v > 1) loops++;
    }
    this.perm[l] = cand;
    this.childState(l, f, cand);
    const next = l + 1;
    // Dominance needs counts that depend on the state alone: not so for affine tensors (their deltas see every loop above).
    if (this.space.costing === 'closed-form' && !this.memo[next]!.admit(key, this.scratchLock, this.termE, this.termA, loops)) return;
    this.advance(l, loops, all);
    this.level(next);
  }

  /** Make level l's child (childState has run) the state before level l + 1. */
  private advance(l: number, loops: number, all: number): void {
    const { D, T, tensorMask } = this;
    const f = this.f.subarray(l * D, (l + 1) * D);
    const next = l + 1;
    this.loops[next] = loops;
    this.prefixT[next] = this.prefixT[l]! * all;
    this.decidedE[next] = this.termE;
    this.decidedA[next] = this.termA;
    for (let t = 0; t < T; t++) {
      const mask = tensorMask[t]!;
      let irrelevant = 1;
      for (let d = 0; d < D; d++) if (!(mask & (1 << d))) irrelevant *= f[d]!;
      this.cumIrr[next * T + t] = this.cumIrr[l * T + t]! * irrelevant;
      this.lock[next * T + t] = this.scratchLock[t]!;
      this.loads[next * T + t] = this.scratchLoads[t]!;
    }
  }

  /**
   * The exact metrics of one complete mapping of this job (temporal factors L × D, each level's loops
   * innermost first) into `out`, or false when a tile does not fit. The same sums as a leaf of the search.
   */
  cost(costs: JobCosts, temporal: ArrayLike<number>, orders: readonly (readonly number[])[], out: Float64Array): boolean {
    const { L, D, T, tensorMask } = this;
    this.begin(costs);
    const next = this.genNext;
    for (let l = 0; l < L; l++) {
      let all = 1;
      let loops = this.loops[l]!;
      for (let d = 0; d < D; d++) {
        const v = temporal[l * D + d]!;
        this.f[l * D + d] = v;
        all *= v;
        if (v > 1) loops++;
        next[d] = this.q[l * D + d]! / v;
        this.q[(l + 1) * D + d] = next[d]!;
      }
      const lv = this.space.levels[l + 1];
      if (lv !== undefined && lv.kind === 'buffer' && costs.keep[l + 1] !== 0 && this.usedAt(l + 1, next) > lv.capacity) return false;
      // Which irrelevant loops of each tensor sit outside its innermost relevant loop here.
      const order = orders[l] ?? [];
      const outside = this.costOutside;
      for (let t = 0; t < T; t++) {
        const mask = tensorMask[t]!;
        let o = 0;
        let closed = false;
        for (const d of order) {
          if (closed && !(mask & (1 << d))) o |= 1 << d;
          if (mask & (1 << d)) closed = true;
        }
        outside[t] = o;
      }
      this.childState(l, this.f.subarray(l * D, (l + 1) * D), this.costCandidate);
      this.advance(l, loops, all);
    }
    vector(this.metrics, this.decidedE[L]!, this.decidedA[L]!, costs.cycles, out);
    return true;
  }

  /** Every level is decided: the decided cost is the exact cost (or, under model costing, the model's). */
  private leaf(): void {
    const { L, D, costs } = this;
    const metrics = this.leafMetrics;
    if (this.space.costing === 'model') {
      if (!this.modelMetrics(metrics)) {
        this.rejected++;
        return;
      }
    } else {
      vector(this.metrics, this.decidedE[L]!, this.decidedA[L]!, costs.cycles, metrics);
    }
    this.leaves++;
    if (this.leaves >= this.leafBudget) this.stopped = true;
    if (this.best && compareVectors(metrics, this.best.metrics) >= 0) return;
    if (this.hasIncumbent && compareVectors(metrics, this.incumbent) > 0 && boundExceeds(metrics, this.incumbent)) return;
    const orders: number[][] = [];
    for (let l = 0; l < L; l++) {
      const c = this.perm[l];
      const nonUnit: number[] = [];
      for (let d = 0; d < D; d++) if (this.f[l * D + d]! > 1) nonUnit.push(d);
      orders.push(c && nonUnit.length > 1 ? [...c.order] : nonUnit);
    }
    this.best = {
      metrics: Array.from(metrics),
      choice: { spatial: this.spatialIndex, keep: Array.from(costs.keep), temporal: Array.from(this.f), orders },
      key: [this.jobIndex, this.leaves],
    };
    if (!this.hasIncumbent || compareVectors(metrics, this.incumbent) < 0) {
      this.incumbent.set(metrics);
      this.hasIncumbent = true;
      this.ctx.offer(metrics);
    }
  }

  /**
   * Energy (termE) and outermost-level accesses (termA) of keeper i of tensor t receiving its tiles
   * `loads` times from its previous keeper k: the fills at i and what k reads (and updates) to serve
   * them. `f` holds level i − 1's factors; the quotient before it is q[i − 1].
   */
  private pairEnergy(t: number, i: number, loads: number, f: Int32Array): void {
    const { L, D, costs } = this;
    const k = costs.prevKeeper[t * L + i]!;
    const lk = this.space.levels[k]!;
    const li = this.space.levels[i]!;
    const mask = this.tensorMask[t]!;
    let size = 1;
    for (let d = 0; d < D; d++) if (mask & (1 << d)) size *= (this.q[(i - 1) * D + d]! / f[d]!) * costs.spatialBelow[i * D + d]!;
    const fills = loads * size;
    const content = (fills * costs.spatialPrefix[t * (L + 1) + i]!) / costs.spatialPrefix[t * (L + 1) + k]!;
    const instI = costs.instAbove[i]!;
    const instK = costs.instAbove[k]!;
    if (this.space.tensors[t]!.isOutput) {
      const reads = content - costs.partition[t * L + k]!;
      this.termE = instI * accessEnergy(fills - costs.partition[t * L + i]!, li.writeAccess, li.blockSize) + instK * (accessEnergy(reads, lk.readAccess, lk.blockSize) + accessEnergy(content, lk.updateAccess, lk.blockSize));
      this.termA = k === 0 ? reads + content : 0;
    } else {
      this.termE = instI * accessEnergy(fills, li.writeAccess, li.blockSize) + instK * accessEnergy(content, lk.readAccess, lk.blockSize);
      this.termA = k === 0 ? content : 0;
    }
  }

  /** The innermost keeper k of t serving `served` accesses per instance to the computes below it. */
  private serveEnergy(t: number, k: number, served: number): void {
    const lk = this.space.levels[k]!;
    const inst = this.costs.instAbove[k]!;
    if (this.space.tensors[t]!.isOutput) {
      const reads = served - this.costs.partition[t * this.L + k]!;
      this.termE = inst * (accessEnergy(reads, lk.readAccess, lk.blockSize) + accessEnergy(served, lk.updateAccess, lk.blockSize));
      this.termA = reads + served;
    } else {
      this.termE = inst * accessEnergy(served, lk.readAccess, lk.blockSize);
      this.termA = served;
    }
  }

  private candidates(l: number, nonUnit: number): PermCandidate[] {
    const cache = this.permCache[l]!;
    let c = cache.get(nonUnit);
    if (c === undefined) {
      const masks = Array.from(this.tensorMask);
      const pinned = this.space.levels[l]!.pinned;
      // With two loops or more over an affine tensor's dimensions, their order changes its deltas; with
      // one, only which of its irrelevant loops sit outside it matters (as for a rank subset).
      const ordered = this.affineMasks.some((m) => popcount(nonUnit & m) >= 2);
      c = ordered ? everyOrder(nonUnit, pinned, masks) : permutationCandidates(nonUnit, pinned, masks);
      cache.set(nonUnit, c);
    }
    return c;
  }

  /** Under model costing: the metrics of the complete mapping the state describes, from src/model (false if it does not fit). */
  private modelMetrics(out: Float64Array): boolean {
    const { D, space, costs } = this;
    const placement = this.placement!;
    const levels: LevelMapping[] = space.levels.map((lv, l) => {
      const nonUnit: number[] = [];
      for (let d = 0; d < D; d++) if (this.f[l * D + d]! > 1) nonUnit.push(d);
      const order = nonUnit.length > 1 ? this.perm[l]!.order : nonUnit;
      const spatialX: Loop[] = [];
      const spatialY: Loop[] = [];
      for (let d = 0; d < D; d++) {
        const bound = placement.factors[l * D + d]!;
        if (bound > 1) (placement.axes[l * D + d] === 0 ? spatialX : spatialY).push({ dim: space.dims[d]!, bound });
      }
      return {
        level: lv.name,
        temporal: [...order].reverse().map((d) => ({ dim: space.dims[d]!, bound: this.f[l * D + d]! })),
        spatialX,
        spatialY,
        keep: space.tensors.filter((_, t) => (costs.keep[l]! & (1 << t)) !== 0).map((t) => t.name),
      };
    });
    const ev = evaluateNest(space.arch, space.problem, space.computeCost !== undefined ? { levels, computeCost: space.computeCost } : { levels });
    if (!ev.ok) return false;
    out.set(evaluationMetrics(this.metrics, ev));
    return true;
  }
}

/** Job costs of recent (spatial, keep) pairs, per prepared search: local search revisits the same few. */
const jobCostCaches = new WeakMap<PreparedSearch, Map<string, JobCosts | undefined>>();
const JOB_COST_CACHE = 256;

/**
 * The exact metrics of a complete mapping in closed form (as a leaf of the search costs it), or undefined
 * when the mapspace is costed by the model, or the closed form does not apply to this choice (then ask
 * src/model), or `fits` is false: a tile does not fit.
 */
export function costChoice(prep: PreparedSearch, choice: Choice): { readonly metrics: readonly number[] } | { readonly fits: false } | undefined {
  if (prep.space.costing === 'model') return undefined;
  let cache = jobCostCaches.get(prep);
  if (!cache) {
    cache = new Map();
    jobCostCaches.set(prep, cache);
  }
  const key = `${choice.spatial}:${choice.keep.join(',')}`;
  let costs = cache.get(key);
  if (costs === undefined && !cache.has(key)) {
    costs = jobCosts(prep.space, prep.spatial[choice.spatial]!, Int32Array.from(choice.keep));
    if (cache.size >= JOB_COST_CACHE) cache.delete(cache.keys().next().value!);
    cache.set(key, costs);
  }
  if (!costs) return undefined;
  let search = searches.get(prep);
  if (!search) {
    search = new TemporalSearch(prep);
    searches.set(prep, search);
  }
  const out = new Float64Array(prep.metrics.length);
  return search.cost(costs, choice.temporal, choice.orders, out) ? { metrics: Array.from(out) } : { fits: false };
}

const permCaches = new WeakMap<PreparedSearch, Map<number, PermCandidate[]>[]>();
const searches = new WeakMap<PreparedSearch, TemporalSearch>();

/** Loop-order candidates per level and set of loops, shared by every job of a search. */
function permutationCache(prep: PreparedSearch): Map<number, PermCandidate[]>[] {
  let c = permCaches.get(prep);
  if (!c) {
    c = prep.space.levels.map(() => new Map());
    permCaches.set(prep, c);
  }
  return c;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v !== 0; v &= v - 1) c++;
  return c;
}

/** Index of divisor `value` of n (divisors are sorted). */
function divisorIndex(n: number, value: number): number {
  const ds = divisors(n);
  let lo = 0;
  let hi = ds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ds[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** States explored at one depth, by remaining-quotient key: their locks, decided costs and loop counts. */
class Memo {
  private readonly byKey = new Map<number, number[]>();
  private locks: Float64Array;
  private energy: Float64Array;
  private accesses: Float64Array;
  private loops: Int32Array;
  private count = 0;

  constructor(private readonly T: number) {
    this.locks = new Float64Array(16 * T);
    this.energy = new Float64Array(16);
    this.accesses = new Float64Array(16);
    this.loops = new Int32Array(16);
  }

  clear(): void {
    this.byKey.clear();
    this.count = 0;
  }

  /** False when an explored state with the same key is at least as good in every respect; else records it. */
  admit(key: number, lock: Float64Array, energy: number, accesses: number, loops: number): boolean {
    const T = this.T;
    let list = this.byKey.get(key);
    if (list) {
      for (const s of list) {
        if (this.energy[s]! > energy || this.accesses[s]! > accesses || this.loops[s]! > loops) continue;
        let dominated = true;
        for (let t = 0; t < T; t++) {
          if (this.locks[s * T + t]! > lock[t]!) {
            dominated = false;
            break;
          }
        }
        if (dominated) return false;
      }
    }
    if (this.count >= MEMO_LIMIT) return true;
    if (this.count === this.energy.length) this.grow();
    const s = this.count++;
    this.locks.set(lock, s * T);
    this.energy[s] = energy;
    this.accesses[s] = accesses;
    this.loops[s] = loops;
    if (list) list.push(s);
    else this.byKey.set(key, [s]);
    return true;
  }

  private grow(): void {
    const n = this.energy.length * 2;
    const locks = new Float64Array(n * this.T);
    locks.set(this.locks);
    this.locks = locks;
    const energy = new Float64Array(n);
    energy.set(this.energy);
    this.energy = energy;
    const accesses = new Float64Array(n);
    accesses.set(this.accesses);
    this.accesses = accesses;
    const loops = new Int32Array(n);
    loops.set(this.loops);
    this.loops = loops;
  }
}

/** States remembered per depth at most (beyond, the search goes on without dominance checks). */
const MEMO_LIMIT = 1 << 20;

/** Children of one node: factors and bounds in flat typed arrays, sorted by bound. */
class ChildPool {
  count = 0;
  private factors: Int32Array;
  private bounds: Float64Array;
  private products: Float64Array;
  private perms: Int32Array;
  order: Int32Array;

  constructor(
    private readonly D: number,
    private readonly M: number,
  ) {
    this.factors = new Int32Array(64 * D);
    this.bounds = new Float64Array(64 * M);
    this.products = new Float64Array(64);
    this.perms = new Int32Array(64);
    this.order = new Int32Array(64);
  }

  clear(): void {
    this.count = 0;
  }

  add(f: Int32Array, bound: Float64Array, tag = 0): void {
    if (this.count === this.order.length) this.grow();
    this.factors.set(f, this.count * this.D);
    this.perms[this.count] = tag;
    this.bounds.set(bound, this.count * this.M);
    let p = 1;
    for (let d = 0; d < this.D; d++) p *= f[d]!;
    this.products[this.count] = p;
    this.order[this.count] = this.count;
    this.count++;
  }

  factor(c: number, d: number): number {
    return this.factors[c * this.D + d]!;
  }

  tag(c: number): number {
    return this.perms[c]!;
  }

  boundOf(c: number): Float64Array {
    return this.bounds.subarray(c * this.M, (c + 1) * this.M);
  }

  sort(): void {
    const { M, bounds } = this;
    const view = this.order.subarray(0, this.count);
    view.sort((a, b) => {
      for (let m = 0; m < M; m++) {
        const x = bounds[a * M + m]!;
        const y = bounds[b * M + m]!;
        if (x !== y) return x - y;
      }
      // Equal bounds: fewer iterations at this level first (bigger tiles below: the greedy choice).
      return this.products[a]! - this.products[b]! || a - b;
    });
  }

  private grow(): void {
    const n = this.order.length * 2;
    const factors = new Int32Array(n * this.D);
    factors.set(this.factors);
    const bounds = new Float64Array(n * this.M);
    bounds.set(this.bounds);
    const order = new Int32Array(n);
    order.set(this.order);
    const products = new Float64Array(n);
    products.set(this.products);
    this.products = products;
    const perms = new Int32Array(n);
    perms.set(this.perms);
    this.perms = perms;
    this.factors = factors;
    this.bounds = bounds;
    this.order = order;
  }
}
