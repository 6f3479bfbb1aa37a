/**
 * @file The pass-fused schedule: for a chosen rank R, all Einsums of one pass over R run as ONE
 * traversal of R (for each coordinate r of R, every Einsum of the pass at r), passes one after
 * another; Einsums that do not iterate R run as soon as their inputs are complete. Inside the loop of
 * another iterative rank the same happens per generation. An access trace counts the traversals and
 * records in which traversal each tensor was touched, showing that the analysed pass count is reached.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { accessesOf, compare, evalRankExpr, type Cascade, type Einsum, type ValueExpr } from '../ir/cascade.ts';
import type { Shapes } from '../ir/shapes.ts';
import { analysePasses, iterates, type PassAnalysis } from '../analysis/passes.ts';
import type { Tensor } from '../tensor/index.ts';
import { Execution, type RunOptions, type RunResult } from './run.ts';
import { loopVariableOf } from './schedule.ts';
import type { EinsumKernel } from './kernel.ts';

export interface FusedTrace {
  readonly rank: string;
  /** Traversals of one R fiber (per generation of an enclosing iterative rank, if any). */
  readonly traversalsPerFiber: number;
  /** Traversals of R in the whole run. */
  readonly totalTraversals: number;
  /** For every tensor touched while traversing R: the traversal numbers (within a fiber) it was touched in. */
  readonly touched: ReadonlyMap<string, readonly number[]>;
}

export interface FusedResult extends RunResult {
  readonly trace: FusedTrace;
}

/** The default rank to fuse: the one with the most passes; among those, an outer partition rank, then by name. */
export function defaultFusedRank(c: Cascade, a: PassAnalysis): string {
  const outers = new Set(c.partitions.map((p) => p.outer));
  const ranks = [...a.ranks].sort((x, y) => y[1] - x[1] || Number(outers.has(y[0])) - Number(outers.has(x[0])) || x[0].localeCompare(y[0]));
  return (ranks[0] as [string, number])[0];
}

type Unit =
  | { readonly kind: 'einsum'; readonly einsum: Einsum; readonly first: number }
  | { readonly kind: 'traversal'; readonly pass: number; readonly einsums: readonly Einsum[]; readonly first: number }
  | { readonly kind: 'loop'; readonly variable: string; readonly einsums: readonly Einsum[]; readonly first: number };

class FusedRunner {
  private traversals = 0;
  private maxPerFiber = 0;
  private readonly touched = new Map<string, Set<number>>();
  private readonly passOf = new Map<Einsum, number>();
  /** Kernels begun in each enclosing generation loop (innermost last). */
  private readonly begunInLoop: Array<Set<EinsumKernel>> = [];

  constructor(private readonly ex: Execution, private readonly rank: string, analysis: PassAnalysis) {
    for (const [index, ranks] of analysis.einsumPasses) {
      const p = ranks.get(rank);
      if (p !== undefined) this.passOf.set(ex.cascade.einsums[index] as Einsum, p);
    }
  }

  private get cascade(): Cascade {
    return this.ex.cascade;
  }

  /** The variable through which an Einsum iterates R. */
  private rankVar(e: Einsum): string {
    return [...e.vars].find(([, r]) => r === this.rank)?.[0] as string;
  }

  /** Split a scope's Einsums into units: traversals of R by pass, loops of other iterative ranks, single Einsums. */
  private units(einsums: readonly Einsum[], fixed: readonly string[]): Unit[] {
    const units: Unit[] = [];
    for (const e of einsums) {
      const loopVar = loopVariableOf(this.cascade, e);
      const loopRank = loopVar ? this.cascade.iterativeRanks.get(loopVar)?.rank : undefined;
      if (loopVar && !fixed.includes(loopVar) && loopRank !== this.rank) {
        const u = units.find((x) => x.kind === 'loop' && x.variable === loopVar);
        if (u && u.kind === 'loop') (u.einsums as Einsum[]).push(e);
        else units.push({ kind: 'loop', variable: loopVar, einsums: [e], first: e.index });
      } else if (iterates(e, this.rank) && !fixed.includes(this.rankVar(e))) {
        const pass = this.passOf.get(e) as number;
        const u = units.find((x) => x.kind === 'traversal' && x.pass === pass);
        if (u && u.kind === 'traversal') (u.einsums as Einsum[]).push(e);
        else units.push({ kind: 'traversal', pass, einsums: [e], first: e.index });
      } else {
        units.push({ kind: 'einsum', einsum: e, first: e.index });
      }
    }
    return this.order(units, fixed);
  }

