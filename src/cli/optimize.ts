/**
 * @file `fusemax optimize FILE`: search the rewrite rules for a cascade with fewer passes over a rank,
 * verify the result against the original on random data (ordinary, scaled and offset), and print (or
 * write) the new cascade with the rules applied, the algebraic conditions they relied on, each one's
 * relative error, the passes and the compute before and after, and the lower bound on the passes.
 */
import type { Command } from 'commander';
import { fail } from '../diagnostics/diagnostic.ts';
import type { Cascade } from '../ir/cascade.ts';
import { parseShapeList } from '../ir/shapes.ts';
import { ALL_RULES, optimize, type OptimizeResult, type RuleName } from '../rewrite/search.ts';
import { allowedError, LARGE_OFFSET, LARGE_SCALE, type Verification } from '../rewrite/verify.ts';
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

/** The relative error of each data set, keyed by its name (`offset:X` for input X offset; null when the original is not finite there). */
function errors(v: Verification | undefined): Record<string, number | null> | undefined {
  return v ? Object.fromEntries(v.cases.map((x) => [x.input ? `${x.data}:${x.input}` : x.data, x.skipped ? null : x.maxRelError])) : undefined;
}

export function optimizeJson(r: OptimizeResult): object {
  const extra = r.compute.after - r.compute.before;
  return {
    cascade: r.text,
    rank: r.rank,
    countedRank: r.countedRank,
    rules: r.rules.map((x) => ({ rule: x.rule, description: x.description, condition: x.condition, ...(x.verification ? { relError: errors(x.verification) } : {}) })),
    passesBefore: Object.fromEntries(r.passesBefore),
    passesAfter: Object.fromEntries(r.passesAfter),
    lowerBound: { [r.countedRank]: r.lowerBound.passes },
    lowerBoundReason: r.lowerBound.reason,
    reachedLowerBound: r.reached,
    compute: {
      before: r.compute.before, after: r.compute.after, extra,
      extraPerOutputElement: extra / outputElements(r.original, r.compute.shapes),
      shapes: Object.fromEntries(r.compute.shapes),
    },
    verification: r.verification ?? null,
    stability: r.stability,
    tolerance: r.tolerance,
    warnings: r.warnings,
    refusals: r.refusals,
  };
}

function showError(v: Verification | undefined): string {
  if (!v) return 'not verified';
  return v.cases.map((x) => `${x.skipped ? 'n/a' : x.maxRelError.toExponential(1)} (${x.data === 'scaled' ? `×${x.scale}` : x.data === 'offset' ? `${x.input} +${x.offset.toExponential(0)}` : 'normal'})`).join(', ');
}

export function optimizeHuman(r: OptimizeResult, out?: string): string {
  // The rank and, once it is partitioned, its parts.
  const related = (c: Cascade) => [r.rank, ...c.partitions.filter((p) => p.whole === r.rank || p.outer === r.rank).flatMap((p) => [p.outer, p.inner])];
  const show = (c: Cascade, m: ReadonlyMap<string, number>) => [...new Set(related(c))].filter((x) => m.has(x)).map((x) => `${x}:${m.get(x)}`).join(' ');
  const bound = `lower bound ${r.lowerBound.passes} over ${r.countedRank}: ${r.reached ? 'reached' : 'not reached'}`;
  const lines = [`${r.original.source.file}: passes ${show(r.original, r.passesBefore)} → ${show(r.cascade, r.passesAfter)} (${bound})`];
  if (r.rules.length === 0) lines.push('  no rule reduces the passes');
  r.rules.forEach((x, i) => lines.push(`  ${i + 1}. ${x.rule}: ${x.description}`, `     relies on: ${x.condition}`, `     relative error after it: ${showError(x.verification)}`));
  const extra = r.compute.after - r.compute.before;
  lines.push(`  operations: ${r.compute.before.toLocaleString('en-US')} → ${r.compute.after.toLocaleString('en-US')} (${extra >= 0 ? '+' : ''}${((100 * extra) / Math.max(1, r.compute.before)).toFixed(2)}%) at ${[...r.compute.shapes].map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (r.verification) {
    const offsets = r.verification.cases.filter((x) => x.data === 'offset').map((x) => `${x.input} ${x.skipped ? 'n/a (the original is not finite)' : `${x.maxRelError.toExponential(1)} (allowed ${allowedError(x, r.tolerance).toExponential(0)})`}`);
    lines.push(`  verified on random data: max relative error ${r.verification.maxRelError.toExponential(2)} (normal, ×${LARGE_SCALE}); with one input offset by ${LARGE_OFFSET.toExponential(0)}: ${offsets.join(', ')}: ${r.stability}`);
  }
  lines.push(`  lower bound: ${r.lowerBound.reason}`);
  if (!r.reached) lines.push('  the rules stop short of it here:', ...r.refusals.map((x) => `    ${x.rule} on ${x.target}: ${x.reason}`));
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  if (out) lines.push(`  wrote ${out}`);
  lines.push('', r.text.trimEnd());
  return lines.join('\n') + '\n';
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .argument('<file>', 'a .cascade file or a built-in cascade name')
    .option('--rank <R>', 'the rank whose passes to reduce (default: the one with the most passes)')
    .option('--rules <list>', `rules the search may use (${ALL_RULES.join(',')})`, ALL_RULES.join(','))
    .option('--chunk <n>', 'tile size when partitioning a rank (need not divide it: the last tile may be partial)', '256')
    .option('--shape <list>', 'shapes for counting operations (default 1024 per rank)')
    .option('--allow-unstable', 'accept a rewrite whose relative error on offset or scaled data exceeds the tolerance (1e-9), with a warning')
    .option('--out <file>', 'write the rewritten cascade to this file')
    .option('--json', 'print { cascade, rules, passesBefore, passesAfter, lowerBound, reachedLowerBound, compute, verification, warnings, refusals }')
    .action(action((file: string, opts: { rank?: string; rules: string; chunk: string; shape?: string; allowUnstable?: boolean; out?: string; json?: boolean }) => {
      const { cascade } = loadCascadeArg(file);
      const rules = opts.rules.split(',').map((s) => s.trim()).filter(Boolean);
      for (const r of rules) if (!(ALL_RULES as readonly string[]).includes(r)) fail('FM908', `unknown rule '${r}'`, undefined, `rules: ${ALL_RULES.join(', ')}`);
      const chunk = Number(opts.chunk);
      if (!Number.isInteger(chunk) || chunk < 2) fail('FM908', `--chunk must be an integer of at least 2, not '${opts.chunk}'`);
      const rank = opts.rank;
      if (rank !== undefined && !cascade.einsums.some((e) => [...e.vars.values()].includes(rank)) && !cascade.partitions.some((p) => p.whole === rank)) {
        fail('FM252', `rank ${rank} is not iterated by any Einsum of this cascade`);
      }
      const result = optimize(cascade, {
        ...(rank ? { rank } : {}), rules: rules as RuleName[], chunk, ...(opts.shape ? { shapes: parseShapeList(opts.shape) } : {}), allowUnstable: opts.allowUnstable === true,
      });
      if (opts.out) writeFileAtomic(opts.out, `# ${cascade.source.file} optimized by fusemax: ${result.rules.map((r) => r.rule).join(', ') || 'no rule applied'}\n${result.text}`);
      if (opts.json) { process.stdout.write(JSON.stringify(optimizeJson(result), null, 2) + '\n'); return; }
      process.stdout.write(optimizeHuman(result, opts.out));
    }));
}
