/**
 * @file A prepared mapper search run over threads (node:worker_threads). The plan (src/mapper/drive.ts)
 * hands out rounds of work items; this thread posts each round, with its incumbent, to the workers
 * (threads − 1 of them: this thread works too, so one thread starts no worker at all); every thread takes
 * the round's items from a shared counter; when every result is in, the plan merges them in item order
 * and gives the next round. Since an item only sees its round's incumbent, results do not depend on
 * which thread ran what: a search cut by its work budget (or run to the end) gives the same mapping and
 * counts on any number of threads. The time limit sets a stop flag that the workers poll.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fail } from '../diagnostics/diagnostic.ts';
import { runItem, SearchPlan, type ItemResult, type Progress, type SearchOutcome, type WorkItem } from '../mapper/drive.ts';
import type { PreparedSearch } from '../mapper/search.ts';
import { PACKAGE_ROOT } from './package-root.ts';

/** Slots of the shared control array. */
export const Ctl = { stop: 0, size: 1 } as const;

export interface WorkerInput {
  readonly prep: PreparedSearch;
  readonly control: SharedArrayBuffer;
}

/** A round: its items, the incumbent they start from, and its own counter of items taken (one Int32). */
export type MainMessage = { readonly kind: 'round'; readonly round: number; readonly items: readonly WorkItem[]; readonly incumbent: readonly number[] | undefined; readonly counter: SharedArrayBuffer };

export interface WorkerMessage {
  readonly round: number;
  readonly index: number;
  readonly result: ItemResult;
}

export interface RunOptions {
  readonly threads: number;
  /** Seconds; Infinity for none. */
  readonly timeLimit: number;
  /** Mappings examined at most (complete and partial); Infinity for none. */
  readonly budget?: number;
  readonly onProgress?: (p: Progress) => void;
}

/**
 * Start a worker: compiled, on dist/map-worker.js (its own entry of the build, scripts/build.js); from
 * the TypeScript sources, on map-worker.ts through tsx's loader.
 */
function startWorker(input: WorkerInput): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(join(PACKAGE_ROOT, 'dist', 'map-worker.js'), { workerData: input });
  const entry = new URL('./map-worker.ts', import.meta.url);
  const loader = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(loader)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry.href)}))`;
  return new Worker(boot, { eval: true, workerData: input });
}

/** `--budget N`: a positive integer (Infinity when absent). */
export function parseBudget(text: string | undefined): number {
  if (text === undefined) return Infinity;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) fail('FM814', `--budget must be a positive integer number of mappings, not '${text}'`);
  return n;
}

export async function runSearch(prep: PreparedSearch, options: RunOptions): Promise<SearchOutcome> {
  const control = new SharedArrayBuffer(Ctl.size * 4);
  const ctl = new Int32Array(control);
  const plan = new SearchPlan(prep, options.budget ?? Infinity);
  const threads = Math.max(1, Math.min(options.threads, prep.jobs.length || 1));
  const deadline = performance.now() + options.timeLimit * 1000;
  // This thread stops its own item at the deadline (no timer fires while it runs one) and tells the
  // workers; the timer stops them while this thread waits.
  const shouldStop = (): boolean => {
    if (performance.now() >= deadline) Atomics.store(ctl, Ctl.stop, 1);
    return Atomics.load(ctl, Ctl.stop) !== 0;
  };
  const timer = Number.isFinite(options.timeLimit) ? setTimeout(() => Atomics.store(ctl, Ctl.stop, 1), Math.max(0, options.timeLimit * 1000)) : undefined;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let round = 0;
      let items: readonly WorkItem[] = [];
      let incumbent: readonly number[] | undefined;
      let counter = new Int32Array(new SharedArrayBuffer(4));
      let results: (ItemResult | undefined)[] = [];
      let pending = 0;
      const next = (): void => {
        if (shouldStop()) plan.stop();
        const r = plan.nextRound();
        if (!r) {
          resolve();
          return;
        }
        round++;
        items = r;
        incumbent = plan.incumbent();
        results = new Array<ItemResult | undefined>(r.length);
        pending = r.length;
        const message: MainMessage = { kind: 'round', round, items: r, incumbent, counter: new SharedArrayBuffer(4) };
        counter = new Int32Array(message.counter);
        for (const w of workers) w.postMessage(message);
        setImmediate(work);
      };
      const record = (r: number, index: number, result: ItemResult): void => {
        if (r !== round || results[index] !== undefined) return;
        results[index] = result;
        if (--pending > 0) return;
        plan.finish(results as ItemResult[]);
        options.onProgress?.(plan.progress());
        next();
      };
      // This thread takes items too, one per turn of the event loop so that results and the timer get in.
      const work = (): void => {
        const r = round;
        const i = Atomics.add(counter, 0, 1);
        if (i >= items.length) return;
        try {
          record(r, i, runItem(prep, items[i]!, incumbent, shouldStop));
        } catch (err) {
          Atomics.store(ctl, Ctl.stop, 1);
          reject(err as Error);
          return;
        }
        if (round === r) setImmediate(work);
      };
      // Workers need not be up: a round posted before a worker listens waits in its queue, and the items
      // taken meanwhile by this thread are simply not there for it.
      for (let i = 1; i < threads; i++) {
        const w = startWorker({ prep, control });
        workers.push(w);
        w.on('message', (m: WorkerMessage) => record(m.round, m.index, m.result));
        w.on('error', (err) => {
          Atomics.store(ctl, Ctl.stop, 1);
          reject(err);
        });
      }
      next();
    });
  } finally {
    if (timer) clearTimeout(timer);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return plan.outcome();
}
