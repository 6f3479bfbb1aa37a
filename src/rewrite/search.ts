/**
 * @file `optimize`: a best-first search over the rewrite rules (defer, partition, online) that
 * minimises the passes over one rank (then the compute), and the verification that runs the result
 * against the original on random data, ordinary and of large magnitude.
 */
import type { Cascade, Einsum, ValueExpr } from '../ir/cascade.ts';
import { resolveShapes, type Shapes } from '../ir/shapes.ts';
import { analysePasses } from '../analysis/passes.ts';
import { defaultFusedRank } from '../exec/fused.ts';
import { completeInputs } from '../exec/inputs.ts';
import { runCascade } from '../exec/run.ts';
import { maxRelativeDifference, Tensor } from '../tensor/index.ts';
import { defer } from './defer.ts';
import { draftCascade, draftOf, draftText } from './draft.ts';
import { online } from './online.ts';
import { DEFAULT_CHUNK, partition } from './partition.ts';
import type { Refusal, Rewrite, RuleResult } from './rule.ts';

export type RuleName = Rewrite['rule'];
export const ALL_RULES: readonly RuleName[] = ['defer', 'partition', 'online'];

export interface OptimizeOptions {
  /** The rank whose passes to minimise (default: the one with the most passes). */
  readonly rank?: string;
  readonly rules?: readonly RuleName[];
  readonly chunk?: number;
  /** Shapes used to count operations (default: 1024 for every rank, the chunk for a partition). */
  readonly shapes?: ReadonlyMap<string, number>;
  readonly maxStates?: number;
}

export interface OptimizeResult {
  readonly rank: string;
  readonly original: Cascade;
  readonly cascade: Cascade;
  readonly text: string;
  readonly rules: readonly Rewrite[];
  readonly passesBefore: ReadonlyMap<string, number>;
  readonly passesAfter: ReadonlyMap<string, number>;
  /** Operations (map and reduce) at the counting shapes, before and after. */
  readonly compute: { readonly before: number; readonly after: number; readonly shapes: ReadonlyMap<string, number> };
  /** Why rules that were tried on the final cascade did not apply. */
  readonly refusals: readonly Refusal[];
}

function mapOps(x: ValueExpr): number {
  switch (x.kind) {
    case 'const': case 'access': case 'shape': return 0;
    case 'unary': return 1 + mapOps(x.operand);
    case 'binary': return 1 + mapOps(x.left) + mapOps(x.right);
    default: { const never: never = x; return never; }
  }
}

/** Map and reduce operations of a whole cascade: per Einsum, operations per point × points. */
export function operationCount(c: Cascade, shapes: Shapes): number {
  let total = 0;
  for (const e of c.einsums) {
    const perPoint = mapOps(e.expr) + (e.reduction ? 1 : 0);
    if (perPoint === 0) continue;
    let points = 1;
    for (const [v, r] of e.vars) if (!e.filters.some((f) => f.variable === v && f.op === '==')) points *= shapes.get(r) ?? 1;
    total += perPoint * points;
  }
  return total;
}

/** Shapes for counting: given ones, else 1024 per rank and the chunk for partition ranks. */
function countingShapes(c: Cascade, given: ReadonlyMap<string, number> | undefined): Shapes {
  const wanted = new Map<string, number>();
  for (const t of c.tensors.values()) if (t.role === 'input') for (const r of t.ranks) wanted.set(r, given?.get(r) ?? 1024);
  return resolveShapes(c, wanted);
}

/** The rank the objective follows: R, or its outer partition once R is partitioned. */
function tracked(c: Cascade, rank: string): string {
  return c.partitions.find((p) => p.whole === rank)?.outer ?? rank;
}

interface State {
  readonly cascade: Cascade;
  readonly rules: Rewrite[];
  readonly passes: number;
  readonly ops: number;
  readonly key: string;
}

