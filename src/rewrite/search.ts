/**
 * @file `optimize`: a best-first search over the rewrite rules (prune, defer, expand, split,
 * partition, online) that minimises the passes over one rank, then the operations, then the number
 * of rules. Every rule is tried on every state and states are deduplicated by their canonical text,
 * so the result does not depend on the order in which rules are listed or happen to apply. The best
 * state is then verified against the original on random data (src/rewrite/verify.ts): a numerically
 * unstable one is refused (unless allowed) and the next best taken. The result also carries the
 * lower bound on the passes (src/analysis/lower-bound.ts) and whether it was reached.
 */
import type { Cascade, ValueExpr } from '../ir/cascade.ts';
import { isRagged, resolveShapes, type Shapes } from '../ir/shapes.ts';
import { analysePasses } from '../analysis/passes.ts';
import { rankLowerBound, type RankBound } from '../analysis/lower-bound.ts';
import { defaultFusedRank } from '../exec/fused.ts';
import { defer } from './defer.ts';
import { draftCascade, draftOf, draftText } from './draft.ts';
import { expand } from './expand.ts';
import { online } from './online.ts';
import { DEFAULT_CHUNK, partition } from './partition.ts';
import { prune } from './prune.ts';
import type { Refusal, Rewrite, RuleResult } from './rule.ts';
import { split } from './split.ts';
import { STABILITY_TOLERANCE, allowedError, stabilityOf, Verifier, type Stability, type Verification } from './verify.ts';

export { verifyRewrite, verificationShapes, type Stability, type Verification } from './verify.ts';

export type RuleName = Rewrite['rule'];
export const ALL_RULES: readonly RuleName[] = ['prune', 'defer', 'expand', 'split', 'partition', 'online'];

export interface OptimizeOptions {
  /** The rank whose passes to minimise (default: the one with the most passes). */
  readonly rank?: string;
  readonly rules?: readonly RuleName[];
  readonly chunk?: number;
  /** Shapes used to count operations (default: 1024 for every rank, the chunk for a partition). */
  readonly shapes?: ReadonlyMap<string, number>;
  readonly maxStates?: number;
  /** Verify the result on random data and refuse unstable rewrites (default true). */
  readonly verify?: boolean;
  /** Accept a rewrite whose relative error exceeds the tolerance (with a warning). */
  readonly allowUnstable?: boolean;
  readonly tolerance?: number;
}

/** A rule as applied, with the error of the cascade after it against the original. */
export interface AppliedRule extends Rewrite {
  readonly verification?: Verification;
}

export interface OptimizeResult {
  readonly rank: string;
  /** The rank the passes are counted on in the result (the outer part once the rank is partitioned). */
  readonly countedRank: string;
  readonly original: Cascade;
  readonly cascade: Cascade;
  readonly text: string;
  readonly rules: readonly AppliedRule[];
  readonly passesBefore: ReadonlyMap<string, number>;
  readonly passesAfter: ReadonlyMap<string, number>;
  /** The fewest passes over the rank any cascade computing the same outputs needs, and whether the result makes that many. */
  readonly lowerBound: RankBound;
  readonly reached: boolean;
  /** Operations (map and reduce) at the counting shapes, before and after. */
  readonly compute: { readonly before: number; readonly after: number; readonly shapes: ReadonlyMap<string, number> };
  /** The result against the original (absent when verification was off). */
  readonly verification?: Verification;
  readonly stability: Stability | 'unverified';
  readonly tolerance: number;
  /** Unstable rewrites that were refused (or, when allowed, accepted). */
  readonly warnings: readonly string[];
  /** Why rules that were tried on the final cascade did not apply. */
  readonly refusals: readonly Refusal[];
  /** States the search expanded. */
  readonly explored: number;
}

function mapOps(x: ValueExpr): number {
  switch (x.kind) {
    case 'const': case 'access': case 'shape': return 0;
    case 'unary': return 1 + mapOps(x.operand);
    case 'binary': return 1 + mapOps(x.left) + mapOps(x.right);
    default: { const never: never = x; return never; }
  }
}

