/**
 * @file Energy of an analysed nest from the per-action energies of its levels (an ERT), the way
 * Timeloop adds it up: per tensor, ⌈reads/block⌉·E_read + ⌈fills/block⌉·E_write + ⌈updates/block⌉·E_update
 * per instance (whole block accesses), times the utilized instances; leakage of every utilized instance
 * of a level for every cycle; one
 * compute energy per compute (the cost-weighted sum of the units it uses). Compute-unit leakage is not
 * counted (Timeloop does not count it either).
 */
import { countNumber, type NestStats } from './analysis.ts';
import type { Nest } from './nest.ts';
import { assertNever } from './never.ts';

export interface TensorEnergy {
  readonly tensor: string;
  /** pJ, all instances together. */
  readonly energy: number;
}

export interface LevelEnergy {
  readonly name: string;
  readonly tensors: readonly TensorEnergy[];
  /** Leakage in pJ over all instances and cycles. */
  readonly leak: number;
  /** Accesses plus leakage, pJ. */
  readonly total: number;
}

export interface EnergyBreakdown {
  /** Compute energy in pJ. */
  readonly compute: number;
  readonly levels: readonly LevelEnergy[];
  /** Everything, pJ. */
  readonly total: number;
}

export function nestEnergy(nest: Nest, stats: NestStats): EnergyBreakdown {
  const cycles = countNumber(stats.cycles);
  const compute = countNumber(stats.computes) * nest.computeEnergy;
  let total = compute;
  const levels: LevelEnergy[] = [];
  for (let i = 0; i < nest.levels.length; i++) {
    const spec = nest.levels[i]!.spec;
    const ls = stats.levels[i]!;
    const tensors: TensorEnergy[] = [];
    let leak = 0;
    let levelTotal = 0;
    switch (spec.kind) {
      case 'dram':
      case 'buffer': {
        const e = spec.energy;
        for (const t of ls.tensors) {
          // Timeloop charges whole block (vector) accesses: ⌈scalar accesses / block size⌉ per action.
          const b = spec.blockSize;
          const perInstance = Math.ceil(countNumber(t.reads) / b) * e.read + Math.ceil(countNumber(t.fills) / b) * e.write + Math.ceil(countNumber(t.updates) / b) * e.update;
          const energy = perInstance * t.utilizedInstances;
          tensors.push({ tensor: t.tensor, energy });
          levelTotal += energy;
        }
        // Unused instances are power-gated: only the utilized ones leak (Timeloop v0.4).
        leak = e.leak * cycles * ls.utilizedInstances;
        levelTotal += leak;
        break;
      }
      case 'spatial':
        // Stores nothing and has no actions.
        break;
      default:
        return assertNever(spec);
    }
    levels.push({ name: spec.name, tensors, leak, total: levelTotal });
    total += levelTotal;
  }
  return { compute, levels, total };
}
