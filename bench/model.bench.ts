/**
 * @file Model evaluations per second on one 6-level Einsum nest (the artifact's Timeloop check problem:
 * QK on DRAM → L3 → reg_file_1d → 256 columns → 256 rows → reg_file), single thread, beside
 * timeloop-model's 0.37–1.15 s per run on the same Einsum. In the same run, a baseline: the brute-force
 * simulator and the closed form on a shrunk copy of that nest (same levels and loop structure). Then
 * three convolutions of the Timeloop peer runs (sliding-window and strided projections, 3–7 levels).
 */
import { Bench } from 'tinybench';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeNest } from '../src/model/analysis.ts';
import { evaluateNest } from '../src/model/evaluate.ts';
import { bindNest, type Nest } from '../src/model/nest.ts';
import { simulateNest } from '../src/model/simulate.ts';
import type { Mapping, Problem } from '../src/model/types.ts';
import { loadTimeloopInput } from '../src/timeloop/reader.ts';
import { applyErt, loadErt } from '../src/timeloop/tables.ts';

/** timeloop-model on one Einsum of this kind (fusemax-model.md: about 0.4–1.2 s; measured 0.37–1.15 s). */
const TIMELOOP_SECONDS = [0.37, 1.15] as const;
/** The convolution runs of test/fixtures/timeloop-peer/ timed as well. */
const CONV_CASES = ['ex-simple-weight-stationary', 'ispass-04-conv1d-oc-3levelspatial-cp', 'ispass-02-conv1d-oc-2level-tiling'] as const;
/** Evaluations per timed batch: one evaluation takes microseconds, below the timer's useful resolution. */
const BATCH = 1000;

