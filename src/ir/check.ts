/**
 * @file The checker: turns a parsed cascade into the checked IR (src/ir/cascade.ts), or fails with a
 * located diagnostic (FM2xx). It resolves which rank each variable ranges over, infers the ranks of
 * intermediate tensors, applies the default EDGE actions and the `::` overrides, recognises iterative
 * ranks (recurrences, initializations, stops) and partitioned ranks, and rejects ill-formed dependencies.
 */
import type { ActionAst, CascadeAst, EinsumAst, ExprAst, IndexAst, InputDeclAst, NameRef, OperatorDeclAst, RankExprAst, StopAst } from '../notation/ast.ts';
import { parseCascade } from '../notation/parser.ts';
import { analysePasses } from '../analysis/passes.ts';
import { failAt, type Source, type Span } from '../notation/source.ts';
import { defaultOperators, userBinaryOperator, userUnaryOperator, type BinaryOperator, type OperatorRegistry } from '../ops/compute.ts';
import { lookupMerge, MERGES, MERGE_NAMES, type MergeOperator } from '../ops/merge.ts';
import {
  accessesOf, ranksOf, varsIn, type Cascade, type Einsum, type Filter, type Index, type IterativeRank, type Partition,
  type Reduction, type TensorInfo, type UserOperatorDef, type ValueExpr,
} from './cascade.ts';

/** Parse and check a cascade text, including its dependency graph (a pass analysis that finds ill-formed cycles). */
export function loadCascade(text: string, file = '<input>', operators: OperatorRegistry = defaultOperators): Cascade {
  const cascade = checkCascade(parseCascade({ file, text }), operators);
  analysePasses(cascade);
  return cascade;
}

/** The rank a variable ranges over by convention: its name in upper case (m1 → M1). */
export function conventionalRank(variable: string): string {
  return variable.toUpperCase();
}

interface MutableTensor {
  name: string;
  ranks: (string | null)[];
  generational: boolean[];
  role: TensorInfo['role'];
  span: Span;
  writers: number[];
}

class Checker {
  private readonly tensors = new Map<string, MutableTensor>();
  private readonly written = new Map<string, EinsumAst[]>();
  private readonly partitions: Partition[] = [];
  private readonly iterative = new Map<string, { rank: string; span: Span }>();
  /** Names that may be ranks (see collectRankNames). */
  private readonly rankNames = new Set<string>();
  private explicitInputs = false;

  private readonly ops: OperatorRegistry;
  private readonly userOperators: UserOperatorDef[] = [];

  constructor(private readonly ast: CascadeAst, operators: OperatorRegistry) {
    // The file's own operators extend a copy: the caller's registry is never changed.
    this.ops = ast.statements.some((s) => s.kind === 'operator') ? operators.clone() : operators;
  }

  private get source(): Source {
    return this.ast.source;
  }
  private err(span: Span, code: string, message: string, hint?: string): never {
    return failAt(this.source, span, code, message, hint);
  }

  check(): Cascade {
    const einsumAsts = this.ast.statements.filter((s): s is EinsumAst => s.kind === 'einsum');
    if (einsumAsts.length === 0) {
      this.err({ start: 0, end: Math.min(1, this.source.text.length) }, 'FM201', 'the cascade has no Einsum', 'write at least one line like  Z[m] = A[k,m] * B[k]');
    }
    const shapeDefaults = this.collectShapes();
    for (const s of this.ast.statements) if (s.kind === 'operator') this.declareOperator(s);
    this.collectInputs();
    this.collectRankNames(einsumAsts);
    for (const e of einsumAsts) {
      const list = this.written.get(e.output.tensor) ?? [];
      list.push(e);
      this.written.set(e.output.tensor, list);
    }
    for (const name of this.written.keys()) {
      const declared = this.tensors.get(name);
      if (declared?.role === 'input') {
        const first = this.written.get(name)?.[0] as EinsumAst;
        this.err(first.output.nameSpan, 'FM202', `'${name}' is declared as an input but an Einsum writes it`);
      }
    }
    const einsums = einsumAsts.map((e, i) => this.checkEinsum(e, i));
    this.checkShapeValues(einsums);
    this.checkWriters(einsums);
    this.checkDependencies(einsums, einsumAsts);
    const iterativeRanks = this.checkStops(einsums);
    const outputs = this.collectOutputs(einsums);
    const tensors = new Map<string, TensorInfo>();
    for (const t of this.tensors.values()) {
      const ranks = t.ranks.map((r, i) => {
        if (r === null) this.err(t.span, 'FM203', `cannot tell which rank index ${i + 1} of '${t.name}' is`, 'a constant index needs another Einsum that writes the tensor with a variable there');
        return r;
      });
      const role = t.role === 'input' ? 'input' : outputs.includes(t.name) ? 'output' : 'intermediate';
      tensors.set(t.name, { name: t.name, ranks, generational: [...t.generational], role, span: t.span });
    }
    const cascade: Cascade = {
      source: this.source, operators: this.userOperators, tensors, einsums, outputs, explicitOutputs: this.ast.statements.some((s) => s.kind === 'output'),
      explicitInputs: this.explicitInputs, shapeDefaults, partitions: this.partitions, iterativeRanks,
    };
    this.checkShapeNames(new Set(ranksOf(cascade)));
    return cascade;
  }

