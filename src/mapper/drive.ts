/**
 * @file Running a prepared search's jobs in this thread, and merging results found by several runners
 * (jobs in parallel threads) deterministically: the best metrics win, ties go to the earliest mapping in
 * search order.
 */
import { compareVectors } from './metrics.ts';
import { runJob, type Found, type JobContext, type PreparedSearch } from './search.ts';

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
}

/** The better of two results (metrics, then search order). */
export function betterFound(a: Found | undefined, b: Found | undefined): Found | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = compareVectors(a.metrics, b.metrics);
  if (c !== 0) return c < 0 ? a : b;
  return a.key[0] < b.key[0] || (a.key[0] === b.key[0] && a.key[1] <= b.key[1]) ? a : b;
}

export interface InProcessOptions {
  /** Polled between nodes; true stops the search (a time limit). */
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (p: Progress) => void;
}

/** Jobs dived into before the full search (none when there are few jobs: they all run soon anyway). */
export function diveCount(prep: PreparedSearch): number {
  return prep.jobs.length <= 32 ? 0 : Math.min(256, prep.jobs.length);
}

/** Run every job in order in this thread. */
export function searchInProcess(prep: PreparedSearch, options: InProcessOptions = {}): SearchOutcome {
  let best: Found | undefined;
  let incumbent: number[] | undefined;
  let valid = 0;
  let evaluated = 0;
  let done = 0;
  let stopped = false;
  const ctx: JobContext = {
    incumbent: () => incumbent,
    offer: (m) => {
      if (!incumbent || compareVectors(m, incumbent) < 0) incumbent = Array.from(m);
    },
    shouldStop: () => options.shouldStop?.() ?? false,
  };
  // First a dive into the most promising jobs (their greedy mapping), for a good incumbent early.
  for (let j = 0; j < diveCount(prep) && !stopped; j++) {
    const r = runJob(prep, j, ctx, 1);
    best = betterFound(best, r.best);
    valid += r.leaves;
    evaluated += r.leaves + r.partial;
    if (options.shouldStop?.()) stopped = true;
  }
  for (let j = 0; j < prep.jobs.length && !stopped; j++) {
    const r = runJob(prep, j, ctx);
    best = betterFound(best, r.best);
    valid += r.leaves;
    evaluated += r.leaves + r.partial;
    if (r.stopped) stopped = true;
    else done++;
    options.onProgress?.({ jobsDone: done, jobs: prep.jobs.length, valid, evaluated, ...(best ? { best: best.metrics } : {}) });
    if (!stopped && options.shouldStop?.()) stopped = true;
  }
  return { ...(best ? { best } : {}), valid, evaluated, jobsDone: done, jobs: prep.jobs.length, exhaustive: !stopped && done === prep.jobs.length && prep.complete };
}
