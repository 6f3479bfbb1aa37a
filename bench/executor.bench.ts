/**
 * @file Reference executor on the 3-pass and 1-pass attention cascades at M = P = 1024, E = F = 64,
 * against a hand-written float64 attention loop measured in the same run.
 */
import { Bench } from 'tinybench';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCascade } from '../src/ir/check.ts';
import { resolveShapes } from '../src/ir/shapes.ts';
import { completeInputs } from '../src/exec/inputs.ts';
import { runCascade } from '../src/exec/run.ts';
import { textbookAttention } from '../src/exec/reference-attention.ts';
import type { Tensor } from '../src/tensor/index.ts';

const SHAPE = { M: 1024, P: 1024, E: 64, F: 64 };

export async function run(): Promise<void> {
  const cascades = ['attention-3pass', 'attention-1pass'].map((n) => loadCascade(readFileSync(join(import.meta.dirname, '..', 'specs', 'cascades', `${n}.cascade`), 'utf8'), n));
  const setups = cascades.map((c) => {
    const shapes = resolveShapes(c, new Map(Object.entries(SHAPE)));
    return { c, shapes, inputs: completeInputs(c, shapes, 1) };
  });
  const first = setups[0] as (typeof setups)[number];
  const dense = (n: string) => (first.inputs.get(n) as Tensor).toDense();
  const [q, k, v] = [dense('Q'), dense('K'), dense('V')];
  const bench = new Bench({ iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 });
  bench.add('baseline: hand-written float64 attention loop', () => { textbookAttention(SHAPE, q, k, v); });
  for (const s of setups) bench.add(`reference executor: ${s.c.source.file}`, () => { runCascade(s.c, s.shapes, s.inputs); });
  await bench.run();
  const median = (name: string): number => {
    const r = bench.tasks.find((t) => t.name === name)?.result;
    return r && 'latency' in r ? (r.latency.p50 ?? NaN) : NaN;
  };
  const base = median('baseline: hand-written float64 attention loop');
  console.log(`M = P = ${SHAPE.M}, E = F = ${SHAPE.E}; median of 3 runs after 1 warm-up`);
  for (const t of bench.tasks) {
    const m = median(t.name);
    console.log(`  ${t.name.padEnd(52)} ${(m / 1000).toFixed(3).padStart(8)} s   ×${(m / base).toFixed(1)} baseline`);
  }
}
