/**
 * @file A nest read from files: architecture, problem and mapping plus a way to locate model issues in
 * the files they came from. Evaluating it turns model issues (FM5xx) into located diagnostics. Both our
 * own specs and a Timeloop input end up here; a later cascade adapter can build one too.
 */
import { UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.ts';
import { evaluateNest, type Evaluation } from '../model/evaluate.ts';
import type { NestIssue, NestRef } from '../model/issues.ts';
import type { Architecture, Fidelity, Mapping, Problem } from '../model/types.ts';
import { locateArchRef, type LoadedArch } from './arch.ts';
import { locateMappingRef, type LoadedMapping } from './mapping.ts';
import { locateProblemRef, type LoadedProblem } from './problem.ts';
import { locateTimeloopRef, type LoadedTimeloop } from '../timeloop/reader.ts';

export interface NestSource {
  readonly arch: Architecture;
  readonly problem: Problem;
  readonly mapping: Mapping;
  /** Where an issue about `ref` points, if anywhere. */
  readonly locate: (ref: NestRef) => SourceLocation | undefined;
}

export function ownNestSource(arch: LoadedArch, problem: LoadedProblem, mapping: LoadedMapping): NestSource {
  return {
    arch: arch.arch,
    problem: problem.problem,
    mapping: mapping.mapping,
    locate: (ref) => locateMappingRef(mapping, ref) ?? locateProblemRef(problem, ref) ?? locateArchRef(arch, ref),
  };
}

export function timeloopNestSource(loaded: LoadedTimeloop, arch: Architecture = loaded.arch): NestSource {
  return { arch, problem: loaded.problem, mapping: loaded.mapping, locate: (ref) => locateTimeloopRef(loaded, ref) };
}

/** Model issues as one user error with located diagnostics. */
export function nestIssuesError(issues: readonly NestIssue[], locate: (ref: NestRef) => SourceLocation | undefined): UserError {
  return new UserError(
    issues.map((i): Diagnostic => {
      const location = locate(i.ref);
      return { code: i.code, message: i.message, ...(location ? { location } : {}), ...(i.hint ? { hint: i.hint } : {}) };
    }),
  );
}

/** Evaluate, or throw the model's issues as located diagnostics. */
export function evaluateSource(source: NestSource, fidelity: Fidelity = 'physical'): Evaluation {
  const r = evaluateNest(source.arch, source.problem, source.mapping, { fidelity });
  if (!r.ok) throw nestIssuesError(r.issues, source.locate);
  return r;
}
