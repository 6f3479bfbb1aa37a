/**
 * @file Accelergy/Timeloop energy and area tables (ERT and ART YAML) and how they apply to an
 * architecture, ours or a Timeloop one. A table's component name `system_top_level.L3[1..1]` matches the
 * level or compute unit `L3`; tables for components we do not model are ignored. An action listed twice
 * (with different arguments) takes its first entry.
 */
import { z } from 'zod';
import { UserError, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Architecture, ComputeUnit, StorageLevel } from '../model/types.ts';
import { diagnosticAt, loadYaml, type YamlSource } from '../readers/yaml-source.ts';

export const TableCodes = {
  /** A table lacks a component or an action the architecture needs. */
  missing: 'FM408',
} as const;

const ErtSchema = z.looseObject({
  ERT: z.looseObject({
    tables: z.array(z.looseObject({ name: z.string(), actions: z.array(z.looseObject({ name: z.string(), energy: z.number() })) })),
  }),
});

const ArtSchema = z.looseObject({
  ART: z.looseObject({
    tables: z.array(z.looseObject({ name: z.string(), area: z.number() })),
  }),
});

export interface EnergyTable {
  readonly source: YamlSource;
  /** Component → action → pJ. */
  readonly components: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export interface AreaTable {
  readonly source: YamlSource;
  /** Component → µm² per instance. */
  readonly components: ReadonlyMap<string, number>;
}

/** `system_top_level.reg_file[1..65536]` → `reg_file` */
export function componentName(tableName: string): string {
  const noRange = tableName.replace(/\[[^\]]*\]$/, '');
  return noRange.slice(noRange.lastIndexOf('.') + 1);
}

export function loadErt(file: string, text: string): EnergyTable {
  const { source, value } = loadYaml(file, text, ErtSchema);
  const components = new Map<string, Map<string, number>>();
  for (const t of value.ERT.tables) {
    const actions = new Map<string, number>();
    for (const a of t.actions) if (!actions.has(a.name)) actions.set(a.name, a.energy);
    components.set(componentName(t.name), actions);
  }
  return { source, components };
}

export function loadArt(file: string, text: string): AreaTable {
  const { source, value } = loadYaml(file, text, ArtSchema);
  return { source, components: new Map(value.ART.tables.map((t) => [componentName(t.name), t.area] as const)) };
}

/**
 * The architecture with every storage level's read/write/update/leak and the compute unit's `compute`
 * energy taken from the ERT. Spatial levels have no actions. The compute array's unit is matched by
 * unit name, or by the compute name when the array has a single unit.
 */
export function applyErt(arch: Architecture, ert: EnergyTable): Architecture {
  const diags: Diagnostic[] = [];
  const missing = (what: string): void => {
    diags.push(diagnosticAt(ert.source, ['ERT', 'tables'], TableCodes.missing, `the ERT has no ${what}`));
  };
  const levels = arch.levels.map((l): StorageLevel => {
    switch (l.kind) {
      case 'spatial':
        return l;
      case 'dram':
      case 'buffer': {
        const actions = ert.components.get(l.name);
        if (!actions) {
          missing(`table for level '${l.name}'`);
          return l;
        }
        const get = (a: string, fallback?: number): number => {
          const v = actions.get(a) ?? fallback;
          if (v === undefined) missing(`'${a}' action for level '${l.name}'`);
          return v ?? 0;
        };
        const write = get('write');
        return { ...l, energy: { read: get('read'), write, update: get('update', write), leak: get('leak', 0) } };
      }
    }
  });
  const units = arch.compute.units.map((u): ComputeUnit => {
    const actions = ert.components.get(u.name) ?? (arch.compute.units.length === 1 ? ert.components.get(arch.compute.name) : undefined);
    const energy = actions?.get('compute');
    if (energy === undefined) {
      missing(`'compute' action for compute unit '${u.name}'`);
      return u;
    }
    return { ...u, energy };
  });
  if (diags.length > 0) throw new UserError(diags);
  return { ...arch, levels, compute: { ...arch.compute, units } };
}

/** The architecture with per-instance areas from the ART (spatial levels: only if listed). */
export function applyArt(arch: Architecture, art: AreaTable): Architecture {
  const diags: Diagnostic[] = [];
  const levels = arch.levels.map((l): StorageLevel => {
    const area = art.components.get(l.name);
    if (area === undefined) {
      if (l.kind !== 'spatial') diags.push(diagnosticAt(art.source, ['ART', 'tables'], TableCodes.missing, `the ART has no area for level '${l.name}'`));
      return l;
    }
    return { ...l, area };
  });
  const units = arch.compute.units.map((u): ComputeUnit => {
    const area = art.components.get(u.name) ?? (arch.compute.units.length === 1 ? art.components.get(arch.compute.name) : undefined);
    if (area === undefined) {
      diags.push(diagnosticAt(art.source, ['ART', 'tables'], TableCodes.missing, `the ART has no area for compute unit '${u.name}'`));
      return u;
    }
    return { ...u, area };
  });
  if (diags.length > 0) throw new UserError(diags);
  return { ...arch, levels, compute: { ...arch.compute, units } };
}
