/**
 * @file The operations one point of an Einsum performs, named as the arrays' `operators` name them:
 * every operator of its expression plus its reduction, a product accumulated by + (`Σ a·b`, `a·b + c`)
 * being one `mac`, and `exp(a − b)` one `sub_exp`. And what they cost on an array: cycles per point
 * (the operations run one after another in a PE) and the units used (energy), or the operations the
 * array cannot execute.
 */
import type { Einsum, UserOperatorDef, ValueExpr } from '../ir/cascade.ts';
import type { ExprAst } from '../notation/ast.ts';
import type { HardwareArray } from './hardware.ts';

type UserOperators = ReadonlyMap<string, UserOperatorDef>;

/**
 * Operator names, one per operation of a point (repeated when used twice). An operator declared in
 * the cascade (`operator NAME(a, b) = ...`) counts as the operations of its body.
 */
export function operationsOf(e: Einsum, user: UserOperators = new Map()): string[] {
  const ops: string[] = [];
  const walk = (x: ValueExpr): void => walkValue(x, ops, user);
  let expr = e.expr;
  let reduction = e.reduction?.op.name;
  // Σ a·b: the product and its accumulation are one multiply-accumulate.
  if (reduction === 'add' && expr.kind === 'binary' && expr.op.name === 'mul') {
    ops.push('mac');
    walk(expr.left);
    walk(expr.right);
    reduction = undefined;
    expr = { kind: 'const', value: 0, span: expr.span };
  }
  walk(expr);
  if (reduction !== undefined) pushOperator(reduction, ops, user);
  return ops;
}

/** An operator: a built-in by name, a declared one as its body's operations. */
function pushOperator(name: string, ops: string[], user: UserOperators): void {
  const def = user.get(name);
  if (def) walkBody(def.body, ops, user);
  else ops.push(name);
}

function walkValue(x: ValueExpr, ops: string[], user: UserOperators): void {
  switch (x.kind) {
    case 'const':
    case 'shape':
    case 'access':
      return;
    case 'unary':
      pushOperator(x.op.name, ops, user);
      walkValue(x.operand, ops, user);
      return;
    case 'binary': {
      // a·b + c and c + a·b: one multiply-accumulate.
      const product = x.op.name === 'add' ? [x.left, x.right].find((s) => s.kind === 'binary' && s.op.name === 'mul') : undefined;
      if (product && product.kind === 'binary') {
        ops.push('mac');
        walkValue(product.left, ops, user);
        walkValue(product.right, ops, user);
        walkValue(product === x.left ? x.right : x.left, ops, user);
        return;
      }
      pushOperator(x.op.name, ops, user);
      walkValue(x.left, ops, user);
      walkValue(x.right, ops, user);
      return;
    }
    default: {
      const never: never = x;
      return never;
    }
  }
}

const SYMBOL: Readonly<Record<string, string>> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' };

/** The operations of a declared operator's body (the notation's syntax tree). */
function walkBody(x: ExprAst, ops: string[], user: UserOperators): void {
  switch (x.kind) {
    case 'number':
    case 'param':
    case 'access':
      return;
    case 'neg':
      ops.push('neg');
      walkBody(x.operand, ops, user);
      return;
    case 'binary':
      ops.push(SYMBOL[x.op] ?? 'mul');
      walkBody(x.left, ops, user);
      walkBody(x.right, ops, user);
      return;
    case 'call': {
      const arg = x.args[0];
      if (x.name === 'exp' && x.args.length === 1 && arg?.kind === 'binary' && arg.op === '-') {
        ops.push('sub_exp');
        walkBody(arg.left, ops, user);
        walkBody(arg.right, ops, user);
        return;
      }
      pushOperator(x.name, ops, user);
      for (const a of x.args) walkBody(a, ops, user);
      return;
    }
    default: {
      const never: never = x;
      return never;
    }
  }
}

export interface PointCost {
  /** Cycles per point (at least 1: a point with no operation still moves its data). */
  readonly cycles: number;
  /** Units used per point, summed over the operations. */
  readonly units: Readonly<Record<string, number>>;
}

/** The cost of a point on an array, or the operations it cannot execute. */
export function pointCost(ops: readonly string[], array: HardwareArray): { readonly ok: true; readonly cost: PointCost } | { readonly ok: false; readonly missing: readonly string[] } {
  const missing: string[] = [];
  let cycles = 0;
  const units: Record<string, number> = {};
  for (const op of ops) {
    const c = array.operators.get(op);
    if (!c) {
      if (!missing.includes(op)) missing.push(op);
      continue;
    }
    cycles += c.cycles;
    for (const [u, n] of Object.entries(c.units)) units[u] = (units[u] ?? 0) + n;
  }
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, cost: { cycles: Math.max(1, cycles), units } };
}
