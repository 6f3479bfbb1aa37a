/**
 * @file `fusemax tradeoff FILE --shape ...`: for every tensor live across passes, the cost of keeping it
 * on chip, spilling and re-reading it, or recomputing it; the Pareto frontier of (on-chip bytes, DRAM
 * bytes, operations) for the whole cascade; the best plan under buffer budgets; optionally a plot.
 */
import type { Command } from 'commander';
import type { TopLevelSpec } from 'vega-lite';
import { fail } from '../diagnostics/diagnostic.ts';
import { parseShapeList, resolveShapes } from '../ir/shapes.ts';
import { bestWithin, tradeoff, type Plan, type Tradeoff } from '../analysis/tradeoff.ts';
import { vegaLiteToSvg } from '../report/vega.ts';
import { action } from './run-command.ts';
import { loadCascadeArg } from './cascade-file.ts';
import { writeFileAtomic } from './io.ts';

const MIB = 1024 * 1024;

function planText(p: Plan): string {
  const choices = Object.entries(p.choices).map(([t, o]) => `${t}:${o}`).join(' ');
  return `${(p.onChipBytes / MIB).toFixed(2).padStart(10)} MiB on chip ${(p.dramBytes / MIB).toFixed(2).padStart(10)} MiB DRAM ${(p.extraOps / 1e9).toFixed(3).padStart(9)} G extra ops   ${choices}`;
}

function parseBudgets(text: string): number[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = /^([0-9]+(?:\.[0-9]+)?)\s*([KMG]i?B?|B)?$/i.exec(s);
    if (!m) fail('FM909', `bad buffer size '${s}': write bytes, e.g. 33554432, 32MiB or 512KiB`);
    const unit = (m[2] ?? 'B').toUpperCase()[0];
    const scale = unit === 'K' ? 1024 : unit === 'M' ? MIB : unit === 'G' ? 1024 * MIB : 1;
    return Number(m[1]) * scale;
  });
}

export function tradeoffPlot(t: Tradeoff, title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 320,
    data: { values: t.pareto.map((p) => ({ onChip: p.onChipBytes / MIB, dram: p.dramBytes / MIB, ops: p.extraOps / 1e9, plan: Object.entries(p.choices).map(([k, v]) => `${k}:${v}`).join(' ') })) },
    mark: { type: 'point', filled: true, size: 90 },
    encoding: {
      x: { field: 'onChip', type: 'quantitative', title: 'on-chip buffer (MiB)' },
      y: { field: 'dram', type: 'quantitative', title: 'extra DRAM traffic (MiB)' },
      color: { field: 'ops', type: 'quantitative', title: 'extra operations (G)', scale: { scheme: 'viridis' } },
      tooltip: [{ field: 'plan' }],
    },
    config: { font: 'sans-serif' },
  } as TopLevelSpec;
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .argument('<file>', 'a .cascade file or a built-in cascade name')
    .requiredOption('--shape <list>', 'rank sizes, e.g. M=4096,P=4096,E=64,F=64')
    .option('--buffer <sizes>', 'on-chip buffer budgets (e.g. 1MiB,32MiB): the best plan for each')
    .option('--word-bytes <n>', 'bytes per element', '2')
    .option('--plot <file.svg>', 'plot the Pareto frontier as SVG')
    .option('--json', 'print the options, the Pareto frontier and the budget answers as JSON')
    .action(action(async (file: string, opts: { shape: string; buffer?: string; wordBytes: string; plot?: string; json?: boolean }) => {
      const { cascade } = loadCascadeArg(file);
      const wordBytes = Number(opts.wordBytes);
      if (!Number.isInteger(wordBytes) || wordBytes < 1) fail('FM906', `--word-bytes must be a positive integer, not '${opts.wordBytes}'`);
      const shapes = resolveShapes(cascade, parseShapeList(opts.shape));
      const budgets = opts.buffer ? parseBudgets(opts.buffer) : [];
      const t = tradeoff(cascade, shapes, wordBytes);
      const answers = budgets.map((b) => ({ budgetBytes: b, plan: bestWithin(t, b) ?? null }));
      if (opts.plot) writeFileAtomic(opts.plot, await vegaLiteToSvg(tradeoffPlot(t, `${cascade.source.file}: keep, re-read or recompute`)));
      if (opts.json) {
        process.stdout.write(JSON.stringify({ shapes: Object.fromEntries(shapes), wordBytes, tensors: t.tensors, pareto: t.pareto, budgets: answers }, null, 2) + '\n');
        return;
      }
      const lines = [`${cascade.source.file} at ${[...shapes].map(([k, v]) => `${k}=${v}`).join(' ')} (${wordBytes} B per element)`];
      if (t.tensors.length === 0) lines.push('  no tensor lives across passes: nothing to trade');
      for (const x of t.tensors) {
        lines.push(`  ${x.tensor} over ${x.rank} (passes ${x.passes.join(', ')}):`);
        for (const o of x.options) {
          const cost = o.option === 'keep' ? `${(o.onChipBytes / MIB).toFixed(2)} MiB on chip` : o.option === 'reread' ? `${(o.dramBytes / MIB).toFixed(2)} MiB DRAM` : `${(o.extraOps / 1e9).toFixed(3)} G operations`;
          lines.push(`    ${o.option.padEnd(9)} ${cost.padEnd(22)} ${o.detail}`);
        }
      }
      if (t.tensors.length) {
        lines.push('', `Pareto frontier (${t.pareto.length} of ${t.plans.length} plans):`);
        for (const p of t.pareto) lines.push(`  ${planText(p)}`);
      }
      for (const a of answers) lines.push('', `Best within ${(a.budgetBytes / MIB).toFixed(2)} MiB: ${a.plan ? planText(a.plan).trim() : 'none fits'}`);
      if (opts.plot) lines.push('', `wrote ${opts.plot}`);
      process.stdout.write(lines.join('\n') + '\n');
    }));
}
