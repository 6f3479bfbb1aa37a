/**
 * @file Wall time of `fusemax reproduce` (all CSVs, figures as SVG and PNG, summary), beside the
 * published artifact's ~9 hours (Docker + Timeloop + Accelergy), with the model/rendering breakdown.
 * In-process baseline: the same reproduction without figures (the model alone), and one design point.
 * Also the real command end to end (a fresh `node bin/fusemax.js reproduce`, process start included).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLibrary } from '../src/cli/library.ts';
import { runReproduction } from '../src/cli/reproduce.ts';
import { quirksFor } from '../src/experiments/artifact-quirks.ts';
import { evaluatePoint } from '../src/experiments/paper.ts';

const ARTIFACT_SECONDS = 9 * 3600;
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<void> {
  const lib = loadLibrary();
  await runReproduction(lib, 'artifact'); // warm up (JIT, vega's parser)
  const total: number[] = [];
  const model: number[] = [];
  const render: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const r = await runReproduction(lib, 'artifact');
    total.push((performance.now() - t) / 1000);
    model.push(r.modelSeconds);
    render.push(r.renderSeconds);
  }
  const modelOnly: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await runReproduction(lib, 'artifact', { figures: false });
    modelOnly.push((performance.now() - t) / 1000);
  }
  const point: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    evaluatePoint(lib, 'binding', 'BERT', '64K', quirksFor('artifact'));
    point.push((performance.now() - t) / 1000);
  }
  const out = mkdtempSync(join(tmpdir(), 'fm-bench-'));
  const cli: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'fusemax.js'), 'reproduce', '--out', out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    cli.push((performance.now() - t) / 1000);
  }
  const m = median(total);
  console.log(`reproduce in process (median of ${RUNS}): ${m.toFixed(3)} s = model ${median(model).toFixed(3)} s (incl. 7 quirk-ablation runs) + rendering ${median(render).toFixed(3)} s (8 figures, SVG + PNG)`);
  console.log(`  baseline, model only (no figures): ${median(modelOnly).toFixed(3)} s; one design point (binding, BERT 64K): ${(median(point) * 1e3).toFixed(3)} ms`);
  console.log(`  full / model-only: ${(m / median(modelOnly)).toFixed(2)}×`);
  console.log(`fusemax reproduce as a command (median of 3, process start and TypeScript loading included): ${median(cli).toFixed(3)} s`);
  console.log(`published artifact: ~9 h → ${(ARTIFACT_SECONDS / median(cli)).toFixed(0)}× faster`);
}
