/**
 * @file Pass analysis (docs/cascade-notation.md, "Passes"): for every rank R of the iteration space,
 * the pass number of every Einsum that iterates R, the number of passes over R, the passes in which
 * each tensor carrying R is touched, and the chains of dependencies that force each extra pass.
 *
 * An operand read while R streams (same or earlier coordinate, generations v and v+1 at step v) is
 * available in the pass that produced it; one that is complete only after a whole R fiber (reduced
 * over R, read at its final generation T[V], or derived from such a value outside the Einsums of R)
 * is available only in the next pass. Passes are the least fixed point of these constraints
 * (recurrences make the dependency graph cyclic); a cycle through a completion is ill-formed.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { accessesOf, type Cascade, type Einsum, type ValueExpr } from '../ir/cascade.ts';
import { spanLocation } from '../notation/source.ts';

type AccessNode = Extract<ValueExpr, { kind: 'access' }>;

export interface PassChain {
  readonly rank: string;
  /** The pass this dependency forces. */
  readonly pass: number;
  /** The tensor that must be complete (reduced over the rank, or a final generation). */
  readonly completes: string;
  /** The Einsum output that waits for it. */
  readonly reader: string;
  /** Tensors computed outside the rank's Einsums through which the dependency runs. */
  readonly via: readonly string[];
  /** Why the completed tensor is complete only after a whole fiber. */
  readonly reason: 'reduces' | 'final-generation';
}

export interface TensorPasses {
  readonly tensor: string;
  readonly rank: string;
  /** Distinct pass numbers in which the tensor is produced or read, ascending. */
  readonly passes: readonly number[];
}

export interface PassAnalysis {
  /** Passes over each rank of the iteration space. */
  readonly ranks: ReadonlyMap<string, number>;
  /** Per Einsum (by index): its pass over each rank it iterates. Initializations are not traversals. */
  readonly einsumPasses: ReadonlyMap<number, ReadonlyMap<string, number>>;
  readonly tensors: readonly TensorPasses[];
  readonly chains: readonly PassChain[];
}

/** How an operand becomes available to a reader: its pass, and the completion that set it (if any). */
interface Availability {
  readonly pass: number;
  readonly completion?: { readonly tensor: string; readonly via: readonly string[]; readonly reason: PassChain['reason'] };
}

/** Whether an Einsum iterates rank R: some variable of its iteration space ranges over R. */
export function iterates(e: Einsum, rank: string): boolean {
  return !e.initializes && [...e.vars.values()].includes(rank);
}

function reducesRank(e: Einsum, rank: string): boolean {
  return e.reducedVars.some((v) => e.vars.get(v) === rank);
}

/** Ranks of the iteration space of the cascade (initializations excluded), sorted. */
export function iterationRanks(c: Cascade): string[] {
  const out = new Set<string>();
  for (const e of c.einsums) if (!e.initializes) for (const r of e.vars.values()) out.add(r);
  return [...out].sort();
}

class RankAnalysis {
  readonly pass = new Map<Einsum, number>();
  readonly reason = new Map<Einsum, Availability>();
  private readonly members: Einsum[];
  private readonly writers = new Map<string, Einsum[]>();

  constructor(private readonly c: Cascade, readonly rank: string) {
    this.members = c.einsums.filter((e) => iterates(e, rank));
    for (const e of c.einsums) this.writers.set(e.output.tensor, [...(this.writers.get(e.output.tensor) ?? []), e]);
  }

  run(): void {
    for (const e of this.members) this.pass.set(e, 1);
    const limit = this.members.length + 1;
    for (let changed = true; changed; ) {
      changed = false;
      for (const e of this.members) {
        let best: Availability = { pass: 1 };
        for (const a of accessesOf(e.expr)) {
          const av = this.availability(a, e);
          if (av.pass > best.pass) best = av;
        }
        if (best.pass > (this.pass.get(e) as number)) {
          // Stryker disable next-line EqualityOperator: no well-formed cascade reaches pass `limit` (one Einsum per pass at most); an ill-formed one fails one round earlier or later with the same diagnostic
          if (best.pass > limit) this.illFormed(e, best);
          this.pass.set(e, best.pass);
          this.reason.set(e, best);
          changed = true;
        }
      }
    }
  }

  private illFormed(e: Einsum, av: Availability): never {
    return fail('FM250', `ill-formed dependency over rank ${this.rank}: '${e.output.tensor}' needs '${av.completion?.tensor}' complete, which needs '${e.output.tensor}' again`,
      spanLocation(this.c.source, e.span), 'a value complete only after a whole fiber cannot feed back into that same traversal');
  }

  /** When the reader `e` (an Einsum of this rank) can consume access `a`. */
  private availability(a: AccessNode, e: Einsum): Availability {
    const info = this.c.tensors.get(a.tensor);
    // Stryker disable next-line all: a shortcut: an input (or unknown tensor) has no writer, so the loop below gives pass 1 too
    if (!info || info.role === 'input') return { pass: 1 };
    let best: Availability = { pass: 1 };
    const position = info.ranks.indexOf(this.rank);
    // Stryker disable next-line LogicalOperator,OptionalChaining: an access has one index per rank, and indices[-1] is undefined
    const readsFinal = position >= 0 && a.indices[position]?.kind === 'expr' && (a.indices[position] as { expr: { kind: string } }).expr.kind === 'shape';
    // Stryker disable next-line ArrayDeclaration: every intermediate has a writer
    for (const w of this.writers.get(a.tensor) ?? []) {
      let av: Availability;
      if (this.members.includes(w)) {
        const p = this.pass.get(w) as number;
        if (reducesRank(w, this.rank)) av = { pass: p + 1, completion: { tensor: a.tensor, via: [], reason: 'reduces' } };
        else if (readsFinal) av = { pass: p + 1, completion: { tensor: a.tensor, via: [], reason: 'final-generation' } };
        else av = { pass: p };
      } else {
        av = this.completeAvailability(w, new Set());
      }
      if (av.pass > best.pass) best = av;
    }
    void e;
    return best;
  }

