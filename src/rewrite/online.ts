/**
 * @file Rule `online`: turn a reduction that needs a completed normalizer into a recurrence with a
 * correction factor (online normalization; FuseMax Cascade 1 → 3 and the 3-pass → 1-pass attention).
 *
 * Given G = ⊕_r X over rank R (⊕ = max or +), every value that depends on G inside the traversal of R
 * must be *scaled* by it: c(G)·(something independent of G), with c(G) = exp(−G) for ⊕ = max (it
 * enters as exp(X − G)) or c(G) = G for ⊕ = + (it enters as a factor). Then G becomes a running value
 * RG[r+1] = RG[r] ⊕ X_r, every + reduction S = Σ_r of a scaled value becomes RS[r+1] = term_r +
 * RS[r]·C[r] with the correction C[r] = c(RG[r+1])/c(RG[r]) — exp(RG[r] − RG[r+1]) or RG[r+1]/RG[r] —
 * and readers after the traversal take the final generations RG[R], RS[R]. The identities used:
 * exp(a − b) = exp(a − c)·exp(c − b), and a·G = a·G'·(G/G').
 */
import type { Cascade, Index, ValueExpr } from '../ir/cascade.ts';
import { accessesOf } from '../ir/cascade.ts';
import { iterates } from '../analysis/passes.ts';
import { ex, exprVars, freshName, ix, reducedVarsOf, rx, type Draft, type DraftEinsum } from './draft.ts';
import { accept, refuse, type RuleResult } from './rule.ts';

type Access = Extract<ValueExpr, { kind: 'access' }>;

/** Multiplicative factors of a ×(∩)/÷(←) tree (numerator and denominator sides). */
function factors(x: ValueExpr, side: 'num' | 'den', out: Array<{ x: ValueExpr; side: 'num' | 'den' }>): void {
  if (x.kind === 'binary' && x.op.name === 'mul' && x.merge.name === 'intersect') { factors(x.left, side, out); factors(x.right, side, out); return; }
  if (x.kind === 'binary' && x.op.name === 'div' && x.merge.name === 'take_left') { factors(x.left, side, out); factors(x.right, side === 'num' ? 'den' : 'num', out); return; }
  out.push({ x, side });
}

