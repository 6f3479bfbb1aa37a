/**
 * @file One worker thread of `fusemax map` (map-runner.ts starts it): takes dive jobs, then full jobs,
 * from the shared counters and runs them with the pure search (src/mapper/search.ts), sharing the
 * incumbent through shared memory and posting its best mappings, counts and completion.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compareVectors } from '../mapper/metrics.ts';
import { runJob, type Found, type JobContext } from '../mapper/search.ts';
import { Ctl, type WorkerInput, type WorkerMessage } from './map-runner.ts';

const input = workerData as WorkerInput;
const prep = input.prep;
const ctl = new Int32Array(input.control);
const shared = new Float64Array(input.incumbent);
const M = prep.metrics.length;
const local = new Float64Array(M);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);

function withLock<T>(fn: () => T): T {
  while (Atomics.compareExchange(ctl, Ctl.lock, 0, 1) !== 0) {
    // Spin: the critical sections are a few loads and stores.
  }
  try {
    return fn();
  } finally {
    Atomics.store(ctl, Ctl.lock, 0);
  }
}

const ctx: JobContext = {
  incumbent: () =>
    withLock(() => {
      if (Atomics.load(ctl, Ctl.hasIncumbent) === 0) return undefined;
      local.set(shared);
      return local;
    }),
  offer: (metrics) =>
    withLock(() => {
      if (Atomics.load(ctl, Ctl.hasIncumbent) === 0 || compareVectors(metrics, shared) < 0) {
        shared.set(metrics as ArrayLike<number>);
        Atomics.store(ctl, Ctl.hasIncumbent, 1);
      }
    }),
  shouldStop: () => Atomics.load(ctl, Ctl.stop) !== 0,
};

let best: Found | undefined;
let valid = 0;
let evaluated = 0;
let jobsDone = 0;
let lastReport = Date.now();
const record = (found: Found | undefined): void => {
  if (found && (!best || compareVectors(found.metrics, best.metrics) < 0 || (compareVectors(found.metrics, best.metrics) === 0 && (found.key[0] < best.key[0] || (found.key[0] === best.key[0] && found.key[1] < best.key[1]))))) {
    best = found;
    post({ kind: 'best', found });
  }
  if (Date.now() - lastReport > 200) {
    lastReport = Date.now();
    post({ kind: 'progress', valid, evaluated, jobsDone });
  }
};

for (;;) {
  if (ctx.shouldStop()) break;
  const j = Atomics.add(ctl, Ctl.nextDive, 1);
  if (j >= input.dives) break;
  const r = runJob(prep, j, ctx, 1);
  valid += r.leaves;
  evaluated += r.leaves + r.partial;
  record(r.best);
}
for (;;) {
  if (ctx.shouldStop()) break;
  const j = Atomics.add(ctl, Ctl.nextJob, 1);
  if (j >= prep.jobs.length) break;
  const r = runJob(prep, j, ctx);
  valid += r.leaves;
  evaluated += r.leaves + r.partial;
  if (!r.stopped) jobsDone++;
  record(r.best);
}
post({ kind: 'done', valid, evaluated, jobsDone });