  /** A shape named in an index or a stopping bound (`RZ[K]`, `stop i >= K`) must be the size of a rank. */
  private checkShapeNames(ranks: ReadonlySet<string>): void {
    const visitRank = (x: RankExprAst): void => {
      switch (x.kind) {
        case 'shape':
          if (!ranks.has(x.name)) this.err(x.span, 'FM245', `'${x.name}' is not a rank of this cascade, so it has no size`, `its ranks are ${[...ranks].join(', ')}`);
          return;
        case 'binop': visitRank(x.left); visitRank(x.right); return;
        case 'neg': visitRank(x.operand); return;
        case 'var': case 'int': return;
        default: { const never: never = x; return never; }
      }
    };
    const visitIndex = (ix: IndexAst): void => visitRank(ix.kind === 'rank' ? ix.expr : ix.bound);
    const visitExpr = (x: ExprAst): void => {
      switch (x.kind) {
        case 'access': x.indices.forEach(visitIndex); return;
        case 'binary': visitExpr(x.left); visitExpr(x.right); return;
        case 'neg': visitExpr(x.operand); return;
        case 'call': x.args.forEach(visitExpr); return;
        case 'number': case 'param': return;
        default: { const never: never = x; return never; }
      }
    };
    for (const s of this.ast.statements) {
      if (s.kind === 'einsum') {
        s.output.indices.forEach(visitIndex);
        visitExpr(s.expr);
      } else if (s.kind === 'stop') {
        visitRank(s.bound);
      }
    }
  }

  /** Compile an `operator` declaration's body to a function of its parameters and register it. */
  private declareOperator(d: OperatorDeclAst): void {
    if (this.ops.lookup(d.name.name)) this.err(d.name.span, 'FM239', `operator '${d.name.name}' is already defined`);
    const params = d.params.map((p) => p.name);
    const compile = (x: ExprAst): ((args: readonly number[]) => number) => {
      switch (x.kind) {
        case 'number': { const v = x.value; return () => v; }
        case 'param': { const i = params.indexOf(x.name); return (args) => args[i] as number; }
        case 'neg': { const f = compile(x.operand); return (args) => -f(args); }
        case 'binary': {
          if (x.op === '·') return this.err(x.opSpan, 'FM239', "an operator body cannot use EDGE's generic '·'");
          const op = this.ops.binary(x.op) as BinaryOperator;
          const l = compile(x.left);
          const r = compile(x.right);
          return (args) => op.apply(l(args), r(args));
        }
        case 'call': {
          const op = this.ops.lookup(x.name);
          if (!op) return this.err(x.nameSpan, 'FM221', `unknown operator '${x.name}'`, `known operators: ${this.ops.names().join(', ')}`);
          const fs = x.args.map(compile);
          if (op.kind === 'unary') {
            if (fs.length !== 1) this.err(x.span, 'FM222', `'${x.name}' takes one argument, not ${fs.length}`);
            const f = fs[0] as (args: readonly number[]) => number;
            return (args) => op.apply(f(args));
          }
          if (fs.length < 2 || (fs.length > 2 && !op.associative)) this.err(x.span, 'FM222', `'${x.name}' takes two arguments`);
          return (args) => fs.slice(1).reduce((acc, f) => op.apply(acc, f(args)), (fs[0] as (a: readonly number[]) => number)(args));
        }
        case 'access': return this.err(x.span, 'FM239', 'an operator body computes from its parameters only; it cannot read tensors');
        default: { const never: never = x; return never; }
      }
    };
    const body = compile(d.body);
    const merge = d.merge ? this.merge(d.merge).name : undefined;
    if (params.length === 1) {
      if (d.identity) this.err(d.identity.span, 'FM239', 'a unary operator cannot reduce, so it has no identity');
      const op = userUnaryOperator({ name: d.name.name, apply: (a) => body([a]) });
      this.ops.register(merge ? { ...op, defaultMerge: merge } : op);
    } else {
      this.ops.register(userBinaryOperator({
        name: d.name.name, apply: (a, b) => body([a, b]), ...(d.identity ? { identity: d.identity.value } : {}), ...(merge ? { defaultMerge: merge } : {}),
      }));
    }
    this.userOperators.push({ name: d.name.name, params, body: d.body, identity: d.identity?.value ?? null, merge: d.merge?.name ?? null });
  }

  private collectShapes(): Map<string, number> {
    const shapes = new Map<string, number>();
    for (const s of this.ast.statements) {
      if (s.kind !== 'shape') continue;
      for (const e of s.entries) {
        if (!Number.isSafeInteger(e.value) || e.value < 1) this.err(e.span, 'FM204', `shape ${e.name} must be a positive integer, not ${e.value}`);
        if (shapes.has(e.name) && shapes.get(e.name) !== e.value) this.err(e.span, 'FM204', `shape ${e.name} is given twice (${shapes.get(e.name)} and ${e.value})`);
        shapes.set(e.name, e.value);
      }
    }
    return shapes;
  }

  private collectInputs(): void {
    for (const s of this.ast.statements) {
      if (s.kind !== 'input') continue;
      this.explicitInputs = true;
      for (const t of (s as InputDeclAst).tensors) {
        if (this.tensors.has(t.name)) this.err(t.nameSpan, 'FM205', `input '${t.name}' is declared twice`);
        const seen = new Set<string>();
        for (const r of t.ranks) {
          if (seen.has(r.name)) this.err(r.span, 'FM206', `'${t.name}' has rank ${r.name} twice`, 'give each rank its own name, e.g. A[M,N]');
          seen.add(r.name);
        }
        this.tensors.set(t.name, { name: t.name, ranks: t.ranks.map((r) => r.name), generational: t.ranks.map(() => false), role: 'input', span: t.nameSpan, writers: [] });
      }
    }
  }

