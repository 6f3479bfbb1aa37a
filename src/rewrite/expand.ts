/**
 * @file Rule `expand`: a + reduction whose summand is a polynomial in a value complete only after the
 * reduced rank (a centred sum Σ_d (X − MU)², a centred product Σ_d (X − MU)·W) is multiplied out into
 * reductions that no longer need that value, combined after the traversal:
 *
 *   Σ_d Σ_i cᵢ·mᵢ(d) = Σ_i cᵢ·Σ_d mᵢ(d)        (× distributes over +; cᵢ does not depend on d)
 *   Σ_d c = |D|·c                               (a term free of d counts the points)
 *
 * Multiplying out (X − MU)² into X² − 2·X·MU + MU² cancels catastrophically when X has a large common
 * offset, so a centred sum is shifted first by the value at the first coordinate, which needs no pass:
 * X − MU = (X − X₀) + (X₀ − MU) with X₀ = X[0,…], available from the first step; the sums of (X − X₀)ᵏ stay of
 * the order of the spread of X (the shifted-data algorithm; stable like Welford's updates, and every
 * reduction stays an ordinary one). Intermediates that are polynomial maps of completed values (XC =
 * X − MU, Y = XC / S) are inlined into the summand first, and dropped when nothing else reads them.
 *
 * EDGE semantics: with + (∪), − (∪), × (∩) and ÷ (←) an empty operand acts as 0, as in the arithmetic
 * identities, as long as no divisor is 0 (÷ of an empty left operand is empty, not 0/0).
 */
import type { Cascade, ValueExpr } from '../ir/cascade.ts';
import { accessesOf } from '../ir/cascade.ts';
import type { RankExprAst } from '../notation/ast.ts';
import {
  definitionKey, definitionOf, dropUnread, ex, exprVars, freshName, indexVarNames, inliningMap, ix, renameVars, rx, type Draft, type DraftEinsum,
} from './draft.ts';
import { AtomTable, Polynomial, productExpr, sumExpr } from './polynomial.ts';
import { accept, refuse, type RuleResult } from './rule.ts';

type Access = Extract<ValueExpr, { kind: 'access' }>;

class Refused extends Error {}

/**
 * Tensors of `c` that depend on a value complete only after a whole fiber of one of `ranks`: the
 * output of a reduction over it, or a reader of a final generation over it, and everything computed
 * from those.
 */
export function completedOver(c: Cascade, ranks: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const e of c.einsums) {
    const reduces = e.reducedVars.some((v) => ranks.has(e.vars.get(v) as string));
    const final = accessesOf(e.expr).some((a) => {
      const info = c.tensors.get(a.tensor);
      // Stryker disable next-line OptionalChaining: every accessed tensor is in the cascade, and an access has one index per rank of its tensor
      return info?.ranks.some((r, i) => ranks.has(r) && info.generational[i] && a.indices[i]?.kind === 'expr' && (a.indices[i] as { expr: RankExprAst }).expr.kind === 'shape');
    });
    if (reduces || final || accessesOf(e.expr).some((a) => out.has(a.tensor) && a.tensor !== e.output.tensor)) out.add(e.output.tensor);
  }
  return out;
}

interface Expansion {
  readonly table: AtomTable;
  readonly poly: Polynomial;
  readonly shifts: DraftEinsum[];
  readonly shifted: string[];
}

class Expander {
  readonly table = new AtomTable();
  readonly shifts: DraftEinsum[] = [];
  readonly shifted: string[] = [];
  readonly inlined = new Set<string>();

  /**
   * Whether a centred sum (a value that varies next to one that does not) was multiplied out as
   * written, unshifted: it cancels catastrophically when the values share a large offset.
   */
  unshifted = false;
  /** Later Einsums reused here, moved before the target. */
  readonly moved = new Set<string>();

  constructor(
    private readonly c: Cascade, private readonly d: Draft, private readonly completed: ReadonlySet<string>, private readonly reduced: readonly string[],
    private readonly target: string, private readonly position: number, private readonly shift: boolean,
  ) {}