  /** Dependency order of units (producers first; traversals by pass), earliest cascade position first. */
  private order(units: Unit[], fixed: readonly string[]): Unit[] {
    const members = (u: Unit): readonly Einsum[] => (u.kind === 'einsum' ? [u.einsum] : u.einsums);
    const producer = new Map<string, number[]>();
    units.forEach((u, i) => { for (const e of members(u)) producer.set(e.output.tensor, [...(producer.get(e.output.tensor) ?? []), i]); });
    const deps = units.map(() => new Set<number>());
    units.forEach((u, i) => {
      for (const e of members(u)) {
        for (const a of accessesOf(e.expr)) {
          if (this.readsPreviousGeneration(a, fixed)) continue;
          for (const j of producer.get(a.tensor) ?? []) if (j !== i) (deps[i] as Set<number>).add(j);
        }
      }
      if (u.kind === 'traversal') units.forEach((v, j) => { if (v.kind === 'traversal' && v.pass < u.pass) (deps[i] as Set<number>).add(j); });
    });
    const done = new Set<number>();
    const out: Unit[] = [];
    while (out.length < units.length) {
      const ready = units.map((_, i) => i).filter((i) => !done.has(i) && [...(deps[i] as Set<number>)].every((d) => done.has(d)));
      if (ready.length === 0) fail('FM251', `cannot fuse over ${this.rank}: the Einsums ${units.filter((_, i) => !done.has(i)).flatMap(members).map((e) => e.output.tensor).join(', ')} depend on each other across passes`);
      ready.sort((x, y) => (units[x] as Unit).first - (units[y] as Unit).first);
      const next = ready[0] as number;
      done.add(next);
      out.push(units[next] as Unit);
    }
    return out;
  }

  /** Inside a generation, reading T[v] of a tensor whose recurrence writes T[v+1] needs the previous generation only. */
  private readsPreviousGeneration(a: Extract<ValueExpr, { kind: 'access' }>, fixed: readonly string[]): boolean {
    const info = this.cascade.tensors.get(a.tensor);
    const pos = info?.generational.findIndex((g) => g) ?? -1;
    const ix = pos >= 0 ? a.indices[pos] : undefined;
    return ix?.kind === 'expr' && ix.expr.kind === 'var' && fixed.includes(ix.expr.name);
  }

  /** Execute the Einsums of a scope with the fixed variables set to `values`. */
  runScope(einsums: readonly Einsum[], fixed: readonly string[], values: readonly number[]): void {
    let traversalsHere = 0;
    for (const u of this.units(einsums, fixed)) {
      switch (u.kind) {
        case 'einsum': this.runSingle(u.einsum, fixed, values); break;
        case 'loop': this.runLoop(u.variable, u.einsums, fixed, values); break;
        case 'traversal': traversalsHere++; this.runTraversal(u.einsums, fixed, values, traversalsHere); break;
        default: { const never: never = u; return never; }
      }
      if (fixed.length === 0) for (const e of u.kind === 'einsum' ? [u.einsum] : u.einsums) this.ex.settle(e.output.tensor);
    }
    this.maxPerFiber = Math.max(this.maxPerFiber, traversalsHere);
  }

  private runSingle(e: Einsum, fixed: readonly string[], values: readonly number[]): void {
    const vars = fixed.filter((v) => e.vars.has(v));
    const k = this.ex.kernel(e, vars);
    const before = k.visits;
    this.begin(k, e);
    k.run(vars.map((v) => values[fixed.indexOf(v)] as number));
    this.ex.visits[e.index] = (this.ex.visits[e.index] as number) + k.visits - before;
  }

