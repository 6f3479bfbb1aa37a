/**
 * @file Area of an architecture from per-instance areas (an ART): every instance of every level plus
 * every unit of every compute element. Under artifact fidelity per-instance areas are float32, as in
 * Timeloop's stats.
 */
import { instanceArea } from './artifact-fidelity.ts';
import { levelInstances } from './nest.ts';
import type { Architecture, Fidelity } from './types.ts';

export interface ComponentArea {
  readonly name: string;
  readonly instances: number;
  /** µm² per instance. */
  readonly perInstance: number;
  /** µm², all instances. */
  readonly total: number;
}

export interface AreaBreakdown {
  readonly levels: readonly ComponentArea[];
  /** The compute array: all units of all elements. */
  readonly compute: ComponentArea;
  readonly total: number;
}

export function archArea(arch: Architecture, fidelity: Fidelity = 'physical'): AreaBreakdown {
  const counts = levelInstances(arch);
  const levels = arch.levels.map((l, i) => {
    const instances = counts.levels[i] ?? 1;
    const perInstance = instanceArea(l.area, fidelity);
    return { name: l.name, instances, perInstance, total: perInstance * instances };
  });
  let unitArea = 0;
  for (const u of arch.compute.units) unitArea += instanceArea(u.area, fidelity);
  const compute = { name: arch.compute.name, instances: counts.compute, perInstance: unitArea, total: unitArea * counts.compute };
  let total = compute.total;
  for (const l of levels) total += l.total;
  return { levels, compute, total };
}
