/**
 * @file The mapper in one call, in this thread: build the mapspace, search it, and evaluate the best
 * mapping with src/model (whose numbers are the ones reported). The CLI runs the same search over
 * worker threads (src/cli/map-runner.ts); designs and `fusemax model --map` use this.
 */
import { evaluateNest, type Evaluation } from '../model/evaluate.ts';
import type { Architecture, Mapping, Problem } from '../model/types.ts';
import { NO_CONSTRAINTS, type MapspaceConstraints } from './constraints.ts';
import { searchInProcess, type InProcessOptions, type SearchOutcome } from './drive.ts';
import { choiceMapping, timeloopMapping, type TimeloopMappingEntry } from './emit.ts';
import { buildMapSpace, MapperCodes, type MapperIssue } from './mapspace.ts';
import { evaluationMetrics, type Metric } from './metrics.ts';
import { prepareSearch, type Found, type PreparedSearch } from './search.ts';

export interface MapRequest {
  readonly arch: Architecture;
  readonly problem: Problem;
  readonly constraints?: MapspaceConstraints;
  /** Lexicographic; default edp. */
  readonly metrics?: readonly Metric[];
  readonly computeCost?: Mapping['computeCost'];
  /** Cost complete mappings with src/model even when the closed form applies (mapspace.ts); default auto. */
  readonly costing?: 'auto' | 'model';
}

export interface MappedResult {
  readonly mapping: Mapping;
  /** As timeloop-mapper writes it. */
  readonly timeloop: readonly TimeloopMappingEntry[];
  /** The model's evaluation of `mapping` (physical fidelity). */
  readonly evaluation: Evaluation;
  /** The metrics of `evaluation`, aligned with `metricNames`. */
  readonly metrics: readonly number[];
  readonly metricNames: readonly Metric[];
  readonly valid: number;
  readonly evaluated: number;
  readonly exhaustive: boolean;
}

export type MapOutcome = { readonly ok: true; readonly result: MappedResult } | { readonly ok: false; readonly issues: readonly MapperIssue[] };

/** Prepare a search (mapspace issues are returned, not thrown). */
export function prepareMapping(req: MapRequest): { readonly ok: true; readonly prep: PreparedSearch } | { readonly ok: false; readonly issues: readonly MapperIssue[] } {
  const space = buildMapSpace(req.arch, req.problem, req.constraints ?? NO_CONSTRAINTS, req.computeCost, req.costing ?? 'auto');
  if (!space.ok) return space;
  return { ok: true, prep: prepareSearch(space.space, req.metrics ?? ['edp']) };
}

/** The evaluated result of a search outcome, or the issue that nothing fits. */
export function finishMapping(prep: PreparedSearch, best: Found | undefined, counts: Pick<SearchOutcome, 'valid' | 'evaluated' | 'exhaustive'>): MapOutcome {
  if (!best) {
    return { ok: false, issues: [{ code: MapperCodes.empty, message: counts.exhaustive ? 'no mapping satisfies the constraints and fits the architecture' : 'no valid mapping was found within the time limit', ref: { kind: 'none' } }] };
  }
  const mapping = choiceMapping(prep, best.choice);
  const ev = evaluateNest(prep.space.arch, prep.space.problem, mapping);
  if (!ev.ok) throw new Error(`the mapper's mapping does not evaluate: ${ev.issues.map((i) => i.message).join('; ')}`);
  return {
    ok: true,
    result: {
      mapping,
      timeloop: timeloopMapping(prep, best.choice),
      evaluation: ev,
      metrics: evaluationMetrics(prep.metrics, ev),
      metricNames: prep.metrics,
      valid: counts.valid,
      evaluated: counts.evaluated,
      exhaustive: counts.exhaustive,
    },
  };
}

/** Search in this thread (exhaustively unless `shouldStop` says otherwise). */
export function findMapping(req: MapRequest, options: InProcessOptions = {}): MapOutcome {
  const p = prepareMapping(req);
  if (!p.ok) return p;
  const out = searchInProcess(p.prep, options);
  return finishMapping(p.prep, out.best, out);
}
