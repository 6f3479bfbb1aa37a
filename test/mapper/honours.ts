/**
 * @file Whether a mapping honours mapspace constraints, checked on the mapping itself (independently of
 * how the mapper applies them): fixed factors, pinned innermost loops, loops over tensors that may not be
 * iterated over, keep and bypass sets, the X/Y split
 * of spatial loops, and the outermost level keeping what no constraint bypasses there.
 */
import type { MapspaceConstraints } from '../../src/mapper/constraints.ts';
import type { Mapping, Problem } from '../../src/model/types.ts';

/** The violations found (empty when the mapping honours every constraint). */
export function violations(mapping: Mapping, problem: Problem, constraints: MapspaceConstraints, outermost: string): string[] {
  const out: string[] = [];
  const level = (name: string) => mapping.levels.find((l) => l.level === name);
  const bound = (loops: readonly { dim: string; bound: number }[], dim: string) => loops.filter((l) => l.dim === dim).reduce((p, l) => p * l.bound, 1);
  for (const c of constraints.levels) {
    const lm = level(c.level);
    const temporal = lm?.temporal ?? [];
    const spatialX = lm?.spatialX ?? [];
    const spatialY = lm?.spatialY ?? [];
    for (const f of c.temporal?.factors ?? []) if (bound(temporal, f.dim) !== f.value) out.push(`${c.level}: temporal ${f.dim}=${bound(temporal, f.dim)}, not ${f.value}`);
    const pinned = c.temporal?.permutation ?? [];
    if (pinned.length > 0) {
      const innermostFirst = [...temporal].reverse().filter((l) => l.bound > 1).map((l) => l.dim);
      const expected = pinned.filter((d) => temporal.some((l) => l.dim === d && l.bound > 1));
      if (innermostFirst.slice(0, expected.length).join(',') !== expected.join(',')) out.push(`${c.level}: innermost loops ${innermostFirst.join(',')} do not start with ${expected.join(',')}`);
    }
    for (const f of c.spatial?.factors ?? []) {
      const got = bound(spatialX, f.dim) * bound(spatialY, f.dim);
      if (got !== f.value) out.push(`${c.level}: spatial ${f.dim}=${got}, not ${f.value}`);
    }
    const sp = c.spatial;
    if (sp?.permutation && sp.split !== undefined) {
      for (const l of [...spatialX, ...spatialY]) {
        if (l.bound === 1) continue;
        const pos = sp.permutation.indexOf(l.dim);
        const wantX = pos >= 0 ? pos < sp.split : sp.split > sp.permutation.length;
        if (wantX !== spatialX.includes(l)) out.push(`${c.level}: spatial ${l.dim} on ${wantX ? 'Y' : 'X'}, the split puts it on ${wantX ? 'X' : 'Y'}`);
      }
    }
    const over = (names: readonly string[] | undefined, loops: readonly { dim: string; bound: number }[], what: string): void => {
      for (const n of names ?? []) {
        const dims = problem.dataSpaces.find((x) => x.name === n)?.projection.flatMap((r) => r.map((term) => term.dim)) ?? [];
        for (const l of loops) if (l.bound > 1 && dims.includes(l.dim)) out.push(`${c.level}: ${what} loop over ${l.dim} iterates over ${n}`);
      }
    };
    over(c.temporal?.noIterationOver, temporal, 'temporal');
    over(c.spatial?.noIterationOver, [...spatialX, ...spatialY], 'spatial');
    const keep = lm?.keep;
    for (const t of c.keep?.keep ?? []) if (keep !== undefined && !keep.includes(t)) out.push(`${c.level}: does not keep ${t}`);
    for (const t of c.keep?.bypass ?? []) if (keep === undefined || keep.includes(t)) out.push(`${c.level}: keeps ${t}`);
  }
  const top = level(outermost);
  const bypassedTop = constraints.levels.find((c) => c.level === outermost)?.keep?.bypass ?? [];
  for (const ds of problem.dataSpaces) if (!bypassedTop.includes(ds.name) && top?.keep !== undefined && !top.keep.includes(ds.name)) out.push(`${outermost} bypasses ${ds.name}`);
  return out;
}