  /**
   * Start a kernel's accumulation: once per generation loop, so that a reduction over the loop's
   * variable accumulates across generations as in the sequential run; at every call outside loops.
   */
  private begin(k: EinsumKernel, e: Einsum): void {
    const begun = this.begunInLoop[this.begunInLoop.length - 1];
    if (begun?.has(k)) return;
    begun?.add(k);
    k.begin(this.ex.outputState(e));
  }

  private stopAt(variable: string): (v: number) => boolean {
    const it = this.cascade.iterativeRanks.get(variable);
    if (!it) throw new Error(`no iterative rank ${variable}`);
    const bound = evalRankExpr(it.stop.bound, {}, this.ex.shapes);
    return (v) => compare(it.stop.op, v, bound);
  }

  private runLoop(variable: string, einsums: readonly Einsum[], fixed: readonly string[], values: readonly number[]): void {
    const stop = this.stopAt(variable);
    const limit = this.ex.shapes.get(this.cascade.iterativeRanks.get(variable)?.rank as string) as number;
    for (const e of einsums) this.ex.outputState(e);
    let v = 0;
    this.begunInLoop.push(new Set());
    for (; !stop(v); v++) {
      if (v >= limit) fail('FM313', `the stopping condition of '${variable}' does not hold before it leaves its rank (0..${limit - 1})`);
      this.runScope(einsums, [...fixed, variable], [...values, v]);
    }
    this.begunInLoop.pop();
    this.ex.generations.set(variable, v);
  }

  /** One traversal of R: for every coordinate r, every Einsum of this pass at r (reductions accumulate across r). */
  private runTraversal(einsums: readonly Einsum[], fixed: readonly string[], values: readonly number[], number: number): void {
    this.traversals++;
    for (const e of einsums) {
      const set = (name: string) => this.touched.set(name, (this.touched.get(name) ?? new Set()).add(number));
      set(e.output.tensor);
      for (const a of accessesOf(e.expr)) set(a.tensor);
      this.ex.outputState(e);
    }
    const plan = einsums.map((e) => {
      const rv = this.rankVar(e);
      const vars = [...fixed.filter((v) => e.vars.has(v)), rv];
      const loopVar = loopVariableOf(this.cascade, e);
      return { e, vars, rv, kernel: this.ex.kernel(e, vars), stop: loopVar === rv ? this.stopAt(rv) : undefined };
    });
    const before = plan.map((p) => p.kernel.visits);
    for (const p of plan) this.begin(p.kernel, p.e);
    const extent = this.ex.shapes.get(this.rank) as number;
    let generations = 0;
    for (let r = 0; r < extent; r++) {
      for (const p of plan) {
        if (p.stop?.(r)) continue;
        if (p.stop) generations = r + 1;
        p.kernel.run(p.vars.map((v) => (v === p.rv ? r : (values[fixed.indexOf(v)] as number))));
      }
    }
    plan.forEach((p, i) => {
      this.ex.visits[p.e.index] = (this.ex.visits[p.e.index] as number) + p.kernel.visits - (before[i] as number);
      if (p.stop) this.ex.generations.set(p.rv, generations);
    });
  }

  trace(): FusedTrace {
    const touched = new Map([...this.touched].map(([k, v]) => [k, [...v].sort((a, b) => a - b)] as const));
    return { rank: this.rank, traversalsPerFiber: this.maxPerFiber, totalTraversals: this.traversals, touched };
  }
}

/** Run a cascade in the pass-fused schedule over `rank` (default: the outermost rank with the most passes). */
export function runFused(c: Cascade, shapes: Shapes, inputs: ReadonlyMap<string, Tensor>, rank?: string, options: RunOptions = {}): FusedResult {
  const analysis = analysePasses(c);
  const r = rank ?? defaultFusedRank(c, analysis);
  if (!analysis.ranks.has(r)) fail('FM252', `rank ${r} is not iterated by any Einsum of this cascade`, undefined, `ranks: ${[...analysis.ranks.keys()].join(', ')}`);
  const ex = new Execution(c, shapes, inputs, options);
  const runner = new FusedRunner(ex, r, analysis);
  runner.runScope(c.einsums, [], []);
  return { ...ex.result(), trace: runner.trace() };
}
