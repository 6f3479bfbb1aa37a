/**
 * @file Local search from complete mappings (an iterated hill climb), for a strong incumbent early on
 * mapspaces too large to exhaust. From a mapping the branch and bound found (a greedy dive), it moves to
 * the first better neighbour (each scan going on where the last one stopped) until none is better; then it kicks the best
 * mapping with a few random moves and climbs again, within a budget of evaluations. Neighbours: a prime
 * factor (or a whole factor) of one dimension moved between two of its free slots (temporal at any
 * level, or a spatial group), a free keep bit flipped, a loop moved to the innermost or outermost free
 * position of its level.
 *
 * Every mapping it visits lies in the mapspace (fixed factors, pinned loops and keep constraints are
 * never moved; spatial choices come from the enumerated ones, so placements and utilization floors
 * hold; loop counts and capacity floors are checked) and is costed exactly: in closed form as the search
 * costs its leaves (search.ts `costChoice`), else by src/model; tiles that do not fit are refused. The
 * mapping it returns carries src/model's metrics, so the incumbent it seeds is a true cost. Its results only seed the incumbent: a bound cuts a subtree only when it
 * exceeds the incumbent, so every cut stays sound, and drive.ts prefers the branch and bound's own
 * mapping on ties, so an exhaustive search returns what it returned without this. Deterministic:
 * neighbours in a fixed order, kicks from a seeded generator.
 */
import { evaluateNest } from '../model/evaluate.ts';
import { choiceMapping } from './emit.ts';
import { Keep, tileWords } from './mapspace.ts';
import { compareVectors, evaluationMetrics } from './metrics.ts';
import { costChoice, type Choice, type PreparedSearch } from './search.ts';

export interface PolishResult {
  /** The best mapping visited (its metrics from src/model), when any was valid. */
  readonly best?: { readonly metrics: readonly number[]; readonly choice: Choice };
  /** Complete mappings costed. */
  readonly evaluated: number;
  /** Cut by `shouldStop` (a time limit) before its budget was spent. */
  readonly interrupted: boolean;
}

/** Kicks in a row whose climbs end no better than the best mapping: then the search stops. */
const MAX_IDLE_KICKS = 8;

/** A complete mapping as the climb edits it. */
interface State {
  /** L × D spatial factors: the group totals at each group's head (as SpatialChoice.factors). */
  readonly spatial: Int32Array;
  /** Index of `spatial` among the enumerated spatial choices. */
  spatialIndex: number;
  readonly keep: Int32Array;
  /** L × D temporal factors. */
  readonly temporal: Int32Array;
  /** Per level, every dimension, innermost first (pinned ones first). */
  readonly orders: number[][];
}

/**
 * Search the neighbourhood of `start` for at most `budget` evaluations; `seed` drives the kicks;
 * `shouldStop` (polled every few evaluations) cuts it short.
 */
export function polish(prep: PreparedSearch, start: Choice, budget: number, seed: number, shouldStop: () => boolean = () => false): PolishResult {
  const ctx = new Climb(prep, seed, shouldStop);
  return ctx.run(fromChoice(prep, start), budget);
}

const spatialIndexes = new WeakMap<PreparedSearch, Map<string, number>>();

/** Index of each enumerated spatial choice by its factors. */
function spatialIndex(prep: PreparedSearch): Map<string, number> {
  let m = spatialIndexes.get(prep);
  if (!m) {
    m = new Map(prep.spatial.map((s, i) => [s.factors.join(','), i]));
    spatialIndexes.set(prep, m);
  }
  return m;
}

function fromChoice(prep: PreparedSearch, c: Choice): State {
  const orders = prep.space.levels.map((lv, l) => {
    const chosen = c.orders[l] ?? [];
    const head = [...lv.pinned, ...chosen.filter((d) => !lv.pinned.includes(d))];
    return [...head, ...prep.space.dims.map((_, d) => d).filter((d) => !head.includes(d))];
  });
  return { spatial: Int32Array.from(prep.spatial[c.spatial]!.factors), spatialIndex: c.spatial, keep: Int32Array.from(c.keep), temporal: Int32Array.from(c.temporal), orders };
}

