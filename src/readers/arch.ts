/**
 * @file Our architecture spec (YAML): storage levels outermost first, each with its capacity, access
 * width, per-action energies (pJ per access of `width` bits; leak per instance per cycle) and area, and
 * an optional spatial fan-out to the level below; then the compute array's units. Example:
 *
 *   name: gemm-2level
 *   wordBits: 16
 *   clockHz: 1.0e9
 *   dramBandwidth: 64.0e9          # bytes per second
 *   levels:
 *     - { name: DRAM, kind: dram, width: 64, energy: { read: 512, write: 512 } }
 *     - name: GLB
 *       kind: buffer
 *       depth: 2048                # rows per instance
 *       width: 64                  # bits per row (4 words)
 *       fanout: { x: 4, y: 4 }     # 16 PEs below each GLB
 *       energy: { read: 20, write: 24, leak: 0.01 }
 *       area: 150000
 *     - { name: RF, kind: buffer, depth: 16, width: 16, energy: { read: 0.5, write: 0.6 }, area: 300 }
 *   compute:
 *     name: mac
 *     units: { mac: { energy: 1.0, area: 500 } }
 *
 * `kind: spatial` is a fan-out stage that stores nothing (Timeloop's dummy_storage).
 */
import { z } from 'zod';
import { UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.ts';
import type { NestRef } from '../model/issues.ts';
import type { Architecture, StorageEnergy, StorageLevel } from '../model/types.ts';
import { Identifier, NonNegative, PositiveInt } from './names.ts';
import { diagnosticAt, loadYaml, locate, YamlCodes, type YamlSource } from './yaml-source.ts';

const Energy = z.strictObject({
  read: NonNegative,
  write: NonNegative,
  /** Defaults to `write`. */
  update: NonNegative.optional(),
  leak: NonNegative.optional(),
});

const Fanout = z.strictObject({ x: PositiveInt.optional(), y: PositiveInt.optional() });

const Common = {
  name: Identifier,
  fanout: Fanout.optional(),
  area: NonNegative.optional(),
};

const LevelSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dram'), ...Common, width: PositiveInt.optional(), energy: Energy.optional() }),
  z.strictObject({ kind: z.literal('buffer'), ...Common, depth: PositiveInt, width: PositiveInt, energy: Energy.optional() }),
  z.strictObject({ kind: z.literal('spatial'), ...Common }),
]);

const Unit = z.strictObject({ energy: NonNegative, area: NonNegative.optional() });

export const ArchSpecSchema = z.strictObject({
  name: Identifier,
  wordBits: PositiveInt.optional(),
  clockHz: z.number().positive().optional(),
  dramBandwidth: z.number().positive().optional(),
  levels: z.array(LevelSpec).min(1),
  compute: z.strictObject({
    name: Identifier,
    units: z.record(Identifier, Unit),
  }),
});

export type ArchSpec = z.output<typeof ArchSpecSchema>;

export interface LoadedArch {
  readonly arch: Architecture;
  readonly source: YamlSource;
}

const NO_ENERGY: StorageEnergy = { read: 0, write: 0, update: 0, leak: 0 };

export function loadArchSpec(file: string, text: string): LoadedArch {
  const { source, value } = loadYaml(file, text, ArchSpecSchema);
  return { arch: archFromSpec(value, source), source };
}

/** Checks the schema cannot express (widths in whole words, unique names, one unit) and converts. */
function archFromSpec(spec: ArchSpec, source: YamlSource): Architecture {
  const wordBits = spec.wordBits ?? 16;
  const diags: Diagnostic[] = [];
  const seen = new Set<string>();
  const levels: StorageLevel[] = [];
  for (const [i, l] of spec.levels.entries()) {
    if (seen.has(l.name)) diags.push(diagnosticAt(source, ['levels', i, 'name'], YamlCodes.invalidValue, `level name '${l.name}' is used twice`));
    seen.add(l.name);
    const base = { name: l.name, fanoutX: l.fanout?.x ?? 1, fanoutY: l.fanout?.y ?? 1, area: l.area ?? 0 };
    const blockSize = (width: number): number => {
      if (width % wordBits !== 0) diags.push(diagnosticAt(source, ['levels', i, 'width'], YamlCodes.invalidValue, `width ${width} is not a whole number of ${wordBits}-bit words`));
      return Math.max(1, Math.floor(width / wordBits));
    };
    const energy = (e: z.output<typeof Energy> | undefined): StorageEnergy => (e ? { read: e.read, write: e.write, update: e.update ?? e.write, leak: e.leak ?? 0 } : NO_ENERGY);
    switch (l.kind) {
      case 'dram':
        levels.push({ kind: 'dram', ...base, blockSize: blockSize(l.width ?? wordBits), energy: energy(l.energy) });
        break;
      case 'buffer':
        levels.push({ kind: 'buffer', ...base, depth: l.depth, blockSize: blockSize(l.width), energy: energy(l.energy) });
        break;
      case 'spatial':
        levels.push({ kind: 'spatial', ...base });
        break;
    }
  }
  const units = Object.entries(spec.compute.units).map(([name, u]) => ({ name, energy: u.energy, area: u.area ?? 0 }));
  if (units.length === 0) diags.push(diagnosticAt(source, ['compute', 'units'], YamlCodes.invalidValue, 'the compute array needs at least one unit'));
  if (diags.length > 0) throw new UserError(diags);
  return {
    name: spec.name,
    wordBits,
    levels,
    compute: { name: spec.compute.name, units },
    ...(spec.clockHz !== undefined ? { cycleSeconds: 1 / spec.clockHz } : {}),
    ...(spec.dramBandwidth !== undefined ? { dramBandwidth: spec.dramBandwidth } : {}),
  };
}

/** Where a model issue about the architecture points in this file. */
export function locateArchRef(loaded: LoadedArch, ref: NestRef): SourceLocation | undefined {
  switch (ref.kind) {
    case 'archLevel': {
      const i = loaded.arch.levels.findIndex((l) => l.name === ref.level);
      return i < 0 ? undefined : locate(loaded.source, ['levels', i, 'name']);
    }
    default:
      return undefined;
  }
}
