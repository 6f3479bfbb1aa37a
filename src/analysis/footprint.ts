/**
 * @file The cost of a tensor touched in more than one pass over a rank: what it takes not to lose it
 * between passes. Three ways: keep it on chip (buffer its live footprint), spill it and re-read it once
 * per extra pass, or recompute it from its inputs once per extra pass. Each is given symbolically in
 * the shapes (M·P, M0·P, M·P·E) and, when shapes are known, as numbers.
 */
import type { Cascade, Einsum } from '../ir/cascade.ts';
import type { Shapes } from '../ir/shapes.ts';
import type { PassAnalysis } from './passes.ts';

export interface Quantity {
  /** Product of shape names, e.g. `M·P` (`1` for a scalar). */
  readonly symbolic: string;
  /** Its value under the given shapes (undefined without shapes). */
  readonly value?: number;
}

export interface FootprintEntry {
  readonly tensor: string;
  readonly rank: string;
  readonly passes: readonly number[];
  /** Elements to keep on chip across the pass boundary (the rank's fiber with the ranks it lives with). */
  readonly buffer: Quantity;
  /** Extra elements read from the level below if it is spilled and re-read (all passes after the first). */
  readonly reread: Quantity;
  /** Extra compute operations to rebuild it in every pass after the first (null for inputs: nothing to recompute). */
  readonly recompute: Quantity | null;
  /** Which Einsum recomputes it. */
  readonly producer: string | null;
}

function product(names: readonly string[], shapes?: Shapes, times = 1): Quantity {
  // Stryker disable next-line StringLiteral: unreachable: every footprint keeps at least the rank it lives across
  const symbolic = [...(times > 1 ? [String(times)] : []), ...names].join('·') || '1';
  if (!shapes) return { symbolic };
  return { symbolic, value: names.reduce((acc, n) => acc * (shapes.get(n) ?? NaN), times) };
}

/** Ranks to buffer for tensor ranks `ranks` over `rank`: all but the outer partition ranks of `rank` (one tile at a time). */
function bufferedRanks(c: Cascade, ranks: readonly string[], rank: string): string[] {
  const outer = c.partitions.filter((p) => p.inner === rank).map((p) => p.outer);
  return ranks.filter((r) => !outer.includes(r));
}

/** Operations per output element of an Einsum: one per point of its reduced ranks (at least one). */
function opsPerElement(e: Einsum): string[] {
  return e.reducedVars.map((v) => e.vars.get(v) as string);
}

export function liveFootprint(c: Cascade, analysis: PassAnalysis, shapes?: Shapes): FootprintEntry[] {
  const out: FootprintEntry[] = [];
  for (const t of analysis.tensors) {
    if (t.passes.length < 2) continue;
    const info = c.tensors.get(t.tensor);
    // Stryker disable next-line ConditionalExpression: unreachable: the analysis lists only tensors of the cascade
    if (!info) continue;
    const extra = t.passes.length - 1;
    const producer = c.einsums.find((e) => e.output.tensor === t.tensor && !e.initializes) ?? null;
    out.push({
      tensor: t.tensor,
      rank: t.rank,
      passes: t.passes,
      buffer: product(bufferedRanks(c, info.ranks, t.rank), shapes),
      reread: product(info.ranks, shapes, extra),
      recompute: producer ? product([...info.ranks, ...opsPerElement(producer)], shapes, extra) : null,
      producer: producer ? producer.output.tensor : null,
    });
  }
  return out;
}