  /** An Einsum outside this rank's traversal consumes its operands whole: available after their completion. */
  private completeAvailability(w: Einsum, seen: Set<Einsum>): Availability {
    // Stryker disable next-line ObjectLiteral: {} has no pass, and an undefined pass never beats the best
    if (seen.has(w)) return { pass: 1 };
    seen.add(w);
    let best: Availability = { pass: 1 };
    for (const a of accessesOf(w.expr)) {
      const info = this.c.tensors.get(a.tensor);
      // Stryker disable next-line LogicalOperator,StringLiteral: a shortcut: an input has no writer, so the loop below adds nothing for it
      if (!info || info.role === 'input') continue;
      // Stryker disable next-line ArrayDeclaration: every intermediate has a writer
      for (const x of this.writers.get(a.tensor) ?? []) {
        let av: Availability;
        if (this.members.includes(x)) {
          av = { pass: (this.pass.get(x) as number) + 1, completion: { tensor: a.tensor, via: [w.output.tensor], reason: reducesRank(x, this.rank) ? 'reduces' : 'final-generation' } };
        } else {
          const inner = this.completeAvailability(x, seen);
          av = inner.completion ? { pass: inner.pass, completion: { ...inner.completion, via: [...inner.completion.via, w.output.tensor] } } : inner;
        }
        if (av.pass > best.pass) best = av;
      }
    }
    return best;
  }

  passes(): number {
    return Math.max(1, ...this.members.map((e) => this.pass.get(e) as number));
  }

  /** Distinct passes in which each tensor carrying the rank is produced or read. */
  tensorPasses(): Map<string, Set<number>> {
    const touched = new Map<string, Set<number>>();
    const touch = (name: string, p: number): void => {
      const info = this.c.tensors.get(name);
      // Stryker disable next-line OptionalChaining: every touched tensor is in the cascade
      if (!info?.ranks.includes(this.rank)) return;
      touched.set(name, (touched.get(name) ?? new Set()).add(p));
    };
    for (const e of this.members) {
      const p = this.pass.get(e) as number;
      touch(e.output.tensor, p);
      for (const a of accessesOf(e.expr)) touch(a.tensor, p);
    }
    return touched;
  }

  /** Inputs read by this rank's Einsums through a partition of one of their ranks (K[e, m1*M0+m0]). */
  partitionedReads(whole: string): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    for (const e of this.members) {
      for (const a of accessesOf(e.expr)) {
        const info = this.c.tensors.get(a.tensor);
        // Stryker disable next-line OptionalChaining: every accessed tensor is in the cascade
        if (info?.ranks.includes(whole)) out.set(a.tensor, (out.get(a.tensor) ?? new Set()).add(this.pass.get(e) as number));
      }
    }
    return out;
  }

  chains(): PassChain[] {
    const out: PassChain[] = [];
    for (const e of this.members) {
      const r = this.reason.get(e);
      const p = this.pass.get(e) as number;
      if (!r?.completion || p < 2) continue;
      // Stryker disable next-line OptionalChaining: the line above skips readers without a completion
      if (out.some((x) => x.pass === p && x.completes === r.completion?.tensor)) continue;
      out.push({ rank: this.rank, pass: p, completes: r.completion.tensor, reader: e.output.tensor, via: r.completion.via, reason: r.completion.reason });
    }
    return out;
  }
}

const ANALYSES = new WeakMap<Cascade, PassAnalysis>();

/** Analyse every rank of the iteration space (once per cascade: the IR is immutable). */
export function analysePasses(c: Cascade): PassAnalysis {
  let a = ANALYSES.get(c);
  if (!a) {
    a = analyse(c);
    ANALYSES.set(c, a);
  }
  return a;
}

function analyse(c: Cascade): PassAnalysis {
  const ranks = new Map<string, number>();
  const einsumPasses = new Map<number, Map<string, number>>();
  const tensors: TensorPasses[] = [];
  const chains: PassChain[] = [];
  const analyses = new Map<string, RankAnalysis>();
  for (const rank of iterationRanks(c)) {
    const ra = new RankAnalysis(c, rank);
    ra.run();
    analyses.set(rank, ra);
    ranks.set(rank, ra.passes());
    for (const [e, p] of ra.pass) {
      const m = einsumPasses.get(e.index) ?? new Map<string, number>();
      m.set(rank, p);
      einsumPasses.set(e.index, m);
    }
    for (const [tensor, set] of ra.tensorPasses()) tensors.push({ tensor, rank, passes: [...set].sort((a, b) => a - b) });
    chains.push(...ra.chains());
  }
  // A rank that is never iterated whole but partitioned (M of K in the 1-pass cascade) is traversed as
  // its outermost partition rank: report those tensors' passes over it from that rank's analysis.
  for (const p of c.partitions) {
    if (ranks.has(p.whole)) continue;
    const outer = analyses.get(p.outer);
    if (!outer) continue;
    for (const [tensor, set] of outer.partitionedReads(p.whole)) tensors.push({ tensor, rank: p.whole, passes: [...set].sort((a, b) => a - b) });
  }
  const order = [...c.tensors.keys()];
  tensors.sort((a, b) => order.indexOf(a.tensor) - order.indexOf(b.tensor) || a.rank.localeCompare(b.rank));
  return { ranks, einsumPasses, tensors, chains };
}
