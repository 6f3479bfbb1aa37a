/**
 * @file The sequential schedule: Einsums one by one in dependency order, with the Einsums of each
 * iterative rank grouped into a loop that runs generation by generation (cascade order within a
 * generation). Initializations run before their loop, readers of the final generation after it, and
 * so do the other Einsums of the loop's variable that need a value complete over its rank.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { accessesOf, type Cascade, type Einsum } from '../ir/cascade.ts';
import { spanLocation } from '../notation/source.ts';

export type Step =
  | { readonly kind: 'einsum'; readonly einsum: Einsum }
  | { readonly kind: 'loop'; readonly variable: string; readonly einsums: readonly Einsum[] };

const loops = new WeakMap<Cascade, ReadonlyMap<Einsum, string>>();

/** The iterative variable of the generation loop an Einsum runs in, if any. */
export function loopVariableOf(c: Cascade, e: Einsum): string | undefined {
  let members = loops.get(c);
  if (!members) loops.set(c, (members = loopMembers(c)));
  return members.get(e);
}

/**
 * The Einsums of each generation loop: those that use the iterative variable v (initializations
 * excepted), less those that need or feed a value complete over v's rank. A reduction over v that does
 * not depend on the loop runs before it (with what it reads), over the whole rank; an Einsum that reads a
 * final generation T[V], a reduction over v computed in the loop, or a result computed after the loop
 * runs after it. A recurrence cannot leave its loop, so it must not need such a value (FM238).
 */
function loopMembers(c: Cascade): Map<Einsum, string> {
  const members = new Map<Einsum, string>();
  const writers = writersOf(c);
  const readsFrom = (e: Einsum, from: ReadonlySet<Einsum>): boolean => accessesOf(e.expr).some((a) => (writers.get(a.tensor) ?? []).some((w) => from.has(w)));
  const reads = (e: Einsum, x: Einsum): boolean => readsFrom(e, new Set([x]));
  const grow = (set: Set<Einsum>, pool: readonly Einsum[], joins: (e: Einsum) => boolean): void => {
    for (let grew = true; grew; ) {
      grew = false;
      for (const e of pool) {
        if (set.has(e) || !joins(e)) continue;
        set.add(e);
        grew = true;
      }
    }
  };
  for (const [v, it] of c.iterativeRanks) {
    const candidates = c.einsums.filter((e) => !e.initializes && e.vars.has(v) && !members.has(e));
    const reducesV = (e: Einsum): boolean => e.reducedVars.includes(v);
    // Candidates that depend on a recurrence of v.
    const fed = new Set(candidates.filter((e) => e.recurrence?.variable === v));
    grow(fed, candidates, (e) => readsFrom(e, fed));
    const before = new Set(candidates.filter((e) => reducesV(e) && !fed.has(e)));
    grow(before, candidates.filter((e) => !fed.has(e)), (e) => [...before].some((b) => reads(b, e)));
    const inLoop = new Set(candidates.filter((e) => !before.has(e)));
    const completedInLoop = new Set(candidates.filter((e) => reducesV(e) && fed.has(e)));
    const after = new Set<Einsum>();
    grow(after, c.einsums.filter((e) => !e.initializes && !before.has(e)), (e) => inLoop.has(e)
      ? readsFinalGeneration(c, e, it.rank) || readsFrom(e, completedInLoop) || readsFrom(e, after)
      : readsFrom(e, inLoop) || readsFrom(e, after));
    for (const e of candidates) {
      if (before.has(e) || after.has(e)) continue;
      members.set(e, v);
    }
    const stuck = candidates.find((e) => e.recurrence && after.has(e));
    if (stuck) {
      fail('FM238', `the recurrence of '${stuck.output.tensor}' needs a value complete over ${it.rank} inside the loop of ${v}`, spanLocation(c.source, stuck.span),
        `inside the loop read generations ${v} and ${v}+1; final generations and reductions over ${v} are complete only after it`);
    }
  }
  return members;
}

/** Whether `e` reads some tensor at its final generation `T[R]` over the generational rank `R`. */
function readsFinalGeneration(c: Cascade, e: Einsum, rank: string): boolean {
  return accessesOf(e.expr).some((a) => {
    const info = c.tensors.get(a.tensor);
    const i = info ? info.ranks.indexOf(rank) : -1;
    const ix = a.indices[i];
    return info?.generational[i] === true && ix?.kind === 'expr' && ix.expr.kind === 'shape';
  });
}

function writersOf(c: Cascade): Map<string, Einsum[]> {
  const writers = new Map<string, Einsum[]>();
  for (const e of c.einsums) writers.set(e.output.tensor, [...(writers.get(e.output.tensor) ?? []), e]);
  return writers;
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
  const writers = writersOf(c);
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
