/**
 * @file Pass analysis and lower bounds of a generated 200-Einsum cascade (a chain of reductions and
 * maps over M, P, E) against parsing and checking the same text, measured in the same run.
 */
import { Bench } from 'tinybench';
import { parseCascade } from '../src/notation/parser.ts';
import { checkCascade } from '../src/ir/check.ts';
import { analysePasses } from '../src/analysis/passes.ts';
import { lowerBounds } from '../src/analysis/lower-bound.ts';

/** 200 Einsums: every fourth reduces M (forcing a new pass), the others map and mix earlier results. */
export function generatedCascade(n: number): string {
  const lines = ['input A[M,P], B[E,M]'];
  let last = 'A[m,p]';
  for (let i = 0; i < n; i++) {
    const name = `T${i}`;
    if (i % 4 === 3) lines.push(`${name}[p] = ${last} :: reduce max`);
    else if (i % 4 === 0 && i > 0) lines.push(`${name}[m,p] = exp(A[m,p] - T${i - 1}[p])`);
    else lines.push(`${name}[m,p] = ${last} * B[e,m]`);
    last = i % 4 === 3 ? `A[m,p]` : `${name}[m,p]`;
  }
  return lines.join('\n') + '\n';
}

export async function run(): Promise<void> {
  const text = generatedCascade(200);
  const cascade = checkCascade(parseCascade({ file: 'gen.cascade', text }));
  const passes = analysePasses(cascade).ranks.get('M');
  const bench = new Bench({ time: 500, warmupTime: 100 });
  bench.add('baseline: parse + check 200 Einsums', () => { checkCascade(parseCascade({ file: 'gen.cascade', text })); });
  // analysePasses caches its result per cascade object: a shallow copy measures the analysis itself.
  bench.add('pass analysis of 200 Einsums', () => { analysePasses({ ...cascade }); });
  bench.add('lower bounds of 200 Einsums', () => { lowerBounds(cascade); });
  await bench.run();
  const median = (name: string): number => {
    const r = bench.tasks.find((t) => t.name === name)?.result;
    return r && 'latency' in r ? (r.latency.p50 ?? NaN) : NaN;
  };
  const base = median('baseline: parse + check 200 Einsums');
  console.log(`generated cascade: 200 Einsums, ${passes} passes over M`);
  for (const t of bench.tasks) {
    const m = median(t.name);
    console.log(`  ${t.name.padEnd(40)} ${m.toFixed(2).padStart(8)} ms   ×${(m / base).toFixed(2)} baseline`);
  }
}
