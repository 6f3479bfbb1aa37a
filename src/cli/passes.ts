/**
 * @file `fusemax passes FILE`: the pass analysis of a cascade (passes per rank, pass of every Einsum,
 * tensors touched in several passes and what that costs, the dependency chains in words), as a table
 * or as JSON.
 */
import type { Command } from 'commander';
import type { Cascade } from '../ir/cascade.ts';
import { parseShapeList, resolveShapes } from '../ir/shapes.ts';
import { analysePasses, type PassAnalysis, type PassChain } from '../analysis/passes.ts';
import { liveFootprint, type FootprintEntry, type Quantity } from '../analysis/footprint.ts';
import { lowerBounds, type RankBound } from '../analysis/lower-bound.ts';
import { fail } from '../diagnostics/diagnostic.ts';
import { action } from './run-command.ts';
import { loadCascadeArg } from './cascade-file.ts';

/** The JSON contract of `fusemax passes --json` (einsums keyed by output tensor; initializations are not traversals). */
export function passesJson(c: Cascade, a: PassAnalysis, footprint: readonly FootprintEntry[], wordBytes: number, bounds: ReadonlyMap<string, RankBound> = lowerBounds(c)): object {
  const einsums: Record<string, Record<string, number>> = {};
  for (const [index, ranks] of inCascadeOrder(a)) einsums[c.einsums[index]?.output.tensor as string] = Object.fromEntries([...ranks].sort(([x], [y]) => x.localeCompare(y)));
  const qty = (q: Quantity | null, bytes = false) => (q ? { symbolic: q.symbolic, ...(q.value !== undefined ? { value: q.value, ...(bytes ? { bytes: q.value * wordBytes } : {}) } : {}) } : null);
  return {
    ranks: Object.fromEntries(a.ranks),
    lowerBound: Object.fromEntries([...bounds].map(([r, b]) => [r, b.passes])),
    lowerBoundReasons: Object.fromEntries([...bounds].map(([r, b]) => [r, b.reason])),
    einsums,
    tensors: a.tensors.map((t) => ({ tensor: t.tensor, rank: t.rank, passes: t.passes })),
    chains: a.chains.map((ch) => ({ rank: ch.rank, pass: ch.pass, completes: ch.completes, reader: ch.reader, ...(ch.via.length ? { via: ch.via } : {}), reason: ch.reason })),
    footprint: footprint.map((f) => ({
      tensor: f.tensor, rank: f.rank, passes: f.passes, buffer: qty(f.buffer, true), reread: qty(f.reread, true), recompute: qty(f.recompute), producer: f.producer,
    })),
  };
}

/** Einsums in cascade order (the analysis records them rank by rank). */
function inCascadeOrder(a: PassAnalysis): Array<[number, ReadonlyMap<string, number>]> {
  return [...a.einsumPasses].sort(([x], [y]) => x - y);
}

export function chainInWords(ch: PassChain): string {
  const why = ch.reason === 'reduces' ? `${ch.completes} reduces ${ch.rank}` : `${ch.completes} is read at its final generation`;
  const via = ch.via.length ? ` (through ${ch.via.join(', ')})` : '';
  return `${why}; ${ch.reader} needs ${ch.completes}${via} → pass ${ch.pass}`;
}

function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${Number.isInteger(v) ? v : v.toFixed(2)} ${units[u]}`;
}

function showQuantity(q: Quantity, unit: string, bytesPerWord?: number): string {
  if (q.value === undefined) return `${q.symbolic} ${unit}`;
  const bytes = bytesPerWord ? ` (${formatBytes(q.value * bytesPerWord)})` : '';
  return `${q.symbolic} = ${q.value.toLocaleString('en-US')} ${unit}${bytes}`;
}

export function passesHuman(c: Cascade, a: PassAnalysis, footprint: readonly FootprintEntry[], wordBytes: number): string {
  const out: string[] = [`${c.source.file}: passes over each rank of the iteration space`];
  const bounds = lowerBounds(c);
  out.push(`  ${'rank'.padEnd(6)} passes  lower bound`);
  for (const [r, n] of a.ranks) {
    const b = bounds.get(r);
    out.push(`  ${r.padEnd(6)} ${String(n).padEnd(7)} ${b ? `${b.passes}${n > b.passes ? ' (above the bound: see fusemax optimize)' : ''}` : `-  (inner part of ${c.partitions.find((p) => p.inner === r)?.whole}: counted on the outer part)`}`);
  }
  out.push('', 'Why no cascade computing the same outputs can do with fewer:');
  for (const b of bounds.values()) out.push(`  ${b.rank}: ${b.reason}${b.nested.length ? ` (${b.nested.join(', ')} iterate ${b.rank} through two variables: a nested traversal, outside this argument)` : ''}`);
  out.push('', 'Pass of each Einsum over the ranks it iterates:');
  for (const [index, ranks] of inCascadeOrder(a)) {
    out.push(`  ${(c.einsums[index]?.output.tensor as string).padEnd(6)} ${[...ranks].map(([r, p]) => `${r}:${p}`).join(' ')}`);
  }
  out.push('', a.chains.length ? 'Why the extra passes:' : 'No extra passes: every rank is traversed once.');
  for (const ch of a.chains) out.push(`  ${ch.rank}: ${chainInWords(ch)}`);
  const multi = a.tensors.filter((t) => t.passes.length > 1);
  if (multi.length) {
    out.push('', `Tensors live across passes (words of ${wordBytes} B):`);
    for (const f of footprint) {
      out.push(`  ${f.tensor} over ${f.rank}: touched in passes ${f.passes.join(', ')}`);
      out.push(`    keep on chip:   ${showQuantity(f.buffer, 'elements', wordBytes)}`);
      out.push(`    or re-read:     ${showQuantity(f.reread, 'extra elements from below', wordBytes)}`);
      if (f.recompute) out.push(`    or recompute:   ${showQuantity(f.recompute, `extra operations (${f.producer})`)}`);
    }
  }
  return out.join('\n') + '\n';
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .argument('<file>', 'a .cascade file or a built-in cascade name')
    .option('--shape <list>', 'rank sizes (e.g. M=4096,P=4096,E=64,F=64) to turn footprints into numbers')
    .option('--word-bytes <n>', 'bytes per element for the byte figures', '2')
    .option('--json', 'print the analysis as JSON')
    .action(action((file: string, opts: { shape?: string; wordBytes: string; json?: boolean }) => {
      const { cascade } = loadCascadeArg(file);
      const wordBytes = Number(opts.wordBytes);
      if (!Number.isInteger(wordBytes) || wordBytes < 1) fail('FM906', `--word-bytes must be a positive integer, not '${opts.wordBytes}'`);
      const shapes = opts.shape !== undefined ? resolveShapes(cascade, parseShapeList(opts.shape)) : undefined;
      const analysis = analysePasses(cascade);
      const footprint = liveFootprint(cascade, analysis, shapes);
      process.stdout.write(opts.json ? JSON.stringify(passesJson(cascade, analysis, footprint, wordBytes), null, 2) + '\n' : passesHuman(cascade, analysis, footprint, wordBytes));
    }));
}