  nonFree(x: ValueExpr): boolean {
    return accessesOf(x).some((a) => this.completed.has(a.tensor));
  }

  varying(x: ValueExpr): boolean {
    return [...exprVars(x)].some((v) => this.reduced.includes(v));
  }

  /** Inline intermediates that are maps of completed values, so their polynomial structure is visible. */
  inline(x: ValueExpr): ValueExpr {
    switch (x.kind) {
      // Stryker disable next-line StringLiteral,ConditionalExpression: a constant or shape that falls through (to the access case or the default) is returned unchanged there too
      case 'const': case 'shape': return x;
      case 'access': {
        if (!this.completed.has(x.tensor)) return x;
        const def = definitionOf(this.d, x.tensor);
        if (!def || def.reduction !== null || reducedOf(def).length > 0) return x;
        const map = inliningMap(def, x);
        if (!map) return x;
        this.inlined.add(x.tensor);
        return this.inline(renameVars(def.expr, map));
      }
      case 'unary': return { ...x, operand: this.inline(x.operand) };
      case 'binary': return { ...x, left: this.inline(x.left), right: this.inline(x.right) };
      default: { const never: never = x; return never; }
    }
  }

  private atom(x: ValueExpr): Polynomial {
    return Polynomial.atom(this.table.intern(x, this.varying(x)));
  }

  private opaque(x: ValueExpr, what: string): Polynomial {
    if (this.varying(x)) {
      // Stryker disable next-line OptionalChaining,StringLiteral: opaque() is called only for a part that reads a completed value (nonFree), so find() finds one
      const t = accessesOf(x).find((a) => this.completed.has(a.tensor))?.tensor ?? '?';
      throw new Refused(`its summand depends on ${t} inside ${what}, which has no expansion`);
    }
    return this.atom(x);
  }

  poly(x: ValueExpr): Polynomial {
    if (!this.nonFree(x)) return x.kind === 'const' ? Polynomial.constant(x.value) : this.atom(x);
    switch (x.kind) {
      // Stryker disable next-line StringLiteral,ConditionalExpression: unreachable: a constant or a shape reads no completed value and was handled above
      case 'const': return Polynomial.constant(x.value);
      // Stryker disable next-line StringLiteral,ConditionalExpression: unreachable: a constant or a shape reads no completed value and was handled above
      case 'shape': return this.atom(x);
      case 'access': return this.opaque(x, x.tensor);
      case 'unary':
        if (x.op.name === 'neg' && x.merge.name === 'take_left') return Polynomial.constant(-1).mul(this.poly(x.operand));
        if (x.op.name === 'square' && x.merge.name === 'take_left') { const p = this.poly(x.operand); return p.mul(p); }
        if (x.op.name === 'recip' && x.merge.name === 'take_left') return this.poly(x.operand).inverse() ?? this.opaqueInverse(x.operand);
        return this.opaque(x, `${x.op.name}()`);
      case 'binary': {
        const m = x.merge.name;
        if ((x.op.name === 'add' || x.op.name === 'sub') && m === 'union') return this.sum(x);
        if (x.op.name === 'mul' && m === 'intersect') return this.poly(x.left).mul(this.poly(x.right));
        if (x.op.name === 'div' && m === 'take_left') {
          const inv = this.poly(x.right).inverse() ?? this.opaqueInverse(x.right);
          return this.poly(x.left).mul(inv);
        }
        return this.opaque(x, x.form === 'exp-sub' ? 'exp()' : `${x.op.name}()`);
      }
      default: { const never: never = x; return never; }
    }
  }

  private opaqueInverse(x: ValueExpr): Polynomial {
    if (this.varying(x) && this.nonFree(x)) throw new Refused('its summand divides by a sum that depends on a completed value and on the reduced variables');
    return Polynomial.atom(this.table.intern(x, this.varying(x)), -1);
  }

