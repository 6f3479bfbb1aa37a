/**
 * @file The mapper in the designs. An Einsum with a `mapper:` block states the mapspace the published
 * tool chain's stochastic mapper searched; when the `mapper-mappings` quirk is off (physical fidelity,
 * or the quirk study), it runs with the optimum of that mapspace instead of the recorded mapping
 * (src/mapper, an exhaustive search in this thread). A reproduction asks for the same problems many
 * times (every quirk study run, K and V like Q), so searches are cached per distinct architecture,
 * problem and mapspace. Also here: how far the artifact's recorded mappings are from those optima.
 */
import { UserError } from '../diagnostics/diagnostic.ts';
import { findMapping, type MappedResult } from '../mapper/map.ts';
import { evaluationMetrics, type Metric } from '../mapper/metrics.ts';
import { evaluateNest } from '../model/evaluate.ts';
import type { Mapping } from '../model/types.ts';
import { diagnosticAt } from '../readers/yaml-source.ts';
import type { DesignResult } from './evaluate-design.ts';
import type { DesignInstance, EinsumInstance } from './instantiate.ts';
import type { Reproduction } from './paper.ts';

export interface SearchedMapping {
  readonly mapping: Mapping;
  readonly metrics: readonly Metric[];
  /** The optimum's metrics (physical counts). */
  readonly optimum: readonly number[];
  readonly exhaustive: boolean;
}

const cache = new Map<string, MappedResult>();

/** The optimum of the Einsum's mapper block (cached). */
export function searchedMapping(inst: DesignInstance, e: EinsumInstance): SearchedMapping {
  const s = e.search!;
  // Names do not change a search: Einsums of the same shape (K and V like Q) share one.
  const key = JSON.stringify([{ ...e.arch, name: '' }, { ...e.problem, name: '' }, s.constraints.levels.map((c) => ({ ...c, ref: undefined })), s.metrics, s.computeCost]);
  let r = cache.get(key);
  if (!r) {
    const found = findMapping({ arch: e.arch, problem: e.problem, constraints: s.constraints, metrics: s.metrics, computeCost: s.computeCost });
    if (!found.ok) {
      const where = `Einsum '${e.name}' at ${inst.workload.model} ${inst.workload.seq}: `;
      throw new UserError(found.issues.map((i) => diagnosticAt(inst.design.source, s.path, i.code, where + i.message, i.hint !== undefined ? { hint: i.hint } : {})));
    }
    r = found.result;
    cache.set(key, r);
  }
  return { mapping: r.mapping, metrics: r.metricNames, optimum: r.metrics, exhaustive: r.exhaustive };
}

export interface MapperGap {
  /** Einsum evaluations that ran with a searched optimum. */
  readonly points: number;
  /** Of those, how many the recorded mapping already reached (within 1e-9). */
  readonly optimal: number;
  /** The largest relative excess of the recorded mapping's first metric over the optimum, and where. */
  readonly worst: { readonly value: number; readonly where: string };
  /** The metrics compared (the first decides). */
  readonly metrics: readonly Metric[];
}

/**
 * How far the artifact's recorded mappings (in `recorded`) are from the optima (in `optimal`, a
 * reproduction without the `mapper-mappings` quirk), on the mapper's own metric, counted physically.
 */
export function mapperGap(recorded: Reproduction, optimal: Reproduction): MapperGap | undefined {
  let points = 0;
  let optimalCount = 0;
  let worst = { value: 0, where: 'nowhere' };
  let metrics: readonly Metric[] = [];
  const scan = (kind: string, a: ReadonlyMap<string, readonly { model: string; seq: string; result: DesignResult }[]>, b: typeof a): void => {
    for (const [key, rows] of b) {
      const other = a.get(key) ?? [];
      rows.forEach((row, i) => {
        for (const er of row.result.einsums) {
          if (!er.searched) continue;
          const rec = other[i]?.result.einsums.find((x) => x.name === er.name);
          const inst = row.result.instance.einsums.find((x) => x.name === er.name);
          if (!rec?.mapping || !inst) continue;
          const ev = evaluateNest(inst.arch, inst.problem, rec.mapping);
          if (!ev.ok) continue;
          metrics = er.searched.metrics;
          const got = evaluationMetrics(metrics, ev);
          const excess = got[0]! / er.searched.optimum[0]! - 1;
          points++;
          if (excess <= 1e-9) optimalCount++;
          if (excess > worst.value) worst = { value: excess, where: `${kind}-${key} ${row.model} ${row.seq} ${er.name}` };
        }
      });
    }
  };
  scan('attn', recorded.attention, optimal.attention);
  scan('end2end', recorded.linear, optimal.linear);
  return points === 0 ? undefined : { points, optimal: optimalCount, worst, metrics };
}