function copy(s: State): State {
  return { spatial: s.spatial.slice(), spatialIndex: s.spatialIndex, keep: s.keep.slice(), temporal: s.temporal.slice(), orders: s.orders.map((o) => o.slice()) };
}

/**
 * A neighbour not built yet: the scan lists every move of a state but, climbing to the first better one,
 * builds (copies) only the few it evaluates.
 */
type Move = () => State;

/** A slot a dimension's factors can sit in: a level's temporal loop, or a spatial group (at its head). */
interface Slot {
  readonly spatial: boolean;
  /** The level whose factor this slot holds. */
  readonly level: number;
}

class Climb {
  private readonly L: number;
  private readonly D: number;
  private readonly T: number;
  /** Per dimension, its free slots. */
  private readonly slots: Slot[][];
  /** Free keep bits: [level, tensor]. */
  private readonly freeKeeps: [number, number][];
  private evaluated = 0;
  private interrupted = false;
  /** Where the next neighbourhood scan starts. */
  private cursor = 0;
  private rng: number;

  constructor(
    private readonly prep: PreparedSearch,
    seed: number,
    private readonly shouldStop: () => boolean,
  ) {
    const space = prep.space;
    this.L = space.levels.length;
    this.D = space.dims.length;
    this.T = space.tensors.length;
    this.rng = (seed >>> 0) || 0x9e3779b9;
    this.slots = space.dims.map((_, d) => {
      const out: Slot[] = [];
      space.levels.forEach((lv, l) => {
        if (lv.temporalFixed[d] === 0) out.push({ spatial: false, level: l });
      });
      for (const g of space.groups) {
        if (g.levels.some((li) => space.levels[li]!.spatialFixed[d] === 0)) out.push({ spatial: true, level: g.head });
      }
      return out;
    });
    this.freeKeeps = [];
    space.levels.forEach((lv, l) => lv.keep.forEach((k, t) => k === Keep.Free && this.freeKeeps.push([l, t])));
  }

  run(start: State, budget: number): PolishResult {
    let best = this.evaluate(start);
    if (!best) return { evaluated: this.evaluated, interrupted: this.interrupted };
    let bestState = start;
    let current = { state: start, metrics: best };
    let idleKicks = 0;
    while (this.evaluated < budget && !this.interrupted && idleKicks < MAX_IDLE_KICKS) {
      const next = this.bestNeighbour(current.state, current.metrics, budget);
      if (next) {
        current = next;
        if (compareVectors(next.metrics, best) < 0) {
          best = next.metrics;
          bestState = next.state;
        }
        continue;
      }
      // A local optimum: kick the best mapping found and climb again (until kicks stop paying off).
      if (current.state === bestState) idleKicks = 0;
      else idleKicks++;
      const kicked = this.kick(bestState, budget);
      if (!kicked) break;
      current = kicked;
      if (compareVectors(kicked.metrics, best) < 0) {
        best = kicked.metrics;
        bestState = kicked.state;
      }
    }
    // The model's metrics for the mapping returned: what the incumbent may rely on.
    const choice = this.choice(bestState);
    const metrics = modelMetrics(this.prep, choice);
    return { ...(metrics ? { best: { metrics, choice } } : {}), evaluated: this.evaluated, interrupted: this.interrupted };
  }

  /**
   * A neighbour strictly better than `metrics` (the first found, scanning from where the last scan
   * stopped: first improvement, cheaper per step than the best one), or undefined at a local optimum.
   */
  private bestNeighbour(s: State, metrics: readonly number[], budget: number): { state: State; metrics: number[] } | undefined {
    const all = this.neighbours(s);
    for (let k = 0; k < all.length; k++) {
      if (this.evaluated >= budget) break;
      const at = (this.cursor + k) % all.length;
      const n = all[at]!();
      const m = this.evaluate(n);
      if (m && compareVectors(m, metrics) < 0) {
        this.cursor = at + 1;
        return { state: n, metrics: m };
      }
    }
    return undefined;
  }

