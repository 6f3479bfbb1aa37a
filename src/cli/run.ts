/**
 * @file `fusemax run FILE --shape ...`: run a cascade on .npy inputs or seeded random normal data with
 * the reference executor; print a summary (or JSON) and optionally write every output as DIR/NAME.npy.
 */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { totalmem } from 'node:os';
import { fail } from '../diagnostics/diagnostic.ts';
import type { Cascade } from '../ir/cascade.ts';
import { parseShapeList, resolveShapes, type Shapes } from '../ir/shapes.ts';
import { completeInputs } from '../exec/inputs.ts';
import { runCascade, type RunResult } from '../exec/run.ts';
import { runFused, type FusedResult } from '../exec/fused.ts';
import type { Precision } from '../exec/state.ts';
import { checkRunMemory } from '../exec/memory.ts';
import { readNpy, Tensor, writeNpy } from '../tensor/index.ts';
import { action } from './run-command.ts';
import { loadCascadeArg } from './cascade-file.ts';
import { readUserBinary, writeFilesAtomic } from './io.ts';

interface RunOpts {
  shape?: string;
  seed: string;
  input: string[];
  out?: string;
  dtype: string;
  json?: boolean;
  schedule: string;
  rank?: string;
}

export function parseSeed(text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > 0xffffffff) fail('FM903', `--seed must be an integer from 0 to ${0xffffffff}, not '${text}'`);
  return Number(text);
}

function parsePrecision(text: string): Precision {
  if (text !== 'float64' && text !== 'float32') fail('FM904', `--dtype must be float64 or float32, not '${text}'`);
  return text;
}

/** Read `NAME=file.npy` inputs; their shapes are checked against the cascade when the run starts. */
export function readInputFiles(c: Cascade, specs: readonly string[], precision: Precision): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const spec of specs) {
    const m = /^([A-Z][A-Za-z0-9_]*)=(.+)$/.exec(spec);
    if (!m) fail('FM905', `bad --input '${spec}': write NAME=file.npy`);
    const [, name, file] = m as unknown as [string, string, string];
    const t = c.tensors.get(name);
    if (!t || t.role !== 'input') fail('FM312', `'${name}' is not an input of this cascade`, undefined, `inputs: ${[...c.tensors.values()].filter((x) => x.role === 'input').map((x) => x.name).join(', ')}`);
    const npy = readNpy(readUserBinary(file), file);
    const data = precision === 'float32' ? npy.data.map((v) => Math.fround(v)) : npy.data;
    if (npy.shape.length !== t.ranks.length) fail('FM311', `${file} has ${npy.shape.length} dimensions but input '${name}' has ${t.ranks.length} ranks (${t.ranks.join(', ')})`);
    out.set(name, Tensor.fromDense(name, t.ranks, npy.shape, data));
  }
  return out;
}

/** The shapes of a run: the file's defaults, then the shapes of given input files, then --shape. */
export function shapesForRun(c: Cascade, shapeArg: string | undefined, given: ReadonlyMap<string, Tensor>): Map<string, number> {
  const shapes = new Map<string, number>();
  for (const [name, t] of given) {
    const info = c.tensors.get(name);
    info?.ranks.forEach((r, i) => { if (!info.generational[i]) shapes.set(r, t.shape[i] as number); });
  }
  for (const [k, v] of parseShapeList(shapeArg ?? '')) shapes.set(k, v);
  return resolveShapes(c, shapes);
}

function stats(t: Tensor): { shape: number[]; nnz: number; min: number; max: number; sum: number } {
  const d = t.toDense();
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of d) { if (v < min) min = v; if (v > max) max = v; sum += v; }
  return { shape: [...t.shape], nnz: t.nnz(), min, max, sum };
}

/** Refuse shapes whose tensors cannot fit in this machine's memory (FM330/FM331), before allocating any. */
export function checkMemoryForRun(c: Cascade, shapes: Shapes, precision: Precision): void {
  checkRunMemory(c, shapes, precision, totalmem());
}

