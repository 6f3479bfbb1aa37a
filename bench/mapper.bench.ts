/**
 * @file The mapper: mappings evaluated per second and search time per case, on 2 worker threads (the
 * CLI's runner), beside Timeloop's mapper (about 15 mappings/s measured on 2 cores on a FuseMax Einsum,
 * issue #10) and, as the in-process baseline, the model evaluating one complete mapping at a time
 * (what a mapper built on `evaluateNest` alone would reach). "Evaluated" counts complete mappings costed
 * exactly plus partial ones cut by a check or a bound; "complete" counts the former only. Each case
 * also runs on one thread in process (the search's own rate, without the workers' start-up).
 *
 * Cases: the small matmul fixture (exhaustive), the Timeloop peer mapper runs (test/fixtures/timeloop-peer,
 * beside Timeloop's own best) and FuseMax's check Einsum on the 256 × 256 array (a huge mapspace), each
 * within `fusemax map`'s default time limit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSearch } from '../src/cli/map-runner.ts';
import { DEFAULT_TIME_LIMIT } from '../src/cli/map.ts';
import { searchInProcess } from '../src/mapper/drive.ts';
import { compareVectors } from '../src/mapper/metrics.ts';
import { finishMapping, prepareMapping } from '../src/mapper/map.ts';
import { readMapperSpec, withoutMapping } from '../src/mapper/timeloop-spec.ts';
import { evaluateNest } from '../src/model/evaluate.ts';
import { loadTimeloopInput } from '../src/timeloop/reader.ts';
import { applyErt, loadErt } from '../src/timeloop/tables.ts';

/** Timeloop's mapper on a FuseMax Einsum, 2 cores (issue #10). */
const TIMELOOP_MAPPINGS_PER_SECOND = 15;
const THREADS = 2;
const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures');

interface Case {
  readonly name: string;
  readonly spec: string;
  readonly ert: string;
  readonly timeLimit: number;
  /** Timeloop's best on the run's own first metric, when the case is a Timeloop mapper run. */
  readonly timeloopBest?: (expected: { energy_pJ: number; cycles: number }) => number[];
}

export async function run(): Promise<void> {
  const cases: Case[] = [{ name: 'matmul-3level (fixture)', spec: join(fixtures, 'mapper', 'matmul-3level.yaml'), ert: join(fixtures, 'mapper', 'matmul-3level.ERT.yaml'), timeLimit: 10 }];
  for (const peer of ['ispass-05-mapper-conv1d-oc-3level-null', 'ex-simple-weight-stationary']) {
    const d = join(fixtures, 'timeloop-peer', peer);
    if (existsSync(d)) cases.push({ name: peer, spec: join(d, 'parsed-processed-input.yaml'), ert: join(d, 'timeloop-model.ERT.yaml'), timeLimit: DEFAULT_TIME_LIMIT, timeloopBest: (e) => (peer.includes('ispass-05') ? [e.cycles, e.energy_pJ] : [e.energy_pJ * 1e-12 * e.cycles]) });
    else console.log(`  (${peer}: no fixture in test/fixtures/timeloop-peer, skipped)`);
  }
  const check = join(fixtures, 'timeloop-golden', 'check');
  cases.push({ name: 'FuseMax check Einsum, 256×256 PEs', spec: join(check, 'parsed-processed-input.yaml'), ert: join(check, 'timeloop-model.ERT.yaml'), timeLimit: DEFAULT_TIME_LIMIT });

  console.log(`${THREADS} worker threads; Timeloop's mapper: ~${TIMELOOP_MAPPINGS_PER_SECOND} mappings/s`);
  console.log(`  ${'case'.padEnd(40)} ${'seconds'.padStart(8)} ${'exhaustive'.padStart(10)} ${'evaluated/s'.padStart(13)} ${'complete/s'.padStart(11)} ${'1 thread/s'.padStart(11)} ${'model eval/s'.padStart(13)}   result`);
  for (const c of cases) {
    let prep;
    let arch;
    let problem;
    let metrics;
    try {
      const loaded = loadTimeloopInput(c.spec, withoutMapping(readFileSync(c.spec, 'utf8')).text);
      const spec = readMapperSpec(loaded.source, loaded.arch.levels.map((l) => l.name));
      arch = applyErt(loaded.arch, loadErt(c.ert, readFileSync(c.ert, 'utf8')));
      problem = loaded.problem;
      metrics = spec.metrics;
      const p = prepareMapping({ arch, problem, constraints: spec.constraints, metrics });
      if (!p.ok) throw new Error(p.issues.map((i) => i.message).join('; '));
      prep = p.prep;
    } catch (err) {
      console.log(`  ${c.name.padEnd(40)} cannot be read here: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    // One thread in process: the search's own speed.
    const s0 = performance.now();
    const single = searchInProcess(prep, { shouldStop: () => performance.now() - s0 > c.timeLimit * 1000 });
    const singleRate = (single.evaluated / ((performance.now() - s0) / 1000)).toFixed(0);
    // Two worker threads, as `fusemax map` runs: wall time including the workers' start.
    const t0 = performance.now();
    const out = await runSearch(prep, { threads: THREADS, timeLimit: c.timeLimit });
    const seconds = (performance.now() - t0) / 1000;
    const done = finishMapping(prep, out.best, out);
    if (!done.ok) {
      console.log(`  ${c.name.padEnd(40)} no mapping found`);
      continue;
    }
    const r = done.result;
    // Baseline: the model alone evaluating the found mapping repeatedly (bind, count, fit, energy).
    let n = 0;
    const b0 = performance.now();
    while (performance.now() - b0 < 300) for (let i = 0; i < 100; i++, n++) evaluateNest(arch, problem, r.mapping);
    const modelRate = n / ((performance.now() - b0) / 1000);
    let result = r.metricNames.map((m, i) => `${m} ${r.metrics[i]!.toPrecision(6)}`).join(', ');
    const expected = join(c.spec, '..', 'expected.json');
    if (c.timeloopBest && existsSync(expected)) {
      const tl = c.timeloopBest(JSON.parse(readFileSync(expected, 'utf8')) as { energy_pJ: number; cycles: number });
      result += ` (Timeloop ${tl.map((x) => x.toPrecision(6)).join(', ')}: ${compareVectors(r.metrics, tl.map((x) => x * (1 + 1e-9))) <= 0 ? 'no worse' : 'WORSE'})`;
    }
    const rate = (x: number): string => Math.round(x / seconds).toLocaleString('en-US');
    console.log(`  ${c.name.padEnd(40)} ${seconds.toFixed(2).padStart(8)} ${String(r.exhaustive).padStart(10)} ${rate(r.evaluated).padStart(13)} ${rate(r.valid).padStart(11)} ${Number(singleRate).toLocaleString('en-US').padStart(11)} ${Math.round(modelRate).toLocaleString('en-US').padStart(13)}   ${result}; ×${Math.round(r.evaluated / seconds / TIMELOOP_MAPPINGS_PER_SECOND).toLocaleString('en-US')} Timeloop's rate`);
  }
}