export function online(c: Cascade, d: Draft, gIndex: number): RuleResult {
  const gEinsum = c.einsums[gIndex];
  const g = d.einsums[gIndex];
  if (!gEinsum || !g) return refuse('online', `#${gIndex}`, 'no such Einsum');
  const reduced = gEinsum.reducedVars;
  const v = reduced[0];
  const op = gEinsum.reduction?.op.name;
  if (reduced.length !== 1 || v === undefined) return refuse('online', g.tensor, 'it must reduce exactly one variable');
  if (op !== 'max' && op !== 'add') return refuse('online', g.tensor, `its reduction ${op ?? 'none'} has no rescaling (only max and + do)`);
  if (gEinsum.reduction?.merge.name !== 'union') return refuse('online', g.tensor, 'its reduction must use the union merge');
  const rank = gEinsum.vars.get(v) as string;
  if (c.iterativeRanks.size > 0) return refuse('online', g.tensor, 'the cascade already has an iterative rank');
  const members = c.einsums.filter((e) => iterates(e, rank));
  for (const e of members) {
    const name = [...e.vars].find(([, r]) => r === rank)?.[0];
    if (name !== v) return refuse('online', g.tensor, `${e.output.tensor} iterates ${rank} with '${name}', not '${v}'`);
  }
  const isG = (x: ValueExpr): x is Access => x.kind === 'access' && x.tensor === g.tensor;
  // exp(x − G) can be rescaled safely only when G is a maximum of those same x (then every exponent
  // is ≤ 0 at the running maximum too): the tensors G is a max over, followed through max reductions.
  const boundedBy = new Set<string>();
  for (let x: ValueExpr | undefined = g.expr; x?.kind === 'access' && !boundedBy.has(x.tensor);) {
    boundedBy.add(x.tensor);
    const def = d.einsums.find((e) => e.tensor === (x as Access).tensor);
    x = def && def.reduction?.op.name === 'max' ? def.expr : undefined;
  }
  const dependsOn = (x: ValueExpr, names: Set<string>) => accessesOf(x).some((a) => names.has(a.tensor));

  // Classify every Einsum after G: scaled (keeps r), accumulator (Σ over r of a scaled value), or untouched.
  const scaled = new Set<string>([g.tensor]);
  const accumulators = new Set<string>();
  const scaledIndex = new Set<number>();
  for (let n = gIndex + 1; n < c.einsums.length; n++) {
    const e = c.einsums[n];
    const de = d.einsums[n];
    if (!e || !de || !dependsOn(de.expr, scaled)) continue;
    const reads = accessesOf(de.expr).filter((a) => accumulators.has(a.tensor));
    if (reads.length && iterates(e, rank)) return refuse('online', g.tensor, `${e.output.tensor} reads the sum ${reads[0]?.tensor} while ${rank} is still being traversed`);
    if (!iterates(e, rank)) {
      if (accessesOf(de.expr).some((a) => scaled.has(a.tensor) && a.tensor !== g.tensor)) return refuse('online', g.tensor, `${e.output.tensor} reads a rescaled value outside the traversal of ${rank}`);
      continue; // reads only finals of G or of the sums
    }
    const fs: Array<{ x: ValueExpr; side: 'num' | 'den' }> = [];
    factors(de.expr, 'num', fs);
    const carrying = fs.filter((f) => dependsOn(f.x, scaled));
    const one = carrying[0];
    if (carrying.length !== 1 || !one || one.side !== 'num') return refuse('online', g.tensor, `${e.output.tensor} does not use ${g.tensor} as one scaling factor`);
    const f = one.x;
    const ok = op === 'max'
      ? (f.kind === 'binary' && f.op.name === 'sub_exp' && isG(f.right) && !dependsOn(f.left, scaled) && f.left.kind === 'access' && boundedBy.has(f.left.tensor)) || (f.kind === 'access' && scaled.has(f.tensor) && f.tensor !== g.tensor)
      : f.kind === 'access' && scaled.has(f.tensor);
    if (!ok) return refuse('online', g.tensor, `${e.output.tensor} uses ${g.tensor} in a way that does not rescale (${op === 'max' ? 'it must enter as exp(x − ' + g.tensor + ') with ' + g.tensor + ' a maximum of those x' : 'it must enter as a factor'})`);
    const red = reducedVarsOf(de);
    if (red.length && !(de.reduction === null || (de.reduction.op.name === 'add' && de.reduction.merge.name === 'union'))) return refuse('online', g.tensor, `${e.output.tensor} reduces with ${de.reduction?.op.name}, which does not commute with the rescaling`);
    if (red.includes(v)) {
      if (red.length > 1) return refuse('online', g.tensor, `${e.output.tensor} reduces ${v} together with other variables`);
      accumulators.add(de.tensor);
    } else {
      scaled.add(de.tensor);
      scaledIndex.add(n);
    }
  }
  if (accumulators.size === 0) return refuse('online', g.tensor, `no sum over ${rank} uses ${g.tensor}`);

  // Build the recurrences.
  let fresh: Draft = d;
  const name = (base: string): string => { const n = freshName(fresh, base); fresh = { ...fresh, einsums: [...fresh.einsums, { tensor: n, indices: [], expr: ex.num(0), reduction: null }] }; return n; };
  const rg = name(`R${g.tensor}`);
  const corr = name(`C${g.tensor}`);
  const gIdx = g.indices;
  const gen = (at: Index, rest: readonly Index[]): Index[] => [at, ...rest];
  const running = (t: string, rest: readonly Index[], at: Index): Access => ex.acc(t, gen(at, rest)) as Access;
  const replaceG = (x: ValueExpr, atNext: boolean): ValueExpr => {
    switch (x.kind) {
      case 'const': case 'shape': return x;
      case 'access': return x.tensor === g.tensor ? running(rg, x.indices, atNext ? ix.e(rx.plus1(v)) : ix.e(rx.s(rank))) : x;
      case 'unary': return { ...x, operand: replaceG(x.operand, atNext) };
      case 'binary': return { ...x, left: replaceG(x.left, atNext), right: replaceG(x.right, atNext) };
      default: { const never: never = x; return never; }
    }
  };
  const rs = new Map<string, string>();
  for (const s of accumulators) rs.set(s, name(`R${s}`));
  const identity = op === 'max' ? -Infinity : 0;
  const inits: DraftEinsum[] = [
    { tensor: rg, indices: gen(ix.init(v), gIdx), expr: ex.num(identity), reduction: null },
    ...[...accumulators].map((s) => ({ tensor: rs.get(s) as string, indices: gen(ix.init(v), (d.einsums.find((e) => e.tensor === s) as DraftEinsum).indices), expr: ex.num(0), reduction: null })),
  ];
  const prev = (t: string, rest: readonly Index[]) => running(t, rest, ix.v(v));
  const next = (t: string, rest: readonly Index[]) => running(t, rest, ix.e(rx.plus1(v)));
  const recurrenceG: DraftEinsum = { tensor: rg, indices: gen(ix.e(rx.plus1(v)), gIdx), expr: ex.bin(op, prev(rg, gIdx), g.expr), reduction: null };
  const correction: DraftEinsum = {
    tensor: corr, indices: gen(ix.v(v), gIdx), reduction: null,
    expr: op === 'max' ? ex.bin('sub_exp', prev(rg, gIdx), next(rg, gIdx)) : ex.bin('div', next(rg, gIdx), prev(rg, gIdx)),
  };
  const einsums: DraftEinsum[] = [];
  d.einsums.forEach((de, n) => {
    if (n === gIndex) { einsums.push(...inits, recurrenceG, correction); return; }
    if (accumulators.has(de.tensor)) {
      const r = rs.get(de.tensor) as string;
      const term = replaceG(de.expr, true);
      einsums.push({ tensor: r, indices: gen(ix.e(rx.plus1(v)), de.indices), reduction: null, expr: ex.bin('add', term, ex.bin('mul', prev(r, de.indices), ex.acc(corr, gen(ix.v(v), gIdx)))) });
      // The sum keeps its name for its readers: the final generation.
      einsums.push({ tensor: de.tensor, indices: de.indices, reduction: null, expr: ex.acc(r, gen(ix.e(rx.s(rank)), de.indices)) });
      return;
    }
    if (scaledIndex.has(n)) { einsums.push({ ...de, expr: replaceG(de.expr, true) }); return; }
    einsums.push(de);
  });
  // G keeps its name too when something after the traversal (or the user) reads it.
  const gReadLater = d.outputs.includes(g.tensor) || c.einsums.some((e, n) => n > gIndex && !scaledIndex.has(n) && !accumulators.has(e.output.tensor) && accessesOf(e.expr).some((a) => a.tensor === g.tensor));
  if (gReadLater) {
    const at = einsums.indexOf(correction) + 1;
    einsums.splice(at, 0, { tensor: g.tensor, indices: gIdx, reduction: null, expr: ex.acc(rg, gen(ix.e(rx.s(rank)), gIdx)) });
  }
  void exprVars;
  return accept({
    rule: 'online',
    description: `${g.tensor} (${op} over ${rank}) becomes the running ${rg}; ${[...accumulators].map((s) => `${s} → ${rs.get(s)}`).join(', ')} are rescaled by ${corr} at every step`,
    condition: op === 'max'
      ? 'exp(a − b) = exp(a − c)·exp(c − b): a sum of exp(x − G) terms is rescaled to a new maximum by exp(G_old − G_new)'
      : 'a·G = a·G′·(G/G′): a sum of terms scaled by G is rescaled to a new G by the ratio (needs G non-zero once started)',
    draft: { ...d, einsums },
  });
}