  /**
   * Names that may be ranks, known before the Einsums are checked: declared input ranks, `shape`
   * names, shape names in rank expressions and stops, and the conventional rank of every variable.
   * A bare name in an expression that is one of these and not a tensor is a shape value (`/ D`).
   */
  private collectRankNames(einsums: readonly EinsumAst[]): void {
    for (const t of this.tensors.values()) for (const r of t.ranks) if (r) this.rankNames.add(r);
    for (const s of this.ast.statements) {
      if (s.kind === 'shape') for (const e of s.entries) this.rankNames.add(e.name);
      if (s.kind === 'stop') { this.rankNames.add(conventionalRank(s.variable)); rankExprNames(s.bound, this.rankNames); }
    }
    const addIndex = (ix: IndexAst): void => {
      if (ix.kind === 'filter') { this.rankNames.add(conventionalRank(ix.variable)); rankExprNames(ix.bound, this.rankNames); return; }
      rankExprNames(ix.expr, this.rankNames);
    };
    for (const e of einsums) {
      e.output.indices.forEach(addIndex);
      for (const a of collectAccessAsts(e.expr)) a.indices.forEach(addIndex);
    }
  }

  private isShapeValue(a: AccessAst): boolean {
    return !a.bracketed && !this.tensors.has(a.tensor) && !this.written.has(a.tensor) && this.rankNames.has(a.tensor);
  }

  /** Every shape value must name a rank the cascade has (a scalar input with a rank's name must be declared). */
  private checkShapeValues(einsums: readonly Einsum[]): void {
    const ranks = new Set<string>([...this.tensors.values()].flatMap((t) => t.ranks.filter((r): r is string => r !== null)));
    for (const e of einsums) for (const r of e.vars.values()) ranks.add(r);
    for (const p of this.partitions) [p.whole, p.outer, p.inner].forEach((r) => ranks.add(r));
    const visit = (x: ValueExpr): void => {
      switch (x.kind) {
        case 'shape':
          if (!ranks.has(x.name)) this.err(x.span, 'FM253', `'${x.name}' is neither a tensor nor a rank of this cascade`, `a bare rank name is its extent (X[d,p] / D); for a scalar input, declare it: input ${x.name}`);
          break;
        case 'binary': visit(x.left); visit(x.right); break;
        case 'unary': visit(x.operand); break;
        case 'const': case 'access': break;
        default: { const never: never = x; return never; }
      }
    };
    for (const e of einsums) visit(e.expr);
  }

  private collectOutputs(einsums: readonly Einsum[]): string[] {
    const decl = this.ast.statements.filter((s) => s.kind === 'output');
    if (decl.length === 0) return [einsums[einsums.length - 1]?.output.tensor as string];
    const names: string[] = [];
    for (const d of decl) {
      for (const n of d.names) {
        if (!this.written.has(n.name)) {
          const hint = this.tensors.has(n.name) ? `'${n.name}' is an input` : this.suggest(n.name, [...this.written.keys()]);
          this.err(n.span, 'FM207', `output '${n.name}' is not computed by any Einsum`, hint);
        }
        if (!names.includes(n.name)) names.push(n.name);
      }
    }
    return names;
  }

