/**
 * @file The rewrite search (`fusemax optimize`) on the cascades of issue 12 and the 3-pass attention:
 * the full search (all rules, verification of stability), the search alone, and, as the baseline
 * measured in the same run, the search restricted to the rules that existed before (defer, partition,
 * online) without verification.
 */
import { Bench } from 'tinybench';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCascade } from '../src/ir/check.ts';
import { optimize } from '../src/rewrite/search.ts';

const NAMES = ['attention-3pass', 'attention-partitioned', 'softmax', 'layernorm', 'layernorm-matmul'];

export async function run(): Promise<void> {
  const cascades = NAMES.map((n) => loadCascade(readFileSync(join(import.meta.dirname, '..', 'specs', 'cascades', `${n}.cascade`), 'utf8'), n));
  const bench = new Bench({ iterations: 5, time: 0, warmupIterations: 1, warmupTime: 0 });
  const label = (c: string, what: string) => `${c}: ${what}`;
  for (const c of cascades) {
    const name = c.source.file;
    bench.add(label(name, 'baseline (defer, partition, online; no verification)'), () => { optimize(c, { rules: ['defer', 'partition', 'online'], verify: false }); });
    bench.add(label(name, 'search, all rules, no verification'), () => { optimize(c, { verify: false }); });
    bench.add(label(name, 'optimize (search + verification)'), () => { optimize(c); });
  }
  await bench.run();
  const median = (name: string): number => {
    const r = bench.tasks.find((t) => t.name === name)?.result;
    return r && 'latency' in r ? (r.latency.p50 ?? NaN) : NaN;
  };
  console.log('median of 5 runs after 1 warm-up; passes over the tracked rank before → after');
  for (const c of cascades) {
    const name = c.source.file;
    const r = optimize(c);
    const base = median(label(name, 'baseline (defer, partition, online; no verification)'));
    console.log(`${name}: ${[...r.passesBefore].filter(([k]) => k === r.rank || k === r.countedRank).map(([k, v]) => `${k}:${v}`).join(' ')} → ${r.countedRank}:${r.passesAfter.get(r.countedRank)} (bound ${r.lowerBound.passes}), ${r.explored} states expanded`);
    for (const what of ['baseline (defer, partition, online; no verification)', 'search, all rules, no verification', 'optimize (search + verification)']) {
      const m = median(label(name, what));
      console.log(`  ${what.padEnd(56)} ${m.toFixed(0).padStart(6)} ms   ×${(m / base).toFixed(2)} baseline`);
    }
  }
}
