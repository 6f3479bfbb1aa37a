/**
 * @file The mapper, against its own earlier version measured in the same run (the baseline: src/ at git
 * revision MAPPER_BASELINE, default the commit before the deterministic rounds and the local search,
 * extracted into a temporary folder), and beside Timeloop's mapper (about 15 mappings/s measured on
 * 2 cores on a FuseMax Einsum, issue #10).
 *
 * Per case and version: the best metric after 1 s, 3 s and 6 s of wall time (preparing the search
 * included), mappings evaluated per second (complete ones costed exactly plus partial ones cut by a
 * check or a bound) and complete ones per second, in process on 1 thread and on 2 threads (the CLI's
 * runner: the main thread and a worker, its start included), and whether the search was exhaustive;
 * each measurement in a fresh process (cold code, as a run of the CLI). Cases: the small matmul fixture, the Timeloop peer mapper runs (test/fixtures/timeloop-peer, beside Timeloop's own
 * best) and FuseMax's check Einsum on the 256 × 256 array with nothing fixed (a huge mapspace).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_TIME_LIMIT } from '../src/cli/map.ts';
import { compareVectors } from '../src/mapper/metrics.ts';
import { readMapperSpec, withoutMapping } from '../src/mapper/timeloop-spec.ts';
import type { Architecture, Problem } from '../src/model/types.ts';
import type { MapspaceConstraints } from '../src/mapper/constraints.ts';
import type { Metric } from '../src/mapper/metrics.ts';
import { loadTimeloopInput } from '../src/timeloop/reader.ts';
import { applyErt, loadErt } from '../src/timeloop/tables.ts';

/** Timeloop's mapper on a FuseMax Einsum, 2 cores (issue #10). */
const TIMELOOP_MAPPINGS_PER_SECOND = 15;
const THREADS = 2;
const MARKS = [1, 3, 6];
const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'test', 'fixtures');
/** The mapper before deterministic rounds, local search and capacity-aware job bounds. */
const BASELINE = process.env['MAPPER_BASELINE'] ?? 'fd475e4';

interface Case {
  readonly name: string;
  readonly spec: string;
  readonly ert: string;
  readonly timeLimit: number;
  /** Timeloop's best on the run's own metrics, when the case is a Timeloop mapper run. */
  readonly timeloopBest?: (expected: { energy_pJ: number; cycles: number }) => number[];
}

interface Request {
  readonly arch: Architecture;
  readonly problem: Problem;
  readonly constraints: MapspaceConstraints;
  readonly metrics: readonly Metric[];
}

interface Outcome {
  readonly best?: { readonly metrics: readonly number[] };
  readonly valid: number;
  readonly evaluated: number;
  readonly exhaustive: boolean;
}

/** What a version of the mapper offers the bench (the same names in both versions). */
interface Version {
  readonly label: string;
  prepareMapping(req: Request): { ok: true; prep: unknown } | { ok: false };
  searchInProcess(prep: unknown, options: { shouldStop: () => boolean; onProgress: (p: { best?: readonly number[] }) => void }): Outcome;
  runSearch(prep: unknown, options: { threads: number; timeLimit: number; onProgress: (p: { best?: readonly number[] }) => void }): Promise<Outcome>;
}

async function loadVersion(label: string, src: string): Promise<Version> {
  const mod = async (path: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(join(src, path)).href)) as Record<string, unknown>;
  const map = await mod('mapper/map.ts');
  const drive = await mod('mapper/drive.ts');
  const runner = await mod('cli/map-runner.ts');
  return { label, prepareMapping: map['prepareMapping'] as Version['prepareMapping'], searchInProcess: drive['searchInProcess'] as Version['searchInProcess'], runSearch: runner['runSearch'] as Version['runSearch'] };
}

/**
 * The baseline's sources, or undefined: git archive of its src/ into a temporary folder (once), beside a
 * package.json that makes it ESM and a link to this checkout's node_modules.
 */
function baselineSources(): string | undefined {
  const dir = join(tmpdir(), `fusemax-mapper-baseline-${BASELINE}`);
  try {
    if (!existsSync(join(dir, 'src', 'mapper', 'drive.ts'))) {
      mkdirSync(dir, { recursive: true });
      const tar = execFileSync('git', ['archive', BASELINE, 'src'], { cwd: root, maxBuffer: 1 << 28 });
      execFileSync('tar', ['-x', '-C', dir], { input: tar });
    }
    // ESM, and links to this checkout's packages and specs/ (src/cli/package-root.ts looks for
    // package.json and specs/ above it), made again each run: an earlier run's checkout may be gone.
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    for (const name of ['node_modules', 'specs']) {
      rmSync(join(dir, name), { force: true });
      symlinkSync(join(root, name), join(dir, name));
    }
    return join(dir, 'src');
  } catch {
    return undefined;
  }
}

function load(c: Case): Request {
  const loaded = loadTimeloopInput(c.spec, withoutMapping(readFileSync(c.spec, 'utf8')).text);
  const spec = readMapperSpec(loaded.source, loaded.arch.levels.map((l) => l.name));
  return { arch: applyErt(loaded.arch, loadErt(c.ert, readFileSync(c.ert, 'utf8'))), problem: loaded.problem, constraints: spec.constraints, metrics: spec.metrics };
}

interface Measured {
  readonly at: (string | undefined)[];
  readonly seconds: number;
  readonly outcome: Outcome;
}

