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
 *
 * Values that need the completed G or sums inside the traversal (a softmax whose output carries the
 * rank: Y[m,p] = SN[m,p] / SD[p]) keep their definitions and read the final generations in a second
 * traversal; their variable over R is renamed so that they stay out of the recurrence's loop. The
 * scaled values that the sums need keep running copies (RSN = exp(X − RG[m+1])).
 */
import type { Cascade, Index, ValueExpr } from '../ir/cascade.ts';
import { accessesOf } from '../ir/cascade.ts';
import { iterates } from '../analysis/passes.ts';
import { ex, exprVars, freshName, indexVarNames, ix, reducedVarsOf, renameRank, renameVars, rx, type Draft, type DraftEinsum } from './draft.ts';
import { accept, refuse, type RuleResult } from './rule.ts';

type Access = Extract<ValueExpr, { kind: 'access' }>;

/** Multiplicative factors of a ×(∩)/÷(←) tree (numerator and denominator sides). */
function factors(x: ValueExpr, side: 'num' | 'den', out: Array<{ x: ValueExpr; side: 'num' | 'den' }>): void {
  if (x.kind === 'binary' && x.op.name === 'mul' && x.merge.name === 'intersect') { factors(x.left, side, out); factors(x.right, side, out); return; }
  if (x.kind === 'binary' && x.op.name === 'div' && x.merge.name === 'take_left') { factors(x.left, side, out); factors(x.right, side === 'num' ? 'den' : 'num', out); return; }
  out.push({ x, side });
}

type Factor = { x: ValueExpr; side: 'num' | 'den' };

/** Tensors of `pool` that the Einsums writing `from` read, directly or through other tensors of `pool`. */
function readClosure(d: Draft, from: ReadonlySet<string>, pool: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const de of d.einsums) {
      if (!from.has(de.tensor) && !out.has(de.tensor)) continue;
      for (const a of accessesOf(de.expr)) if (pool.has(a.tensor) && !out.has(a.tensor)) { out.add(a.tensor); changed = true; }
    }
  }
  return out;
}

