/**
 * @file The syntax tree of a cascade file, exactly as written (before any checking). Every node has a
 * span into the source for diagnostics.
 */
import type { Source, Span } from './source.ts';

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type RankBinaryOp = '+' | '-' | '*' | '/' | '%';

/** Integer rank expressions: variables (lower case), shape names (upper case), integers. */
export type RankExprAst =
  | { readonly kind: 'var'; readonly name: string; readonly span: Span }
  | { readonly kind: 'shape'; readonly name: string; readonly span: Span }
  | { readonly kind: 'int'; readonly value: number; readonly span: Span }
  | { readonly kind: 'binop'; readonly op: RankBinaryOp; readonly left: RankExprAst; readonly right: RankExprAst; readonly span: Span }
  | { readonly kind: 'neg'; readonly operand: RankExprAst; readonly span: Span };

/** One index of an access: a rank expression, or a filtered variable `k : k <= i`. */
export type IndexAst =
  | { readonly kind: 'rank'; readonly expr: RankExprAst; readonly span: Span }
  | {
      readonly kind: 'filter'; readonly variable: string; readonly varSpan: Span; readonly op: CompareOp;
      readonly bound: RankExprAst; readonly span: Span;
    };

export type ValueBinaryOp = '+' | '-' | '*' | '/' | '·';

export type ExprAst =
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly span: Span }
  | { readonly kind: 'access'; readonly tensor: string; readonly nameSpan: Span; readonly indices: readonly IndexAst[]; readonly bracketed: boolean; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: ValueBinaryOp; readonly opSpan: Span; readonly left: ExprAst; readonly right: ExprAst; readonly span: Span }
  | { readonly kind: 'neg'; readonly operand: ExprAst; readonly span: Span }
  | { readonly kind: 'call'; readonly name: string; readonly nameSpan: Span; readonly args: readonly ExprAst[]; readonly span: Span }
  /** A parameter inside the body of an `operator` declaration. */
  | { readonly kind: 'param'; readonly name: string; readonly span: Span };

export interface NameRef {
  readonly name: string;
  readonly span: Span;
}

/** `map OP(MERGE)` / `reduce[ranks] OP(MERGE)` and their EDGE forms `⋀_k ×(∩)`, `⋁_k +(∪)`. */
export interface ActionAst {
  readonly kind: 'map' | 'reduce';
  readonly ranks: readonly NameRef[] | null;
  readonly op: NameRef;
  readonly merge: NameRef | null;
  readonly span: Span;
}

export interface EinsumAst {
  readonly kind: 'einsum';
  readonly output: { readonly tensor: string; readonly nameSpan: Span; readonly indices: readonly IndexAst[]; readonly span: Span };
  readonly expr: ExprAst;
  readonly actions: readonly ActionAst[];
  readonly span: Span;
}

export interface InputDeclAst {
  readonly kind: 'input';
  readonly tensors: readonly { readonly name: string; readonly nameSpan: Span; readonly ranks: readonly NameRef[]; readonly span: Span }[];
  readonly span: Span;
}

export interface OutputDeclAst {
  readonly kind: 'output';
  readonly names: readonly NameRef[];
  readonly span: Span;
}

export interface ShapeDeclAst {
  readonly kind: 'shape';
  readonly entries: readonly { readonly name: string; readonly nameSpan: Span; readonly value: number; readonly span: Span }[];
  readonly span: Span;
}

export interface StopAst {
  readonly kind: 'stop';
  readonly variable: string;
  readonly varSpan: Span;
  readonly op: CompareOp;
  readonly bound: RankExprAst;
  readonly span: Span;
}

/** `operator NAME(a, b) = BODY [identity X] [merge M]`: a user compute operator defined in the file. */
export interface OperatorDeclAst {
  readonly kind: 'operator';
  readonly name: NameRef;
  readonly params: readonly NameRef[];
  readonly body: ExprAst;
  readonly identity: { readonly value: number; readonly span: Span } | null;
  readonly merge: NameRef | null;
  readonly span: Span;
}

export type StatementAst = EinsumAst | InputDeclAst | OutputDeclAst | ShapeDeclAst | StopAst | OperatorDeclAst;

export interface CascadeAst {
  readonly source: Source;
  readonly statements: readonly StatementAst[];
}
