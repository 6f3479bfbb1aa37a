/**
 * @file A cascade at a workload point as the Einsums an automatic design maps: every Einsum that
 * computes something (initializations and views removed), its iteration space (the workload's batch
 * ranks first, then its ranks with their sizes), its operands as the model's data spaces, its
 * operations, what it reduces, and its pass over each rank (from the pass analysis).
 *
 * - A view copies an input without computing (`BK[e,m1,m0] = K[e, m1*M0+m0]`): it is an input itself,
 *   read from DRAM in its own layout.
 * - A view copies an intermediate (`SD[p] = RSD[M1,p]`): its readers read the source directly.
 * - Generations: a recurrence `T[v+1] = f(T[v], ...)` reads the previous generation, a data space of
 *   its own (`T_prev`) that lives across the steps of v; `T[V]` (the last generation) and `T[0]` drop
 *   the rank. Data-space names are unique within an Einsum.
 *
 * Codes: FM852 an Einsum the model cannot express (a rank indexed twice, an index that is not affine in
 * one variable on an intermediate, two Einsums writing one tensor).
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { accessesOf, type Cascade, type Einsum, type Index, type UserOperatorDef, type ValueExpr } from '../ir/cascade.ts';
import { analysePasses } from '../analysis/passes.ts';
import { spanLocation } from '../notation/source.ts';
import type { RankExprAst } from '../notation/ast.ts';
import { operationsOf } from './operations.ts';

/** How an operand reads a tensor that has generations (a recurrence's state). */
export type Generation = 'plain' | 'current' | 'previous' | 'final';

export interface Operand {
  /** Data-space name in this Einsum's problem. */
  readonly name: string;
  /** The tensor holding the data. */
  readonly tensor: string;
  /** The dimensions of this Einsum that index it, in the tensor's rank order. */
  readonly ranks: readonly string[];
  readonly generation: Generation;
}

export interface DesignEinsum {
  /** The tensor it computes. */
  readonly name: string;
  /** Its position in the cascade. */
  readonly index: number;
  /** Dimension → size: the batch ranks first, then the Einsum's ranks in order of appearance. */
  readonly dims: ReadonlyMap<string, number>;
  readonly reads: readonly Operand[];
  readonly output: Operand;
  /** One operator name per operation of a point (see operations.ts). */
  readonly operations: readonly string[];
  /** Ranks it reduces. */
  readonly reduced: readonly string[];
  /** The rank of its recurrence (it writes generation v+1 from generation v). */
  readonly recurrence?: string;
  /** Its pass over every rank it iterates (batch ranks: 1). */
  readonly passes: ReadonlyMap<string, number>;
}

export interface DesignView {
  readonly tensor: string;
  readonly of: string;
  readonly kind: 'input' | 'alias';
}

export interface DesignCascade {
  readonly cascade: Cascade;
  readonly einsums: readonly DesignEinsum[];
  /** Tensors in DRAM before the cascade runs: its inputs and the views of inputs. */
  readonly inputs: ReadonlySet<string>;
  /** Tensors the cascade returns (written to DRAM). */
  readonly outputs: ReadonlySet<string>;
  /** Every rank's size, the batch ranks included. */
  readonly shapes: ReadonlyMap<string, number>;
  readonly batchRanks: readonly string[];
  /** The Einsum computing each intermediate tensor. */
  readonly producer: ReadonlyMap<string, string>;
  readonly views: readonly DesignView[];
}

type Access = Extract<ValueExpr, { kind: 'access' }>;

/** A no-op copy `T[...] = S[...]` that is not an output: a view of S. */
function viewSource(c: Cascade, e: Einsum): Access | undefined {
  if (e.initializes || e.recurrence || e.reduction || e.filters.length > 0 || e.expr.kind !== 'access') return undefined;
  if (c.outputs.includes(e.output.tensor)) return undefined;
  return e.expr;
}

function isPlainVar(ix: Index): string | undefined {
  return ix.kind === 'expr' && ix.expr.kind === 'var' ? ix.expr.name : ix.kind === 'filter' ? ix.variable : undefined;
}

function isConstant(x: RankExprAst): boolean {
  return x.kind === 'shape' || x.kind === 'int';
}

/** `v + 1` → v. */
function nextGeneration(x: RankExprAst): string | undefined {
  if (x.kind !== 'binop' || x.op !== '+') return undefined;
  if (x.left.kind === 'var' && x.right.kind === 'int' && x.right.value === 1) return x.left.name;
  if (x.right.kind === 'var' && x.left.kind === 'int' && x.left.value === 1) return x.right.name;
  return undefined;
}

