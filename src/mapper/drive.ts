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
import { jobBounded, runJob, type Choice, type Found, type JobContext, type PreparedSearch } from './search.ts';

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

/**
 * Jobs dived into before the full search: none when there are few jobs (they all run soon anyway); fewer
 * when a job covers every keep choice of a spatial choice (its dive first costs all of them).
 */
export function diveCount(prep: PreparedSearch): number {
  if (prep.jobs.length <= 32) return 0;
  return Math.min(prep.jobs[0]!.keep < 0 ? 32 : 256, prep.jobs.length);
}

/** Work cap of a dive, and the first cap of a job (each retry multiplies it by JOB_CAP_GROWTH). */
const DIVE_CAP = 1 << 20;
const JOB_CAP = 1 << 18;
const JOB_CAP_GROWTH = 4;
/** Dives a round holds at most, and the work of a round's job caps at most (beyond its first item). */
const DIVES_PER_ROUND = 8;
const FIRST_DIVES = 2;
const ROUND_WORK = 1 << 21;
/**
 * Local search: each polish round starts POLISHES climbs of at most POLISH_BUDGET evaluations from the
 * best mappings found so far (distinct spatial and keep choices); one after each round of dives (at most
 * EARLY_POLISH_ROUNDS of them), then one every POLISH_EVERY rounds of jobs.
 */
const POLISHES = 4;
/**
 * The first polish round climbs from the best dive only: it runs on cold code (about 10× slower an
 * evaluation at first), and a second climb in parallel there would only halve the speed of both (a
 * worker still warming up) and hold the round up.
 */
const FIRST_POLISHES = 1;
const POLISH_BUDGET = 1 << 12;
const EARLY_POLISH_ROUNDS = 8;
const POLISH_EVERY = 4;
/** Best mappings remembered as starts for the local search. */
const STARTS_KEPT = 32;

/**
 * The rounds of a search and their merged results. `nextRound` gives the items of the next round (none
 * when the search is over), `finish` takes their results in the same order.
 */
export class SearchPlan {
  private readonly dives: number;
  private nextDive = 0;
  /** The best mappings found (distinct spatial and keep choices): where local searches start. */
  private starts: Found[] = [];
  private polishRounds = 0;
  /** Counts changes among the first POLISHES starts; a polish round needs a change since the last one. */
  private startsVersion = 0;
  private polishedVersion = -1;
  private jobRounds = 0;
  private lastWasPolish = false;
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
    const more = this.queue.length > 0 || this.nextDive < this.dives;
    if (left <= 0 || !more) {
      this.budgetSpent = left <= 0 && more;
      return undefined;
    }
    const polishDue = this.nextDive < this.dives ? this.polishRounds < EARLY_POLISH_ROUNDS : this.jobRounds >= POLISH_EVERY * (this.polishRounds - EARLY_POLISH_ROUNDS + 1);
    let items: WorkItem[] = [];
    if (this.nextDive > 0 && !this.lastWasPolish && polishDue && this.starts.length > 0 && this.startsVersion !== this.polishedVersion) {
      items = this.polishRound(left);
      this.lastWasPolish = true;
    } else if (this.nextDive < this.dives) {
      items = this.diveRound(left);
      this.lastWasPolish = false;
    } else {
      items = this.jobRound(left);
      this.lastWasPolish = false;
      if (items.length === 0) return this.nextRound();
    }
    this.current = items;
    return items;
  }

  private diveRound(left: number): WorkItem[] {
    const items: WorkItem[] = [];
    let work = 0;
    // The first round is short: the local search starts as soon as there is a mapping to start from.
    const size = this.nextDive === 0 ? FIRST_DIVES : DIVES_PER_ROUND;
    while (this.nextDive < this.dives && items.length < size && (items.length === 0 || work + DIVE_CAP <= left)) {
      items.push({ kind: 'dive', job: this.nextDive++, cap: Math.min(DIVE_CAP, left) });
      work += DIVE_CAP;
    }
    return items;
  }

  private polishRound(left: number): WorkItem[] {
    const starts = this.starts.slice(0, this.polishRounds === 0 ? FIRST_POLISHES : POLISHES);
    const budget = Math.max(1, Math.min(POLISH_BUDGET, Math.floor(left / starts.length)));
    const round = this.polishRounds++;
    this.polishedVersion = this.startsVersion;
    return starts.map((f, i) => ({ kind: 'polish', start: f.choice, seed: round * POLISHES + i + 1, budget, key: round * POLISHES + i }));
  }

  private jobRound(left: number): WorkItem[] {
    // Jobs whose bound exceeds the incumbent hold nothing as good: done, each one partial mapping cut.
    const incumbent = this.incumbent();
    const open = this.queue.filter((q) => !jobBounded(this.prep, q.job, incumbent));
    const cut = this.queue.length - open.length;
    this.jobsDone += cut;
    this.evaluated += cut;
    this.queue = open;
    const items: WorkItem[] = [];
    let work = 0;
    let taken = 0;
    // Rounds of 2, 4, 8... jobs: the first incumbents reach the following jobs soon, and two threads
    // both have work from the first round (the shape does not depend on the threads: determinism).
    const most = 2 ** Math.min(this.jobRounds + 1, 16);
    while (taken < this.queue.length && taken < most) {
      const q = this.queue[taken]!;
      const cap = Math.min(q.cap, left - work);
      if (cap <= 0 || (taken > 0 && work + cap > ROUND_WORK)) break;
      items.push({ kind: 'job', job: q.job, cap });
      work += cap;
      taken++;
    }
    this.queue = this.queue.slice(taken);
    this.jobRounds++;
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
      if (r.best) this.remember(r.best);
      switch (item.kind) {
        case 'dive':
          this.bnb = betterFound(this.bnb, r.best);
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

  /** Keep f among the best starts: one per spatial and keep choice, the best first. */
  private remember(f: Found): void {
    const key = (x: Found): string => `${x.choice.spatial}:${x.choice.keep.join(',')}`;
    const k = key(f);
    const same = this.starts.findIndex((x) => key(x) === k);
    if (same >= 0) {
      if (compareVectors(f.metrics, this.starts[same]!.metrics) >= 0) return;
      this.starts.splice(same, 1);
    }
    let at = this.starts.findIndex((x) => compareVectors(f.metrics, x.metrics) < 0);
    if (at < 0) at = this.starts.length;
    this.starts.splice(at, 0, f);
    if (at < POLISHES || (same >= 0 && same < POLISHES)) this.startsVersion++;
    if (this.starts.length > STARTS_KEPT) this.starts.pop();
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
