/**
 * @file The FuseMax evaluation (MICRO 2024, §7, Figures 6–12) as experiments over the design library:
 * attention on every design × model × sequence length, the end-to-end linear layers, and the PE-array
 * Pareto sweep. Produces plain tables in the published CSVs' columns and row order (fusemax-model.md
 * §7.1); no I/O. The sweep constants are the artifact's (§6).
 */
import { UserError } from '../diagnostics/diagnostic.ts';
import type { QuirkSet } from './artifact-quirks.ts';
import type { ExprValue, LoadedDesign } from './design-spec.ts';
import { evaluateDesign, type DesignResult } from './evaluate-design.ts';
import { instantiate } from './instantiate.ts';
import type { Value } from './expr.ts';
import { workload, type WorkloadSpec } from './workload.ts';

/** The design library the experiments draw on: designs by name, and the workloads. */
export interface Library {
  readonly designs: ReadonlyMap<string, LoadedDesign>;
  readonly workloads: WorkloadSpec;
}

/** The attention configurations in the paper's order: design name, CSV key, per-Einsum columns. */
export const ATTENTION = [
  { design: 'unfused', key: 'unfused', columns: [] as string[], linear: 'linear-flat' },
  { design: 'flat', key: 'flat', columns: ['QK', 'AV'], linear: 'linear-flat' },
  { design: 'cascade', key: 'cascade', columns: ['QK', 'SLNV'], linear: 'linear-flat' },
  { design: 'arch', key: 'arch', columns: ['QK', 'LM', 'SLN', 'SLD', 'SLNV'], linear: 'linear-proposal' },
  { design: 'binding', key: 'binding', columns: ['QK', 'LM', 'SLN', 'SLD', 'SLNV'], linear: 'linear-proposal' },
] as const;

export const LINEAR = [
  { design: 'linear-flat', key: 'flat' },
  { design: 'linear-proposal', key: 'proposal' },
] as const;

export const PAPER_MODELS = ['BERT', 'TrXL', 'T5', 'XLM'] as const;
export const PAPER_SEQS = ['1K', '4K', '16K', '64K', '256K', '1M'] as const;

/** Pareto sweep (fusemax-model.md §6): FuseMax at 256K with PE × PE arrays. */
export const PARETO = {
  design: 'binding',
  seq: '256K',
  pe: [16, 32, 64, 128, 256, 512],
  /** Parameter overrides; `multiplier` doubles until memory no longer exceeds the 1D compute time. */
  set: {
    PE: 'pe',
    L3_width: '16 * pe',
    L3_bytes: 'pe * max(1, (max(1, pe // E) * 2) // (256 * 1024 // pe)) * E * 8 * 2 * multiplier',
    rf1d_depth: 'pe * 8 * max(1, pe // E) * 2',
    rf_depth: '4 + max(1, pe // E) * 2',
    rf_1d_array_depth: '8 * max(1, pe // E) * 2',
  } as Record<string, string>,
} as const;

export interface AttentionRow {
  readonly model: string;
  readonly seq: string;
  readonly result: DesignResult;
}

export interface ParetoRow {
  readonly model: string;
  readonly pe: number;
  readonly result: DesignResult;
  readonly traffic: number;
  readonly memLatency: number;
  readonly compute2d: number;
  readonly compute1d: number;
  readonly latency: number;
  readonly array2dArea: number;
  readonly area: number;
}

export interface Reproduction {
  readonly models: readonly string[];
  readonly seqs: readonly string[];
  /** By attention key (unfused, flat, cascade, arch, binding), rows in models × seqs order. */
  readonly attention: ReadonlyMap<string, readonly AttentionRow[]>;
  /** By linear key (flat, proposal). */
  readonly linear: ReadonlyMap<string, readonly AttentionRow[]>;
  readonly pareto: readonly ParetoRow[];
}

