/**
 * @file `fusemax check FILE`: parse and check a cascade; print its tensors, ranks, shapes, partitions,
 * iterative ranks and Einsums (or the same as JSON).
 */
import type { Command } from 'commander';
import type { Cascade } from '../ir/cascade.ts';
import { printCascade, printRankExpr } from '../notation/print.ts';
import { action } from './run-command.ts';
import { loadCascadeArg } from './cascade-file.ts';

/** `M into M1 × M0 (M1 = ⌈M / M0⌉, the last tile partial when M0 does not divide M)`. */
function describePartition(p: Cascade['partitions'][number]): string {
  return `${p.whole} into ${p.outer} × ${p.inner} (${p.outer} = ⌈${p.whole} / ${p.inner}⌉, the last tile partial when ${p.inner} does not divide ${p.whole})`;
}

export function describeCascade(c: Cascade): object {
  const lines = printCascade(c, 'text').trimEnd().split('\n');
  const einsumLines = lines.slice(lines.length - c.einsums.length - [...c.iterativeRanks.values()].filter((i) => i.explicitStop).length);
  return {
    file: c.source.file,
    tensors: [...c.tensors.values()].map((t) => ({ name: t.name, role: t.role, ranks: t.ranks.map((r, i) => (t.generational[i] ? `${r}+1` : r)) })),
    shapes: Object.fromEntries(c.shapeDefaults),
    partitions: c.partitions.map(describePartition),
    iterativeRanks: [...c.iterativeRanks.values()].map((it) => ({ variable: it.variable, rank: it.rank, stop: `${it.variable} ${it.stop.op} ${printRankExpr(it.stop.bound)}` })),
    einsums: c.einsums.map((e, i) => ({
      index: i,
      text: einsumLines[i],
      output: e.output.tensor,
      variables: Object.fromEntries(e.vars),
      reduced: e.reducedVars,
      reduction: e.reduction ? `${e.reduction.op.name}(${e.reduction.merge.name})` : null,
      ...(e.recurrence ? { recurrence: e.recurrence.variable } : {}),
      ...(e.initializes ? { initializes: e.initializes.rank } : {}),
    })),
    outputs: c.outputs,
  };
}

function printHuman(c: Cascade): string {
  const d = describeCascade(c) as ReturnType<typeof describeCascade> & Record<string, never>;
  const out: string[] = [`${c.source.file}: ok — ${c.einsums.length} Einsums, ${c.tensors.size} tensors`];
  out.push('', 'Tensors (rank+1 = generational: one coordinate per generation, 0..rank):');
  for (const t of c.tensors.values()) {
    out.push(`  ${t.name.padEnd(6)} ${t.role.padEnd(12)} [${t.ranks.map((r, i) => (t.generational[i] ? `${r}+1` : r)).join(', ')}]`);
  }
  if (c.shapeDefaults.size) out.push('', `Shape defaults: ${[...c.shapeDefaults].map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (c.partitions.length) out.push(`Partitions: ${c.partitions.map(describePartition).join(', ')}`);
  for (const it of c.iterativeRanks.values()) out.push(`Iterative rank: ${it.variable} over ${it.rank}, stop when ${it.variable} ${it.stop.op} ${printRankExpr(it.stop.bound)}`);
  out.push('', 'Einsums:');
  const einsums = (d as unknown as { einsums: Array<{ text: string; variables: Record<string, string>; reduced: string[]; reduction: string | null }> }).einsums;
  einsums.forEach((e, i) => {
    const vars = Object.entries(e.variables).map(([v, r]) => `${v}∈${r}`).join(' ');
    const red = e.reduced.length ? `; reduces ${e.reduced.join(',')} with ${e.reduction}` : '';
    out.push(`  ${String(i + 1).padStart(2)}. ${e.text}`);
    out.push(`      iteration space: ${vars}${red}`);
  });
  out.push('', `Outputs: ${c.outputs.join(', ')}`);
  return out.join('\n') + '\n';
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .argument('<file>', 'a .cascade file, or the name of a built-in cascade (e.g. attention-1pass)')
    .option('--json', 'print a machine-readable description')
    .action(action((file: string, opts: { json?: boolean }) => {
      const { cascade } = loadCascadeArg(file);
      process.stdout.write(opts.json ? JSON.stringify(describeCascade(cascade), null, 2) + '\n' : printHuman(cascade));
    }));
}