  /** A sum: centred terms (varying, free of completed values, next to terms that do not vary) are shifted. */
  private sum(x: ValueExpr): Polynomial {
    const terms: Array<{ sign: number; x: ValueExpr }> = [];
    flattenSum(x, 1, terms);
    const moving = terms.filter((t) => this.varying(t.x) && !this.nonFree(t.x));
    const constant = terms.filter((t) => !this.varying(t.x));
    const rest = terms.filter((t) => this.varying(t.x) && this.nonFree(t.x));
    const plain = (): Polynomial => terms.reduce((acc, t) => acc.add(this.poly(t.x), t.sign), Polynomial.constant(0));
    if (moving.length === 0 || constant.length === 0) return plain();
    const l = sumExpr(moving.map((t) => ({ coef: t.sign, expr: t.x })));
    const l0 = this.shift ? atFirstCoordinate(this.c, l, this.reduced) : null;
    if (!l0) {
      this.unshifted = true;
      return plain();
    }
    const shifted = this.shiftedValue(l, l0);
    const offset = sumExpr([{ coef: 1, expr: l0 }, ...constant.map((t) => ({ coef: t.sign, expr: t.x }))]);
    let p = Polynomial.atom(this.table.intern(shifted, true)).add(Polynomial.atom(this.table.intern(offset, false)));
    for (const t of rest) p = p.add(this.poly(t.x), t.sign);
    return p;
  }

  /** An Einsum U[...] = L − L₀ (reused when the draft already has it); the access to it. */
  private shiftedValue(l: ValueExpr, l0: ValueExpr): ValueExpr {
    const vars: string[] = [];
    for (const a of accessesOf(l)) for (const i of a.indices) for (const v of indexVarNames(i)) if (!vars.includes(v)) vars.push(v);
    const indices = vars.map((v) => ix.v(v));
    const def = { indices, expr: ex.bin('sub', l, l0), reduction: null };
    const key = definitionKey(def);
    let name = this.shifts.find((e) => definitionKey(e) === key)?.tensor ?? reusable(this.d, this.position, key, this.moved);
    if (!name) {
      const base = l.kind === 'access' ? `${l.tensor}S` : `${this.target}S`;
      name = freshName({ ...this.d, einsums: [...this.d.einsums, ...this.shifts] }, base);
      this.shifts.push({ tensor: name, ...def });
    }
    if (!this.shifted.includes(name)) this.shifted.push(name);
    return ex.acc(name, indices);
  }

  result(poly: Polynomial): Expansion {
    return { table: this.table, poly, shifts: this.shifts, shifted: this.shifted };
  }
}

/**
 * An Einsum of the draft with this definition that can serve at position `before`: an earlier one, or
 * a later one that reads only inputs and earlier tensors (added to `moved`: it moves up).
 */
function reusable(d: Draft, before: number, key: string, moved: Set<string>): string | undefined {
  const at = d.einsums.findIndex((e) => definitionKey(e) === key && d.einsums.filter((y) => y.tensor === e.tensor).length === 1);
  const found = d.einsums[at];
  if (!found) return undefined;
  if (at < before) return found.tensor;
  const earlier = new Set([...d.inputs.map((t) => t.name), ...d.einsums.slice(0, before).map((e) => e.tensor)]);
  if (!accessesOf(found.expr).every((a) => earlier.has(a.tensor))) return undefined;
  moved.add(found.tensor);
  return found.tensor;
}

function flattenSum(x: ValueExpr, sign: number, out: Array<{ sign: number; x: ValueExpr }>): void {
  if (x.kind === 'binary' && (x.op.name === 'add' || x.op.name === 'sub') && x.merge.name === 'union') {
    flattenSum(x.left, sign, out);
    flattenSum(x.right, x.op.name === 'sub' ? -sign : sign, out);
  } else if (x.kind === 'unary' && x.op.name === 'neg' && x.merge.name === 'take_left') {
    flattenSum(x.operand, -sign, out);
  } else {
    out.push({ sign, x });
  }
}

function indexVarsOf(e: DraftEinsum): string[] {
  return e.indices.flatMap(indexVarNames);
}

