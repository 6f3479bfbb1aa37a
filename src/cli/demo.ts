/**
 * @file `fusemax demo` (what `npm start` runs until the paper reproduction exists): for each built-in
 * attention cascade, check it, count its passes, run it on seeded random data and print the largest
 * error against a float64 textbook attention.
 */
import type { Command } from 'commander';
import { analysePasses } from '../analysis/passes.ts';
import { parseShapeList, resolveShapes } from '../ir/shapes.ts';
import { completeInputs } from '../exec/inputs.ts';
import { runCascade } from '../exec/run.ts';
import { textbookAttention } from '../exec/reference-attention.ts';
import { maxRelativeDifference, type Tensor } from '../tensor/index.ts';
import { action } from './run-command.ts';
import { loadCascadeArg } from './cascade-file.ts';
import { checkMemoryForRun, parseSeed } from './run.ts';

const ATTENTION = ['attention-3pass', 'attention-3pass-deferred-division', 'attention-2pass', 'attention-1pass'];

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .option('--shape <list>', 'attention sizes', 'M=1024,P=1024,E=64,F=64')
    .option('--seed <n>', 'seed of the random Q, K, V', '1')
    .action(action((opts: { shape: string; seed: string }) => {
      const seed = parseSeed(opts.seed);
      const given = parseShapeList(opts.shape);
      process.stdout.write(`FuseMax demo: attention cascades on random normal Q, K, V (${[...given].map(([k, v]) => `${k}=${v}`).join(' ')}, seed ${seed})\n\n`);
      process.stdout.write(`  ${'cascade'.padEnd(36)} ${'einsums'.padStart(7)}  ${'passes'.padEnd(16)} ${'time'.padStart(9)}  max rel. error vs float64 textbook\n`);
      let reference: Float64Array | undefined;
      for (const name of ATTENTION) {
        const { cascade } = loadCascadeArg(name);
        const passes = analysePasses(cascade);
        const shapes = resolveShapes(cascade, new Map([...given].filter(([k]) => ['M', 'P', 'E', 'F', 'M0', 'M1'].includes(k) && (k !== 'M0' && k !== 'M1' || cascade.partitions.length > 0))));
        checkMemoryForRun(cascade, shapes, 'float64');
        const inputs = completeInputs(cascade, shapes, seed);
        const started = performance.now();
        const result = runCascade(cascade, shapes, inputs);
        const ms = performance.now() - started;
        const dense = (n: string) => (inputs.get(n) as Tensor).toDense();
        reference ??= textbookAttention({ E: shapes.get('E') as number, F: shapes.get('F') as number, M: shapes.get('M') as number, P: shapes.get('P') as number }, dense('Q'), dense('K'), dense('V'));
        const err = maxRelativeDifference((result.outputs.get('AV') as Tensor).toDense(), reference);
        const passText = ['M', 'M1', 'M0'].filter((r) => passes.ranks.has(r)).map((r) => `${r}:${passes.ranks.get(r)}`).join(' ');
        process.stdout.write(`  ${name.padEnd(36)} ${String(cascade.einsums.length).padStart(7)}  ${passText.padEnd(16)} ${`${(ms / 1000).toFixed(2)} s`.padStart(9)}  ${err.toExponential(2)}\n`);
      }
      process.stdout.write('\nSee `fusemax passes <cascade>` for why each cascade needs its passes, `fusemax run --help` to run your own.\n');
    }));
}
