/**
 * @file The plan of a search and its deterministic execution: what runs, in which rounds, with which
 * incumbent, and how results merge. Runners (this thread here, worker threads in src/cli/map-runner.ts)
 * only execute the rounds this plan hands out.
 *
 * Work comes in items: *dives* (a job's greedy first mapping), *polishes* (a local search from the best
 * dives, polish.ts) and *jobs* (the full branch and bound of one job, search.ts, under a work cap; a job
 * cut by its cap goes back in the queue with a cap four times larger, after the jobs before it). A round
 * is a list of items that all start from the same incumbent, the best mapping known when the round
 * starts; an item sees only that incumbent and its own finds. So an item's result depends on the plan
 * alone, never on which thread ran it or when, and the whole search is a function of the prepared
 * search and the work budget: the same mapping and the same counts on any number of threads. Only a
 * time limit (or a stop) cuts at a point that depends on the machine.
 *
 * Merging: the best metrics win, ties go to the earliest mapping in search order. A mapping that only
 * the local search found is reported only when it is better, beyond rounding, than every mapping the
 * branch and bound found: an exhaustive search therefore returns the branch and bound's optimum, as it
 * would without the local search.
 */
import { boundExceeds, compareVectors } from './metrics.ts';
import { polish } from './polish.ts';
import { runJob, type Choice, type Found, type JobContext, type PreparedSearch } from './search.ts';

export interface Progress {
  readonly jobsDone: number;
  readonly jobs: number;
  /** Complete mappings costed. */
  readonly valid: number;
  /** valid + partial mappings examined (rejected by a check, or bounded). */
  readonly evaluated: number;
  readonly best?: readonly number[];
}

export interface SearchOutcome {
  readonly best?: Found;
  readonly valid: number;
  readonly evaluated: number;
  readonly jobsDone: number;
  readonly jobs: number;
  /** Every job ran to the end over a complete enumeration: `best` is the proven optimum. */
  readonly exhaustive: boolean;
  /** The search stopped because its work budget ran out. */
  readonly budgetSpent: boolean;
}

export type WorkItem =
  | { readonly kind: 'dive'; readonly job: number; readonly cap: number }
  | { readonly kind: 'polish'; readonly start: Choice; readonly seed: number; readonly budget: number; readonly key: number }
  | { readonly kind: 'job'; readonly job: number; readonly cap: number };

export interface ItemResult {
  readonly best?: Found;
  readonly valid: number;
  readonly evaluated: number;
  /** Cut by its work cap (a job then runs again with a larger cap). */
  readonly capped: boolean;
  /** Cut by a stop (time limit): not deterministic. */
  readonly stopped: boolean;
}

/** The better of two results (metrics, then search order). */
export function betterFound(a: Found | undefined, b: Found | undefined): Found | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = compareVectors(a.metrics, b.metrics);
  if (c !== 0) return c < 0 ? a : b;
  return a.key[0] < b.key[0] || (a.key[0] === b.key[0] && a.key[1] <= b.key[1]) ? a : b;
}

/** Run one item from `incumbent` (the round's), stopping early when `shouldStop` says so. */
export function runItem(prep: PreparedSearch, item: WorkItem, incumbent: readonly number[] | undefined, shouldStop: () => boolean): ItemResult {
  switch (item.kind) {
    case 'polish': {
      const r = polish(prep, item.start, item.budget, item.seed, shouldStop);
      const best = r.best ? { metrics: r.best.metrics, choice: r.best.choice, key: [prep.jobs.length + item.key, 0] as const } : undefined;
      return { ...(best ? { best } : {}), valid: r.evaluated, evaluated: r.evaluated, capped: false, stopped: r.interrupted };
    }
    case 'dive':
    case 'job': {
      const ctx: JobContext = { incumbent: () => incumbent, offer: () => undefined, shouldStop };
      const r = runJob(prep, item.job, ctx, item.kind === 'dive' ? 1 : Infinity, item.cap);
      return { ...(r.best ? { best: r.best } : {}), valid: r.leaves, evaluated: r.leaves + r.partial, capped: r.capped, stopped: r.interrupted };
    }
    default: {
      const never: never = item;
      return never;
    }
  }
}

/** Jobs dived into before the full search (none when there are few jobs: they all run soon anyway). */
export function diveCount(prep: PreparedSearch): number {
  return prep.jobs.length <= 32 ? 0 : Math.min(256, prep.jobs.length);
}

/** Work cap of a dive, and the first cap of a job (each retry multiplies it by JOB_CAP_GROWTH). */
const DIVE_CAP = 1 << 20;
const JOB_CAP = 1 << 18;
const JOB_CAP_GROWTH = 4;
/**
 * Dives a round holds at most (the local search starts after the first round of dives, from its best
 * ones, then the other dives run), and the work of a round's job caps at most (beyond its first item).
 */
const DIVES_PER_ROUND = 16;
const ROUND_WORK = 1 << 21;
/** Local searches from the best distinct dives, and the evaluations each may make. */
const POLISHES = 4;
const POLISH_BUDGET = 1 << 14;

/**
 * The rounds of a search and their merged results. `nextRound` gives the items of the next round (none
 * when the search is over), `finish` takes their results in the same order.
 */
export class SearchPlan {
  private readonly dives: number;
  private nextDive = 0;
  private diveResults: Found[] = [];
  private polished = false;
  /** Jobs still to run (job index, cap), in job order. */
  private queue: { job: number; cap: number }[];
  private bnb: Found | undefined;
  private local: Found | undefined;
  private valid = 0;
  private evaluated = 0;
  private jobsDone = 0;
  private stopped = false;
  private budgetSpent = false;
  private current: WorkItem[] = [];

