/**
 * @file What the explorer's compute worker computes, as pure functions over the core (the same ones the
 * CLI calls): optimize + verification (`fusemax optimize`), the trade-off (`fusemax tradeoff`), a run on
 * small random shapes against a float64 sequential run of the same cascade (`fusemax run`), one design
 * point (`fusemax evaluate`) and the paper's reproduction with its figures and headlines (`fusemax
 * reproduce`). No DOM and no worker API here, so the tests call it directly in Node.
 */
import { tradeoff } from '../analysis/tradeoff.ts';
import { fail } from '../diagnostics/diagnostic.ts';
import { completeInputs } from '../exec/inputs.ts';
import { runFused } from '../exec/fused.ts';
import { textbookAttention } from '../exec/reference-attention.ts';
import { runCascade } from '../exec/run.ts';
import { quirksFor } from '../experiments/artifact-quirks.ts';
import type { ExprValue } from '../experiments/design-spec.ts';
import { headlines } from '../experiments/headlines.ts';
import { evaluatePoint, reproduce, type Library } from '../experiments/paper.ts';
import type { Cascade } from '../ir/cascade.ts';
import { loadCascade } from '../ir/check.ts';
import { parseShapeList, resolveShapes, type Shapes } from '../ir/shapes.ts';
import { printCascade } from '../notation/print.ts';
import { paperFigures } from '../report/figures.ts';
import { verificationShapes, VERIFY_TOLERANCE } from '../rewrite/verification-shapes.ts';
import { optimize, verifyRewrite } from '../rewrite/search.ts';
import { maxRelativeDifference, type Tensor } from '../tensor/index.ts';
import { EDITOR_FILE, type Catalog, type DesignEntry, type DesignKnobs, type Kind, type OutputPreview, type Requests } from './protocol.ts';

/** Iteration points a run in the page may visit (a few seconds of the reference executor at most). */
export const MAX_RUN_POINTS = 20_000_000;

/** Bytes per global-buffer row in the designs that size their buffer in rows (specs/designs/unfused.yaml: 512-byte rows). */
const BYTES_PER_ROW = 512;

const PREVIEW_ROWS = 6;
const PREVIEW_COLS = 8;

function numericParam(params: Record<string, ExprValue>, name: string): number | undefined {
  const v = params[name];
  return typeof v === 'number' ? v : undefined;
}

export function catalog(lib: Library): Catalog {
  const designs: DesignEntry[] = [...lib.designs.values()].map((d) => {
    const p = d.spec.params;
    const pe = numericParam(p, 'PE');
    const l3Bytes = numericParam(p, 'L3_bytes');
    const l3Rows = numericParam(p, 'L3_rows');
    const bandwidth = numericParam(p, 'bandwidth');
    const knobs: DesignKnobs = {
      ...(pe !== undefined ? { pe: 'PE' } : {}),
      ...(l3Bytes !== undefined ? { buffer: { param: 'L3_bytes', bytesPerUnit: 1 } } : l3Rows !== undefined ? { buffer: { param: 'L3_rows', bytesPerUnit: BYTES_PER_ROW } } : {}),
      ...(bandwidth !== undefined ? { bandwidth: 'bandwidth' } : {}),
    };
    const bufferBytes = l3Bytes ?? (l3Rows !== undefined ? l3Rows * BYTES_PER_ROW : undefined);
    return {
      name: d.spec.name, label: d.spec.label, description: d.spec.description ?? '', knobs,
      defaults: { ...(pe !== undefined ? { pe } : {}), ...(bufferBytes !== undefined ? { bufferBytes } : {}), ...(bandwidth !== undefined ? { bandwidth } : {}) },
    };
  });
  return { designs, models: Object.keys(lib.workloads.models), seqs: Object.keys(lib.workloads.sequences) };
}

function runPoints(c: Cascade, shapes: Shapes): number {
  let total = 0;
  for (const e of c.einsums) {
    let n = 1;
    for (const rank of e.vars.values()) n *= shapes.get(rank) ?? 1;
    total += n;
  }
  return total;
}

function preview(t: Tensor, reference: Tensor): OutputPreview {
  const data = t.toDense();
  const ref = reference.toDense();
  const shape = [...t.shape];
  const rows = shape.length === 0 ? 1 : shape[0]!;
  const cols = shape.length === 0 ? 1 : data.length / Math.max(1, rows);
  const take = (d: Float64Array): number[][] =>
    Array.from({ length: Math.min(rows, PREVIEW_ROWS) }, (_, r) => Array.from(d.subarray(r * cols, r * cols + Math.min(cols, PREVIEW_COLS))));
  return { name: t.name, ranks: [...t.rankIds], shape, maxRelError: maxRelativeDifference(data, ref), values: take(data), reference: take(ref) };
}

/** Q[E,P], K[E,M], V[F,M] → AV[F,P]: the layout textbookAttention takes. */
function isAttention(c: Cascade): boolean {
  const ranks = (n: string): string => c.tensors.get(n)?.ranks.join(',') ?? '';
  return ranks('Q') === 'E,P' && ranks('K') === 'E,M' && ranks('V') === 'F,M' && c.outputs.includes('AV') && ranks('AV') === 'F,P';
}