  private suggest(name: string, candidates: readonly string[]): string | undefined {
    const close = candidates.filter((c) => editDistance(c.toLowerCase(), name.toLowerCase()) <= Math.max(1, Math.floor(name.length / 3)));
    return close.length > 0 ? `did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : undefined;
  }

  // ---------------------------------------------------------------- Einsums

  private checkEinsum(e: EinsumAst, index: number): Einsum {
    const accesses = collectAccessAsts(e.expr).filter((a) => !this.isShapeValue(a));
    // Tensors read but never written are inputs; their ranks come from the first access.
    for (const a of accesses) {
      if (this.tensors.has(a.tensor) || this.written.has(a.tensor)) continue;
      if (this.explicitInputs) {
        this.err(a.nameSpan, 'FM208', `unknown tensor '${a.tensor}'`, this.suggest(a.tensor, [...this.tensors.keys(), ...this.written.keys()]) ?? `declare it with 'input ${a.tensor}[...]' or compute it with an Einsum`);
      }
      const ranks = a.indices.map((ix) => {
        if (ix.kind === 'rank' && ix.expr.kind === 'var') return conventionalRank(ix.expr.name);
        if (ix.kind === 'filter') return conventionalRank(ix.variable);
        return this.err(ix.span, 'FM209', `cannot tell the rank of '${a.tensor}' from this index`, `declare it: input ${a.tensor}[...]`);
      });
      this.tensors.set(a.tensor, { name: a.tensor, ranks, generational: ranks.map(() => false), role: 'input', span: a.nameSpan, writers: [] });
    }
    for (const a of accesses) {
      if (this.written.has(a.tensor) && !this.tensors.has(a.tensor) && a.tensor !== e.output.tensor) {
        this.err(a.nameSpan, 'FM210', `'${a.tensor}' is used before the Einsum that computes it`, 'Einsums run in the order written; move this one after it (or this is a cycle)');
      }
    }
    const vars = this.resolveVars(e, accesses);
    const out = this.outputTensor(e, vars);
    // Every access must agree with its tensor's rank count.
    for (const a of accesses) {
      const t = this.tensors.get(a.tensor) as MutableTensor;
      if (a.indices.length !== t.ranks.length) {
        this.err(a.span, 'FM211', `'${a.tensor}' has ${t.ranks.length} rank${t.ranks.length === 1 ? '' : 's'} (${t.ranks.map((r) => r ?? '?').join(', ') || 'none'}) but is indexed with ${a.indices.length}`);
      }
    }
    this.checkVarConsistency(e, accesses, vars);
    this.recordPartitions(accesses, vars);

    const outputVars: string[] = [];
    for (const ix of e.output.indices) for (const v of indexVars(ix)) if (!outputVars.includes(v)) outputVars.push(v);
    const rhsVars: string[] = [];
    for (const a of accesses) for (const ix of a.indices) for (const v of indexVars(ix)) if (!rhsVars.includes(v)) rhsVars.push(v);
    const reducedVars = rhsVars.filter((v) => !outputVars.includes(v));
    const filters: Filter[] = [];
    for (const ix of [...e.output.indices, ...accesses.flatMap((a) => a.indices)]) {
      if (ix.kind !== 'filter') continue;
      for (const v of varsIn(ix.bound)) if (!vars.has(v)) this.err(ix.bound.span, 'FM212', `variable '${v}' in this filter is not a variable of the Einsum`);
      filters.push({ variable: ix.variable, op: ix.op, bound: ix.bound });
    }
    const mapActions = e.actions.filter((a) => a.kind === 'map');
    const reduceActions = e.actions.filter((a) => a.kind === 'reduce');
    let expr = this.checkExpr(e.expr, mapActions, vars);
    expr = this.applyMapActions(expr, mapActions, vars);
    const reduction = this.checkReduction(reduceActions, reducedVars, e);
    return {
      index, output: { tensor: e.output.tensor, indices: e.output.indices.map(toIndex) }, expr, vars, outputVars, reducedVars,
      reduction, filters, recurrence: out.recurrence, initializes: out.initializes, explicitActions: e.actions.length > 0, span: e.span,
    };
  }

  /** Which rank each variable ranges over: from plain indices of tensors with known ranks, else by convention. */
  private resolveVars(e: EinsumAst, accesses: readonly AccessAst[]): Map<string, string> {
    const vars = new Map<string, string>();
    const bind = (v: string, rank: string): void => {
      if (!vars.has(v)) vars.set(v, rank);
    };
    const known = (name: string): MutableTensor | undefined => this.tensors.get(name);
    for (const a of accesses) {
      const t = known(a.tensor);
      if (!t) continue;
      a.indices.forEach((ix, i) => {
        const r = t.ranks[i];
        const v = plainVar(ix);
        if (r && v) bind(v, r);
      });
    }
    const outT = known(e.output.tensor);
    if (outT) {
      e.output.indices.forEach((ix, i) => {
        const r = outT.ranks[i];
        const v = ix.kind === 'filter' ? ix.variable : ix.kind === 'rank' ? recurrenceVar(ix.expr) ?? plainVar(ix) : undefined;
        if (r && v) bind(v, r);
      });
    }
    const all = [...e.output.indices, ...accesses.flatMap((a) => a.indices)];
    for (const ix of all) for (const v of indexVars(ix)) bind(v, this.iterative.get(v)?.rank ?? conventionalRank(v));
    for (const ix of all) if (ix.kind === 'filter') for (const v of varsIn(ix.bound)) bind(v, conventionalRank(v));
    return vars;
  }

  /** Infer or check the output tensor's ranks; recognise recurrences (v+1) and initializations (v:v=0, 0). */
  private outputTensor(e: EinsumAst, vars: ReadonlyMap<string, string>): { recurrence: Einsum['recurrence']; initializes: Einsum['initializes'] } {
    const name = e.output.tensor;
    let t = this.tensors.get(name);
    if (!t) {
      t = { name, ranks: e.output.indices.map(() => null), generational: e.output.indices.map(() => false), role: 'intermediate', span: e.output.nameSpan, writers: [] };
      this.tensors.set(name, t);
    }
    if (t.ranks.length !== e.output.indices.length) {
      this.err(e.output.span, 'FM211', `'${name}' has ${t.ranks.length} ranks but is written with ${e.output.indices.length}`);
    }
    let recurrence: Einsum['recurrence'] = null;
    let initializes: Einsum['initializes'] = null;
    const seen = new Set<string>();
    for (const [i, ix] of e.output.indices.entries()) {
      let rank: string | null = null;
      let generational = false;
      if (ix.kind === 'filter') {
        if (ix.op !== '==' || !(ix.bound.kind === 'int' && ix.bound.value === 0)) {
          this.err(ix.span, 'FM213', `an output filter must initialize generation 0: write '${ix.variable}:${ix.variable}=0'`);
        }
        rank = vars.get(ix.variable) as string;
        generational = true;
        initializes = { rank };
      } else if (ix.expr.kind === 'var') {
        rank = vars.get(ix.expr.name) as string;
        if (seen.has(ix.expr.name)) this.err(ix.span, 'FM214', `variable '${ix.expr.name}' appears twice in the output`);
        seen.add(ix.expr.name);
      } else if (recurrenceVar(ix.expr) !== undefined) {
        const v = recurrenceVar(ix.expr) as string;
        if (recurrence) this.err(ix.span, 'FM215', 'an Einsum can iterate only one rank', 'nested iterative ranks are not supported');
        rank = vars.get(v) as string;
        generational = true;
        recurrence = { variable: v };
        const previous = this.iterative.get(v);
        if (previous && previous.rank !== rank) this.err(ix.span, 'FM216', `'${v}' iterates rank ${previous.rank} elsewhere but ${rank} here`);
        this.iterative.set(v, { rank, span: ix.span });
      } else if (ix.expr.kind === 'int') {
        if (ix.expr.value !== 0) this.err(ix.span, 'FM213', 'a constant output index must be 0 (it initializes generation 0)');
        generational = true;
        initializes = { rank: t.ranks[i] ?? '?' };
      } else {
        this.err(ix.span, 'FM217', 'an output index must be a variable, v+1 (a recurrence), v:v=0 or 0 (an initialization)');
      }
      const previous = t.ranks[i];
      if (rank !== null) {
        if (previous && previous !== rank) {
          this.err(ix.span, 'FM218', `'${name}' has rank ${previous} at index ${i + 1} (from an earlier Einsum) but this index ranges over ${rank}`);
        }
        t.ranks[i] = rank;
      }
      if (generational) t.generational[i] = true;
    }
    if (initializes && initializes.rank === '?') {
      const pos = e.output.indices.findIndex((ix) => ix.kind === 'rank' && ix.expr.kind === 'int');
      initializes = { rank: t.ranks[pos] ?? '?' };
    }
    t.writers.push(0);
    return { recurrence, initializes };
  }

  private checkVarConsistency(e: EinsumAst, accesses: readonly AccessAst[], vars: ReadonlyMap<string, string>): void {
    for (const a of accesses) {
      const t = this.tensors.get(a.tensor) as MutableTensor;
      a.indices.forEach((ix, i) => {
        const r = t.ranks[i];
        const v = plainVar(ix);
        if (!r || !v) return;
        const bound = vars.get(v) as string;
        if (bound !== r) {
          this.err(ix.span, 'FM219', `variable '${v}' ranges over ${bound} but indexes rank ${r} of '${a.tensor}' here`, `use a variable for ${r} (e.g. ${r.toLowerCase()}) or fix the rank order of '${a.tensor}'`);
        }
      });
    }
    for (const ix of e.output.indices) {
      if (ix.kind === 'filter' && !vars.has(ix.variable)) this.err(ix.varSpan, 'FM212', `unknown variable '${ix.variable}'`);
    }
  }

  /** `K[e, m1*M0+m0]` splits rank M of K into M1 × M0 (the inner shape must be the inner variable's rank). */
  private recordPartitions(accesses: readonly AccessAst[], vars: ReadonlyMap<string, string>): void {
    for (const a of accesses) {
      const t = this.tensors.get(a.tensor) as MutableTensor;
      a.indices.forEach((ix, i) => {
        if (ix.kind !== 'rank' || ix.expr.kind !== 'binop' || ix.expr.op !== '+') return;
        const split = splitPattern(ix.expr);
        if (!split) return;
        const whole = t.ranks[i];
        const outer = vars.get(split.outer) as string;
        const inner = vars.get(split.inner) as string;
        if (!whole) return;
        if (split.stride !== inner) {
          this.err(ix.span, 'FM220', `in ${split.outer}*${split.stride}+${split.inner}, the stride ${split.stride} must be the shape of ${split.inner}'s rank (${inner})`);
        }
        if (outer === inner || outer === whole || inner === whole) this.err(ix.span, 'FM220', `a partition needs three different ranks (got ${whole} = ${outer} × ${inner})`);
        const existing = this.partitions.find((p) => p.whole === whole);
        if (existing && (existing.outer !== outer || existing.inner !== inner)) {
          this.err(ix.span, 'FM220', `rank ${whole} is partitioned as ${existing.outer} × ${existing.inner} elsewhere but as ${outer} × ${inner} here`);
        }
        if (!existing) this.partitions.push({ whole, outer, inner });
      });
    }
  }

  // ---------------------------------------------------------------- expressions and actions

  private checkExpr(x: ExprAst, mapActions: readonly ActionAst[], vars: ReadonlyMap<string, string>): ValueExpr {
    switch (x.kind) {
      case 'number':
        return { kind: 'const', value: x.value, span: x.span };
      case 'param':
        return this.err(x.span, 'FM239', `'${x.name}' is an operator parameter, not a value of this Einsum`);
      case 'access':
        if (this.isShapeValue(x)) return { kind: 'shape', name: x.tensor, span: x.span };
        return { kind: 'access', tensor: x.tensor, indices: x.indices.map(toIndex), span: x.span };
      case 'neg': {
        const operand = this.checkExpr(x.operand, mapActions, vars);
        if (operand.kind === 'const') return { kind: 'const', value: -operand.value, span: x.span };
        const neg = this.ops.unary('neg');
        if (!neg) return this.err(x.span, 'FM221', "the 'neg' operator is not registered");
        return { kind: 'unary', op: neg, merge: MERGES[neg.defaultMerge], operand, span: x.span };
      }
      case 'binary': {
        const left = this.checkExpr(x.left, mapActions, vars);
        const right = this.checkExpr(x.right, mapActions, vars);
        if (x.op === '·') {
          // EDGE's generic binary: the operator comes from a map action (resolved in applyMapActions).
          return { kind: 'binary', op: GENERIC, merge: MERGES.intersect, form: 'dot', left, right, span: x.span };
        }
        const op = this.ops.binary(x.op) as BinaryOperator;
        return { kind: 'binary', op, merge: MERGES[op.defaultMerge], form: 'infix', left, right, span: x.span };
      }
      case 'call': {
        const name = x.name;
        if (name === 'exp' && x.args.length === 1 && x.args[0]?.kind === 'binary' && x.args[0].op === '-') {
          const op = this.ops.binary('sub_exp') as BinaryOperator;
          const inner = x.args[0];
          return {
            kind: 'binary', op, merge: MERGES[op.defaultMerge], form: 'exp-sub',
            left: this.checkExpr(inner.left, mapActions, vars), right: this.checkExpr(inner.right, mapActions, vars), span: x.span,
          };
        }
        const op = this.ops.lookup(name);
        if (!op) this.err(x.nameSpan, 'FM221', `unknown operator '${name}'`, this.suggest(name, this.ops.names()) ?? `known operators: ${this.ops.names().join(', ')}`);
        const args = x.args.map((a) => this.checkExpr(a, mapActions, vars));
        if (op.kind === 'unary') {
          if (args.length !== 1) this.err(x.span, 'FM222', `'${name}' takes one argument, not ${args.length}`);
          return { kind: 'unary', op, merge: MERGES[op.defaultMerge], operand: args[0] as ValueExpr, span: x.span };
        }
        if (args.length < 2) this.err(x.span, 'FM222', `'${name}' takes two arguments${args.length === 1 ? ', not one' : ''}`);
        if (args.length > 2 && !op.associative) this.err(x.span, 'FM222', `'${name}' is not associative, so it takes exactly two arguments`);
        // max(a, b, c) = max(max(a, b), c) for associative operators.
        let acc = args[0] as ValueExpr;
        for (const arg of args.slice(1)) acc = { kind: 'binary', op, merge: MERGES[op.defaultMerge], form: 'call', left: acc, right: arg, span: x.span };
        return acc;
      }
      default: {
        const never: never = x;
        return never;
      }
    }
  }

  /** `map OP(MERGE)` sets the merge (and, for EDGE's generic `·`, the operator) of the matching map nodes. */
  private applyMapActions(expr: ValueExpr, actions: readonly ActionAst[], vars: ReadonlyMap<string, string>): ValueExpr {
    let result = expr;
    for (const a of actions) {
      this.checkActionRanks(a, vars);
      const op = this.ops.lookup(a.op.name === '−' ? '-' : a.op.name);
      if (!op) this.err(a.op.span, 'FM221', `unknown operator '${a.op.name}'`, `known operators: ${this.ops.names().join(', ')}`);
      const merge = a.merge ? this.merge(a.merge) : undefined;
      let matched = false;
      const rewrite = (x: ValueExpr): ValueExpr => {
        switch (x.kind) {
          case 'const': case 'access': case 'shape': return x;
          case 'unary': {
            const operand = rewrite(x.operand);
            if (x.op === op && merge) {
              matched = true;
              return { ...x, operand, merge };
            }
            return operand === x.operand ? x : { ...x, operand };
          }
          case 'binary': {
            const left = rewrite(x.left);
            const right = rewrite(x.right);
            if (x.op === op || (x.op === GENERIC && !matched && op.kind === 'binary')) {
              matched = true;
              const newOp = x.op === GENERIC ? (op as BinaryOperator) : x.op;
              return { ...x, left, right, op: newOp, merge: merge ?? (x.op === GENERIC ? MERGES[newOp.defaultMerge] : x.merge) };
            }
            return left === x.left && right === x.right ? x : { ...x, left, right };
          }
          default: { const never: never = x; return never; }
        }
      };
      result = rewrite(result);
      if (!matched) this.err(a.op.span, 'FM223', `map operator '${a.op.name}' does not appear in the expression`);
    }
    const generic = findGeneric(result);
    if (generic) this.err(generic.span, 'FM224', "the operator of '·' is not given", "add a map action, e.g. ':: map max(union)'");
    return result;
  }

  private checkActionRanks(a: ActionAst, vars: ReadonlyMap<string, string>): void {
    for (const r of a.ranks ?? []) {
      if (!vars.has(r.name)) this.err(r.span, 'FM225', `'${r.name}' is not a variable of this Einsum`, `its variables are ${[...vars.keys()].join(', ')}`);
    }
  }

  private merge(ref: NameRef): MergeOperator {
    const m = lookupMerge(ref.name);
    if (!m) this.err(ref.span, 'FM226', `unknown merge operator '${ref.name}'`, `known: ${MERGE_NAMES.join(', ')} (or ∩ ∪ ← → 1)`);
    return m;
  }

  private checkReduction(actions: readonly ActionAst[], reducedVars: readonly string[], e: EinsumAst): Reduction | null {
    let chosen: { op: BinaryOperator; merge: MergeOperator; span: Span } | null = null;
    for (const a of actions) {
      for (const r of a.ranks ?? []) {
        if (!reducedVars.includes(r.name)) this.err(r.span, 'FM227', `'${r.name}' is not reduced in this Einsum`, reducedVars.length ? `reduced variables: ${reducedVars.join(', ')}` : 'nothing is reduced: every variable on the right appears on the left');
      }
      if (reducedVars.length === 0) this.err(a.span, 'FM227', 'this Einsum reduces nothing', 'every variable on the right also appears on the left');
      const op = this.ops.lookup(a.op.name === '−' ? '-' : a.op.name);
      if (!op) this.err(a.op.span, 'FM221', `unknown operator '${a.op.name}'`, `known operators: ${this.ops.names().join(', ')}`);
      if (op.kind !== 'binary') this.err(a.op.span, 'FM228', `'${a.op.name}' is unary and cannot reduce`);
      if (op.identity === undefined) {
        this.err(a.op.span, 'FM229', `reduce operator '${a.op.name}' has no identity`, 'a reduction starts from its operator\'s identity; use +, *, max, min or register an operator with an identity');
      }
      const merge = a.merge ? this.merge(a.merge) : MERGES[op.defaultMerge];
      if (chosen && (chosen.op !== op || chosen.merge !== merge)) {
        this.err(a.span, 'FM230', 'different reductions for different ranks in one Einsum are not supported', 'split it into two Einsums, one per reduction');
      }
      if (a.ranks && a.ranks.length < reducedVars.length && actions.length === 1) {
        const missing = reducedVars.filter((v) => !a.ranks?.some((r) => r.name === v));
        if (missing.length && op.name !== 'add') this.err(a.span, 'FM230', `'${missing.join(', ')}' would be reduced with + but the others with ${a.op.name}`, 'split it into two Einsums, one per reduction');
      }
      chosen = { op, merge, span: a.span };
    }
    if (reducedVars.length === 0) return null;
    if (chosen) return { op: chosen.op, merge: chosen.merge };
    const add = this.ops.binary('add') as BinaryOperator;
    void e;
    return { op: add, merge: MERGES[add.defaultMerge] };
  }

  // ---------------------------------------------------------------- whole-cascade rules

  /** A tensor may have several writers only as an iterative tensor: one recurrence plus initializations. */
  private checkWriters(einsums: readonly Einsum[]): void {
    for (const [name, asts] of this.written) {
      const writers = einsums.filter((e) => e.output.tensor === name);
      const recurrences = writers.filter((e) => e.recurrence);
      const inits = writers.filter((e) => e.initializes);
      if (writers.length > 1 && (recurrences.length !== 1 || inits.length !== writers.length - 1)) {
        const second = asts[1] as EinsumAst;
        this.err(second.output.nameSpan, 'FM231', `'${name}' is written by more than one Einsum`, 'only an iterative tensor has several writers: its initialization(s) and one recurrence T[v+1,...]');
      }
      // A recurrence that reads its previous generation needs generation 0; one that does not
      // (S[i+1] = A[k : k <= i], FuseMax Eq. 16) starts from an empty generation 0.
      const selfReading = recurrences.find((r) => accessesOf(r.expr).some((a) => a.tensor === name));
      if (selfReading && inits.length === 0) {
        const rec = selfReading;
        this.err(rec.span, 'FM232', `the recurrence of '${name}' has no initialization`, `initialize generation 0 first, e.g. ${name}[${rec.output.indices.map((ix) => (ix.kind === 'expr' && ix.expr.kind === 'binop' ? `${[...varsIn(ix.expr)][0]}:${[...varsIn(ix.expr)][0]}=0` : printIndexVar(ix))).join(',')}] = 0`);
      }
      if (recurrences.length === 0 && inits.length > 0 && writers.length === inits.length) {
        // An initialization alone is a plain constant tensor only when nothing reads a later generation.
        const init = inits[0] as Einsum;
        const reads = einsums.some((e) => accessesOf(e.expr).some((a) => a.tensor === name));
        if (reads && inits.length > 1) this.err(init.span, 'FM231', `'${name}' is initialized twice`);
      }
      const rec = recurrences[0];
      if (rec) {
        const recIdx = rec.output.indices.findIndex((ix) => ix.kind === 'expr' && ix.expr.kind === 'binop');
        for (const init of inits) {
          const initIdx = init.output.indices.findIndex((ix) => ix.kind === 'filter' || (ix.kind === 'expr' && ix.expr.kind === 'int'));
          if (initIdx !== recIdx) this.err(init.span, 'FM233', `'${name}' is initialized at index ${initIdx + 1} but iterates at index ${recIdx + 1}`);
          if (init.index > rec.index) this.err(init.span, 'FM233', `the initialization of '${name}' must come before its recurrence`);
        }
      }
    }
  }

  /** Reads must see a computed value: no cycles, no self-reads without an iterative rank, no reads of generation v+1 before it is computed. */
  private checkDependencies(einsums: readonly Einsum[], asts: readonly EinsumAst[]): void {
    const writtenSoFar = new Set<string>();
    einsums.forEach((e, i) => {
      const ast = asts[i] as EinsumAst;
      for (const a of accessesOf(e.expr)) {
        const t = this.tensors.get(a.tensor) as MutableTensor;
        if (t.role === 'input') continue;
        const accessAst = collectAccessAsts(ast.expr).find((x) => x.span.start === a.span.start) as AccessAst;
        if (a.tensor === e.output.tensor && !e.recurrence) {
          this.err(accessAst.nameSpan, 'FM234', `'${a.tensor}' depends on itself without an iterative rank (a cycle)`, `write a recurrence ${a.tensor}[v+1,...] = f(${a.tensor}[v,...]) with an initialization, or use another tensor`);
        }
        if (!writtenSoFar.has(a.tensor) && a.tensor !== e.output.tensor) {
          this.err(accessAst.nameSpan, 'FM210', `'${a.tensor}' is used before the Einsum that computes it`, 'Einsums run in the order written; a tensor that needs a later one is a cycle');
        }
        if (a.tensor === e.output.tensor && e.recurrence) {
          const v = e.recurrence.variable;
          const pos = e.output.indices.findIndex((ix) => ix.kind === 'expr' && ix.expr.kind === 'binop');
          const ix = a.indices[pos];
          if (!(ix?.kind === 'expr' && ix.expr.kind === 'var' && ix.expr.name === v)) {
            this.err(accessAst.span, 'FM235', `the recurrence of '${a.tensor}' may read only generation ${v} of itself`);
          }
        }
        // A generational read at v+1 needs the recurrence to have run earlier in this generation.
        const genPos = t.generational.findIndex((g) => g);
        const gix = genPos >= 0 ? a.indices[genPos] : undefined;
        if (gix?.kind === 'expr' && gix.expr.kind === 'binop' && recurrenceVar(gix.expr) !== undefined) {
          const recWriter = einsums.find((w) => w.output.tensor === a.tensor && w.recurrence);
          if (!recWriter || recWriter.index >= e.index) {
            this.err(accessAst.span, 'FM236', `generation ${recurrenceVar(gix.expr)}+1 of '${a.tensor}' is read before the Einsum that computes it`);
          }
        }
      }
      writtenSoFar.add(e.output.tensor);
    });
  }

  private checkStops(einsums: readonly Einsum[]): Map<string, IterativeRank> {
    const stops = this.ast.statements.filter((s): s is StopAst => s.kind === 'stop');
    const result = new Map<string, IterativeRank>();
    for (const s of stops) {
      const it = this.iterative.get(s.variable);
      if (!it) {
        const known = [...this.iterative.keys()];
        this.err(s.varSpan, 'FM237', `'${s.variable}' is not an iterative rank variable`, known.length ? `iterative variables: ${known.join(', ')}` : 'no Einsum writes a generation v+1');
      }
      for (const v of varsIn(s.bound)) this.err(s.bound.span, 'FM237', `the stopping bound may use shapes and integers, not the variable '${v}'`);
      if (result.has(s.variable)) this.err(s.span, 'FM237', `'${s.variable}' has two stopping conditions`);
      result.set(s.variable, { variable: s.variable, rank: it.rank, stop: { op: s.op, bound: s.bound }, explicitStop: true });
    }
    for (const [v, it] of this.iterative) {
      if (!result.has(v)) {
        result.set(v, { variable: v, rank: it.rank, stop: { op: '>=', bound: { kind: 'shape', name: it.rank, span: it.span } }, explicitStop: false });
      }
    }
    void einsums;
    return result;
  }
}