  /** A few random factor moves from s (valid ones only), then its metrics. */
  private kick(s: State, budget: number): { state: State; metrics: number[] } | undefined {
    for (let attempt = 0; attempt < 64 && this.evaluated < budget; attempt++) {
      let n = s;
      const moves = 2 + this.random(3);
      for (let i = 0; i < moves; i++) {
        const options = this.factorMoves(n, false);
        if (options.length === 0) break;
        n = options[this.random(options.length)]!();
      }
      if (this.random(2) === 0 && this.freeKeeps.length > 0) {
        const [l, t] = this.freeKeeps[this.random(this.freeKeeps.length)]!;
        n = copy(n);
        n.keep[l] = n.keep[l]! ^ (1 << t);
      }
      const m = this.evaluate(n);
      if (m) return { state: n, metrics: m };
    }
    return undefined;
  }

  private neighbours(s: State): Move[] {
    const out = this.factorMoves(s);
    const { L, D } = this;
    for (const [l, t] of this.freeKeeps) {
      out.push(() => {
        const n = copy(s);
        n.keep[l] = n.keep[l]! ^ (1 << t);
        return n;
      });
    }
    for (let l = 0; l < L; l++) {
      const pinned = this.prep.space.levels[l]!.pinned.length;
      const order = s.orders[l]!;
      const loops = order.filter((d) => s.temporal[l * D + d]! > 1);
      if (loops.length < 2) continue;
      for (let i = pinned; i < D; i++) {
        const d = order[i]!;
        if (s.temporal[l * D + d]! <= 1) continue;
        for (const to of [pinned, D - 1]) {
          if (to === i) continue;
          out.push(() => {
            const n = copy(s);
            const o = n.orders[l]!;
            o.splice(i, 1);
            o.splice(to, 0, d);
            return n;
          });
        }
      }
    }
    return out;
  }

  /**
   * Moves of one dimension's factors: a prime factor (or, between temporal slots, the whole factor) to
   * another of its slots; and exchanges that keep a spatial group's product: a prime of one dimension
   * out of the group into a temporal slot, the same prime of another dimension from a temporal slot in.
   */
  private factorMoves(s: State, wholeFactors = true): Move[] {
    const { D } = this;
    const out: Move[] = [];
    const index = spatialIndex(this.prep);
    for (let d = 0; d < D; d++) {
      const slots = this.slots[d]!;
      for (const from of slots) {
        const v = this.get(s, from, d);
        if (v <= 1) continue;
        for (const p of primes(v)) {
          for (const to of slots) {
            if (to === from) continue;
            // A move through a spatial group must land on an enumerated spatial choice.
            let si = s.spatialIndex;
            if (from.spatial || to.spatial) {
              const spatial = s.spatial.slice();
              if (from.spatial) spatial[from.level * D + d] = v / p;
              if (to.spatial) spatial[to.level * D + d] = spatial[to.level * D + d]! * p;
              const i = index.get(spatial.join(','));
              if (i === undefined) continue;
              si = i;
            }
            out.push(() => {
              const n = copy(s);
              this.set(n, from, d, v / p);
              this.set(n, to, d, this.get(s, to, d) * p);
              n.spatialIndex = si;
              return n;
            });
          }
          if (!from.spatial) continue;
          // Exchange: p of d leaves the group for a temporal level, p of e enters it from that level.
          for (let e = 0; e < D; e++) {
            if (e === d) continue;
            const into = this.slots[e]!.find((x) => x.spatial && x.level === from.level);
            if (!into) continue;
            const spatial = s.spatial.slice();
            spatial[from.level * D + d] = v / p;
            spatial[into.level * D + e] = spatial[into.level * D + e]! * p;
            const si = index.get(spatial.join(','));
            if (si === undefined) continue;
            for (const to of slots) {
              if (to.spatial || this.get(s, to, e) % p !== 0 || !this.slots[e]!.some((x) => !x.spatial && x.level === to.level)) continue;
              out.push(() => {
                const n = copy(s);
                n.spatial.set(spatial);
                n.spatialIndex = si;
                this.set(n, to, d, this.get(s, to, d) * p);
                this.set(n, to, e, this.get(s, to, e) / p);
                return n;
              });
            }
          }
        }
        if (!wholeFactors || from.spatial || primes(v).includes(v)) continue;
        for (const to of slots) {
          if (to === from || to.spatial) continue;
          out.push(() => {
            const n = copy(s);
            this.set(n, from, d, 1);
            this.set(n, to, d, this.get(s, to, d) * v);
            return n;
          });
        }
      }
    }
    return out;
  }