export function designCascade(c: Cascade, shapes: ReadonlyMap<string, number>, batchRanks: readonly string[]): DesignCascade {
  const analysis = analysePasses(c);
  const inputs = new Set([...c.tensors.values()].filter((t) => t.role === 'input').map((t) => t.name));
  const aliases = new Map<string, { view: Einsum; source: Access }>();
  const views: DesignView[] = [];
  const real: Einsum[] = [];
  for (const e of c.einsums) {
    if (e.initializes) continue;
    const src = viewSource(c, e);
    if (src && inputs.has(src.tensor)) {
      inputs.add(e.output.tensor);
      views.push({ tensor: e.output.tensor, of: src.tensor, kind: 'input' });
    } else if (src && e.output.indices.every((ix) => isPlainVar(ix) !== undefined) && src.indices.every((ix) => isPlainVar(ix) !== undefined || (ix.kind === 'expr' && isConstant(ix.expr)))) {
      aliases.set(e.output.tensor, { view: e, source: src });
      views.push({ tensor: e.output.tensor, of: src.tensor, kind: 'alias' });
    } else {
      real.push(e);
    }
  }
  const producer = new Map<string, string>();
  for (const e of real) {
    if (producer.has(e.output.tensor)) fail('FM852', `two Einsums compute '${e.output.tensor}'; an automatic design names Einsums by the tensor they compute`, spanLocation(c.source, e.span));
    producer.set(e.output.tensor, e.output.tensor);
  }
  const cascadeNames = new Set(c.tensors.keys());
  const user = new Map(c.operators.map((o) => [o.name, o]));
  const einsums = real.map((e) => designEinsum(c, e, shapes, batchRanks, aliases, cascadeNames, analysis.einsumPasses.get(e.index), user));
  return { cascade: c, einsums, inputs, outputs: new Set(c.outputs), shapes, batchRanks, producer, views };
}

function designEinsum(c: Cascade, e: Einsum, shapes: ReadonlyMap<string, number>, batchRanks: readonly string[], aliases: ReadonlyMap<string, { view: Einsum; source: Access }>, cascadeNames: ReadonlySet<string>, passes: ReadonlyMap<string, number> | undefined, user: ReadonlyMap<string, UserOperatorDef>): DesignEinsum {
  const where = spanLocation(c.source, e.span);
  const dims = new Map<string, number>();
  for (const b of batchRanks) dims.set(b, shapes.get(b)!);
  const seen = new Map<string, string>();
  for (const [v, r] of e.vars) {
    const other = seen.get(r);
    if (other !== undefined || batchRanks.includes(r)) fail('FM852', `'${v}' ${other ? `and '${other}' both range` : 'ranges'} over ${r} in the Einsum of '${e.output.tensor}': the model names dimensions by rank`, where);
    seen.set(r, v);
    dims.set(r, shapes.get(r)!);
  }
  // The dimensions indexing an operand and which generation it reads.
  const shape = (tensor: string, indices: readonly Index[], isOutput: boolean): { ranks: string[]; generation: Generation } => {
    const info = c.tensors.get(tensor)!;
    const ranks: string[] = [...batchRanks];
    let generation: Generation = 'plain';
    indices.forEach((ix, j) => {
      if (ix.kind === 'filter') {
        ranks.push(e.vars.get(ix.variable)!);
        return;
      }
      const x = ix.expr;
      const generational = info.generational[j] === true;
      const next = nextGeneration(x);
      if (x.kind === 'var') {
        ranks.push(e.vars.get(x.name)!);
        if (generational && !isOutput) generation = 'previous';
      } else if (next !== undefined) {
        ranks.push(e.vars.get(next)!);
        if (generational) generation = 'current';
      } else if (isConstant(x)) {
        if (generational) generation = 'final';
      } else {
        fail('FM852', `'${tensor}' is indexed by an expression of several variables in the Einsum of '${e.output.tensor}'; only inputs can be read through a partition (as a view)`, where);
      }
    });
    return { ranks, generation };
  };
  const used = new Set<string>();
  const operand = (tensor: string, ranks: string[], generation: Generation): Operand => {
    const base = generation === 'previous' ? `${tensor}_prev` : tensor;
    let name = base;
    for (let k = 2; used.has(name) || (name !== tensor && cascadeNames.has(name)); k++) name = `${base}_${k}`;
    used.add(name);
    return { name, tensor, ranks, generation };
  };
  const out = shape(e.output.tensor, e.output.indices, true);
  const output = operand(e.output.tensor, out.ranks, out.generation);
  const reads: Operand[] = [];
  for (const a of accessesOf(e.expr)) {
    const { tensor, indices } = resolveAlias(a, aliases);
    const s = shape(tensor, indices, false);
    // The same tensor read twice at the same indices is one operand.
    if (reads.some((r) => r.tensor === tensor && r.generation === s.generation && r.ranks.join() === s.ranks.join())) continue;
    reads.push(operand(tensor, s.ranks, s.generation));
  }
  const reduced = [...new Set(e.reducedVars.map((v) => e.vars.get(v)!))];
  const recurrence = e.recurrence ? e.vars.get(e.recurrence.variable) : undefined;
  const passOf = new Map<string, number>();
  for (const r of dims.keys()) passOf.set(r, passes?.get(r) ?? 1);
  return { name: e.output.tensor, index: e.index, dims, reads, output, operations: operationsOf(e, user), reduced, ...(recurrence !== undefined ? { recurrence } : {}), passes: passOf };
}

/** A read of an alias view becomes a read of its source (the view's variables replaced by the reader's indices). */
function resolveAlias(a: Access, aliases: ReadonlyMap<string, { view: Einsum; source: Access }>): { tensor: string; indices: readonly Index[] } {
  let tensor = a.tensor;
  let indices: readonly Index[] = a.indices;
  for (let alias = aliases.get(tensor); alias; alias = aliases.get(tensor)) {
    const outVars = alias.view.output.indices.map((ix) => isPlainVar(ix)!);
    const reader = indices;
    indices = alias.source.indices.map((ix) => {
      const v = isPlainVar(ix);
      return v === undefined ? ix : reader[outVars.indexOf(v)]!;
    });
    tensor = alias.source.tensor;
  }
  return { tensor, indices };
}
