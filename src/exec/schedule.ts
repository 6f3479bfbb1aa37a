/**
 * @file The sequential schedule: Einsums one by one in dependency order, with the Einsums of each
 * iterative rank grouped into a loop that runs generation by generation (cascade order within a
 * generation). Initializations run before their loop, readers of the final generation after it.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { accessesOf, type Cascade, type Einsum } from '../ir/cascade.ts';

export type Step =
  | { readonly kind: 'einsum'; readonly einsum: Einsum }
  | { readonly kind: 'loop'; readonly variable: string; readonly einsums: readonly Einsum[] };

/** The iterative variable an Einsum belongs to (it uses it as a variable and is not an initialization). */
export function loopVariableOf(c: Cascade, e: Einsum): string | undefined {
  if (e.initializes) return undefined;
  return [...c.iterativeRanks.keys()].find((v) => e.vars.has(v));
}

export function sequentialSchedule(c: Cascade): Step[] {
  // Units: one per loop variable, one per other Einsum.
  const units: Array<{ key: string; einsums: Einsum[]; variable?: string }> = [];
  const unitOf = new Map<Einsum, number>();
  for (const e of c.einsums) {
    const v = loopVariableOf(c, e);
    const key = v ? `loop:${v}` : `einsum:${e.index}`;
    let u = units.findIndex((x) => x.key === key);
    if (u < 0) {
      u = units.length;
      units.push({ key, einsums: [], ...(v ? { variable: v } : {}) });
    }
    (units[u] as (typeof units)[number]).einsums.push(e);
    unitOf.set(e, u);
  }
  const writers = new Map<string, Einsum[]>();
  for (const e of c.einsums) writers.set(e.output.tensor, [...(writers.get(e.output.tensor) ?? []), e]);
  const deps = units.map(() => new Set<number>());
  units.forEach((u, i) => {
    for (const e of u.einsums) {
      for (const a of accessesOf(e.expr)) {
        for (const w of writers.get(a.tensor) ?? []) {
          const j = unitOf.get(w) as number;
          if (j !== i) (deps[i] as Set<number>).add(j);
        }
      }
    }
  });
  // Topological order, earliest cascade position first among the ready units.
  const done = new Set<number>();
  const steps: Step[] = [];
  while (done.size < units.length) {
    const ready = units.map((_, i) => i).filter((i) => !done.has(i) && [...(deps[i] as Set<number>)].every((d) => done.has(d)));
    if (ready.length === 0) {
      const stuck = units.filter((_, i) => !done.has(i)).flatMap((u) => u.einsums.map((e) => e.output.tensor));
      fail('FM238', `cannot order the Einsums: ${stuck.join(', ')} depend on each other through an iterative rank`, undefined, 'an Einsum outside a loop that feeds the loop must not read the loop\'s results');
    }
    const next = ready[0] as number;
    done.add(next);
    const u = units[next] as (typeof units)[number];
    steps.push(u.variable ? { kind: 'loop', variable: u.variable, einsums: u.einsums } : { kind: 'einsum', einsum: u.einsums[0] as Einsum });
  }
  return steps;
}