/** The generic operator of EDGE's `·` until a map action names the real one. */
const GENERIC: BinaryOperator = {
  kind: 'binary', name: '·', symbols: [], apply: () => NaN, commutative: false, associative: false, defaultMerge: 'intersect', unicode: '·', latex: '\\cdot',
};

function findGeneric(x: ValueExpr): ValueExpr | undefined {
  switch (x.kind) {
    case 'const': case 'access': case 'shape': return undefined;
    case 'unary': return findGeneric(x.operand);
    case 'binary': return x.op === GENERIC ? x : findGeneric(x.left) ?? findGeneric(x.right);
    default: { const never: never = x; return never; }
  }
}

type AccessAst = Extract<ExprAst, { kind: 'access' }>;

function collectAccessAsts(x: ExprAst, out: AccessAst[] = []): AccessAst[] {
  switch (x.kind) {
    case 'access': out.push(x); break;
    case 'binary': collectAccessAsts(x.left, out); collectAccessAsts(x.right, out); break;
    case 'neg': collectAccessAsts(x.operand, out); break;
    case 'call': x.args.forEach((a) => collectAccessAsts(a, out)); break;
    case 'number': case 'param': break;
    default: { const never: never = x; return never; }
  }
  return out;
}

/** Shape names inside a rank expression, and the conventional ranks of its variables. */
function rankExprNames(x: RankExprAst, out: Set<string>): void {
  switch (x.kind) {
    case 'shape': out.add(x.name); break;
    case 'var': out.add(conventionalRank(x.name)); break;
    case 'binop': rankExprNames(x.left, out); rankExprNames(x.right, out); break;
    case 'neg': rankExprNames(x.operand, out); break;
    case 'int': break;
    default: { const never: never = x; return never; }
  }
}

