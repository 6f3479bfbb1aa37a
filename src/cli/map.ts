/**
 * @file `fusemax map --timeloop SPEC.yaml --ert ERT --art ART [--metric ...] [--threads N]
 * [--time-limit S] [--json] [--out DIR]`: the exact mapper (src/mapper) on a Timeloop v4 input. Reads
 * the spec's architecture, problem, `mapper:` knobs and constraints (a `mapping:` in it is ignored),
 * searches on this thread and worker threads, evaluates the best mapping with the model, and prints it as Timeloop's
 * mapper writes it; `--out` also writes timeloop-mapper.map.yaml, .map.txt and the stats.
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { stringify } from 'yaml';
import { fail, UserError } from '../diagnostics/diagnostic.ts';
import type { Progress } from '../mapper/drive.ts';
import { finishMapping, prepareMapping, type MappedResult } from '../mapper/map.ts';
import { METRIC_TEXT, METRICS, parseMetric, type Metric } from '../mapper/metrics.ts';
import { readMapperSpec, withoutMapping } from '../mapper/timeloop-spec.ts';
import { archArea } from '../model/area.ts';
import { summarize } from '../model/summary.ts';
import type { Architecture } from '../model/types.ts';
import { timeloopMapText } from '../timeloop/map-text.ts';
import { timeloopStatsText } from '../timeloop/stats-text.ts';
import { loadTimeloopInput } from '../timeloop/reader.ts';
import { applyArt, applyErt, loadArt, loadErt } from '../timeloop/tables.ts';
import { readUserFile, writeFilesAtomic } from './io.ts';
import { parseBudget, runSearch } from './map-runner.ts';
import { formatSummary, toJson } from './model.ts';
import { action } from './run-command.ts';

interface MapOptions {
  timeloop?: string;
  ert?: string;
  art?: string;
  metric?: string;
  threads?: string;
  timeLimit: string;
  budget?: string;
  json?: boolean;
  out?: string;
}

/** Seconds the search runs at most unless --time-limit says otherwise. */
export const DEFAULT_TIME_LIMIT = 6;

