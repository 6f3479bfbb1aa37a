/**
 * @file `fusemax optimize FILE`: search the rewrite rules for a cascade with fewer passes over a rank,
 * verify the result against the original on random data, and print (or write) the new cascade with
 * the rules applied, the algebraic conditions they relied on, the passes and the compute before and after.
 */
import type { Command } from 'commander';
import { fail } from '../diagnostics/diagnostic.ts';
import type { Cascade } from '../ir/cascade.ts';
import { parseShapeList } from '../ir/shapes.ts';
import { ALL_RULES, optimize, verifyRewrite, type OptimizeResult, type RuleName, type Verification } from '../rewrite/search.ts';
import { action } from './run-command.ts';
import { loadCascadeArg } from './cascade-file.ts';
import { writeFileAtomic } from './io.ts';
import { VERIFY_TOLERANCE, verificationShapes } from '../rewrite/verification-shapes.ts';

export { VERIFY_TOLERANCE, verificationShapes };

function outputElements(c: Cascade, shapes: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const o of c.outputs) n += (c.tensors.get(o)?.ranks ?? []).reduce((acc, r) => acc * (shapes.get(r) ?? 1), 1);
  return Math.max(1, n);
}

export function optimizeJson(r: OptimizeResult, v: Verification): object {
  const extra = r.compute.after - r.compute.before;
  return {
    cascade: r.text,
    rank: r.rank,
    rules: r.rules.map((x) => ({ rule: x.rule, description: x.description, condition: x.condition })),
    passesBefore: Object.fromEntries(r.passesBefore),
    passesAfter: Object.fromEntries(r.passesAfter),
    compute: {
      before: r.compute.before, after: r.compute.after, extra,
      extraPerOutputElement: extra / outputElements(r.original, r.compute.shapes),
      shapes: Object.fromEntries(r.compute.shapes),
    },
    verification: v,
    refusals: r.refusals,
  };
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .argument('<file>', 'a .cascade file or a built-in cascade name')
    .option('--rank <R>', 'the rank whose passes to reduce (default: the one with the most passes)')
    .option('--rules <list>', `rules the search may use (${ALL_RULES.join(',')})`, ALL_RULES.join(','))
    .option('--chunk <n>', 'chunk size when partitioning a rank', '256')
    .option('--shape <list>', 'shapes for counting operations (default 1024 per rank)')
    .option('--out <file>', 'write the rewritten cascade to this file')
    .option('--json', 'print { cascade, rules, passesBefore, passesAfter, compute, verification, refusals }')
    .action(action((file: string, opts: { rank?: string; rules: string; chunk: string; shape?: string; out?: string; json?: boolean }) => {
      const { cascade } = loadCascadeArg(file);
      const rules = opts.rules.split(',').map((s) => s.trim()).filter(Boolean);
      for (const r of rules) if (!(ALL_RULES as readonly string[]).includes(r)) fail('FM908', `unknown rule '${r}'`, undefined, `rules: ${ALL_RULES.join(', ')}`);
      const chunk = Number(opts.chunk);
      if (!Number.isInteger(chunk) || chunk < 2) fail('FM908', `--chunk must be an integer of at least 2, not '${opts.chunk}'`);
      if (opts.rank !== undefined && !cascade.einsums.some((e) => [...e.vars.values()].includes(opts.rank as string))) {
        fail('FM252', `rank ${opts.rank} is not iterated by any Einsum of this cascade`);
      }
      const result = optimize(cascade, { ...(opts.rank ? { rank: opts.rank } : {}), rules: rules as RuleName[], chunk, ...(opts.shape ? { shapes: parseShapeList(opts.shape) } : {}) });
      const verification = verifyRewrite(cascade, result.cascade, verificationShapes(cascade, result.cascade));
      if (!(verification.maxRelError <= VERIFY_TOLERANCE)) {
        throw new Error(`the rewritten cascade differs from the original by ${verification.maxRelError} (relative); refusing it:\n${result.text}`);
      }
      if (opts.out) writeFileAtomic(opts.out, `# ${cascade.source.file} optimized by fusemax: ${result.rules.map((r) => r.rule).join(', ') || 'no rule applied'}\n${result.text}`);
      if (opts.json) { process.stdout.write(JSON.stringify(optimizeJson(result, verification), null, 2) + '\n'); return; }
      // The rank and, once it is partitioned, its parts.
      const related = (c: Cascade) => [result.rank, ...c.partitions.filter((p) => p.whole === result.rank).flatMap((p) => [p.outer, p.inner])];
      const show = (c: Cascade, m: ReadonlyMap<string, number>) => related(c).filter((r) => m.has(r)).map((r) => `${r}:${m.get(r)}`).join(' ');
      const lines = [`${cascade.source.file}: passes ${show(cascade, result.passesBefore)} → ${show(result.cascade, result.passesAfter)}`];
      if (result.rules.length === 0) lines.push('  no rule reduces the passes', ...result.refusals.map((r) => `    ${r.rule} on ${r.target}: ${r.reason}`));
      result.rules.forEach((r, i) => lines.push(`  ${i + 1}. ${r.rule}: ${r.description}`, `     relies on: ${r.condition}`));
      const extra = result.compute.after - result.compute.before;
      lines.push(`  operations: ${result.compute.before.toLocaleString('en-US')} → ${result.compute.after.toLocaleString('en-US')} (${extra >= 0 ? '+' : ''}${((100 * extra) / Math.max(1, result.compute.before)).toFixed(2)}%) at ${[...result.compute.shapes].map(([k, v]) => `${k}=${v}`).join(' ')}`);
      lines.push(`  verified on random data (normal and ×30): max relative error ${verification.maxRelError.toExponential(2)}`);
      if (opts.out) lines.push(`  wrote ${opts.out}`);
      lines.push('', result.text.trimEnd());
      process.stdout.write(lines.join('\n') + '\n');
    }));
}