  constructor(
    private readonly prep: PreparedSearch,
    private readonly budget = Infinity,
  ) {
    this.dives = diveCount(prep);
    this.queue = prep.jobs.map((_, job) => ({ job, cap: JOB_CAP }));
  }

  /** The best metrics known: the incumbent every item of the next round starts from. */
  incumbent(): readonly number[] | undefined {
    const best = betterFound(this.bnb, this.local);
    return best?.metrics;
  }

  /** The next round's items, or undefined when the search is over. */
  nextRound(): readonly WorkItem[] | undefined {
    if (this.stopped) return undefined;
    const left = this.budget - this.evaluated;
    if (left <= 0) {
      this.budgetSpent = this.queue.length > 0 || this.nextDive < this.dives;
      return undefined;
    }
    const items: WorkItem[] = [];
    if (this.nextDive < this.dives && this.nextDive === 0) {
      return this.diveRound(left);
    } else if (!this.polished) {
      this.polished = true;
      const starts = distinctStarts(this.diveResults, POLISHES);
      starts.forEach((f, i) => items.push({ kind: 'polish', start: f.choice, seed: i + 1, budget: Math.max(1, Math.min(POLISH_BUDGET, Math.floor(left / starts.length))), key: i }));
      if (items.length === 0) return this.nextRound();
    } else if (this.nextDive < this.dives) {
      return this.diveRound(left);
    } else {
      let work = 0;
      let taken = 0;
      while (taken < this.queue.length) {
        const q = this.queue[taken]!;
        const cap = Math.min(q.cap, left - work);
        if (cap <= 0 || (taken > 0 && work + cap > ROUND_WORK)) break;
        items.push({ kind: 'job', job: q.job, cap });
        work += cap;
        taken++;
      }
      this.queue = this.queue.slice(taken);
      if (items.length === 0) return undefined;
    }
    this.current = items;
    return items;
  }

  private diveRound(left: number): WorkItem[] {
    const items: WorkItem[] = [];
    let work = 0;
    while (this.nextDive < this.dives && items.length < DIVES_PER_ROUND && (items.length === 0 || work + DIVE_CAP <= left)) {
      items.push({ kind: 'dive', job: this.nextDive++, cap: Math.min(DIVE_CAP, left) });
      work += DIVE_CAP;
    }
    this.current = items;
    return items;
  }

  /** The results of the round's items, in the order nextRound gave them. */
  finish(results: readonly ItemResult[]): void {
    const retry: { job: number; cap: number }[] = [];
    results.forEach((r, i) => {
      const item = this.current[i]!;
      this.valid += r.valid;
      this.evaluated += r.evaluated;
      if (r.stopped) this.stopped = true;
      switch (item.kind) {
        case 'dive':
          this.bnb = betterFound(this.bnb, r.best);
          if (r.best) this.diveResults.push(r.best);
          break;
        case 'polish':
          this.local = betterFound(this.local, r.best);
          break;
        case 'job':
          this.bnb = betterFound(this.bnb, r.best);
          if (r.capped) retry.push({ job: item.job, cap: item.cap * JOB_CAP_GROWTH });
          else if (!r.stopped) this.jobsDone++;
          break;
        default: {
          const never: never = item;
          return never;
        }
      }
    });
    this.queue = [...retry, ...this.queue];
    this.current = [];
  }

  /** Stop before the next round (a time limit). */
  stop(): void {
    this.stopped = true;
  }

  progress(): Progress {
    const best = this.incumbent();
    return { jobsDone: this.jobsDone, jobs: this.prep.jobs.length, valid: this.valid, evaluated: this.evaluated, ...(best ? { best } : {}) };
  }

  outcome(): SearchOutcome {
    // The local search's mapping only when strictly better than the branch and bound's beyond rounding.
    const best = this.local && (!this.bnb || boundExceeds(this.bnb.metrics, this.local.metrics)) ? this.local : this.bnb;
    const exhaustive = !this.stopped && this.queue.length === 0 && this.jobsDone === this.prep.jobs.length && this.prep.complete;
    return { ...(best ? { best } : {}), valid: this.valid, evaluated: this.evaluated, jobsDone: this.jobsDone, jobs: this.prep.jobs.length, exhaustive, budgetSpent: this.budgetSpent };
  }
}

/** The best `n` results with distinct spatial and keep choices (local searches from them diverge more). */
function distinctStarts(found: readonly Found[], n: number): Found[] {
  const sorted = [...found].sort((a, b) => compareVectors(a.metrics, b.metrics) || a.key[0] - b.key[0]);
  const out: Found[] = [];
  const seen = new Set<string>();
  for (const f of sorted) {
    const key = `${f.choice.spatial}:${f.choice.keep.join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
    if (out.length === n) break;
  }
  return out;
}

export interface InProcessOptions {
  /** Polled between nodes; true stops the search (a time limit). */
  readonly shouldStop?: () => boolean;
  /** At most this many mappings examined (complete and partial): a deterministic cut. */
  readonly budget?: number;
  readonly onProgress?: (p: Progress) => void;
}

/** Run the plan's rounds in this thread. */
export function searchInProcess(prep: PreparedSearch, options: InProcessOptions = {}): SearchOutcome {
  const plan = new SearchPlan(prep, options.budget);
  const shouldStop = options.shouldStop ?? (() => false);
  for (let round = plan.nextRound(); round; round = plan.nextRound()) {
    const incumbent = plan.incumbent();
    const results: ItemResult[] = [];
    for (const item of round) results.push(runItem(prep, item, incumbent, shouldStop));
    plan.finish(results);
    options.onProgress?.(plan.progress());
    if (shouldStop()) plan.stop();
  }
  return plan.outcome();
}
