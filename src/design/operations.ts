/**
 * @file The operations one point of an Einsum performs, named as the arrays' `operators` name them:
 * every operator of its expression plus its reduction, a product accumulated by + (`Σ a·b`, `a·b + c`)
 * being one `mac`, and `exp(a − b)` one `sub_exp`. And what they cost on an array: cycles per point
 * (the operations run one after another in a PE) and the units used (energy), or the operations the
 * array cannot execute.
 */
import type { Einsum, ValueExpr } from '../ir/cascade.ts';
import type { HardwareArray } from './hardware.ts';

/** Operator names, one per operation of a point (repeated when used twice). */
export function operationsOf(e: Einsum): string[] {
  const ops: string[] = [];
  let expr = e.expr;
  let reduction = e.reduction?.op.name;
  // Σ a·b: the product and its accumulation are one multiply-accumulate.
  if (reduction === 'add' && expr.kind === 'binary' && expr.op.name === 'mul') {
    ops.push('mac');
    walk(expr.left, ops);
    walk(expr.right, ops);
    reduction = undefined;
    expr = { kind: 'const', value: 0, span: expr.span };
  }
  walk(expr, ops);
  if (reduction !== undefined) ops.push(reduction);
  return ops;
}

function walk(x: ValueExpr, ops: string[]): void {
  switch (x.kind) {
    case 'const':
    case 'shape':
    case 'access':
      return;
    case 'unary':
      ops.push(x.op.name);
      walk(x.operand, ops);
      return;
    case 'binary': {
      // a·b + c and c + a·b: one multiply-accumulate.
      const product = x.op.name === 'add' ? [x.left, x.right].find((s) => s.kind === 'binary' && s.op.name === 'mul') : undefined;
      if (product && product.kind === 'binary') {
        ops.push('mac');
        walk(product.left, ops);
        walk(product.right, ops);
        walk(product === x.left ? x.right : x.left, ops);
        return;
      }
      ops.push(x.op.name);
      walk(x.left, ops);
      walk(x.right, ops);
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
