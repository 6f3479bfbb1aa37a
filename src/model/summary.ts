/**
 * @file The model's answer as plain data, shaped like Timeloop's stats: totals (cycles, computes,
 * utilized compute instances, energy) and, per level Timeloop would print, per kept tensor the
 * per-instance reads, fills, updates, utilized capacity and partition size. Timeloop prints a level
 * when it keeps a tensor or leaks energy; we list the same ones. This is the `--json` contract of
 * `fusemax model`.
 */
import { countNumber, type Count } from './analysis.ts';
import type { AreaBreakdown } from './area.ts';
import type { Evaluation } from './evaluate.ts';
import type { Fidelity } from './types.ts';

export interface TensorSummary {
  readonly reads: Count;
  readonly fills: Count;
  readonly updates: Count;
  readonly utilizedCapacity: Count;
  readonly partitionSize: Count;
  readonly energy_pJ: number | null;
}

export interface LevelSummary {
  readonly instances: number;
  readonly utilizedInstances: number;
  readonly tensors: Readonly<Record<string, TensorSummary>>;
  /** Leakage, pJ. */
  readonly leak_pJ: number | null;
  /** Accesses and leakage, pJ. */
  readonly energy_pJ: number | null;
}

export interface Timing {
  readonly cycleSeconds: number;
  /** cycles × cycleSeconds. */
  readonly computeSeconds: number;
  /** Words read, filled or updated at DRAM, in bytes. */
  readonly dramBytes: number;
  /** dramBytes / bandwidth, when the bandwidth is known. */
  readonly dramSeconds: number | null;
  /** max(compute, DRAM): a roofline; the counts themselves never throttle. */
  readonly latencySeconds: number;
}

export interface ModelSummary {
  readonly einsum: string;
  readonly fidelity: Fidelity;
  readonly cycles: Count;
  readonly computes: Count;
  readonly utilizedInstances: number;
  /** Total energy in pJ, or null without energy data (no ERT). */
  readonly energy_pJ: number | null;
  readonly compute: { readonly name: string; readonly instances: number; readonly energy_pJ: number | null };
  readonly levels: Readonly<Record<string, LevelSummary>>;
  readonly area_um2?: number;
  readonly timing?: Timing;
}

export interface SummaryOptions {
  /** False when no energies were given: energies print as null. */
  readonly energyKnown?: boolean;
  readonly area?: AreaBreakdown;
}

export function summarize(ev: Evaluation, options: SummaryOptions = {}): ModelSummary {
  const known = options.energyKnown ?? true;
  const e = (x: number): number | null => (known ? x : null);
  const levels: Record<string, LevelSummary> = {};
  ev.stats.levels.forEach((ls, i) => {
    const le = ev.energy.levels[i]!;
    if (ls.tensors.length === 0 && !(le.leak > 0)) return;
    const tensors: Record<string, TensorSummary> = {};
    ls.tensors.forEach((t, j) => {
      tensors[t.tensor] = { reads: t.reads, fills: t.fills, updates: t.updates, utilizedCapacity: t.utilizedCapacity, partitionSize: t.partitionSize, energy_pJ: e(le.tensors[j]?.energy ?? 0) };
    });
    levels[ls.name] = { instances: ls.instances, utilizedInstances: ls.utilizedInstances, tensors, leak_pJ: e(le.leak), energy_pJ: e(le.total) };
  });
  const timing = timingOf(ev);
  return {
    einsum: ev.stats.problem,
    fidelity: ev.stats.fidelity,
    cycles: ev.stats.cycles,
    computes: ev.stats.computes,
    utilizedInstances: ev.stats.utilizedInstances,
    energy_pJ: e(ev.energy.total),
    compute: { name: ev.nest.arch.compute.name, instances: ev.stats.computeInstances, energy_pJ: e(ev.energy.compute) },
    levels,
    ...(options.area ? { area_um2: options.area.total } : {}),
    ...(timing ? { timing } : {}),
  };
}

function timingOf(ev: Evaluation): Timing | undefined {
  const arch = ev.nest.arch;
  if (arch.cycleSeconds === undefined) return undefined;
  const computeSeconds = countNumber(ev.stats.cycles) * arch.cycleSeconds;
  let words = 0;
  ev.stats.levels.forEach((ls) => {
    if (ls.kind !== 'dram') return;
    for (const t of ls.tensors) words += (countNumber(t.reads) + countNumber(t.fills) + countNumber(t.updates)) * t.utilizedInstances;
  });
  const dramBytes = (words * arch.wordBits) / 8;
  const dramSeconds = arch.dramBandwidth === undefined ? null : dramBytes / arch.dramBandwidth;
  return { cycleSeconds: arch.cycleSeconds, computeSeconds, dramBytes, dramSeconds, latencySeconds: Math.max(computeSeconds, dramSeconds ?? 0) };
}