/** Map and reduce operations of a whole cascade: per Einsum, operations per point × points (a partial last tile counts its real points). */
export function operationCount(c: Cascade, shapes: Shapes): number {
  let total = 0;
  for (const e of c.einsums) {
    const perPoint = mapOps(e.expr) + (e.reduction ? 1 : 0);
    if (perPoint === 0) continue;
    let points = 1;
    for (const [v, r] of e.vars) if (!e.filters.some((f) => f.variable === v && f.op === '==')) points *= shapes.get(r) ?? 1;
    const ranks = [...e.vars.values()];
    for (const p of c.partitions) {
      if (isRagged(p, shapes) && ranks.includes(p.outer) && ranks.includes(p.inner)) points = (points / ((shapes.get(p.outer) as number) * (shapes.get(p.inner) as number))) * (shapes.get(p.whole) as number);
    }
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
export function trackedRank(c: Cascade, rank: string): string {
  return c.partitions.find((p) => p.whole === rank)?.outer ?? rank;
}

interface State {
  readonly cascade: Cascade;
  readonly rules: readonly Rewrite[];
  /** The cascade after each rule (same length as rules). */
  readonly chain: readonly Cascade[];
  readonly passes: number;
  readonly ops: number;
  readonly key: string;
}

/** Expansions after the first state at the lower bound (to find one with fewer operations). */
const AFTER_BOUND = 24;

const better = (a: State, b: State) => a.passes - b.passes || a.ops - b.ops || a.rules.length - b.rules.length;

export function optimize(original: Cascade, options: OptimizeOptions = {}): OptimizeResult {
  const rules = options.rules ?? ALL_RULES;
  const chunk = options.chunk ?? DEFAULT_CHUNK;
  const tolerance = options.tolerance ?? STABILITY_TOLERANCE;
  const before = analysePasses(original);
  const rank = options.rank ?? defaultFusedRank(original, before);
  const lowerBound = rankLowerBound(original, trackedRank(original, rank));
  const shapesFor = (c: Cascade) => countingShapes(c, options.shapes);
  const state = (cascade: Cascade, applied: readonly Rewrite[], chain: readonly Cascade[]): State => ({
    cascade, rules: applied, chain, passes: analysePasses(cascade).ranks.get(trackedRank(cascade, rank)) ?? 0,
    ops: operationCount(cascade, shapesFor(cascade)), key: draftText(draftOf(cascade)),
  });
  const start = state(original, [], []);
  const queue: State[] = [start];
  const all: State[] = [start];
  const seen = new Set<string>([start.key]);
  const limit = options.maxStates ?? 200;
  const verify = options.verify ?? true;
  const verifier = new Verifier(original, tolerance);
  const warnings: string[] = [];
  const verified = new Map<State, { v: Verification; st: Stability }>();
  /** Verify a state (once); an unstable one is refused unless allowed, with a warning per pass count. */
  const acceptable = (s: State): boolean => {
    if (!verify || s === start) return true;
    let known = verified.get(s);
    if (!known) {
      const v = verifier.verify(s.cascade);
      known = { v, st: stabilityOf(v, tolerance) };
      verified.set(s, known);
      if (known.st === 'unstable') {
        const worst = v.cases.filter((x) => !x.skipped && !(x.maxRelError <= allowedError(x, tolerance))).map((x) => `${x.maxRelError.toExponential(2)} on ${describeData(x)} (allowed ${allowedError(x, tolerance).toExponential(1)})`).join(', ');
        const what = `a rewrite to ${s.passes} pass${s.passes === 1 ? '' : 'es'} over ${trackedRank(s.cascade, rank)} (${s.rules.map((r) => r.rule).join(', ')}) is numerically unstable: relative error ${worst}`;
        if (!warnings.some((w) => w.includes(`to ${s.passes} pass`))) warnings.push(`${what}; ${options.allowUnstable ? 'accepted (--allow-unstable)' : 'refused (--allow-unstable accepts it)'}`);
      }
    }
    return known.st === 'stable' || options.allowUnstable === true;
  };
  const tradeVerdicts = new Map<string, boolean>();
  let explored = 0;
  // States at the lower bound are verified when they come up, until one is acceptable (an unstable one
  // is not expanded); then a few more expansions look for one with fewer operations.
  let budget = limit;
  while (queue.length > 0 && explored < budget) {
    queue.sort(better);
    const s = queue.shift() as State;
    explored++;
    if (s.passes <= lowerBound.passes && budget === limit) {
      if (!acceptable(s)) continue;
      budget = Math.min(budget, explored + AFTER_BOUND);
    }
    for (const r of ruleApplications(s.cascade, rank, rules, chunk)) {
      if (!r.ok) continue;
      const key = draftText(r.rewrite.draft);
      if (seen.has(key)) continue; // commuting rules reach the same cascade
      seen.add(key);
      let next: Cascade;
      try {
        next = draftCascade(r.rewrite.draft);
      } catch {
        continue; // a rewrite that does not check is not a candidate
      }
      const ns = state(next, [...s.rules, r.rewrite], [...s.chain, next]);
      seen.add(ns.key);
      if (r.rewrite.trades) {
        // An unstable form is not built upon; the same rewrite after other rules is judged the same.
        const verdict = tradeVerdicts.get(r.rewrite.description) ?? acceptable(ns);
        tradeVerdicts.set(r.rewrite.description, verdict);
        if (!verdict) continue;
      }
      queue.push(ns);
      all.push(ns);
    }
  }
  all.sort(better);
  const best = all.find(acceptable) as State;
  const verification = verify ? verifier.verify(best.cascade) : undefined;
  const stability: Stability | 'unverified' = verification ? stabilityOf(verification, tolerance) : 'unverified';
  const applied: AppliedRule[] = best.rules.map((r, i) => (verify ? { ...r, verification: verifier.verify(best.chain[i] as Cascade) } : r));
  const refusals = ruleApplications(best.cascade, rank, rules, chunk).filter((r): r is Extract<RuleResult, { ok: false }> => !r.ok).map((r) => r.refusal);
  const countedRank = trackedRank(best.cascade, rank);
  const passesAfter = analysePasses(best.cascade).ranks;
  return {
    rank, countedRank, original, cascade: best.cascade, text: best.key, rules: applied, passesBefore: before.ranks, passesAfter,
    lowerBound, reached: (passesAfter.get(countedRank) ?? 0) <= lowerBound.passes,
    compute: { before: start.ops, after: best.ops, shapes: shapesFor(best.cascade) },
    ...(verification ? { verification } : {}), stability, tolerance, warnings, refusals, explored,
  };
}

function describeData(x: Verification['cases'][number]): string {
  return x.data === 'offset' ? `data with ${x.input} offset by ${x.offset.toExponential(0)}` : x.data === 'scaled' ? `data scaled by ${x.scale}` : 'standard normal data';
}

/** Every rule application on a cascade for minimising the passes over `rank` (successes and refusals). */
export function ruleApplications(c: Cascade, rank: string, rules: readonly RuleName[] = ALL_RULES, chunk = DEFAULT_CHUNK): RuleResult[] {
  const d = draftOf(c);
  const out: RuleResult[] = [];
  const counted = trackedRank(c, rank);
  const parts = c.partitions.filter((p) => p.outer === counted);
  const family = new Set([rank, counted, ...parts.map((p) => p.inner)]);
  const reduces = (e: Cascade['einsums'][number], ranks: ReadonlySet<string>) => e.reducedVars.some((v) => ranks.has(e.vars.get(v) as string));
  for (const rule of ALL_RULES) {
    if (!rules.includes(rule)) continue;
    switch (rule) {
      case 'prune': {
        const r = prune(d);
        if (r.ok) out.push(r);
        break;
      }
      case 'defer': c.einsums.forEach((e, i) => { if (e.reducedVars.length) out.push(defer(d, i)); }); break;
      case 'expand':
        c.einsums.forEach((e, i) => {
          if (!reduces(e, family)) return;
          const shifted = expand(c, d, i);
          out.push(shifted);
          // The textbook form too (fewer operations): verification decides whether it is stable enough.
          const textbook = expand(c, d, i, false);
          if (textbook.ok && textbook.rewrite.trades) out.push(textbook);
        });
        break;
      case 'split': for (const p of parts) out.push(split(c, d, p)); break;
      case 'partition': if (!c.partitions.some((p) => p.whole === rank || p.outer === rank || p.inner === rank) && analysePasses(c).ranks.has(rank)) out.push(partition(c, d, rank, chunk)); break;
      case 'online': c.einsums.forEach((e, i) => { if (reduces(e, new Set([counted]))) out.push(online(c, d, i)); }); break;
      default: { const never: never = rule; return never; }
    }
  }
  return out;
}

