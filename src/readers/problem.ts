/**
 * @file Our problem spec (YAML): an Einsum's iteration space and its data spaces, the plain `Problem`
 * of src/model/types.ts written out. Example:
 *
 *   name: GEMM
 *   dimensions: { M: 64, N: 64, K: 64 }
 *   dataSpaces:
 *     - { name: A, projection: [M, K] }
 *     - { name: B, projection: [K, N] }
 *     - { name: Z, projection: [M, N], output: true }
 *
 * A projection rank is a dimension name or, for affine indices, a list of terms (`P` or `[2, P]`).
 */
import { z } from 'zod';
import type { NestRef } from '../model/issues.ts';
import type { Problem, ProjectionRank } from '../model/types.ts';
import { Identifier, PositiveInt } from './names.ts';
import { loadYaml, locate, type YamlSource } from './yaml-source.ts';
import type { SourceLocation } from '../diagnostics/diagnostic.ts';

const Term = z.union([Identifier, z.tuple([z.number().int(), Identifier])]);
const Rank = z.union([Identifier, z.array(Term).min(1)]);

export const ProblemSpecSchema = z.strictObject({
  name: Identifier,
  dimensions: z.record(Identifier, PositiveInt),
  dataSpaces: z
    .array(
      z.strictObject({
        name: Identifier,
        projection: z.array(Rank),
        output: z.boolean().optional(),
      }),
    )
    .min(1),
});

export type ProblemSpec = z.output<typeof ProblemSpecSchema>;

export function problemFromSpec(spec: ProblemSpec): Problem {
  return {
    name: spec.name,
    dimensions: spec.dimensions,
    dataSpaces: spec.dataSpaces.map((ds) => ({
      name: ds.name,
      projection: ds.projection.map((rank): ProjectionRank => (typeof rank === 'string' ? [{ dim: rank, coefficient: 1 }] : rank.map((t) => (typeof t === 'string' ? { dim: t, coefficient: 1 } : { dim: t[1], coefficient: t[0] })))),
      isOutput: ds.output ?? false,
    })),
  };
}

export interface LoadedProblem {
  readonly problem: Problem;
  readonly source: YamlSource;
}

export function loadProblemSpec(file: string, text: string): LoadedProblem {
  const { source, value } = loadYaml(file, text, ProblemSpecSchema);
  return { problem: problemFromSpec(value), source };
}

/** Where a model issue about the problem points in this file, if it is about the problem. */
export function locateProblemRef(loaded: LoadedProblem, ref: NestRef): SourceLocation | undefined {
  switch (ref.kind) {
    case 'dimension':
      return locate(loaded.source, ['dimensions', ref.dim], 'key');
    case 'dataSpace': {
      // The last one, so that a repeated name points at the repetition.
      const i = loaded.problem.dataSpaces.findLastIndex((d) => d.name === ref.tensor);
      return i < 0 ? undefined : locate(loaded.source, ['dataSpaces', i, 'name']);
    }
    default:
      return undefined;
  }
}
