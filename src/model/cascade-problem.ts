/**
 * @file The bridge from a cascade to the model: one Einsum of a checked cascade as a Timeloop-like
 * `Problem` (dimensions named by the ranks its variables range over, one data space per tensor).
 * A generational index (v+1) projects like v; a constant index (a final generation T[V]) is a single
 * slice and drops out of the projection; affine indices (m1*M0+m0) become affine terms, which the model
 * counts like Timeloop's (sliding.ts); an index that is not affine is FM507. Filters are not modelled:
 * the whole iteration space is counted.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { ModelCodes } from './issues.ts';
import { accessesOf, type Cascade, type Einsum, type Index } from '../ir/cascade.ts';
import type { RankExprAst } from '../notation/ast.ts';
import type { Shapes } from '../ir/shapes.ts';
import type { DataSpace, Problem, ProjectionRank } from './types.ts';

/** The Einsum writing `tensor` (its recurrence when it also has initializations). */
export function einsumByOutput(c: Cascade, tensor: string): Einsum {
  const writers = c.einsums.filter((e) => e.output.tensor === tensor);
  const e = writers.find((w) => !w.initializes) ?? writers[0];
  if (!e) return fail('FM509', `no Einsum computes '${tensor}'`, undefined, `Einsums: ${[...new Set(c.einsums.map((x) => x.output.tensor))].join(', ')}`);
  return e;
}

/** Affine terms of a rank expression (constants dropped: they shift, they do not change counts). */
function terms(x: RankExprAst, e: Einsum, shapes: Shapes, scale = 1): Array<{ dim: string; coefficient: number }> {
  switch (x.kind) {
    case 'var': return [{ dim: e.vars.get(x.name) as string, coefficient: scale }];
    case 'int': case 'shape': return [];
    case 'neg': return terms(x.operand, e, shapes, -scale);
    case 'binop': {
      if (x.op === '+') return [...terms(x.left, e, shapes, scale), ...terms(x.right, e, shapes, scale)];
      if (x.op === '-') return [...terms(x.left, e, shapes, scale), ...terms(x.right, e, shapes, -scale)];
      if (x.op === '*') {
        const k = x.right.kind === 'shape' ? shapes.get(x.right.name) : x.right.kind === 'int' ? x.right.value : undefined;
        if (k !== undefined) return terms(x.left, e, shapes, scale * k);
        const j = x.left.kind === 'shape' ? shapes.get(x.left.name) : x.left.kind === 'int' ? x.left.value : undefined;
        if (j !== undefined) return terms(x.right, e, shapes, scale * j);
      }
      return fail(ModelCodes.projection, `the index ${x.op} of '${e.output.tensor}' is not affine in its variables`);
    }
    default: { const never: never = x; return never; }
  }
}

function projection(indices: readonly Index[], e: Einsum, shapes: Shapes): ProjectionRank[] {
  const out: ProjectionRank[] = [];
  for (const i of indices) {
    const t = i.kind === 'filter' ? [{ dim: e.vars.get(i.variable) as string, coefficient: 1 }] : terms(i.expr, e, shapes);
    if (t.length > 0) out.push(t);
  }
  return out;
}

export function problemFromEinsum(c: Cascade, tensor: string, shapes: Shapes): Problem {
  const e = einsumByOutput(c, tensor);
  const dimensions: Record<string, number> = {};
  const seen = new Map<string, string>();
  for (const [v, r] of e.vars) {
    const other = seen.get(r);
    if (other !== undefined) fail('FM509', `'${v}' and '${other}' both range over ${r} in the Einsum of '${tensor}': the model names dimensions by rank`);
    seen.set(r, v);
    dimensions[r] = shapes.get(r) as number;
  }
  const dataSpaces: DataSpace[] = [];
  for (const a of accessesOf(e.expr)) {
    if (a.tensor === e.output.tensor || dataSpaces.some((d) => d.name === a.tensor)) continue;
    dataSpaces.push({ name: a.tensor, projection: projection(a.indices, e, shapes), isOutput: false });
  }
  dataSpaces.push({ name: e.output.tensor, projection: projection(e.output.indices, e, shapes), isOutput: true });
  return { name: tensor, dimensions, dataSpaces };
}
