/**
 * @file `fusemax model`: access counts, cycles and energy of one Einsum's mapping on an architecture,
 * from a Timeloop v4 input (`--timeloop parsed-processed-input.yaml`) or from our own specs
 * (`--arch A.yaml --problem P.yaml --mapping M.yaml`), optionally with an ERT/ART; a table or `--json`,
 * and with `--out DIR` Timeloop's own `timeloop-model.map.txt` and `timeloop-model.stats.txt`.
 */
import type { Command } from 'commander';
import { fail } from '../diagnostics/diagnostic.ts';
import { countNumber, type Count } from '../model/analysis.ts';
import { archArea } from '../model/area.ts';
import { summarize, type ModelSummary } from '../model/summary.ts';
import type { Architecture, Fidelity } from '../model/types.ts';
import { loadArchSpec, locateArchRef } from '../readers/arch.ts';
import { loadMappingSpec, locateMappingRef } from '../readers/mapping.ts';
import { evaluateSource, ownNestSource, timeloopNestSource, type NestSource } from '../readers/nest-source.ts';
import { loadProblemSpec } from '../readers/problem.ts';
import type { Evaluation } from '../model/evaluate.ts';
import { timeloopMapText } from '../timeloop/map-text.ts';
import { loadTimeloopInput, type LoadedTimeloop } from '../timeloop/reader.ts';
import { timeloopStatsText } from '../timeloop/stats-text.ts';
import { applyArt, applyErt, loadArt, loadErt } from '../timeloop/tables.ts';
import { readUserFile, writeFilesAtomic } from './io.ts';
import { loadCascadeArg } from './cascade-file.ts';
import { parseShapeList, resolveShapes } from '../ir/shapes.ts';
import { problemFromEinsum } from '../model/cascade-problem.ts';
import { action } from './run-command.ts';
import { availableParallelism } from 'node:os';
import { stringify } from 'yaml';
import { UserError } from '../diagnostics/diagnostic.ts';
import { mappingSpec } from '../mapper/emit.ts';
import { finishMapping, prepareMapping } from '../mapper/map.ts';
import { METRICS, parseMetric } from '../mapper/metrics.ts';
import { withoutMapping } from '../mapper/timeloop-spec.ts';
import type { Problem } from '../model/types.ts';
import { parseBudget, runSearch } from './map-runner.ts';

interface ModelOptions {
  timeloop?: string;
  arch?: string;
  problem?: string;
  cascade?: string;
  einsum?: string;
  shape?: string;
  mapping?: string;
  ert?: string;
  art?: string;
  fidelity: string;
  json?: boolean;
  map?: string | true;
  timeLimit: string;
  budget?: string;
  out?: string;
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .option('--timeloop <file>', "a Timeloop v4 input as timeloopfe writes it (parsed-processed-input.yaml)")
    .option('--arch <file>', 'our architecture spec (YAML)')
    .option('--problem <file>', 'our problem spec (YAML)')
    .option('--cascade <file>', 'instead of --problem: take the problem from an Einsum of a cascade (with --einsum and --shape)')
    .option('--einsum <tensor>', 'with --cascade: the Einsum, named by the tensor it computes')
    .option('--shape <list>', 'with --cascade: rank sizes, e.g. M=64,N=64,K=64')
    .option('--mapping <file>', 'our mapping spec (YAML)')
    .option('--ert <file>', 'energy reference table (Timeloop/Accelergy ERT YAML); replaces the energies of the architecture')
    .option('--art <file>', 'area reference table (Timeloop/Accelergy ART YAML)')
    .option('--fidelity <mode>', "physical, or artifact to reproduce Timeloop's uint64 partition wrap and float32 areas", 'physical')
    .option('--map [metrics]', 'instead of --mapping: search the best mapping (fusemax map\'s exact mapper; metrics default edp, e.g. --map delay,energy)')
    .option('--time-limit <seconds>', 'with --map: stop the search after this long', '6')
    .option('--budget <n>', 'with --map: stop after examining about this many mappings (a reproducible cut; see fusemax map --help)')
    .option('--json', 'print the result as JSON')
    .option('--out <dir>', 'with --timeloop and --ert: also write timeloop-model.map.txt and timeloop-model.stats.txt (Timeloop v0.4 text) into DIR')
    .addHelpText(
      'after',
      '\nExamples:\n  fusemax model --timeloop parsed-processed-input.yaml --ert timeloop-model.ERT.yaml\n  fusemax model --timeloop parsed-processed-input.yaml --ert timeloop-model.ERT.yaml --art timeloop-model.ART.yaml --out run/\n  fusemax model --arch specs/archs/gemm-2level.yaml --problem specs/mappings/gemm-64.problem.yaml --mapping specs/mappings/gemm-64.mapping.yaml --json',
    )
    .action(action((opts: ModelOptions) => runModel(opts)));
}