export function summarize(c: Cascade, result: RunResult, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    cascade: c.source.file,
    ...extra,
    outputs: Object.fromEntries([...result.outputs].map(([n, t]) => [n, stats(t)])),
    einsums: c.einsums.map((e) => ({ index: e.index, tensor: e.output.tensor, ...(e.initializes ? { initializes: true } : {}), visits: result.visits[e.index] })),
    generations: Object.fromEntries(result.generations),
  };
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .argument('<file>', 'a .cascade file or a built-in cascade name')
    .option('--shape <list>', 'rank sizes, e.g. M=1024,P=1024,E=64,F=64 (defaults from the file; partitions are completed: M and M0 give M1)')
    .option('--seed <n>', 'seed of the random inputs', '1')
    .option('--input <NAME=file.npy>', 'take an input from a NumPy file (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--out <dir>', 'write every output tensor as DIR/NAME.npy')
    .option('--dtype <type>', 'storage precision: float64, or float32 (inputs and every stored result rounded to float32)', 'float64')
    .option('--schedule <name>', 'sequential (Einsum by Einsum) or fused (all Einsums of one pass over --rank in one traversal)', 'sequential')
    .option('--rank <R>', 'with --schedule fused: the rank to fuse over (default: the outermost rank with the most passes)')
    .option('--json', 'print a machine-readable summary')
    .action(action((file: string, opts: RunOpts) => {
      if (opts.schedule !== 'sequential' && opts.schedule !== 'fused') fail('FM907', `--schedule must be sequential or fused, not '${opts.schedule}'`);
      if (opts.rank !== undefined && opts.schedule !== 'fused') fail('FM907', '--rank needs --schedule fused');
      const { cascade } = loadCascadeArg(file);
      const seed = parseSeed(opts.seed);
      const precision = parsePrecision(opts.dtype);
      const given = readInputFiles(cascade, opts.input, precision);
      const shapes = shapesForRun(cascade, opts.shape, given);
      checkMemoryForRun(cascade, shapes, precision);
      const inputs = completeInputs(cascade, shapes, seed, given);
      const started = performance.now();
      const result: RunResult | FusedResult = opts.schedule === 'fused' ? runFused(cascade, shapes, inputs, opts.rank, { precision }) : runCascade(cascade, shapes, inputs, { precision });
      const trace = (result as Partial<FusedResult>).trace;
      const ms = performance.now() - started;
      const files: string[] = [];
      if (opts.out) {
        // Encode everything first, then write: a failure leaves no partial set behind.
        const encoded = [...result.outputs].map(([name, t]) => ({ name: `${name}.npy`, data: writeNpy(t.shape, t.toDense(), precision) }));
        writeFilesAtomic(opts.out, encoded);
        files.push(...encoded.map((f) => `${opts.out}/${f.name}`));
      }
      const summary = summarize(cascade, result, {
        shapes: Object.fromEntries(shapes), seed, dtype: precision, schedule: opts.schedule, timeMs: Math.round(ms * 10) / 10, files,
        ...(trace ? { traversals: { [trace.rank]: trace.traversalsPerFiber }, totalTraversals: { [trace.rank]: trace.totalTraversals }, touched: Object.fromEntries(trace.touched) } : {}),
      });
      if (opts.json) { process.stdout.write(JSON.stringify(summary, null, 2) + '\n'); return; }
      const lines = [`${basename(file)}: ran ${cascade.einsums.length} Einsums in ${ms.toFixed(1)} ms (${opts.schedule}, ${precision}, seed ${seed}; ${[...shapes].map(([k, v]) => `${k}=${v}`).join(' ')})`];
      for (const [name, s] of Object.entries(summary.outputs as Record<string, ReturnType<typeof stats>>)) {
        lines.push(`  output ${name}[${s.shape.join('×')}]: ${s.nnz} non-empty, min ${s.min.toPrecision(6)}, max ${s.max.toPrecision(6)}, sum ${s.sum.toPrecision(10)}`);
      }
      lines.push('  points visited per Einsum:');
      for (const e of summary.einsums as Array<{ tensor: string; visits: number }>) lines.push(`    ${e.tensor.padEnd(6)} ${e.visits}`);
      if (trace) {
        lines.push(`  fused over ${trace.rank}: ${trace.traversalsPerFiber} traversal${trace.traversalsPerFiber === 1 ? '' : 's'} of each ${trace.rank} fiber (${trace.totalTraversals} in all)`);
        for (const [t, passes] of trace.touched) lines.push(`    ${t.padEnd(6)} touched in traversal ${passes.join(', ')}`);
      }
      for (const f of files) lines.push(`  wrote ${f}`);
      process.stdout.write(lines.join('\n') + '\n');
    }));
}