  private get(s: State, slot: Slot, d: number): number {
    return (slot.spatial ? s.spatial : s.temporal)[slot.level * this.D + d]!;
  }

  private set(s: State, slot: Slot, d: number, v: number): void {
    (slot.spatial ? s.spatial : s.temporal)[slot.level * this.D + d] = v;
  }

  /** The search's choice for a state. */
  private choice(s: State): Choice {
    const D = this.D;
    const orders = s.orders.map((o, l) => o.filter((d) => s.temporal[l * D + d]! > 1));
    return { spatial: s.spatialIndex, keep: Array.from(s.keep), temporal: Array.from(s.temporal), orders };
  }

  /** The metrics of a valid state (src/model), or undefined. */
  private evaluate(s: State): number[] | undefined {
    const { prep, L, D, T } = this;
    const space = prep.space;
    // Every tensor kept somewhere; loop count and capacity floors.
    let kept = 0;
    for (let l = 0; l < L; l++) kept |= s.keep[l]!;
    if (kept !== (1 << T) - 1) return undefined;
    let loops = 0;
    for (const f of s.temporal) if (f > 1) loops++;
    if (loops > space.maxTemporalLoops) return undefined;
    const c = this.choice(s);
    const ext = new Float64Array(D);
    for (let l = 0; l < L; l++) {
      const lv = space.levels[l]!;
      if (lv.kind !== 'buffer' || lv.minCapacityUtilization <= 0) continue;
      for (let d = 0; d < D; d++) {
        let x = 1;
        for (let j = l; j < L; j++) x *= s.temporal[j * D + d]! * s.spatial[j * D + d]!;
        ext[d] = x;
      }
      let used = 0;
      for (let t = 0; t < T; t++) if (s.keep[l]! & (1 << t)) used += tileWords(space.tensors[t]!, ext);
      if (used < lv.minCapacityUtilization * lv.capacity) return undefined;
    }
    if (++this.evaluated % 64 === 0 && this.shouldStop()) this.interrupted = true;
    const closed = costChoice(prep, c);
    if (closed) return 'metrics' in closed ? [...closed.metrics] : undefined;
    return modelMetrics(prep, c);
  }

  /** A deterministic integer in [0, n) (xorshift32). */
  private random(n: number): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng % n;
  }
}

/** The metrics src/model gives a choice, or undefined when it does not fit. */
function modelMetrics(prep: PreparedSearch, c: Choice): number[] | undefined {
  const ev = evaluateNest(prep.space.arch, prep.space.problem, choiceMapping(prep, c));
  return ev.ok ? evaluationMetrics(prep.metrics, ev) : undefined;
}

/** The distinct prime factors of n. */
function primes(n: number): number[] {
  const out: number[] = [];
  let m = n;
  for (let p = 2; p * p <= m; p++) {
    if (m % p !== 0) continue;
    out.push(p);
    while (m % p === 0) m /= p;
  }
  if (m > 1) out.push(m);
  return out;
}