async function runModel(opts: ModelOptions): Promise<void> {
  if (opts.map !== undefined) return mapThenModel(opts);
  const fidelity = parseFidelity(opts.fidelity);
  const problemGiven = opts.problem ?? opts.cascade;
  if (opts.problem !== undefined && opts.cascade !== undefined) fail('FM920', 'give either --problem or --cascade, not both');
  if (opts.cascade !== undefined && opts.einsum === undefined) fail('FM920', '--cascade needs --einsum TENSOR (the Einsum that computes it)');
  const own = [opts.arch, problemGiven, opts.mapping];
  let source: NestSource;
  let energyKnown: boolean;
  let areaKnown: boolean;
  let timeloop: LoadedTimeloop | undefined;
  if (opts.out !== undefined && (opts.timeloop === undefined || opts.ert === undefined)) fail('FM920', '--out writes Timeloop\'s map and stats texts: it needs --timeloop and --ert');
  if (opts.timeloop !== undefined) {
    if (own.some((x) => x !== undefined)) fail('FM920', 'give either --timeloop or --arch/--problem/--mapping, not both');
    timeloop = loadTimeloopInput(opts.timeloop, readUserFile(opts.timeloop));
    source = timeloopNestSource(timeloop, withTables(timeloop.arch, opts));
    energyKnown = opts.ert !== undefined;
    areaKnown = opts.art !== undefined;
  } else {
    if (own.some((x) => x === undefined)) fail('FM920', 'give --timeloop FILE, or all of --arch, --problem (or --cascade) and --mapping', undefined, 'see fusemax model --help');
    const arch = loadArchSpec(opts.arch!, readUserFile(opts.arch!));
    const mapping = loadMappingSpec(opts.mapping!, readUserFile(opts.mapping!));
    let src: NestSource;
    if (opts.cascade !== undefined) {
      const { cascade } = loadCascadeArg(opts.cascade);
      const problem = problemFromEinsum(cascade, opts.einsum!, resolveShapes(cascade, parseShapeList(opts.shape ?? '')));
      src = { arch: arch.arch, problem, mapping: mapping.mapping, locate: (ref) => locateMappingRef(mapping, ref) ?? locateArchRef(arch, ref) };
    } else {
      const problem = loadProblemSpec(opts.problem!, readUserFile(opts.problem!));
      src = ownNestSource(arch, problem, mapping);
    }
    source = { ...src, arch: withTables(arch.arch, opts) };
    energyKnown = true;
    areaKnown = true;
  }
  const evaluation = evaluateSource(source, fidelity);
  const summary = summarize(evaluation, { energyKnown, ...(areaKnown ? { area: archArea(evaluation.nest.arch, fidelity) } : {}) });
  if (opts.out !== undefined && timeloop !== undefined) writeTimeloopTexts(opts.out, timeloop, source.arch, evaluation);
  process.stdout.write(opts.json ? toJson(summary) + '\n' : formatSummary(summary));
}

