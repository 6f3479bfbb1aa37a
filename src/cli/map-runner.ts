/**
 * @file A prepared mapper search run over worker threads (node:worker_threads). The main thread hands
 * every worker the same prepared search; the workers take jobs from a shared counter (first the dives,
 * then the full jobs), share the best metrics found in shared memory (under a spin lock, so that a
 * reader never sees half of a vector), and report their best mappings and counts by message. The time
 * limit sets a stop flag that the workers poll. Results merge deterministically (drive.ts).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { betterFound, diveCount, type Progress, type SearchOutcome } from '../mapper/drive.ts';
import type { Found, PreparedSearch } from '../mapper/search.ts';
import { PACKAGE_ROOT } from './package-root.ts';

/** Slots of the shared control array. */
export const Ctl = { nextDive: 0, nextJob: 1, stop: 2, lock: 3, hasIncumbent: 4, size: 5 } as const;

export interface WorkerInput {
  readonly prep: PreparedSearch;
  readonly dives: number;
  readonly control: SharedArrayBuffer;
  readonly incumbent: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly kind: 'best'; readonly found: Found }
  | { readonly kind: 'progress'; readonly valid: number; readonly evaluated: number; readonly jobsDone: number }
  | { readonly kind: 'done'; readonly valid: number; readonly evaluated: number; readonly jobsDone: number };

export interface RunOptions {
  readonly threads: number;
  /** Seconds; Infinity for none. */
  readonly timeLimit: number;
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

export async function runSearch(prep: PreparedSearch, options: RunOptions): Promise<SearchOutcome> {
  const control = new SharedArrayBuffer(Ctl.size * 4);
  const incumbent = new SharedArrayBuffer(Math.max(1, prep.metrics.length) * 8);
  const ctl = new Int32Array(control);
  const input: WorkerInput = { prep, dives: diveCount(prep), control, incumbent };
  const threads = Math.max(1, Math.min(options.threads, prep.jobs.length || 1));
  const counts = Array.from({ length: threads }, () => ({ valid: 0, evaluated: 0, jobsDone: 0 }));
  let best: Found | undefined;
  /** The workers' counts added up. */
  const totals = (): { valid: number; evaluated: number; jobsDone: number } =>
    counts.reduce((t, c) => ({ valid: t.valid + c.valid, evaluated: t.evaluated + c.evaluated, jobsDone: t.jobsDone + c.jobsDone }), { valid: 0, evaluated: 0, jobsDone: 0 });
  const progress = (): void => {
    options.onProgress?.({ ...totals(), jobs: prep.jobs.length, ...(best ? { best: best.metrics } : {}) });
  };

  const timer = Number.isFinite(options.timeLimit) ? setTimeout(() => Atomics.store(ctl, Ctl.stop, 1), Math.max(0, options.timeLimit * 1000)) : undefined;
  try {
    await Promise.all(
      counts.map(
        (c) =>
          new Promise<void>((resolve, reject) => {
            const w = startWorker(input);
            w.on('message', (m: WorkerMessage) => {
              switch (m.kind) {
                case 'best':
                  best = betterFound(best, m.found);
                  break;
                case 'progress':
                case 'done':
                  c.valid = m.valid;
                  c.evaluated = m.evaluated;
                  c.jobsDone = m.jobsDone;
                  break;
                default: {
                  const never: never = m;
                  return never;
                }
              }
              progress();
              if (m.kind === 'done') void w.terminate().then(() => resolve());
            });
            w.on('error', (err) => {
              Atomics.store(ctl, Ctl.stop, 1);
              reject(err);
            });
            w.on('exit', () => resolve());
          }),
      ),
    );
  } finally {
    if (timer) clearTimeout(timer);
  }
  const { valid, evaluated, jobsDone } = totals();
  return { ...(best ? { best } : {}), valid, evaluated, jobsDone, jobs: prep.jobs.length, exhaustive: jobsDone === prep.jobs.length && prep.complete };
}
