/**
 * @file A span-free, JSON-able view of a checked cascade: two cascades with equal structure compute the
 * same thing. Used for the print/re-parse round trip and by rewrites that must preserve a cascade.
 */
import type { Cascade, Index, ValueExpr } from './cascade.ts';
import type { RankExprAst } from '../notation/ast.ts';
import { printOperatorDecl } from '../notation/print.ts';

function rank(x: RankExprAst): unknown {
  switch (x.kind) {
    case 'var': case 'shape': return [x.kind, x.name];
    case 'int': return x.value;
    case 'neg': return ['neg', rank(x.operand)];
    case 'binop': return [x.op, rank(x.left), rank(x.right)];
    default: { const never: never = x; return never; }
  }
}

function index(ix: Index): unknown {
  return ix.kind === 'expr' ? rank(ix.expr) : ['filter', ix.variable, ix.op, rank(ix.bound)];
}

function expr(x: ValueExpr): unknown {
  switch (x.kind) {
    case 'const': return Object.is(x.value, -0) ? 0 : x.value === Infinity ? 'inf' : x.value === -Infinity ? '-inf' : x.value;
    case 'shape': return ['shape', x.name];
    case 'access': return [x.tensor, ...x.indices.map(index)];
    case 'unary': return [x.op.name, x.merge.name, expr(x.operand)];
    case 'binary': return [x.op.name, x.merge.name, expr(x.left), expr(x.right)];
    default: { const never: never = x; return never; }
  }
}

export function cascadeStructure(c: Cascade): unknown {
  return {
    operators: c.operators.map((o) => printOperatorDecl(o)),
    tensors: [...c.tensors.values()].map((t) => [t.name, t.role, t.ranks, t.generational]),
    outputs: c.outputs,
    shapes: [...c.shapeDefaults],
    partitions: c.partitions,
    iterative: [...c.iterativeRanks.values()].map((it) => [it.variable, it.rank, it.stop.op, rank(it.stop.bound)]),
    einsums: c.einsums.map((e) => ({
      output: [e.output.tensor, ...e.output.indices.map(index)],
      expr: expr(e.expr),
      vars: [...e.vars],
      reduced: e.reducedVars,
      reduction: e.reduction ? [e.reduction.op.name, e.reduction.merge.name] : null,
      filters: e.filters.map((f) => [f.variable, f.op, rank(f.bound)]),
    })),
  };
}
