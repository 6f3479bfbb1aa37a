/**
 * @file One worker thread of `fusemax map` (map-runner.ts starts it): for each round the main thread
 * posts, takes items from the round's shared counter, runs them with the pure search (src/mapper/drive.ts)
 * from the round's incumbent, and posts each result; the stop flag (the time limit) is shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runItem } from '../mapper/drive.ts';
import { Ctl, type MainMessage, type WorkerInput, type WorkerMessage } from './map-runner.ts';

const input = workerData as WorkerInput;
const prep = input.prep;
const ctl = new Int32Array(input.control);
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const shouldStop = (): boolean => Atomics.load(ctl, Ctl.stop) !== 0;

parentPort!.on('message', (m: MainMessage) => {
  const counter = new Int32Array(m.counter);
  for (;;) {
    const i = Atomics.add(counter, 0, 1);
    if (i >= m.items.length) break;
    post({ round: m.round, index: i, result: runItem(prep, m.items[i]!, m.incumbent, shouldStop) });
  }
});