/** `--map`: search the mapping (src/mapper over worker threads), then report it like any other. */
async function mapThenModel(opts: ModelOptions): Promise<void> {
  if (opts.mapping !== undefined) fail('FM920', 'give either --mapping or --map, not both');
  const fidelity = parseFidelity(opts.fidelity);
  let arch: Architecture;
  let problem: Problem;
  if (opts.timeloop !== undefined) {
    const loaded = loadTimeloopInput(opts.timeloop, withoutMapping(readUserFile(opts.timeloop)).text);
    arch = withTables(loaded.arch, opts);
    problem = loaded.problem;
  } else {
    if (opts.arch === undefined || (opts.problem ?? opts.cascade) === undefined) fail('FM920', 'with --map, give --timeloop FILE, or --arch and --problem (or --cascade)', undefined, 'see fusemax model --help');
    arch = withTables(loadArchSpec(opts.arch, readUserFile(opts.arch)).arch, opts);
    if (opts.cascade !== undefined) {
      if (opts.einsum === undefined) fail('FM920', '--cascade needs --einsum TENSOR (the Einsum that computes it)');
      const { cascade } = loadCascadeArg(opts.cascade);
      problem = problemFromEinsum(cascade, opts.einsum, resolveShapes(cascade, parseShapeList(opts.shape ?? '')));
    } else {
      problem = loadProblemSpec(opts.problem!, readUserFile(opts.problem!)).problem;
    }
  }
  const metrics = typeof opts.map === 'string' ? opts.map.split(',').map((m) => parseMetric(m) ?? fail('FM805', `unknown metric '${m}'`, undefined, `metrics: ${METRICS.join(', ')}`)) : undefined;
  const timeLimit = Number(opts.timeLimit);
  if (!(timeLimit > 0)) fail('FM811', `--time-limit must be a positive number of seconds, not '${opts.timeLimit}'`);
  const prepared = prepareMapping({ arch, problem, ...(metrics ? { metrics } : {}) });
  if (!prepared.ok) throw new UserError(prepared.issues.map((i) => ({ code: i.code, message: i.message, ...(i.hint ? { hint: i.hint } : {}) })));
  const t0 = performance.now();
  const outcome = await runSearch(prepared.prep, { threads: availableParallelism(), timeLimit, budget: parseBudget(opts.budget) });
  const seconds = (performance.now() - t0) / 1000;
  const found = finishMapping(prepared.prep, outcome.best, outcome);
  if (!found.ok) throw new UserError(found.issues.map((i) => ({ code: i.code, message: i.message })));
  const r = found.result;
  const evaluation = evaluateSource({ arch, problem, mapping: r.mapping, locate: () => undefined }, fidelity);
  const summary = summarize(evaluation, { energyKnown: opts.timeloop === undefined || opts.ert !== undefined, ...(opts.timeloop === undefined || opts.art !== undefined ? { area: archArea(arch, fidelity) } : {}) });
  const search = { metrics: r.metricNames, values: r.metrics, exhaustive: r.exhaustive, evaluated: r.evaluated, valid: r.valid, seconds: Number(seconds.toFixed(3)) };
  if (opts.json) {
    process.stdout.write(toJson({ ...summary, mapping: mappingSpec(r.mapping), search }) + '\n');
    return;
  }
  const how = r.exhaustive ? 'the proven optimum' : outcome.budgetSpent ? 'the best found within the budget' : 'the best found within the time limit';
  process.stdout.write(`mapping (fusemax map, ${how} on ${r.metricNames.join(', ')}; ${r.valid} valid of ${r.evaluated} evaluated in ${seconds.toFixed(2)} s):\n${stringify(mappingSpec(r.mapping))}\n` + formatSummary(summary));
}

/** timeloop-model.map.txt and timeloop-model.stats.txt, both or neither (FM910 when DIR cannot be written). */
function writeTimeloopTexts(dir: string, loaded: LoadedTimeloop, arch: Architecture, evaluation: Evaluation): void {
  writeFilesAtomic(dir, [
    { name: 'timeloop-model.map.txt', data: timeloopMapText(arch, loaded.mapping, evaluation.stats) },
    { name: 'timeloop-model.stats.txt', data: timeloopStatsText(loaded, evaluation, { arch }) },
  ]);
}