export function optimize(original: Cascade, options: OptimizeOptions = {}): OptimizeResult {
  const rules = options.rules ?? ALL_RULES;
  const chunk = options.chunk ?? DEFAULT_CHUNK;
  const before = analysePasses(original);
  const rank = options.rank ?? defaultFusedRank(original, before);
  const shapesFor = (c: Cascade) => countingShapes(c, options.shapes);
  const state = (cascade: Cascade, applied: Rewrite[]): State => ({
    cascade, rules: applied, passes: analysePasses(cascade).ranks.get(tracked(cascade, rank)) ?? 1,
    ops: operationCount(cascade, shapesFor(cascade)), key: draftText(draftOf(cascade)),
  });
  const counts = (cascade: Cascade): boolean => {
    try { shapesFor(cascade); return true; } catch { return false; }
  };
  const better = (a: State, b: State) => a.passes - b.passes || a.ops - b.ops || a.rules.length - b.rules.length;
  const start = state(original, []);
  const queue: State[] = [start];
  const seen = new Set<string>([start.key]);
  let best = start;
  const limit = options.maxStates ?? 200;
  let expanded = 0;
  while (queue.length > 0 && expanded < limit) {
    queue.sort(better);
    const s = queue.shift() as State;
    expanded++;
    if (better(s, best) < 0) best = s;
    for (const r of candidates(s.cascade, rank, rules, chunk)) {
      if (!r.ok) continue;
      let next: Cascade;
      try {
        next = draftCascade(r.rewrite.draft);
      } catch {
        continue; // a rewrite that does not check is not a candidate
      }
      if (!counts(next)) continue; // e.g. a chunk that does not divide the counting shapes
      const ns = state(next, [...s.rules, r.rewrite]);
      if (seen.has(ns.key)) continue;
      seen.add(ns.key);
      queue.push(ns);
    }
  }
  const refusals = candidates(best.cascade, rank, rules, chunk).filter((r): r is Extract<RuleResult, { ok: false }> => !r.ok).map((r) => r.refusal);
  return {
    rank, original, cascade: best.cascade, text: best.key, rules: best.rules, passesBefore: before.ranks, passesAfter: analysePasses(best.cascade).ranks,
    compute: { before: start.ops, after: best.ops, shapes: shapesFor(best.cascade) }, refusals,
  };
}

/** Every rule application on a cascade (successes and refusals). */
function candidates(c: Cascade, rank: string, rules: readonly RuleName[], chunk: number): RuleResult[] {
  const d = draftOf(c);
  const out: RuleResult[] = [];
  const r = tracked(c, rank);
  if (rules.includes('defer')) c.einsums.forEach((e, i) => { if (e.reducedVars.length) out.push(defer(d, i)); });
  if (rules.includes('partition') && !c.partitions.some((p) => p.whole === rank) && analysePasses(c).ranks.has(rank)) out.push(partition(c, d, rank, chunk));
  if (rules.includes('online')) c.einsums.forEach((e: Einsum, i) => { if (e.reducedVars.some((v) => e.vars.get(v) === r)) out.push(online(c, d, i)); });
  return out;
}

export interface Verification {
  /** Largest relative difference of any output over all cases. */
  readonly maxRelError: number;
  readonly cases: ReadonlyArray<{ readonly scale: number; readonly seed: number; readonly maxRelError: number }>;
}

/**
 * Run both cascades on the same random inputs (normal data, then scaled by `largeScale` so that
 * attention logits reach ~1e4) at small shapes, and compare every output of the original.
 */
export function verifyRewrite(original: Cascade, rewritten: Cascade, shapes: ReadonlyMap<string, number>, largeScale = 30): Verification {
  const s0 = resolveShapes(original, new Map([...shapes].filter(([k]) => [...original.tensors.values()].some((t) => t.ranks.includes(k)))));
  const s1 = resolveShapes(rewritten, new Map([...shapes].filter(([k]) => [...rewritten.tensors.values()].some((t) => t.ranks.includes(k)) || rewritten.partitions.some((p) => p.inner === k || p.outer === k))));
  const cases: Array<{ scale: number; seed: number; maxRelError: number }> = [];
  for (const [scale, seed] of [[1, 11], [largeScale, 12]] as const) {
    const base = completeInputs(original, s0, seed);
    const inputs = new Map([...base].map(([n, t]) => [n, Tensor.fromDense(n, t.rankIds, t.shape, t.toDense().map((v) => v * scale))]));
    const a = runCascade(original, s0, inputs);
    const b = runCascade(rewritten, s1, inputs);
    let err = 0;
    for (const [name, t] of a.outputs) {
      const other = b.tensors.get(name);
      if (!other) throw new Error(`the rewritten cascade lost output ${name}`);
      err = Math.max(err, maxRelativeDifference(other.toDense(), t.toDense()));
    }
    cases.push({ scale, seed, maxRelError: err });
  }
  return { maxRelError: Math.max(...cases.map((x) => x.maxRelError)), cases };
}
