/**
 * @file Does the mapping fit? After counting, every buffer must hold the tiles of the tensors it keeps
 * (Σ utilized capacity ≤ depth · blockSize words per instance); DRAM is unbounded and a spatial
 * (fan-out only) level holds nothing.
 */
import { countBig, type NestStats, type TensorStats } from './analysis.ts';
import { ModelCodes, type NestIssue } from './issues.ts';
import type { Nest } from './nest.ts';
import { assertNever } from './never.ts';

export function capacityIssues(nest: Nest, stats: NestStats): NestIssue[] {
  const issues: NestIssue[] = [];
  for (let i = 0; i < nest.levels.length; i++) {
    const spec = nest.levels[i]!.spec;
    const kept = stats.levels[i]!.tensors;
    const last = kept[kept.length - 1];
    if (last === undefined) continue;
    switch (spec.kind) {
      case 'dram':
        break;
      case 'buffer': {
        // Doubles are exact here unless a tile exceeds 2^53 words; then compare as bigints.
        const capacity = spec.depth * spec.blockSize;
        let used = 0;
        for (const t of kept) used += Number(t.utilizedCapacity);
        if (used > capacity && (used <= Number.MAX_SAFE_INTEGER || bigUsed(kept) > BigInt(capacity))) {
          const parts = kept.map((t) => `${t.tensor} ${String(t.utilizedCapacity)}`).join(' + ');
          const need = used <= Number.MAX_SAFE_INTEGER ? String(used) : String(bigUsed(kept));
          issues.push({
            code: ModelCodes.capacity,
            message: `level '${spec.name}' is over capacity: its tiles need ${need} words (${parts}), but one instance holds ${capacity} (${spec.depth} × ${spec.blockSize})`,
            ref: { kind: 'keep', level: spec.name, tensor: last.tensor },
            hint: 'bypass a tensor at this level or move loops above it',
          });
        }
        break;
      }
      case 'spatial':
        issues.push({
          code: ModelCodes.capacity,
          message: `level '${spec.name}' is a fan-out that stores nothing, but the mapping keeps ${kept.map((t) => t.tensor).join(', ')} there`,
          ref: { kind: 'keep', level: spec.name, tensor: last.tensor },
        });
        break;
      default:
        return assertNever(spec);
    }
  }
  return issues;
}

function bigUsed(kept: readonly TensorStats[]): bigint {
  let used = 0n;
  for (const t of kept) used += countBig(t.utilizedCapacity);
  return used;
}
