/**
 * @file The fewest passes over each rank that any cascade computing the same outputs needs, with the
 * reason. The argument (docs/passes.md, "Lower bound"):
 *
 * - In a pass over R, a value at coordinate r of R is computed from values at coordinates ≤ r of
 *   what this pass streams, from inputs (each read at a fixed number of coordinates per point), and
 *   from values completed before the pass began. So after one pass an element at coordinate r depends
 *   on a number of coordinates that does not grow with R — except through a reduction over R (or a
 *   recurrence over R read at its final generation), which is complete only after the whole fiber.
 * - Hence an output that carries R and whose elements depend on such a completion needs a first pass
 *   to complete it and a second to produce the output: at least 2. An output that depends on data
 *   along R needs at least 1. Nothing else forces more, and the rewrite rules reach these numbers on
 *   every cascade whose completed values enter the later Einsums through expandable polynomials or
 *   rescalable normalizers (src/rewrite/); where they cannot, `optimize` says it stopped short.
 *
 * The model is the pass definition of docs/cascade-notation.md: every Einsum iterates R through one
 * variable (an Einsum with two variables over R re-traverses R at every coordinate of R).
 *
 * A partitioned rank is counted on its outermost part (M1 for M = M1 × M0); inner parts get no bound.
 */
import { accessesOf, type Cascade, type Einsum, type TensorInfo } from '../ir/cascade.ts';
import { iterates, iterationRanks } from './passes.ts';

export interface RankBound {
  readonly rank: string;
  /** The rank this one stands for when it is the outer part of a partition (M for M1). */
  readonly whole?: string;
  readonly passes: number;
  /** The argument in words. */
  readonly reason: string;
  /** The output that forces the bound, and the completed value it depends on (for a bound of 2). */
  readonly output?: string;
  readonly completes?: string;
  /** Einsums that iterate the rank through more than one variable (outside the model: noted, not bounded). */
  readonly nested: readonly string[];
}

function reducesRank(e: Einsum, rank: string): boolean {
  return e.reducedVars.some((v) => e.vars.get(v) === rank);
}

/** Whether an access reads tensor `info` at its final generation over `rank` (T[..., R, ...]). */
function readsFinal(info: TensorInfo | undefined, indices: Einsum['output']['indices'], rank: string): boolean {
  if (!info) return false;
  // Stryker disable next-line OptionalChaining: an access has one index per rank of its tensor
  return info.ranks.some((r, i) => r === rank && info.generational[i] === true && indices[i]?.kind === 'expr' && (indices[i] as { expr: { kind: string } }).expr.kind === 'shape');
}

interface Reach {
  /** Whether the tensor depends on an Einsum that iterates the rank. */
  readonly alongRank: boolean;
  /** The nearest completed value it depends on (reduced over the rank or read at its final generation). */
  readonly completion: string | undefined;
}

class RankReach {
  private readonly memo = new Map<string, Reach>();
  private readonly writers = new Map<string, Einsum[]>();

  constructor(private readonly c: Cascade, private readonly rank: string) {
    for (const e of c.einsums) this.writers.set(e.output.tensor, [...(this.writers.get(e.output.tensor) ?? []), e]);
  }

  of(tensor: string): Reach {
    const known = this.memo.get(tensor);
    if (known) return known;
    // Recurrences read themselves: a provisional entry ends the cycle.
    // Stryker disable next-line ObjectLiteral: {} reads as no rank and no completion, the same
    this.memo.set(tensor, { alongRank: false, completion: undefined });
    let alongRank = false;
    let completion: string | undefined;
    // Stryker disable next-line ArrayDeclaration: unreachable: an output is computed by an Einsum (FM207), and inputs are skipped below
    for (const w of this.writers.get(tensor) ?? []) {
      if (iterates(w, this.rank)) alongRank = true;
      if (reducesRank(w, this.rank)) completion ??= tensor;
      for (const a of accessesOf(w.expr)) {
        const info = this.c.tensors.get(a.tensor);
        if (readsFinal(info, a.indices, this.rank)) completion ??= a.tensor;
        // Stryker disable next-line LogicalOperator,OptionalChaining,StringLiteral: shortcuts: an input has no writer, and a tensor's read of itself finds its provisional entry; both would add nothing
        if (a.tensor === tensor || info?.role === 'input') continue;
        const r = this.of(a.tensor);
        alongRank ||= r.alongRank;
        completion ??= r.completion;
      }
    }
    const reach = { alongRank, completion };
    this.memo.set(tensor, reach);
    return reach;
  }
}

/** Whether output `info` carries `rank` (for an outer partition rank, also its whole rank). */
function carries(c: Cascade, info: TensorInfo, rank: string): boolean {
  const whole = c.partitions.find((p) => p.outer === rank)?.whole;
  return info.ranks.includes(rank) || (whole !== undefined && info.ranks.includes(whole));
}

/** The lower bound on the passes over one rank. */
export function rankLowerBound(c: Cascade, rank: string): RankBound {
  const whole = c.partitions.find((p) => p.outer === rank)?.whole;
  const counted = whole ? `${rank} (the outer part of ${whole})` : rank;
  const nested = c.einsums.filter((e) => iterates(e, rank) && [...e.vars.values()].filter((r) => r === rank).length > 1).map((e) => e.output.tensor);
  const base = { rank, ...(whole ? { whole } : {}), nested };
  const reach = new RankReach(c, rank);
  const outputs = c.outputs.map((o) => ({ name: o, info: c.tensors.get(o) as TensorInfo, reach: reach.of(o) }));
  const forcing = outputs.find((o) => carries(c, o.info, rank) && o.reach.completion !== undefined);
  if (forcing) {
    const t = forcing.reach.completion as string;
    const how = c.einsums.some((e) => e.output.tensor === t && reducesRank(e, rank)) ? `${t} reduces ${rank}` : `${t} is read at its final generation over ${rank}`;
    return {
      ...base, passes: 2, output: forcing.name, completes: t,
      reason: `${forcing.name} carries ${rank} and depends on ${t}, complete only after a whole ${rank} fiber (${how}); in one pass an element at coordinate r could depend only on coordinates up to r, so at least 2 passes over ${counted}`,
    };
  }
  const along = outputs.find((o) => o.reach.alongRank);
  if (along) {
    const carrying = outputs.filter((o) => carries(c, o.info, rank)).map((o) => o.name);
    const why = carrying.length === 0 ? `no output carries ${rank}` : `${carrying.join(', ')} carr${carrying.length > 1 ? 'y' : 'ies'} ${rank} but depend${carrying.length > 1 ? '' : 's'} on no value complete only after a whole ${rank} fiber`;
    return { ...base, passes: 1, output: along.name, reason: `${along.name} depends on data along ${rank} and ${why}: 1 pass over ${counted}` };
  }
  return { ...base, passes: 0, reason: `no output depends on an Einsum that iterates ${rank}: it could be dropped` };
}

/** Lower bounds for every rank of the iteration space except the inner parts of partitions. */
export function lowerBounds(c: Cascade): Map<string, RankBound> {
  const inner = new Set(c.partitions.map((p) => p.inner));
  return new Map(iterationRanks(c).filter((r) => !inner.has(r)).map((r) => [r, rankLowerBound(c, r)]));
}
