/**
 * @file Rule `partition`: split a rank R into chunks, R = R1 × R0 (FuseMax Eqs. 39–40). Inputs that
 * carry R get blocked copies (BK[e,m1,m0] = K[e, m1*M0+m0]); intermediates carrying R are indexed by
 * (r1, r0); every reduction over R becomes a local reduction over R0 followed by a reduction over R1,
 * which needs an associative and commutative operator (max, +, ×, min). The chunk need not divide R:
 * R1 = ⌈R / R0⌉ and the last tile is partial (its padding is outside the iteration space).
 */
import type { Cascade, Index, ValueExpr } from '../ir/cascade.ts';
import { ex, freshName, ix, reducedVarsOf, rx, type Draft, type DraftEinsum } from './draft.ts';
import { accept, refuse, type RuleResult } from './rule.ts';

export const DEFAULT_CHUNK = 256;

/** Partition rank `rank` of the cascade `c` (whose draft is `d`) into chunks of `chunk`. */
export function partition(c: Cascade, d: Draft, rank: string, chunk = DEFAULT_CHUNK): RuleResult {
  const outer = `${rank}1`;
  const inner = `${rank}0`;
  if (c.partitions.some((p) => p.whole === rank)) return refuse('partition', rank, `${rank} is already partitioned`);
  if (c.partitions.some((p) => p.outer === rank || p.inner === rank)) return refuse('partition', rank, `${rank} is itself a part of a partition`);
  if ([...c.tensors.values()].some((t) => t.ranks.includes(outer) || t.ranks.includes(inner))) return refuse('partition', rank, `the names ${outer} and ${inner} are taken`);
  for (const t of c.tensors.values()) {
    const at = t.ranks.indexOf(rank);
    if (at >= 0 && t.generational[at]) return refuse('partition', rank, `${t.name} iterates ${rank} generation by generation`);
    if (at >= 0 && c.outputs.includes(t.name)) return refuse('partition', rank, `the output ${t.name} carries ${rank}`);
  }
  const renamed = new Map<string, string>();
  const einsums: DraftEinsum[] = [];
  let fresh: Draft = d;
  // Blocked copies of the inputs that carry the rank.
  for (const t of d.inputs) {
    const at = t.ranks.indexOf(rank);
    if (at < 0) continue;
    const name = freshName(fresh, `B${t.name}`);
    renamed.set(t.name, name);
    const vars = t.ranks.map((r) => r.toLowerCase());
    const outIdx = vars.flatMap((v, k) => (k === at ? [ix.v(`${v}1`), ix.v(`${v}0`)] : [ix.v(v)]));
    const inIdx = vars.map((v, k) => (k === at ? ix.e(rx.split(`${v}1`, inner, `${v}0`)) : ix.v(v)));
    const e: DraftEinsum = { tensor: name, indices: outIdx, expr: ex.acc(t.name, inIdx), reduction: null };
    einsums.push(e);
    fresh = { ...fresh, einsums: [...fresh.einsums, e] };
  }
  for (const t of c.tensors.values()) if (t.role !== 'input' && t.ranks.includes(rank)) renamed.set(t.name, freshName(fresh, `B${t.name}`));
  const splitIndices = (indices: readonly Index[], tensorRanks: readonly string[], v: string | undefined): Index[] | string => {
    const out: Index[] = [];
    for (const [k, i] of indices.entries()) {
      if (tensorRanks[k] !== rank) { out.push(i); continue; }
      if (!(i.kind === 'expr' && i.expr.kind === 'var' && i.expr.name === v)) return `an index of ${rank} that is not the plain variable`;
      out.push(ix.v(`${v}1`), ix.v(`${v}0`));
    }
    return out;
  };
  for (const [n, e] of c.einsums.entries()) {
    const de = d.einsums[n] as DraftEinsum;
    const v = [...e.vars].find(([, r]) => r === rank)?.[0];
    if (v && (e.vars.has(`${v}1`) || e.vars.has(`${v}0`))) return refuse('partition', rank, `${e.output.tensor} already uses ${v}1 or ${v}0`);
    if (e.filters.some((f) => f.variable === v)) return refuse('partition', rank, `${e.output.tensor} filters ${v}`);
    let problem: string | undefined;
    const rewrite = (x: ValueExpr): ValueExpr => {
      switch (x.kind) {
        case 'const': case 'shape': return x;
        case 'access': {
          const info = c.tensors.get(x.tensor);
          if (!info || !info.ranks.includes(rank)) return x;
          const idx = splitIndices(x.indices, info.ranks, v);
          if (typeof idx === 'string') { problem = `${e.output.tensor} reads ${x.tensor} with ${idx}`; return x; }
          return { ...x, tensor: renamed.get(x.tensor) ?? x.tensor, indices: idx };
        }
        case 'unary': return { ...x, operand: rewrite(x.operand) };
        case 'binary': return { ...x, left: rewrite(x.left), right: rewrite(x.right) };
        default: { const never: never = x; return never; }
      }
    };
    const expr = rewrite(de.expr);
    if (problem) return refuse('partition', rank, problem);
    const outInfo = c.tensors.get(e.output.tensor);
    const outIdx = outInfo?.ranks.includes(rank) ? splitIndices(de.indices, outInfo.ranks, v) : [...de.indices];
    if (typeof outIdx === 'string') return refuse('partition', rank, `${e.output.tensor} writes ${outIdx}`);
    const tensor = renamed.get(de.tensor) ?? de.tensor;
    if (!v || !reducedVarsOf(de).includes(v)) {
      einsums.push({ tensor, indices: outIdx, expr, reduction: de.reduction });
      continue;
    }
    // A reduction over the rank: local over R0 (and the other reduced variables), then over R1.
    const op = de.reduction?.op;
    if (op && !(op.associative && op.commutative)) return refuse('partition', rank, `${e.output.tensor} reduces ${v} with ${op.name}, which is not associative and commutative`);
    const local = freshName({ ...fresh, einsums: [...fresh.einsums, ...einsums] }, `L${e.output.tensor}`);
    const localIdx = [ix.v(`${v}1`), ...outIdx];
    einsums.push({ tensor: local, indices: localIdx, expr, reduction: de.reduction });
    einsums.push({ tensor, indices: outIdx, expr: ex.acc(local, localIdx), reduction: de.reduction });
  }
  const shapes = new Map(d.shapes);
  shapes.set(inner, chunk);
  return accept({
    rule: 'partition',
    description: `split ${rank} into ${outer} × ${inner} (${inner} = ${chunk}); blocked ${[...renamed].map(([a, b]) => `${a} → ${b}`).join(', ')}`,
    condition: `a reduction over ${rank} equals a reduction over ${outer} of reductions over ${inner} for associative, commutative operators (a partial last tile reduces exactly its own points)`,
    draft: { ...d, shapes, einsums },
  });
}
