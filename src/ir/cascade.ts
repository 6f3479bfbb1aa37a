/**
 * @file The checked cascade: tensors with their ranks (standard or generational), Einsums whose
 * expressions carry resolved compute and merge operators, reductions, filters, iterative ranks with
 * stopping conditions, and partitioned ranks. Everything downstream (printers, executor, pass analysis,
 * model adapters) reads this, never the AST.
 */
import type { CompareOp, ExprAst, RankExprAst } from '../notation/ast.ts';
import type { Source, Span } from '../notation/source.ts';
import type { BinaryOperator, UnaryOperator } from '../ops/compute.ts';
import type { MergeOperator } from '../ops/merge.ts';

export type RankExpr = RankExprAst;

export interface TensorInfo {
  readonly name: string;
  /** Rank (shape) names, outermost first. */
  readonly ranks: readonly string[];
  /** Per rank: true when it is generational (coordinates 0..shape inclusive, one per generation). */
  readonly generational: readonly boolean[];
  readonly role: 'input' | 'intermediate' | 'output';
  /** Where it is declared (input) or first written. */
  readonly span: Span;
}

/** An index of an access or of an output: a rank expression or a filtered variable. */
export type Index =
  | { readonly kind: 'expr'; readonly expr: RankExpr }
  | { readonly kind: 'filter'; readonly variable: string; readonly op: CompareOp; readonly bound: RankExpr };

/** How a node was written, so the printers can give back the user's form. */
export type BinaryForm = 'infix' | 'call' | 'exp-sub' | 'dot';

export type ValueExpr =
  | { readonly kind: 'const'; readonly value: number; readonly span: Span }
  /** The extent of a rank used as a value (`MU[p] = X[d,p] / D`): a constant once the shapes are known. */
  | { readonly kind: 'shape'; readonly name: string; readonly span: Span }
  | { readonly kind: 'access'; readonly tensor: string; readonly indices: readonly Index[]; readonly span: Span }
  | {
      readonly kind: 'binary'; readonly op: BinaryOperator; readonly merge: MergeOperator; readonly form: BinaryForm;
      readonly left: ValueExpr; readonly right: ValueExpr; readonly span: Span;
    }
  | { readonly kind: 'unary'; readonly op: UnaryOperator; readonly merge: MergeOperator; readonly operand: ValueExpr; readonly span: Span };

export interface Reduction {
  readonly op: BinaryOperator;
  readonly merge: MergeOperator;
}

export interface Filter {
  readonly variable: string;
  readonly op: CompareOp;
  readonly bound: RankExpr;
}

export interface Einsum {
  /** Position in the cascade, from 0. */
  readonly index: number;
  readonly output: { readonly tensor: string; readonly indices: readonly Index[] };
  readonly expr: ValueExpr;
  /** Every variable of the iteration space and the rank it ranges over. */
  readonly vars: ReadonlyMap<string, string>;
  /** Variables of the output indices, in order of appearance. */
  readonly outputVars: readonly string[];
  /** Variables reduced away (on the right, not on the left), in order of appearance. */
  readonly reducedVars: readonly string[];
  /** The reduction of the reduced variables (null when nothing is reduced). */
  readonly reduction: Reduction | null;
  /** Restrictions of the iteration space (filters on either side). */
  readonly filters: readonly Filter[];
  /** Set when the output is written at generation `v+1` (a recurrence over the iterative rank of v). */
  readonly recurrence: { readonly variable: string } | null;
  /** Set when the Einsum initializes generation 0 of an iterative tensor. */
  readonly initializes: { readonly rank: string } | null;
  /** Whether `::` actions were written (the printers show them only then, or when not the default). */
  readonly explicitActions: boolean;
  readonly span: Span;
}

export interface Partition {
  /** The whole rank (M) and its outer (M1) and inner (M0) parts: M = M1 × M0. */
  readonly whole: string;
  readonly outer: string;
  readonly inner: string;
}

export interface IterativeRank {
  readonly variable: string;
  readonly rank: string;
  /** Stop when `variable op bound` holds (default `v >= V`). */
  readonly stop: { readonly op: CompareOp; readonly bound: RankExpr };
  /** Whether the stop was written (the printers omit the default). */
  readonly explicitStop: boolean;
}

/** A compute operator declared in the file (`operator NAME(a, b) = ...`). */
export interface UserOperatorDef {
  readonly name: string;
  readonly params: readonly string[];
  readonly body: ExprAst;
  readonly identity: number | null;
  readonly merge: string | null;
}

