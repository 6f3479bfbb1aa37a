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
  shape: (name: string): ValueExpr => ({ kind: 'shape', name, span: NOWHERE }),
  neg: (operand: ValueExpr): ValueExpr => {
    const o = defaultOperators.unary('neg');
    if (!o) throw new Error('no operator neg');
    return { kind: 'unary', op: o, merge: MERGES[o.defaultMerge], operand, span: NOWHERE };
  },
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

/** Rename variables in a rank expression. */
export function renameRank(r: RankExprAst, map: ReadonlyMap<string, RankExprAst>): RankExprAst {
  switch (r.kind) {
    case 'var': return map.get(r.name) ?? r;
    case 'binop': return simplifyRank({ ...r, left: renameRank(r.left, map), right: renameRank(r.right, map) });
    case 'neg': return { ...r, operand: renameRank(r.operand, map) };
    case 'int': case 'shape': return r;
    default: { const never: never = r; return never; }
  }
}

/** Fold the integer parts of a rank expression (0*M0+0 → 0, m+0 → m). */
export function simplifyRank(r: RankExprAst): RankExprAst {
  if (r.kind !== 'binop') return r;
  const { left: a, right: b } = r;
  if (a.kind === 'int' && b.kind === 'int') {
    switch (r.op) {
      case '+': return rx.n(a.value + b.value);
      case '-': return rx.n(a.value - b.value);
      case '*': return rx.n(a.value * b.value);
      case '/': return rx.n(Math.floor(a.value / b.value));
      case '%': return rx.n(((a.value % b.value) + b.value) % b.value);
      default: { const never: never = r.op; return never; }
    }
  }
  if (r.op === '*' && ((a.kind === 'int' && a.value === 0) || (b.kind === 'int' && b.value === 0))) return rx.n(0);
  if ((r.op === '+' || r.op === '-') && b.kind === 'int' && b.value === 0) return a;
  if (r.op === '+' && a.kind === 'int' && a.value === 0) return b;
  return r;
}

/** Rename variables in every index of an expression (to inline a definition at an access, or to fix a variable). */
export function renameVars(x: ValueExpr, map: ReadonlyMap<string, RankExprAst>): ValueExpr {
  const index = (i: Index): Index => (i.kind === 'expr' ? { kind: 'expr', expr: renameRank(i.expr, map) } : i);
  switch (x.kind) {
    case 'const': case 'shape': return x;
    case 'access': return { ...x, indices: x.indices.map(index) };
    case 'unary': return { ...x, operand: renameVars(x.operand, map) };
    case 'binary': return { ...x, left: renameVars(x.left, map), right: renameVars(x.right, map) };
    default: { const never: never = x; return never; }
  }
}

/** The variable map that inlines definition `def` (plain-variable output indices) at `access`, or null. */
export function inliningMap(def: DraftEinsum, access: Extract<ValueExpr, { kind: 'access' }>): Map<string, RankExprAst> | null {
  const map = new Map<string, RankExprAst>();
  for (const [k, i] of def.indices.entries()) {
    const at = access.indices[k];
    if (i.kind !== 'expr' || i.expr.kind !== 'var' || map.has(i.expr.name) || at?.kind !== 'expr') return null;
    map.set(i.expr.name, at.expr);
  }
  return map;
}

/** The single defining Einsum of a tensor (null for inputs, iterative tensors and several writers). */
export function definitionOf(d: Draft, tensor: string): DraftEinsum | null {
  const defs = d.einsums.filter((e) => e.tensor === tensor);
  const only = defs[0];
  if (defs.length !== 1 || !only) return null;
  return only.indices.some((i) => i.kind === 'filter' || (i.expr.kind !== 'var')) ? null : only;
}

/** A span-free key of an Einsum's definition (indices, expression, reduction), to find identical ones. */
export function definitionKey(e: Omit<DraftEinsum, 'tensor'>): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('apply' in o && 'name' in o) return o['name'];
      if ('table' in o && 'name' in o) return o['name'];
      return Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'span').map(([k, x]) => [k, strip(x)]));
    }
    return v;
  };
  return JSON.stringify(strip({ indices: e.indices, expr: e.expr, reduction: e.reduction }));
}

/** Drop Einsums of `candidates` that no output needs and nothing reads (repeatedly). */
export function dropUnread(einsums: readonly DraftEinsum[], outputs: readonly string[], candidates: ReadonlySet<string>): DraftEinsum[] {
  let out = [...einsums];
  for (let changed = true; changed; ) {
    changed = false;
    const read = new Set(out.flatMap((e) => accessesOf(e.expr).filter((a) => a.tensor !== e.tensor).map((a) => a.tensor)));
    const kept = out.filter((e) => !candidates.has(e.tensor) || outputs.includes(e.tensor) || read.has(e.tensor));
    changed = kept.length < out.length;
    out = kept;
  }
  return out;
}