export interface ReproduceOptions {
  readonly models?: readonly string[];
  readonly seqs?: readonly string[];
  readonly pareto?: boolean;
  /** Called after each evaluation with (done, total), for a progress bar. */
  readonly progress?: (done: number, total: number) => void;
}

export function designOf(lib: Library, name: string): LoadedDesign {
  const d = lib.designs.get(name);
  if (!d) throw new UserError({ code: 'FM610', message: `unknown design '${name}'`, hint: `designs: ${[...lib.designs.keys()].join(', ')}` });
  return d;
}

/** One design at one point; `overrides` replace design parameters, `extra` adds names they can read. */
export function evaluatePoint(lib: Library, design: string, model: string, seq: string, quirks: QuirkSet, overrides: ReadonlyMap<string, ExprValue> = new Map(), extra: ReadonlyMap<string, Value> = new Map()): DesignResult {
  const wl = workload(lib.workloads, model, seq);
  const values = new Map(wl.values);
  for (const [k, v] of extra) values.set(k, v);
  return evaluateDesign(instantiate(designOf(lib, design), { ...wl, values }, quirks, overrides));
}

export function reproduce(lib: Library, quirks: QuirkSet, options: ReproduceOptions = {}): Reproduction {
  const models = options.models ?? PAPER_MODELS;
  const seqs = options.seqs ?? PAPER_SEQS;
  const withPareto = options.pareto ?? true;
  const points = models.length * seqs.length;
  const total = points * (ATTENTION.length + LINEAR.length) + (withPareto ? models.length * PARETO.pe.length : 0);
  let done = 0;
  const tick = (): void => options.progress?.(++done, total);

  const attention = new Map<string, AttentionRow[]>();
  for (const a of ATTENTION) {
    const rows: AttentionRow[] = [];
    for (const model of models) for (const seq of seqs) {
      const result = evaluatePoint(lib, a.design, model, seq, quirks);
      rows.push({ model, seq: result.instance.workload.seq, result });
      tick();
    }
    attention.set(a.key, rows);
  }
  const linear = new Map<string, AttentionRow[]>();
  for (const l of LINEAR) {
    const rows: AttentionRow[] = [];
    for (const model of models) for (const seq of seqs) {
      const result = evaluatePoint(lib, l.design, model, seq, quirks);
      rows.push({ model, seq: result.instance.workload.seq, result });
      tick();
    }
    linear.set(l.key, rows);
  }
  const pareto: ParetoRow[] = [];
  if (withPareto) {
    for (const model of models) for (const pe of PARETO.pe) {
      pareto.push(paretoPoint(lib, model, pe, quirks));
      tick();
    }
  }
  return { models, seqs, attention, linear, pareto };
}

/** One Pareto point: the smallest buffer (doubling) for which memory does not exceed the 1D array's time. */
export function paretoPoint(lib: Library, model: string, pe: number, quirks: QuirkSet): ParetoRow {
  for (let multiplier = 1; multiplier <= 1 << 20; multiplier *= 2) {
    const overrides = new Map<string, ExprValue>(Object.entries(PARETO.set));
    const extra = new Map<string, Value>([['pe', pe], ['multiplier', multiplier]]);
    const result = evaluatePoint(lib, PARETO.design, model, PARETO.seq, quirks, overrides, extra);
    const memLatency = result.phases.reduce((s, p) => s + p.memorySeconds, 0);
    const compute1d = result.arrayComputeSeconds.get('1d') ?? 0;
    if (memLatency > compute1d) continue;
    return {
      model,
      pe,
      result,
      traffic: result.traffic,
      memLatency,
      compute2d: result.arrayComputeSeconds.get('2d') ?? 0,
      compute1d,
      latency: result.latency,
      array2dArea: result.instance.area.get('array_2d') ?? NaN,
      area: result.instance.area.get('total') ?? NaN,
    };
  }
  throw new UserError({ code: 'FM612', message: `Pareto sweep: no buffer size makes ${model} at PE ${pe} compute-bound` });
}