/** One search (threads 1: in process), its best metric at each mark, from before preparing it. */
async function measure(v: Version, req: Request, threads: number, limit: number): Promise<Measured> {
  const t0 = performance.now();
  const trace: { t: number; best: readonly number[] }[] = [];
  const onProgress = (p: { best?: readonly number[] }): void => {
    if (p.best) trace.push({ t: (performance.now() - t0) / 1000, best: [...p.best] });
  };
  const p = v.prepareMapping(req);
  if (!p.ok) throw new Error('the mapspace is empty');
  const left = limit - (performance.now() - t0) / 1000;
  const outcome = threads === 1 ? v.searchInProcess(p.prep, { shouldStop: () => performance.now() - t0 > limit * 1000, onProgress }) : await v.runSearch(p.prep, { threads, timeLimit: left, onProgress });
  const seconds = (performance.now() - t0) / 1000;
  const at = MARKS.map((m) => {
    let best: readonly number[] | undefined;
    for (const x of trace) if (x.t <= m && (!best || compareVectors(x.best, best) < 0)) best = x.best;
    if (seconds <= m && outcome.best) best = outcome.best.metrics;
    return best?.[0]?.toPrecision(5);
  });
  return { at, seconds, outcome };
}

function benchCases(): Case[] {
  const cases: Case[] = [{ name: 'matmul-3level (fixture)', spec: join(fixtures, 'mapper', 'matmul-3level.yaml'), ert: join(fixtures, 'mapper', 'matmul-3level.ERT.yaml'), timeLimit: 10 }];
  for (const peer of ['ispass-05-mapper-conv1d-oc-3level-null', 'ex-simple-weight-stationary']) {
    const d = join(fixtures, 'timeloop-peer', peer);
    if (existsSync(d)) cases.push({ name: peer, spec: join(d, 'parsed-processed-input.yaml'), ert: join(d, 'timeloop-model.ERT.yaml'), timeLimit: peer.includes('ispass') ? 10 : DEFAULT_TIME_LIMIT, timeloopBest: (e) => (peer.includes('ispass-05') ? [e.cycles, e.energy_pJ] : [e.energy_pJ * 1e-12 * e.cycles]) });
  }
  const check = join(fixtures, 'timeloop-golden', 'check');
  cases.push({ name: 'FuseMax check Einsum, 256×256 PEs', spec: join(check, 'parsed-processed-input.yaml'), ert: join(check, 'timeloop-model.ERT.yaml'), timeLimit: DEFAULT_TIME_LIMIT });
  return cases;
}

/**
 * One measurement in a fresh process (this module run as `measure SRC CASE THREADS`), so that no row
 * starts with code another row warmed up (a search's first second is mostly cold code).
 */
function measureApart(src: string, caseIndex: number, threads: number): Measured {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'measure', src, String(caseIndex), String(threads)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out) as Measured;
}

async function measureHere(src: string, caseIndex: number, threads: number): Promise<void> {
  const c = benchCases()[caseIndex]!;
  const m = await measure(await loadVersion('', src), load(c), threads, c.timeLimit);
  process.stdout.write(JSON.stringify({ at: m.at, seconds: m.seconds, outcome: { ...(m.outcome.best ? { best: { metrics: m.outcome.best.metrics } } : {}), valid: m.outcome.valid, evaluated: m.outcome.evaluated, exhaustive: m.outcome.exhaustive } }));
}

if (process.argv[2] === 'measure' && process.argv[1] === fileURLToPath(import.meta.url)) await measureHere(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));

export async function run(): Promise<void> {
  const cases = benchCases();
  const versions: { label: string; src: string }[] = [];
  const base = baselineSources();
  if (base) versions.push({ label: `baseline ${BASELINE}`, src: base });
  else console.log(`  (baseline ${BASELINE}: its sources cannot be extracted with git here; set MAPPER_BASELINE to a revision)`);
  versions.push({ label: 'this version', src: join(root, 'src') });

  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(', ')} (2 cores shared with other sessions); Timeloop's mapper: ~${TIMELOOP_MAPPINGS_PER_SECOND} mappings/s`);
  console.log(`  ${'case'.padEnd(40)} ${'version'.padEnd(18)} thr ${MARKS.map((m) => `best@${m}s`.padStart(11)).join(' ')} ${'seconds'.padStart(8)} ${'exhaustive'.padStart(10)} ${'evaluated/s'.padStart(12)} ${'complete/s'.padStart(11)}   result`);
  for (const [caseIndex, c] of cases.entries()) {
    try {
      load(c);
    } catch (err) {
      console.log(`  ${c.name.padEnd(40)} cannot be read here: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const expected = join(c.spec, '..', 'expected.json');
    const tl = c.timeloopBest && existsSync(expected) ? c.timeloopBest(JSON.parse(readFileSync(expected, 'utf8')) as { energy_pJ: number; cycles: number }) : undefined;
    for (const v of versions) {
      for (const threads of [1, THREADS]) {
        const m = measureApart(v.src, caseIndex, threads);
        const o = m.outcome;
        const rate = (x: number): string => Math.round(x / m.seconds).toLocaleString('en-US');
        let result = o.best ? o.best.metrics.map((x) => x.toPrecision(6)).join(', ') : 'no mapping';
        if (tl && o.best) result += ` (Timeloop ${tl.map((x) => x.toPrecision(6)).join(', ')}: ${compareVectors(o.best.metrics, tl.map((x) => x * (1 + 1e-9))) <= 0 ? 'no worse' : 'WORSE'})`;
        console.log(`  ${c.name.padEnd(40)} ${v.label.padEnd(18)} ${String(threads).padStart(3)} ${m.at.map((x) => (x ?? '—').padStart(11)).join(' ')} ${m.seconds.toFixed(2).padStart(8)} ${String(o.exhaustive).padStart(10)} ${rate(o.evaluated).padStart(12)} ${rate(o.valid).padStart(11)}   ${result}`);
      }
    }
  }
  console.log(`load average at end: ${loadavg().map((x) => x.toFixed(1)).join(', ')}`);
}