function reducedOf(e: DraftEinsum): string[] {
  const left = new Set(indexVarsOf(e));
  return [...exprVars(e.expr)].filter((v) => !left.has(v));
}

/**
 * `x` with the reduced variables at coordinate 0 (X[0,p] for X[d,p]): streaming values read at the
 * first coordinate are available in the same pass, and after it. Null when `x` reads a generation of
 * an iterative tensor (its value at 0 is not the one the sum sees).
 */
function atFirstCoordinate(c: Cascade, x: ValueExpr, reduced: readonly string[]): ValueExpr | null {
  if (accessesOf(x).some((a) => c.tensors.get(a.tensor)?.generational.some((g) => g))) return null;
  return renameVars(x, new Map<string, RankExprAst>(reduced.map((v) => [v, rx.n(0)])));
}

/**
 * Expand the + reduction of Einsum `target` (by position) into reductions free of completed values.
 * With `shift` false, centred sums are multiplied out as written (the textbook sum of squares minus
 * the square of the sum): fewer operations, but unstable on data with a large common offset. So is a
 * centred generation of an iterative tensor (it has no first value to shift by). Either way the
 * rewrite says it trades accuracy, and the search verifies it before building on it.
 */
export function expand(c: Cascade, d: Draft, target: number, shift = true): RuleResult {
  const e = c.einsums[target];
  const de = d.einsums[target];
  // Stryker disable next-line LogicalOperator: the draft has the cascade's Einsums by position: both exist or neither
  if (!e || !de) return refuse('expand', `#${target}`, 'no such Einsum');
  const reduced = e.reducedVars;
  if (reduced.length === 0) return refuse('expand', de.tensor, 'it reduces nothing');
  // Stryker disable next-line OptionalChaining: an Einsum that reduces has its reduction (the + default included)
  if (!(e.reduction?.op.name === 'add' && e.reduction.merge.name === 'union')) return refuse('expand', de.tensor, `its reduction is ${e.reduction?.op.name}(${e.reduction?.merge.name}); only a + reduction distributes`);
  if (e.filters.length > 0) return refuse('expand', de.tensor, 'it filters its iteration space, so a term free of the reduced variables would not count every point');
  if (e.recurrence || e.initializes) return refuse('expand', de.tensor, 'it is part of an iterative rank');
  const ranks = new Set(reduced.map((v) => e.vars.get(v) as string));
  const completed = completedOver(c, ranks);
  const x = new Expander(c, d, completed, reduced, de.tensor, target, shift);
  const summand = x.inline(de.expr);
  if (!x.nonFree(summand)) return refuse('expand', de.tensor, `its summand depends on no value complete only after a whole ${[...ranks].join(', ')} fiber`);
  let poly: Polynomial;
  try {
    poly = x.poly(summand);
  } catch (err) {
    if (err instanceof Refused) return refuse('expand', de.tensor, err.message);
    throw err;
  }
  const expansion = x.result(poly);
  if (expansion.poly.terms.size < 2) return refuse('expand', de.tensor, 'its summand is a single product (defer moves its factors)');
  const inner = new Set(c.partitions.map((p) => p.inner));
  const built = buildExpansion(c, d, target, reduced, expansion, inner, x.moved);
  if (typeof built === 'string') return refuse('expand', de.tensor, built);
  const moved = d.einsums.filter((y) => x.moved.has(y.tensor));
  const placed = d.einsums.flatMap((y, i) => (i === target ? [...moved, ...expansion.shifts, ...built.reductions, built.combination] : x.moved.has(y.tensor) ? [] : [y]));
  const einsums = dropUnread(placed, d.outputs, x.inlined);
  const sums = built.reductions.map((r) => r.tensor);
  return accept({
    rule: 'expand',
    description: `${de.tensor}: multiplied out the sum over ${reduced.join(', ')} into ${[...sums, ...(built.counts ? ['a count'] : [])].join(', ')}${expansion.shifted.length ? `, shifted by the first element (${expansion.shifted.join(', ')})` : ''}${x.inlined.size ? ` (inlined ${[...x.inlined].join(', ')})` : ''}`,
    condition: `Σ_${reduced.join(',')} Σᵢ cᵢ·mᵢ = Σᵢ cᵢ·Σ_${reduced.join(',')} mᵢ when cᵢ does not depend on ${reduced.join(', ')}; Σ c = ${[...ranks].join('·')}·c${expansion.shifted.length ? '; x = (x − x₀) + x₀ with x₀ the value at the first coordinate (keeps the sums small when x has a large common offset)' : ''}; no divisor is 0`,
    draft: { ...d, einsums },
    ...(x.unshifted ? { trades: 'accuracy' as const } : {}),
  });
}

