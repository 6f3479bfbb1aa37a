/**
 * @file The mapper's optimization metrics (Timeloop's `optimization_metrics`): what each one measures,
 * and how a list of them compares two mappings (lexicographically: the first metric decides, ties go to
 * the next). Metrics are plain numbers in a fixed-length vector, aligned with the metric list.
 */

import { countNumber, type NestStats } from '../model/analysis.ts';

export const METRICS = ['edp', 'energy', 'delay', 'last_level_accesses'] as const;
export type Metric = (typeof METRICS)[number];

/** What each metric is, for `--help` and the docs. */
export const METRIC_TEXT: Readonly<Record<Metric, string>> = {
  edp: 'energy × delay (J·cycle, as Timeloop prints EDP)',
  energy: 'total energy in pJ (accesses, leakage and compute)',
  delay: 'cycles',
  last_level_accesses: 'scalar accesses (reads, fills and updates) at the outermost storage level',
};

/** Timeloop spells some metrics with hyphens; accept both. */
export function parseMetric(text: string): Metric | undefined {
  const name = text.trim().toLowerCase().replace(/-/g, '_');
  return (METRICS as readonly string[]).includes(name) ? (name as Metric) : undefined;
}

/** The metric values of a mapping from its energy, cycles and last-level accesses. */
export function metricValues(metrics: readonly Metric[], energyPJ: number, cycles: number, lastLevelAccesses: number): number[] {
  return metrics.map((m) => metricValue(m, energyPJ, cycles, lastLevelAccesses));
}

function metricValue(m: Metric, energyPJ: number, cycles: number, lastLevelAccesses: number): number {
  switch (m) {
    case 'edp':
      return energyPJ * 1e-12 * cycles;
    case 'energy':
      return energyPJ;
    case 'delay':
      return cycles;
    case 'last_level_accesses':
      return lastLevelAccesses;
    default: {
      const never: never = m;
      return never;
    }
  }
}

/** Exact lexicographic comparison: negative when `a` is better (smaller). */
export function compareVectors(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/**
 * Relative slack when a lower bound is compared with the incumbent: the bound and the exact value are
 * the same sums in a different order, so rounding may put the bound a few ulps above the value.
 */
const SLACK = 1e-9;

/**
 * True when every mapping whose metrics are at least `bound` (component by component) is strictly worse
 * than `incumbent`: the bound is lexicographically above the incumbent beyond rounding. Near-equal
 * components are treated as ties (never pruned), so an equal mapping is never lost.
 */
export function boundExceeds(bound: ArrayLike<number>, incumbent: ArrayLike<number>): boolean {
  for (let i = 0; i < bound.length; i++) {
    const lo = bound[i]!;
    const best = incumbent[i]!;
    const tol = SLACK * Math.abs(best);
    if (lo > best + tol) return true;
    if (lo < best - tol) return false;
  }
  return false;
}

/** Scalar accesses (reads, fills, updates) at the outermost storage level, over its utilized instances. */
export function lastLevelAccesses(stats: NestStats): number {
  let n = 0;
  const top = stats.levels[0];
  for (const t of top?.tensors ?? []) n += (countNumber(t.reads) + countNumber(t.fills) + countNumber(t.updates)) * t.utilizedInstances;
  return n;
}

/** The metrics of a mapping as the model evaluates it. */
export function evaluationMetrics(metrics: readonly Metric[], ev: { readonly stats: NestStats; readonly energy: { readonly total: number } }): number[] {
  return metricValues(metrics, ev.energy.total, countNumber(ev.stats.cycles), lastLevelAccesses(ev.stats));
}