function toIndex(ix: IndexAst): Index {
  return ix.kind === 'filter' ? { kind: 'filter', variable: ix.variable, op: ix.op, bound: ix.bound } : { kind: 'expr', expr: ix.expr };
}

function plainVar(ix: IndexAst): string | undefined {
  if (ix.kind === 'filter') return ix.variable;
  return ix.expr.kind === 'var' ? ix.expr.name : undefined;
}

function indexVars(ix: IndexAst): string[] {
  return ix.kind === 'filter' ? [ix.variable] : [...varsIn(ix.expr)];
}

/** `v+1` (or `1+v`) → v. */
export function recurrenceVar(x: RankExprAst): string | undefined {
  if (x.kind !== 'binop' || x.op !== '+') return undefined;
  if (x.left.kind === 'var' && x.right.kind === 'int' && x.right.value === 1) return x.left.name;
  if (x.right.kind === 'var' && x.left.kind === 'int' && x.left.value === 1) return x.right.name;
  return undefined;
}

/** `a*S+b` or `b+a*S` (or `S*a+b`) with variables a, b and shape S. */
function splitPattern(x: RankExprAst): { outer: string; stride: string; inner: string } | undefined {
  if (x.kind !== 'binop' || x.op !== '+') return undefined;
  const product = (p: RankExprAst): { v: string; s: string } | undefined => {
    if (p.kind !== 'binop' || p.op !== '*') return undefined;
    if (p.left.kind === 'var' && p.right.kind === 'shape') return { v: p.left.name, s: p.right.name };
    if (p.right.kind === 'var' && p.left.kind === 'shape') return { v: p.right.name, s: p.left.name };
    return undefined;
  };
  const l = product(x.left);
  if (l && x.right.kind === 'var') return { outer: l.v, stride: l.s, inner: x.right.name };
  const r = product(x.right);
  if (r && x.left.kind === 'var') return { outer: r.v, stride: r.s, inner: x.left.name };
  return undefined;
}

function printIndexVar(ix: Index): string {
  if (ix.kind === 'filter') return ix.variable;
  return ix.expr.kind === 'var' ? ix.expr.name : '…';
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** Check a parsed cascade; throws a UserError (FM2xx) at the first problem. */
export function checkCascade(ast: CascadeAst, operators: OperatorRegistry = defaultOperators): Cascade {
  return new Checker(ast, operators).check();
}
