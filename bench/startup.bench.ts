/**
 * @file Start-up of the `fusemax` command as whole processes, the way scripts call it (once per file):
 * `fusemax --help` and `fusemax model` on one Timeloop spec, beside the baseline of a bare `node -e 0`
 * measured in the same run, interleaved so that machine load affects all three alike. The goals
 * (issue #9): --help within 3x and model within 4x of the bare process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'fusemax.js');
const SPEC = join(ROOT, 'test', 'fixtures', 'timeloop-golden', 'proposal-BERT-1K-qk');
const RUNS = 21;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeProcess(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

export async function run(): Promise<void> {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.js')], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  const cases: Array<{ name: string; args: string[]; goal?: number }> = [
    { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
    { name: 'fusemax --help', args: [BIN, '--help'], goal: 3 },
    { name: 'fusemax model --timeloop (one spec)', args: [BIN, 'model', '--timeloop', join(SPEC, 'parsed-processed-input.yaml'), '--ert', join(SPEC, 'timeloop-model.ERT.yaml'), '--json'], goal: 4 },
  ];
  const times = cases.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) cases.forEach((c, k) => times[k]!.push(timeProcess(c.args)));
  const base = median(times[0]!);
  cases.forEach((c, k) => {
    const m = median(times[k]!);
    const goal = c.goal === undefined ? '' : `  (goal ≤ ${c.goal}×: ${m / base <= c.goal ? 'met' : 'NOT met'})`;
    console.log(`${c.name.padEnd(38)} median of ${RUNS}: ${(m * 1e3).toFixed(0).padStart(5)} ms  ${(m / base).toFixed(2)}× baseline${goal}`);
  });
}
