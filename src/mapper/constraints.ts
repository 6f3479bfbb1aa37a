/**
 * @file Mapspace constraints as plain data, the way Timeloop's `architecture_constraints`,
 * `mapspace_constraints` and `constraints` sections state them, per target level: fixed temporal and
 * spatial factors, permutations (innermost first; a partial list pins the innermost loops), the X/Y
 * split of spatial loops, tensors that must be kept or bypassed, and utilization floors. Front ends
 * (the Timeloop reader of the mapper, a design's `mapper:` block) produce these; `mapspace.ts` applies
 * them. Each constraint keeps a `ref` to where it came from, for located diagnostics.
 */

/** Where a constraint came from: the front end turns it into a file location. */
export type ConstraintRef =
  | { readonly kind: 'entry'; readonly index: number; readonly key?: string; readonly item?: number }
  | { readonly kind: 'level'; readonly level: string }
  | { readonly kind: 'none' };

export interface FactorConstraint {
  readonly dim: string;
  readonly value: number;
  readonly ref: ConstraintRef;
}

export interface TemporalConstraint {
  /** Fixed factors; dimensions not listed are free. */
  readonly factors: readonly FactorConstraint[];
  /** Innermost first; dimensions not listed are free and sit outside the listed ones. */
  readonly permutation?: readonly string[];
  readonly permutationRef?: ConstraintRef;
  /** Tensors no loop here may iterate over: every dimension they depend on has factor 1 (Timeloop's `no_iteration_over_dataspaces`). */
  readonly noIterationOver?: readonly string[];
  readonly noIterationOverRef?: ConstraintRef;
}

export interface SpatialConstraint {
  readonly factors: readonly FactorConstraint[];
  /** Innermost first, as in Timeloop; with `split`, positions before it go to X, the rest to Y. */
  readonly permutation?: readonly string[];
  readonly split?: number;
  readonly permutationRef?: ConstraintRef;
  /** Minimum share of the level's fan-out (X × Y instances) that the spatial loops must use. */
  readonly minUtilization?: number;
  readonly minUtilizationRef?: ConstraintRef;
  /** As for temporal loops: no spatial loop over these tensors' dimensions. */
  readonly noIterationOver?: readonly string[];
  readonly noIterationOverRef?: ConstraintRef;
}

export interface KeepConstraint {
  readonly keep: readonly string[];
  readonly bypass: readonly string[];
  readonly ref: ConstraintRef;
}

/** Everything constrained at one level. Several entries for the same level merge into one. */
export interface LevelConstraint {
  readonly level: string;
  readonly ref: ConstraintRef;
  readonly temporal?: TemporalConstraint;
  readonly spatial?: SpatialConstraint;
  readonly keep?: KeepConstraint;
  /** Minimum share of the level's capacity its tiles must use (Timeloop's `min_utilization`). */
  readonly minCapacityUtilization?: number;
}

export interface MapspaceConstraints {
  readonly levels: readonly LevelConstraint[];
  /** At most this many temporal loops with a bound above 1 in the whole mapping (Timeloop's knob; none when absent). */
  readonly maxTemporalLoops?: number;
}

export const NO_CONSTRAINTS: MapspaceConstraints = { levels: [] };