/** The reductions (one per product of varying atoms) and the combination after the traversal. */
function buildExpansion(c: Cascade, d: Draft, target: number, reduced: readonly string[], x: Expansion, inner: ReadonlySet<string>, moved: Set<string>):
  { reductions: DraftEinsum[]; combination: DraftEinsum; counts: boolean } | string {
  const e = c.einsums[target] as Cascade['einsums'][number];
  const de = d.einsums[target] as DraftEinsum;
  const rankOf = (v: string) => e.vars.get(v) as string;
  const groups = new Map<string, { varying: Map<string, number>; coefs: Array<{ coef: number; powers: Map<string, number> }> }>();
  for (const m of x.poly.terms.values()) {
    const varying = new Map([...m.powers].filter(([k]) => x.table.get(k).varying));
    const fixed = new Map([...m.powers].filter(([k]) => !x.table.get(k).varying));
    const key = [...varying].map(([k, p]) => `${k}^${p}`).sort().join('·');
    const g = groups.get(key) ?? { varying, coefs: [] };
    g.coefs.push({ coef: m.coef, powers: fixed });
    groups.set(key, g);
  }
  const reductions: DraftEinsum[] = [];
  const terms: Array<{ coef: number; expr: ValueExpr }> = [];
  let counts = false;
  let scope: Draft = { ...d, einsums: [...d.einsums, ...x.shifts] };
  for (const g of groups.values()) {
    let sum: ValueExpr[] = [];
    let mentioned = new Set<string>();
    if (g.varying.size > 0) {
      const expr = productExpr(x.table, g.varying);
      mentioned = exprVars(expr);
      const indices = de.indices.filter((i) => indexVarNames(i).every((v) => mentioned.has(v)));
      const def = { indices, expr, reduction: null };
      const key = definitionKey(def);
      let name = reductions.find((y) => definitionKey(y) === key)?.tensor ?? reusable(d, target, key, moved);
      if (!name) {
        name = freshName(scope, `S${[...g.varying].map(([k, p]) => `${x.table.get(k).label}${Math.abs(p) > 1 ? Math.abs(p) : ''}${p < 0 ? 'I' : ''}`).join('')}`);
        const r = { tensor: name, ...def };
        reductions.push(r);
        scope = { ...scope, einsums: [...scope.einsums, r] };
      }
      sum = [ex.acc(name, indices)];
    }
    // Reduced variables the product does not mention: the sum counts their points.
    const missing = reduced.filter((v) => !mentioned.has(v));
    const count = new Map<string, number>();
    for (const v of missing) {
      if (inner.has(rankOf(v))) return `a term free of ${v} would be counted over ${rankOf(v)}, the inner part of a partition, whose last tile may be partial`;
      const atom = x.table.intern(ex.shape(rankOf(v)), false);
      count.set(atom.key, (count.get(atom.key) ?? 0) + 1);
      counts = true;
    }
    for (const cf of g.coefs) {
      const powers = new Map(cf.powers);
      for (const [k, p] of count) { const n = (powers.get(k) ?? 0) + p; if (n === 0) powers.delete(k); else powers.set(k, n); }
      terms.push({ coef: cf.coef, expr: productExpr(x.table, powers, sum) });
    }
  }
  return { reductions, combination: { tensor: de.tensor, indices: de.indices, expr: sumExpr(terms), reduction: null }, counts };
}