export async function run(): Promise<void> {
  const dir = join(import.meta.dirname, '..', 'test', 'fixtures', 'timeloop-golden', 'check');
  const loaded = loadTimeloopInput('check', readFileSync(join(dir, 'parsed-processed-input.yaml'), 'utf8'));
  const arch = applyErt(loaded.arch, loadErt('ert', readFileSync(join(dir, 'timeloop-model.ERT.yaml'), 'utf8')));
  const { problem, mapping } = loaded;
  const bound = bindNest(arch, problem, mapping);
  if (!bound.ok) throw new Error('the check nest does not bind');
  const small = shrunk(problem, mapping, arch);
  const convs = CONV_CASES.map((name) => {
    const d = join(import.meta.dirname, '..', 'test', 'fixtures', 'timeloop-peer', name);
    const l = loadTimeloopInput(name, readFileSync(join(d, 'parsed-processed-input.yaml'), 'utf8'));
    return { name, arch: applyErt(l.arch, loadErt('ert', readFileSync(join(d, 'timeloop-model.ERT.yaml'), 'utf8'))), problem: l.problem, mapping: l.mapping };
  });

  // Let the JIT settle on every path first, so that task order does not matter.
  for (const end = performance.now() + 300; performance.now() < end; ) {
    evaluateNest(arch, problem, mapping);
    evaluateNest(arch, problem, mapping, { fidelity: 'artifact' });
    analyzeNest(small);
    for (const c of convs) evaluateNest(c.arch, c.problem, c.mapping);
  }
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench.add(`evaluate (bind, count, fit, energy) ×${BATCH}`, () => {
    for (let i = 0; i < BATCH; i++) evaluateNest(arch, problem, mapping);
  });
  bench.add(`evaluate, artifact fidelity ×${BATCH}`, () => {
    for (let i = 0; i < BATCH; i++) evaluateNest(arch, problem, mapping, { fidelity: 'artifact' });
  });
  bench.add(`count only (bound nest) ×${BATCH}`, () => {
    for (let i = 0; i < BATCH; i++) analyzeNest(bound.nest);
  });
  bench.add(`baseline: closed form on the shrunk nest ×${BATCH}`, () => {
    for (let i = 0; i < BATCH; i++) analyzeNest(small);
  });
  bench.add('baseline: brute-force simulation of the shrunk nest ×1', () => {
    simulateNest(small);
  });
  for (const c of convs) {
    bench.add(`conv ${c.name} ×${BATCH}`, () => {
      for (let i = 0; i < BATCH; i++) evaluateNest(c.arch, c.problem, c.mapping);
    });
  }
  await bench.run();

  const perCall = (name: string, batch: number): number => {
    const r = bench.tasks.find((t) => t.name.startsWith(name))?.result;
    const ms = r && 'latency' in r ? (r.latency.p50 ?? NaN) : NaN;
    return ms / 1000 / batch; // seconds per call
  };
  const line = (label: string, s: number, extra = ''): void => console.log(`  ${label.padEnd(44)} ${(s * 1e6).toFixed(3).padStart(10)} µs   ${Math.round(1 / s).toLocaleString('en-US').padStart(11)} /s${extra}`);

  const evalS = perCall('evaluate (bind', BATCH);
  const artS = perCall('evaluate, artifact', BATCH);
  const countS = perCall('count only', BATCH);
  const closedS = perCall('baseline: closed form', BATCH);
  const bruteS = perCall('baseline: brute-force', 1);
  const smallComputes = small.dimSizes.reduce((a, b) => a * b, 1);

  console.log(`QK (check problem): ${problem.dimensions['B']}·${problem.dimensions['E']}·${problem.dimensions['H']}·${problem.dimensions['M']}·${problem.dimensions['N']}·${problem.dimensions['P']} = 4.4e12 computes, ${arch.levels.length} levels; median per evaluation, single thread`);
  line('evaluate (bind, count, fit, energy)', evalS, `   (target ≥ 200,000 /s)`);
  line('evaluate, artifact fidelity', artS);
  line('count only (bound nest)', countS);
  console.log(`  timeloop-model on the same Einsum: ${TIMELOOP_SECONDS[0]}–${TIMELOOP_SECONDS[1]} s per run → this model is ${fmtRatio(TIMELOOP_SECONDS[0] / evalS)}–${fmtRatio(TIMELOOP_SECONDS[1] / evalS)} × faster`);
  console.log(`In-process baseline, the same 6 levels shrunk to ${smallComputes} computes:`);
  line('brute-force simulation', bruteS);
  line('closed form', closedS, `   (×${fmtRatio(bruteS / closedS)} faster than brute force)`);
  console.log('Convolutions (Timeloop peer runs: sliding windows, strides), evaluate (bind, count, fit, energy):');
  for (const c of convs) {
    // CPU time of this process as well: on a shared machine the wall-clock median includes other work.
    const n = 20 * BATCH;
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) evaluateNest(c.arch, c.problem, c.mapping);
    const used = process.cpuUsage(before);
    const cpuS = (used.user + used.system) / 1e6 / n;
    line(c.name, perCall(`conv ${c.name}`, BATCH), `   (CPU ${(cpuS * 1e6).toFixed(3)} µs = ${Math.round(1 / cpuS).toLocaleString('en-US')} /s; target ≥ 100,000 /s)`);
  }
}

function fmtRatio(x: number): string {
  return x >= 1e4 ? x.toExponential(2).replace('e+', 'e') : x.toFixed(0);
}

/** The check nest with every dimension and loop bound scaled down, the loop structure kept. */
function shrunk(problem: Problem, mapping: Mapping, arch: Parameters<typeof bindNest>[0]): Nest {
  const small: Record<string, Record<string, number>> = {
    DRAM: { B: 2, H: 2, M: 2 },
    L3: { P: 2, E: 4 },
    inter_PE_col_spatial: { P: 4 },
    inter_PE_spatial: { N: 4 },
  };
  const sizes: Record<string, number> = { B: 2, E: 4, H: 2, M: 2, N: 4, P: 8 };
  const dims = Object.fromEntries(Object.keys(problem.dimensions).map((d) => [d, sizes[d] ?? 1]));
  const scale = (level: string, loops: Mapping['levels'][number]['temporal']) => loops.map((l) => ({ dim: l.dim, bound: l.bound > 1 ? (small[level]?.[l.dim] ?? 1) : 1 }));
  const m: Mapping = {
    levels: mapping.levels.map((l) => ({ ...l, temporal: scale(l.level, l.temporal), spatialX: scale(l.level, l.spatialX), spatialY: scale(l.level, l.spatialY) })),
  };
  const b = bindNest(arch, { ...problem, dimensions: dims }, m);
  if (!b.ok) throw new Error(`the shrunk nest does not bind: ${b.issues.map((i) => i.message).join('; ')}`);
  return b.nest;
}
