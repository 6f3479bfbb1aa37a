/**
 * @file One evaluation of a mapping: bind, count, check capacity, add up energy. This is the unit the
 * CLI reports and a mapper would call in its inner loop; it is pure and allocation-light.
 */
import { analyzeNest, type NestStats } from './analysis.ts';
import { capacityIssues } from './capacity.ts';
import { nestEnergy, type EnergyBreakdown } from './energy.ts';
import type { NestIssue } from './issues.ts';
import { bindNest, type Nest } from './nest.ts';
import type { Architecture, Fidelity, Mapping, Problem } from './types.ts';

export interface Evaluation {
  readonly nest: Nest;
  readonly stats: NestStats;
  readonly energy: EnergyBreakdown;
}

export type EvaluationResult = ({ readonly ok: true } & Evaluation) | { readonly ok: false; readonly issues: readonly NestIssue[] };

export interface EvaluateOptions {
  readonly fidelity?: Fidelity;
}

export function evaluateNest(arch: Architecture, problem: Problem, mapping: Mapping, options: EvaluateOptions = {}): EvaluationResult {
  const bound = bindNest(arch, problem, mapping);
  if (!bound.ok) return bound;
  const stats = analyzeNest(bound.nest, { fidelity: options.fidelity ?? 'physical' });
  const issues = capacityIssues(bound.nest, stats);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, nest: bound.nest, stats, energy: nestEnergy(bound.nest, stats) };
}
