/**
 * @file Model errors as data. The model core never sees a file, so it reports what is wrong with a
 * nest (FM5xx) together with an abstract reference to the offending part (a loop, a keep entry, a
 * dimension, ...). Whoever built the nest from a source (our YAML specs, a Timeloop input, a cascade)
 * turns the reference into a file:line:col location.
 */

/** The part of the problem, architecture or mapping an issue is about. */
export type NestRef =
  | { readonly kind: 'dimension'; readonly dim: string }
  | { readonly kind: 'dataSpace'; readonly tensor: string }
  | { readonly kind: 'archLevel'; readonly level: string }
  /** `index`: position in `Mapping.levels`, when the entry itself is at fault (unknown or repeated level). */
  | { readonly kind: 'mappingLevel'; readonly level: string; readonly index?: number }
  | { readonly kind: 'loop'; readonly level: string; readonly dim: string; readonly space: LoopSpace }
  | { readonly kind: 'keep'; readonly level: string; readonly tensor: string }
  | { readonly kind: 'computeCost'; readonly unit: string }
  | { readonly kind: 'mapping' };

export type LoopSpace = 'temporal' | 'x' | 'y';

export interface NestIssue {
  /** FM5xx code, see docs/diagnostics.md. */
  readonly code: string;
  readonly message: string;
  readonly ref: NestRef;
  readonly hint?: string;
}

/** Diagnostic codes of the model (kept here so that every module uses the same ones). */
export const ModelCodes = {
  factorProduct: 'FM501',
  fanout: 'FM502',
  capacity: 'FM503',
  notKept: 'FM504',
  unknownName: 'FM505',
  duplicate: 'FM506',
  /** An index expression that is not affine (cascade adapter). */
  projection: 'FM507',
  /** A sliding-window tensor spread over too many spatial instances to count its multicast. */
  spatialSpread: 'FM510',
  badValue: 'FM508',
} as const;