/** A variable for the second traversal: v2 (v_2 when v ends with a digit), not used by `taken`. */
function secondVar(v: string, taken: ReadonlySet<string>): string {
  const base = /[0-9]$/.test(v) ? `${v}_` : v;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
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
  const dependsOn = (x: ValueExpr, names: ReadonlySet<string>) => accessesOf(x).some((a) => names.has(a.tensor));

  // Classify every Einsum after G that depends on it: scaled (keeps v, one factor scaled by G),
  // accumulator (a + over v alone of a scaled value), or other (reads the completed values).
  const world = new Set<string>([g.tensor]);
  const scaled = new Set<string>([g.tensor]);
  const accumulators = new Set<string>();
  const others = new Set<string>();
  let firstFailure: string | undefined;
  const scaledForm = (de: DraftEinsum): string | null => {
    const fs: Factor[] = [];
    factors(de.expr, 'num', fs);
    const carrying = fs.filter((f) => dependsOn(f.x, scaled));
    const one = carrying[0];
    if (carrying.length !== 1 || !one || one.side !== 'num') return `${de.tensor} does not use ${g.tensor} as one scaling factor`;
    const f = one.x;
    const ok = op === 'max'
      ? (f.kind === 'binary' && f.op.name === 'sub_exp' && isG(f.right) && !dependsOn(f.left, scaled) && f.left.kind === 'access' && boundedBy.has(f.left.tensor)) || (f.kind === 'access' && scaled.has(f.tensor) && f.tensor !== g.tensor)
      : f.kind === 'access' && scaled.has(f.tensor);
    if (!ok) return `${de.tensor} uses ${g.tensor} in a way that does not rescale (${op === 'max' ? 'it must enter as exp(x − ' + g.tensor + ') with ' + g.tensor + ' a maximum of those x' : 'it must enter as a factor'})`;
    if (de.reduction !== null) return `${de.tensor} reduces with ${de.reduction.op.name}, which does not commute with the rescaling`;
    return null;
  };
  for (let n = gIndex + 1; n < c.einsums.length; n++) {
    const e = c.einsums[n] as Cascade['einsums'][number];
    const de = d.einsums[n] as DraftEinsum;
    if (!dependsOn(de.expr, world)) continue;
    world.add(de.tensor);
    const red = reducedVarsOf(de);
    const failure = dependsOn(de.expr, new Set([...others, ...accumulators]))
      ? `${de.tensor} reads a completed sum or a value computed from one`
      : !iterates(e, rank) ? 'outside' : scaledForm(de);
    if (failure === null && !red.includes(v)) scaled.add(de.tensor);
    else if (failure === null && red.length === 1) accumulators.add(de.tensor);
    else {
      others.add(de.tensor);
      if (failure !== 'outside' && red.includes(v)) firstFailure ??= failure ?? `${de.tensor} reduces ${v} together with other variables`;
    }
  }
  scaled.delete(g.tensor);
  if (accumulators.size === 0) return refuse('online', g.tensor, firstFailure ?? `no sum over ${rank} uses ${g.tensor}`);

  // The scaled values the sums need run with the running G; those the others need keep their definitions.
  const needed = readClosure(d, accumulators, scaled);
  const unneeded = [...scaled].filter((t) => !needed.has(t));
  const finalWorld = new Set<string>([...others, ...unneeded, ...readClosure(d, new Set([...others, ...unneeded]), needed)]);
  for (const o of d.outputs) if (needed.has(o)) finalWorld.add(o);

  // Build the recurrences.
  let fresh: Draft = d;
  const name = (base: string): string => { const n = freshName(fresh, base); fresh = { ...fresh, einsums: [...fresh.einsums, { tensor: n, indices: [], expr: ex.num(0), reduction: null }] }; return n; };
  const rg = name(`R${g.tensor}`);
  const corr = name(`C${g.tensor}`);
  const runningName = new Map<string, string>([...needed].map((t) => [t, finalWorld.has(t) ? name(`R${t}`) : t]));
  const gIdx = g.indices;
  const gen = (at: Index, rest: readonly Index[]): Index[] => [at, ...rest];
  const running = (t: string, rest: readonly Index[], at: Index): Access => ex.acc(t, gen(at, rest)) as Access;
  const toRunning = (x: ValueExpr): ValueExpr => {
    switch (x.kind) {
      case 'const': case 'shape': return x;
      case 'access': return x.tensor === g.tensor ? running(rg, x.indices, ix.e(rx.plus1(v))) : runningName.has(x.tensor) ? { ...x, tensor: runningName.get(x.tensor) as string } : x;
      case 'unary': return { ...x, operand: toRunning(x.operand) };
      case 'binary': return { ...x, left: toRunning(x.left), right: toRunning(x.right) };
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
  // A reader of the completed values runs in a later traversal: its variable over R must not be v.
  const secondPass = (de: DraftEinsum): DraftEinsum => {
    const vars = new Set([...de.indices.flatMap(indexVarNames), ...exprVars(de.expr)]);
    if (!vars.has(v)) return de;
    const map = new Map([[v, rx.v(secondVar(v, vars))]]);
    return { ...de, indices: de.indices.map((i) => (i.kind === 'expr' ? ix.e(renameRank(i.expr, map)) : i)), expr: renameVars(de.expr, map) };
  };
  const einsums: DraftEinsum[] = [];
  d.einsums.forEach((de, n) => {
    if (n === gIndex) { einsums.push(...inits, recurrenceG, correction); return; }
    if (accumulators.has(de.tensor)) {
      const r = rs.get(de.tensor) as string;
      const term = toRunning(de.expr);
      einsums.push({ tensor: r, indices: gen(ix.e(rx.plus1(v)), de.indices), reduction: null, expr: ex.bin('add', term, ex.bin('mul', prev(r, de.indices), ex.acc(corr, gen(ix.v(v), gIdx)))) });
      // The sum keeps its name for its readers: the final generation.
      einsums.push({ tensor: de.tensor, indices: de.indices, reduction: null, expr: ex.acc(r, gen(ix.e(rx.s(rank)), de.indices)) });
      return;
    }
    if (needed.has(de.tensor)) einsums.push({ ...de, tensor: runningName.get(de.tensor) as string, expr: toRunning(de.expr) });
    if (finalWorld.has(de.tensor)) { einsums.push(secondPass(de)); return; }
    if (!needed.has(de.tensor)) einsums.push(de);
  });
  // G keeps its name too when something after the traversal (or the user) reads it.
  const gReadLater = d.outputs.includes(g.tensor) || d.einsums.some((e) => finalWorld.has(e.tensor) && accessesOf(e.expr).some((a) => a.tensor === g.tensor));
  if (gReadLater) {
    const at = einsums.indexOf(correction) + 1;
    einsums.splice(at, 0, { tensor: g.tensor, indices: gIdx, reduction: null, expr: ex.acc(rg, gen(ix.e(rx.s(rank)), gIdx)) });
  }
  const second = [...finalWorld].filter((t) => d.einsums.some((e) => e.tensor === t && [...exprVars(e.expr)].includes(v)));
  return accept({
    rule: 'online',
    description: `${g.tensor} (${op} over ${rank}) becomes the running ${rg}; ${[...accumulators].map((s) => `${s} → ${rs.get(s)}`).join(', ')} are rescaled by ${corr} at every step${second.length ? `; ${second.join(', ')} read the completed values in a second traversal` : ''}`,
    condition: (op === 'max'
      ? 'exp(a − b) = exp(a − c)·exp(c − b): a sum of exp(x − G) terms is rescaled to a new maximum by exp(G_old − G_new)'
      : 'a·G = a·G′·(G/G′): a sum of terms scaled by G is rescaled to a new G by the ratio (needs G non-zero once started)')
      + (second.length ? '; the values that need the completed G or sums keep their definitions and read the final generations' : ''),
    draft: { ...d, einsums },
  });
}
