/**
 * @file Rule `split`: a reduction over both parts of a partitioned rank (GM[p] = max over m1, m0 of
 * BQK[m1,m0,p], as a cascade that arrives already partitioned writes it) becomes a local reduction
 * over the inner part and a reduction of those over the outer part: LGM[m1,p] = max over m0; GM[p] =
 * max over m1 of LGM. Then the outer part is reduced by one variable alone, which the online rule
 * needs. Sound for associative and commutative reductions (+, max, min, ×), including a partial last
 * tile (the tile's reduction covers exactly its own points).
 */
import type { Cascade, Partition } from '../ir/cascade.ts';
import { ex, freshName, ix, type Draft, type DraftEinsum } from './draft.ts';
import { accept, refuse, type RuleResult } from './rule.ts';

export function split(c: Cascade, d: Draft, p: Partition): RuleResult {
  const einsums: DraftEinsum[] = [];
  const splitNames: string[] = [];
  let scope: Draft = d;
  for (const [n, e] of c.einsums.entries()) {
    const de = d.einsums[n] as DraftEinsum;
    const outer = e.reducedVars.find((v) => e.vars.get(v) === p.outer);
    const inner = e.reducedVars.find((v) => e.vars.get(v) === p.inner);
    if (!outer || !inner) { einsums.push(de); continue; }
    // Stryker disable next-line OptionalChaining: an Einsum that reduces has its reduction (the + default included)
    const op = e.reduction?.op;
    if (op && !(op.associative && op.commutative)) return refuse('split', p.whole, `${e.output.tensor} reduces with ${op.name}, which is not associative and commutative`);
    if (e.filters.length > 0) return refuse('split', p.whole, `${e.output.tensor} filters its iteration space`);
    const local = freshName(scope, `L${de.tensor}`);
    const localIdx = [ix.v(outer), ...de.indices];
    const l: DraftEinsum = { tensor: local, indices: localIdx, expr: de.expr, reduction: de.reduction };
    einsums.push(l, { tensor: de.tensor, indices: de.indices, expr: ex.acc(local, localIdx), reduction: de.reduction });
    scope = { ...scope, einsums: [...scope.einsums, l] };
    splitNames.push(de.tensor);
  }
  if (splitNames.length === 0) return refuse('split', p.whole, `no Einsum reduces both ${p.outer} and ${p.inner}`);
  return accept({
    rule: 'split',
    description: `${splitNames.join(', ')}: reduced over ${p.inner} per tile, then over ${p.outer}`,
    condition: `⊕ over (${p.outer}, ${p.inner}) = ⊕ over ${p.outer} of ⊕ over ${p.inner} for an associative, commutative ⊕`,
    draft: { ...d, einsums },
  });
}
