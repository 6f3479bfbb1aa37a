/**
 * @file Our mapping spec (YAML): per storage level, the temporal loops (outermost first, in the order
 * written), the spatial loops over the level's X and Y fan-out, and the tensors the level keeps.
 * Levels left out have no loops and keep every tensor (a spatial level: none). Example:
 *
 *   computeCost: { mac: 1 }        # optional: operations per compute, by unit
 *   levels:
 *     - { level: DRAM, temporal: { M: 4, N: 4 } }
 *     - level: GLB
 *       temporal: { K: 16 }
 *       spatial: { x: { N: 4 }, y: { M: 4 } }
 *       keep: [A, B]
 *     - { level: RF, temporal: { K: 4 }, keep: [A, B, Z] }
 */
import { z } from 'zod';
import type { SourceLocation } from '../diagnostics/diagnostic.ts';
import type { NestRef } from '../model/issues.ts';
import type { Loop, Mapping } from '../model/types.ts';
import { Identifier, NonNegative, PositiveInt } from './names.ts';
import { loadYaml, locate, type YamlSource } from './yaml-source.ts';

const Loops = z.record(Identifier, PositiveInt);

export const MappingSpecSchema = z.strictObject({
  computeCost: z.record(Identifier, NonNegative).optional(),
  levels: z.array(
    z.strictObject({
      level: Identifier,
      temporal: Loops.optional(),
      spatial: z.strictObject({ x: Loops.optional(), y: Loops.optional() }).optional(),
      keep: z.array(Identifier).optional(),
    }),
  ),
});

export type MappingSpec = z.output<typeof MappingSpecSchema>;

export interface LoadedMapping {
  readonly mapping: Mapping;
  readonly source: YamlSource;
}

function loops(record: Readonly<Record<string, number>> | undefined): Loop[] {
  // Object key order is the YAML order, outermost first (dimension names are never integer-like).
  return Object.entries(record ?? {}).map(([dim, bound]) => ({ dim, bound }));
}

export function mappingFromSpec(spec: MappingSpec): Mapping {
  return {
    levels: spec.levels.map((l) => ({
      level: l.level,
      temporal: loops(l.temporal),
      spatialX: loops(l.spatial?.x),
      spatialY: loops(l.spatial?.y),
      ...(l.keep !== undefined ? { keep: l.keep } : {}),
    })),
    ...(spec.computeCost !== undefined ? { computeCost: spec.computeCost } : {}),
  };
}

export function loadMappingSpec(file: string, text: string): LoadedMapping {
  const { source, value } = loadYaml(file, text, MappingSpecSchema);
  return { mapping: mappingFromSpec(value), source };
}

/** Where a model issue about the mapping points in this file. */
export function locateMappingRef(loaded: LoadedMapping, ref: NestRef): SourceLocation | undefined {
  const levels = loaded.mapping.levels;
  const entry = (level: string): number => levels.findIndex((l) => l.level === level);
  switch (ref.kind) {
    case 'mappingLevel': {
      const i = ref.index ?? entry(ref.level);
      return i < 0 ? undefined : locate(loaded.source, ['levels', i, 'level']);
    }
    case 'loop': {
      const i = entry(ref.level);
      if (i < 0) return undefined;
      const path = ref.space === 'temporal' ? ['levels', i, 'temporal', ref.dim] : ['levels', i, 'spatial', ref.space, ref.dim];
      return locate(loaded.source, path, 'key');
    }
    case 'keep': {
      const i = entry(ref.level);
      if (i < 0) return undefined;
      const keep = levels[i]?.keep;
      if (keep === undefined) return locate(loaded.source, ['levels', i, 'level']);
      const j = keep.indexOf(ref.tensor);
      return locate(loaded.source, j < 0 ? ['levels', i, 'keep'] : ['levels', i, 'keep', j]);
    }
    case 'computeCost':
      return locate(loaded.source, ['computeCost', ref.unit], 'key');
    case 'mapping':
      return locate(loaded.source, []);
    case 'dimension':
    case 'dataSpace':
    case 'archLevel':
      return undefined;
    default:
      return assertNever(ref);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected reference ${JSON.stringify(x)}`);
}