export interface Cascade {
  readonly source: Source;
  /** Operators declared in the file, in order (already registered in the registry the cascade was checked with). */
  readonly operators: readonly UserOperatorDef[];
  /** Tensors: inputs in declaration order, then the others in order of first write. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly einsums: readonly Einsum[];
  readonly outputs: readonly string[];
  /** Whether `output` was written. */
  readonly explicitOutputs: boolean;
  /** Whether `input` declarations were written (then every input must be declared). */
  readonly explicitInputs: boolean;
  /** Default shapes from `shape` lines. */
  readonly shapeDefaults: ReadonlyMap<string, number>;
  readonly partitions: readonly Partition[];
  readonly iterativeRanks: ReadonlyMap<string, IterativeRank>;
}

export function inputsOf(c: Cascade): TensorInfo[] {
  return [...c.tensors.values()].filter((t) => t.role === 'input');
}

/** All rank names a cascade uses (tensor ranks and iteration variables' ranks), sorted. */
export function ranksOf(c: Cascade): string[] {
  const out = new Set<string>();
  for (const t of c.tensors.values()) for (const r of t.ranks) out.add(r);
  for (const e of c.einsums) for (const r of e.vars.values()) out.add(r);
  for (const p of c.partitions) [p.whole, p.outer, p.inner].forEach((r) => out.add(r));
  return [...out].sort();
}

/** Shape names referenced inside rank expressions (e.g. M0 in m1*M0+m0, M1 in RNV[f,M1,p]). */
export function shapeNamesIn(expr: RankExpr, out: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'shape': out.add(expr.name); break;
    case 'binop': shapeNamesIn(expr.left, out); shapeNamesIn(expr.right, out); break;
    case 'neg': shapeNamesIn(expr.operand, out); break;
    case 'var': case 'int': break;
    default: { const never: never = expr; return never; }
  }
  return out;
}

/** Variables referenced inside a rank expression. */
export function varsIn(expr: RankExpr, out: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'var': out.add(expr.name); break;
    case 'binop': varsIn(expr.left, out); varsIn(expr.right, out); break;
    case 'neg': varsIn(expr.operand, out); break;
    case 'shape': case 'int': break;
    default: { const never: never = expr; return never; }
  }
  return out;
}

/** Every tensor access of an expression, left to right. */
export function accessesOf(expr: ValueExpr, out: Array<Extract<ValueExpr, { kind: 'access' }>> = []): Array<Extract<ValueExpr, { kind: 'access' }>> {
  switch (expr.kind) {
    case 'access': out.push(expr); break;
    case 'binary': accessesOf(expr.left, out); accessesOf(expr.right, out); break;
    case 'unary': accessesOf(expr.operand, out); break;
    case 'const': case 'shape': break;
    default: { const never: never = expr; return never; }
  }
  return out;
}

/** Shape names used as values in an expression (`/ D`). */
export function shapeValuesOf(expr: ValueExpr, out: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'shape': out.add(expr.name); break;
    case 'binary': shapeValuesOf(expr.left, out); shapeValuesOf(expr.right, out); break;
    case 'unary': shapeValuesOf(expr.operand, out); break;
    case 'const': case 'access': break;
    default: { const never: never = expr; return never; }
  }
  return out;
}

/** Evaluate an integer rank expression under variable and shape bindings. */
export function evalRankExpr(expr: RankExpr, vars: ReadonlyMap<string, number> | Record<string, number>, shapes: ReadonlyMap<string, number>): number {
  switch (expr.kind) {
    case 'int': return expr.value;
    case 'var': {
      const v = vars instanceof Map ? vars.get(expr.name) : (vars as Record<string, number>)[expr.name];
      if (v === undefined) throw new Error(`unbound rank variable ${expr.name}`);
      return v;
    }
    case 'shape': {
      const v = shapes.get(expr.name);
      if (v === undefined) throw new Error(`unknown shape ${expr.name}`);
      return v;
    }
    case 'neg': return -evalRankExpr(expr.operand, vars, shapes);
    case 'binop': {
      const a = evalRankExpr(expr.left, vars, shapes);
      const b = evalRankExpr(expr.right, vars, shapes);
      switch (expr.op) {
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return Math.floor(a / b);
        case '%': return ((a % b) + b) % b;
        default: { const never: never = expr.op; return never; }
      }
    }
    default: { const never: never = expr; return never; }
  }
}

export function compare(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    case '!=': return a !== b;
    default: { const never: never = op; return never; }
  }
}
