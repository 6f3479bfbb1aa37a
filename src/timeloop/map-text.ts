/**
 * @file `timeloop-model.map.txt` exactly as Timeloop v0.4 prints a mapping: each storage level's header
 * `Name [ Tensor:capacity (capacity) ... ] ` (the kept tensors in problem order), a rule of dashes under
 * the last header of a group of levels without loops, and the loops with bound above 1 from the
 * outermost in, `| ` plus two spaces per enclosing loop, each level's temporal loops, then its spatial Y,
 * then its spatial X loops, down to `<< Compute >>`.
 */
import type { Count, NestStats } from '../model/analysis.ts';
import type { Architecture, Loop, Mapping } from '../model/types.ts';

export function timeloopMapText(arch: Architecture, mapping: Mapping, stats: NestStats): string {
  const lines: string[] = [];
  let depth = 0;
  let header = '';
  arch.levels.forEach((level, i) => {
    const lm = mapping.levels.find((m) => m.level === level.name);
    const tensors = stats.levels[i]?.tensors ?? [];
    if (header === '' && depth > 0) lines.push('');
    header = `${level.name} [ ${tensors.map((t) => `${t.tensor}:${count(t.utilizedCapacity)} (${count(t.utilizedCapacity)}) `).join('')}] `;
    lines.push(header);
    const loops: [Loop, string][] = [];
    const add = (ls: readonly Loop[], suffix: string): void => {
      for (const l of ls) if (l.bound > 1) loops.push([l, suffix]);
    };
    add(lm?.temporal ?? [], '');
    add(lm?.spatialY ?? [], ' (Spatial-Y)');
    add(lm?.spatialX ?? [], ' (Spatial-X)');
    const last = i === arch.levels.length - 1;
    if (loops.length === 0 && !last) return;
    lines.push('-'.repeat(header.length - 1));
    for (const [l, suffix] of loops) lines.push(`|${'  '.repeat(depth++)} for ${l.dim} in [0:${l.bound})${suffix}`);
    header = '';
  });
  lines.push(`|${'  '.repeat(depth)} << Compute >>`);
  return lines.join('\n') + '\n';
}

function count(c: Count): string {
  return c.toString();
}