/** The command's options and action (commands.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .option('--timeloop <file>', 'a Timeloop v4 input (parsed-processed-input.yaml); its mapping, if any, is ignored')
    .option('--ert <file>', 'energy reference table (needed for energy and edp)')
    .option('--art <file>', 'area reference table (areas in the stats)')
    .option('--metric <list>', `optimization metrics, compared in order (default: the spec's optimization_metrics, else edp): ${METRICS.join(', ')}`)
    .option('--threads <n>', 'threads searching, this one included (N − 1 worker threads; default: the cores available, at most the spec\'s num_threads)')
    .option('--time-limit <seconds>', 'stop after this long and report the best mapping found', String(DEFAULT_TIME_LIMIT))
    .option('--budget <n>', 'stop after examining about this many mappings (complete and partial): a cut that gives the same mapping and counts on every run and any number of threads (the time limit still applies)')
    .option('--json', 'print the result as JSON')
    .option('--out <dir>', 'also write timeloop-mapper.map.yaml, .map.txt and .stats.txt (as Timeloop writes them) and .stats.json (the --json result with the model\'s summary) there')
    .addHelpText('after', `\nMetrics:\n${METRICS.map((m) => `  ${m.padEnd(20)} ${METRIC_TEXT[m]}`).join('\n')}\n\nExamples:\n  fusemax map --timeloop spec.yaml --ert ERT.yaml --art ART.yaml\n  fusemax map --timeloop spec.yaml --ert ERT.yaml --metric delay,energy --threads 2 --time-limit 30 --json --out out/map`)
    .action(action((opts: MapOptions) => runMap(opts)));
}

async function runMap(opts: MapOptions): Promise<void> {
  if (opts.timeloop === undefined) fail('FM810', 'give --timeloop SPEC.yaml (a Timeloop v4 input)', undefined, 'see fusemax map --help');
  const timeLimit = Number(opts.timeLimit);
  if (!(timeLimit > 0)) fail('FM811', `--time-limit must be a positive number of seconds, not '${opts.timeLimit}'`);
  const budget = parseBudget(opts.budget);
  const stripped = withoutMapping(readUserFile(opts.timeloop));
  const loaded = loadTimeloopInput(opts.timeloop, stripped.text);
  const spec = readMapperSpec(loaded.source, loaded.arch.levels.map((l) => l.name));
  const metrics = opts.metric !== undefined ? parseMetricList(opts.metric) : spec.metrics;
  if (opts.ert === undefined && metrics.some((m) => m === 'energy' || m === 'edp')) fail('FM812', `metric ${metrics.join(', ')} needs energies: give --ert ERT.yaml`);
  let threads = Math.min(availableParallelism(), spec.threads ?? Infinity);
  if (opts.threads !== undefined) {
    threads = Number(opts.threads);
    if (!Number.isInteger(threads) || threads < 1) fail('FM813', `--threads must be a positive integer, not '${opts.threads}'`);
  }
  if (stripped.entries > 0) process.stderr.write(`note: ignoring the spec's mapping (${stripped.entries} entries): the mapper starts from mapping: []\n`);
  for (const n of spec.notes) process.stderr.write(`note: ${n}\n`);

  const arch = withTables(loaded.arch, opts);
  const prepared = prepareMapping({ arch, problem: loaded.problem, constraints: spec.constraints, metrics });
  if (!prepared.ok) throw new UserError(prepared.issues.map(spec.locate));
  const prep = prepared.prep;

  const bar = process.stderr.isTTY && !opts.json ? await progressBar(timeLimit) : undefined;
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await runSearch(prep, { threads, timeLimit, budget, ...(bar ? { onProgress: bar.update } : {}) });
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const finished = finishMapping(prep, outcome.best, outcome);
  if (!finished.ok) throw new UserError(finished.issues.map(spec.locate));
  const r = finished.result;
  const summary = summarize(r.evaluation, { energyKnown: opts.ert !== undefined, ...(opts.art !== undefined ? { area: archArea(arch) } : {}) });
  const json = resultJson(r, seconds, threads, outcome.budgetSpent);

  if (opts.out !== undefined) {
    writeFilesAtomic(opts.out, [
      { name: `${spec.outPrefix}.map.yaml`, data: stringify({ mapping: r.timeloop }, { lineWidth: 0 }) },
      { name: `${spec.outPrefix}.map.txt`, data: timeloopMapText(arch, r.mapping, r.evaluation.stats) },
      { name: `${spec.outPrefix}.stats.txt`, data: timeloopStatsText({ ...loaded, mapping: r.mapping }, r.evaluation, { arch }) },
      { name: `${spec.outPrefix}.stats.json`, data: toJson({ ...json, model: summary }) + '\n' },
    ]);
  }
  process.stdout.write(opts.json ? toJson(json) + '\n' : searchText(r, seconds, threads, outcome.budgetSpent) + '\n' + stringify({ mapping: r.timeloop }, { lineWidth: 0 }) + '\n' + formatSummary(summary));
}

function parseMetricList(text: string): Metric[] {
  const out: Metric[] = [];
  for (const item of text.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const m = parseMetric(item);
    if (!m) fail('FM805', `unknown metric '${item}'`, undefined, `metrics: ${METRICS.join(', ')}`);
    out.push(m);
  }
  if (out.length === 0) fail('FM805', '--metric needs at least one metric', undefined, `metrics: ${METRICS.join(', ')}`);
  return out;
}

function withTables(arch: Architecture, opts: MapOptions): Architecture {
  let out = arch;
  if (opts.ert !== undefined) out = applyErt(out, loadErt(opts.ert, readUserFile(opts.ert)));
  if (opts.art !== undefined) out = applyArt(out, loadArt(opts.art, readUserFile(opts.art)));
  return out;
}

/** The --json contract. */
function resultJson(r: MappedResult, seconds: number, threads: number, budgetSpent: boolean): Record<string, unknown> {
  const metrics: Record<string, number> = {};
  r.metricNames.forEach((m, i) => (metrics[m] = r.metrics[i]!));
  return {
    mapping: r.timeloop,
    cycles: r.evaluation.stats.cycles,
    energy_pJ: r.evaluation.energy.total,
    computes: r.evaluation.stats.computes,
    metrics,
    evaluated: r.evaluated,
    valid: r.valid,
    seconds: Number(seconds.toFixed(3)),
    exhaustive: r.exhaustive,
    budget_spent: budgetSpent,
    threads,
  };
}

function searchText(r: MappedResult, seconds: number, threads: number, budgetSpent: boolean): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const metrics = r.metricNames.map((m, i) => `${m} ${r.metrics[i]!.toPrecision(6)}`).join(', ');
  return [
    `${r.exhaustive ? 'exhaustive search: the proven optimum' : budgetSpent ? 'search stopped when its budget was spent: the best mapping found' : 'search stopped at the time limit: the best mapping found'} (metrics ${r.metricNames.join(', ')})`,
    `${n(r.evaluated)} mappings evaluated (${n(r.valid)} complete and valid, the rest partial: cut by a check or a bound) in ${seconds.toFixed(2)} s on ${threads} thread${threads === 1 ? '' : 's'} (${n(Math.round(r.evaluated / Math.max(seconds, 1e-9)))}/s)`,
    `best: ${metrics}; ${n(Number(r.evaluation.stats.cycles))} cycles, ${r.evaluation.energy.total.toFixed(3)} pJ`,
  ].join('\n');
}

/** A progress bar on stderr: jobs done, mappings/s, best so far, time against the limit. */
async function progressBar(limit: number): Promise<{ update: (p: Progress) => void; stop: () => void }> {
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({ format: 'map [{bar}] {value}/{total} jobs | {rate} mappings/s | best {best} | {elapsed}/{limit} s', hideCursor: true, clearOnComplete: true, stream: process.stderr });
  const t0 = performance.now();
  let started = false;
  return {
    update: (p) => {
      const elapsed = (performance.now() - t0) / 1000;
      const payload = { rate: Math.round(p.evaluated / Math.max(elapsed, 1e-3)).toLocaleString('en-US'), best: p.best ? p.best.map((x) => x.toPrecision(4)).join(' / ') : '—', elapsed: elapsed.toFixed(1), limit };
      if (!started) {
        bar.start(p.jobs, p.jobsDone, payload);
        started = true;
      } else {
        bar.update(p.jobsDone, payload);
      }
    },
    stop: () => bar.stop(),
  };
}