export const compute: { [K in Kind]: (args: Requests[K]['req'], lib: Library) => Requests[K]['res'] } = {
  catalog: (_args, lib) => catalog(lib),

  optimize(args) {
    if (!Number.isInteger(args.chunk) || args.chunk < 2) fail('FM908', `the chunk must be an integer of at least 2, not ${args.chunk}`);
    const c = loadCascade(args.text, EDITOR_FILE);
    const r = optimize(c, { ...(args.rank ? { rank: args.rank } : {}), rules: args.rules, chunk: args.chunk });
    const shapes = verificationShapes(c, r.cascade);
    const v = r.verification ?? verifyRewrite(c, r.cascade, shapes);
    return {
      original: printCascade(c, 'text'),
      rewritten: r.text,
      rank: r.rank,
      rules: r.rules.map((x) => ({ rule: x.rule, description: x.description, condition: x.condition })),
      refusals: r.refusals.map((x) => ({ rule: x.rule, target: x.target, reason: x.reason })),
      passesBefore: [...r.passesBefore],
      passesAfter: [...r.passesAfter],
      compute: { before: r.compute.before, after: r.compute.after, shapes: [...r.compute.shapes] },
      verification: { maxRelError: v.maxRelError, tolerance: VERIFY_TOLERANCE, shapes: [...shapes] },
    };
  },

  tradeoff(args) {
    const c = loadCascade(args.text, EDITOR_FILE);
    const shapes = resolveShapes(c, parseShapeList(args.shapes));
    return { tradeoff: tradeoff(c, shapes, args.wordBytes), shapes: [...shapes] };
  },

  run(args) {
    if (!Number.isInteger(args.seed) || args.seed < 0 || args.seed > 0xffffffff) fail('FM903', `the seed must be an integer from 0 to ${0xffffffff}, not ${args.seed}`);
    const c = loadCascade(args.text, EDITOR_FILE);
    const shapes = resolveShapes(c, parseShapeList(args.shapes));
    const points = runPoints(c, shapes);
    if (points > MAX_RUN_POINTS) {
      fail('FM951', `these shapes make ${points.toLocaleString('en-US')} iteration points; the page runs at most ${MAX_RUN_POINTS.toLocaleString('en-US')}`, undefined, 'use smaller shapes here, or `fusemax run` for large ones');
    }
    const inputs = completeInputs(c, shapes, args.seed);
    const reference = runCascade(c, shapes, inputs);
    const started = performance.now();
    const result = args.schedule === 'fused' ? runFused(c, shapes, inputs, undefined, { precision: args.precision }) : runCascade(c, shapes, inputs, { precision: args.precision });
    const milliseconds = performance.now() - started;
    const previews = [...result.outputs].map(([name, t]) => preview(t, reference.outputs.get(name)!));
    let textbook: { output: string; maxRelError: number } | undefined;
    if (isAttention(c)) {
      const dense = (n: string): Float64Array => inputs.get(n)!.toDense();
      const s = { E: shapes.get('E')!, F: shapes.get('F')!, M: shapes.get('M')!, P: shapes.get('P')! };
      textbook = { output: 'AV', maxRelError: maxRelativeDifference(result.outputs.get('AV')!.toDense(), textbookAttention(s, dense('Q'), dense('K'), dense('V'))) };
    }
    return { shapes: [...shapes], precision: args.precision, schedule: args.schedule, milliseconds, outputs: previews, ...(textbook ? { textbook } : {}) };
  },

  design(args, lib) {
    const entry = catalog(lib).designs.find((d) => d.name === args.design);
    const overrides = new Map<string, ExprValue>();
    if (entry?.knobs.pe && args.pe !== undefined) overrides.set(entry.knobs.pe, args.pe);
    if (entry?.knobs.buffer && args.bufferBytes !== undefined) overrides.set(entry.knobs.buffer.param, args.bufferBytes / entry.knobs.buffer.bytesPerUnit);
    if (entry?.knobs.bandwidth && args.bandwidth !== undefined) overrides.set(entry.knobs.bandwidth, args.bandwidth);
    const r = evaluatePoint(lib, args.design, args.model, args.seq, quirksFor(args.fidelity), overrides);
    return {
      design: args.design,
      label: r.instance.design.spec.label,
      model: r.instance.workload.model,
      seq: r.instance.workload.seq,
      latency: r.latency,
      energy: r.energy,
      traffic: r.traffic,
      utilization: [...r.utilization],
      phases: r.phases.map((p) => ({ name: p.name, memorySeconds: p.memorySeconds, computeSeconds: p.computeSeconds, latency: p.latency })),
      einsums: r.einsums.map((e) => ({ name: e.name, array: e.array, cycles: e.cycles, computeSeconds: e.computeSeconds, busy: r.einsumUtilization.get(e.name) ?? 0, dramBytes: e.readBytes + e.writeBytes, energy: e.energyTotal })),
    };
  },

  reproduce(args, lib) {
    const started = performance.now();
    const r = reproduce(lib, quirksFor(args.fidelity));
    return { fidelity: args.fidelity, figures: paperFigures(r), headlines: headlines(r), milliseconds: performance.now() - started };
  },
};