function parseFidelity(text: string): Fidelity {
  if (text === 'physical' || text === 'artifact') return text;
  return fail('FM921', `--fidelity must be physical or artifact, not '${text}'`);
}

function withTables(arch: Architecture, opts: ModelOptions): Architecture {
  let out = arch;
  if (opts.ert !== undefined) out = applyErt(out, loadErt(opts.ert, readUserFile(opts.ert)));
  if (opts.art !== undefined) out = applyArt(out, loadArt(opts.art, readUserFile(opts.art)));
  return out;
}

/** JSON with exact integers: counts beyond 2^53 are bigints and print as plain digits. */
export function toJson(value: unknown): string {
  const marker = '\u0000big:';
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? marker + v.toString() : v), 2);
  return text.replace(new RegExp(`"${marker}(\\d+)"`, 'g'), '$1');
}

// ---------------------------------------------------------------------------------------------------
// The table

export function formatSummary(s: ModelSummary): string {
  const out: string[] = [];
  out.push(`${s.einsum}: ${fmt(s.computes)} computes in ${fmt(s.cycles)} cycles on ${s.utilizedInstances} of ${s.compute.instances} ${s.compute.name} instances (fidelity ${s.fidelity})`);
  out.push(`energy: ${s.energy_pJ === null ? 'unknown (no ERT)' : `${energyText(s.energy_pJ)} (${(s.energy_pJ / countNumber(s.computes)).toFixed(3)} pJ/compute)`}`);
  if (s.area_um2 !== undefined && s.area_um2 > 0) out.push(`area: ${(s.area_um2 / 1e6).toFixed(3)} mm²`);
  if (s.timing) {
    const t = s.timing;
    out.push(`time: compute ${seconds(t.computeSeconds)}, DRAM ${fmt(Math.round(t.dramBytes))} B${t.dramSeconds === null ? '' : ` = ${seconds(t.dramSeconds)}`}, roofline ${seconds(t.latencySeconds)}`);
  }
  out.push('', 'Per instance, as Timeloop prints them:');
  const header = ['level', 'instances', 'tensor', 'reads', 'fills', 'updates', 'capacity', 'partition', 'energy (pJ)'];
  const rows: string[][] = [];
  for (const [name, l] of Object.entries(s.levels)) {
    const tensors = Object.entries(l.tensors);
    tensors.forEach(([t, c], i) => {
      rows.push([i === 0 ? name : '', i === 0 ? String(l.instances) : '', t, fmt(c.reads), fmt(c.fills), fmt(c.updates), fmt(c.utilizedCapacity), fmt(c.partitionSize), c.energy_pJ === null ? '' : c.energy_pJ.toFixed(2)]);
    });
    // A level that keeps nothing is listed for its leakage (as Timeloop does).
    if (tensors.length === 0 || (l.leak_pJ !== null && l.leak_pJ > 0)) {
      const first = tensors.length === 0;
      rows.push([first ? name : '', first ? String(l.instances) : '', '(leak)', '', '', '', '', '', l.leak_pJ === null ? '' : l.leak_pJ.toFixed(2)]);
    }
  }
  rows.push([s.compute.name, String(s.compute.instances), '(compute)', '', '', '', '', '', s.compute.energy_pJ === null ? '' : s.compute.energy_pJ.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  out.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(line(r));
  return out.join('\n') + '\n';
}

function fmt(c: Count): string {
  return c.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function energyText(pJ: number): string {
  if (pJ >= 1e6) return `${(pJ / 1e6).toFixed(6)} µJ`;
  return `${pJ.toFixed(3)} pJ`;
}

function seconds(s: number): string {
  if (s >= 1) return `${s.toFixed(3)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(3)} ms`;
  return `${(s * 1e6).toFixed(3)} µs`;
}
