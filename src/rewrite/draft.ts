/**
 * @file An editable form of a cascade for the rewrite rules: inputs, outputs, shape defaults and a list
 * of Einsums (output indices, expression, reduction). Rules build new drafts; a draft becomes a checked
 * cascade again by printing it in the notation and re-checking it, so every rewrite is validated by
 * the same checker a user's file is.
 */
import type { Cascade, Index, Reduction, TensorInfo, ValueExpr } from '../ir/cascade.ts';
import { accessesOf } from '../ir/cascade.ts';
import { loadCascade } from '../ir/check.ts';
import type { RankExprAst } from '../notation/ast.ts';
import { printCascade } from '../notation/print.ts';
import { defaultOperators, type BinaryOperator } from '../ops/compute.ts';
import { MERGES } from '../ops/merge.ts';

export interface DraftEinsum {
  readonly tensor: string;
  readonly indices: readonly Index[];
  readonly expr: ValueExpr;
  /** The reduction of the variables on the right that are not on the left (null: + by default or nothing reduced). */
  readonly reduction: Reduction | null;
}

export interface Draft {
  /** Operators declared in the original file, carried along unchanged. */
  readonly operators: Cascade['operators'];
  readonly inputs: ReadonlyArray<{ readonly name: string; readonly ranks: readonly string[] }>;
  readonly outputs: readonly string[];
  readonly shapes: ReadonlyMap<string, number>;
  readonly einsums: readonly DraftEinsum[];
}

const NOWHERE = { start: 0, end: 0 };

export const rx = {
  v: (name: string): RankExprAst => ({ kind: 'var', name, span: NOWHERE }),
  s: (name: string): RankExprAst => ({ kind: 'shape', name, span: NOWHERE }),
  n: (value: number): RankExprAst => ({ kind: 'int', value, span: NOWHERE }),
  plus1: (name: string): RankExprAst => ({ kind: 'binop', op: '+', left: rx.v(name), right: rx.n(1), span: NOWHERE }),
  split: (outer: string, stride: string, inner: string): RankExprAst => ({
    kind: 'binop', op: '+', left: { kind: 'binop', op: '*', left: rx.v(outer), right: rx.s(stride), span: NOWHERE }, right: rx.v(inner), span: NOWHERE,
  }),
};

export const ix = {
  e: (expr: RankExprAst): Index => ({ kind: 'expr', expr }),
  v: (name: string): Index => ({ kind: 'expr', expr: rx.v(name) }),
  init: (name: string): Index => ({ kind: 'filter', variable: name, op: '==', bound: rx.n(0) }),
};

function op(name: string): BinaryOperator {
  const o = defaultOperators.binary(name);
  if (!o) throw new Error(`no operator ${name}`);
  return o;
}

/** Expression builders with the default merges of the notation. */
export const ex = {
  acc: (tensor: string, indices: readonly Index[]): ValueExpr => ({ kind: 'access', tensor, indices, span: NOWHERE }),
  num: (value: number): ValueExpr => ({ kind: 'const', value, span: NOWHERE }),
  bin: (name: 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'sub_exp', left: ValueExpr, right: ValueExpr): ValueExpr => {
    const o = op(name);
    const form = name === 'sub_exp' ? 'exp-sub' : name === 'max' || name === 'min' ? 'call' : 'infix';
    return { kind: 'binary', op: o, merge: MERGES[o.defaultMerge], form, left, right, span: NOWHERE };
  },
};

export function draftOf(c: Cascade): Draft {
  return {
    operators: c.operators,
    inputs: [...c.tensors.values()].filter((t) => t.role === 'input').map((t) => ({ name: t.name, ranks: t.ranks })),
    outputs: c.outputs,
    shapes: c.shapeDefaults,
    einsums: c.einsums.map((e) => ({ tensor: e.output.tensor, indices: e.output.indices, expr: e.expr, reduction: e.reduction && !(e.reduction.op.name === 'add' && e.reduction.merge.name === 'union') ? e.reduction : null })),
  };
}

/** The draft in the notation (canonical text). */
export function draftText(d: Draft): string {
  const tensors = new Map<string, TensorInfo>(d.inputs.map((t) => [t.name, { name: t.name, ranks: t.ranks, generational: t.ranks.map(() => false), role: 'input', span: NOWHERE }]));
  const fake = {
    source: { file: 'draft', text: '' },
    operators: d.operators,
    tensors,
    explicitInputs: true,
    explicitOutputs: true,
    outputs: d.outputs,
    shapeDefaults: d.shapes,
    partitions: [],
    iterativeRanks: new Map(),
    einsums: d.einsums.map((e, index) => ({
      index, output: { tensor: e.tensor, indices: e.indices }, expr: e.expr, vars: new Map(), outputVars: [], reducedVars: reducedVarsOf(e),
      reduction: e.reduction, filters: [], recurrence: null, initializes: null, explicitActions: e.reduction !== null, span: NOWHERE,
    })),
  } as unknown as Cascade;
  return printCascade(fake, 'text');
}

/** Re-check a draft: the rewritten cascade as a user would load it. */
export function draftCascade(d: Draft, file = 'optimized.cascade'): Cascade {
  return loadCascade(draftText(d), file);
}

/** Variables of an index. */
export function indexVarNames(i: Index): string[] {
  if (i.kind === 'filter') return [i.variable];
  const out: string[] = [];
  const walk = (x: RankExprAst): void => {
    if (x.kind === 'var') out.push(x.name);
    else if (x.kind === 'binop') { walk(x.left); walk(x.right); } else if (x.kind === 'neg') walk(x.operand);
  };
  walk(i.expr);
  return out;
}

/** Variables reduced by an Einsum of a draft: on the right, not on the left. */
export function reducedVarsOf(e: DraftEinsum): string[] {
  const left = new Set(e.indices.flatMap(indexVarNames));
  const right: string[] = [];
  for (const a of accessesOf(e.expr)) for (const i of a.indices) for (const v of indexVarNames(i)) if (!left.has(v) && !right.includes(v)) right.push(v);
  return right;
}

/** Variables an expression reads. */
export function exprVars(x: ValueExpr): Set<string> {
  return new Set(accessesOf(x).flatMap((a) => a.indices.flatMap(indexVarNames)));
}

/** A tensor name not used yet: `base`, else base2, base3, ... */
export function freshName(d: Draft, base: string): string {
  const used = new Set([...d.inputs.map((t) => t.name), ...d.einsums.map((e) => e.tensor)]);
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

export function readers(d: Draft, tensor: string): DraftEinsum[] {
  return d.einsums.filter((e) => accessesOf(e.expr).some((a) => a.tensor === tensor));
}
