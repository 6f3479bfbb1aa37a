/**
 * @file Rule `defer`: move factors that do not depend on the reduced variables out of a + reduction,
 * by distributivity — Σ_r a_r·t = t·Σ_r a_r and Σ_r a_r/t = (Σ_r a_r)/t. Single-use intermediates
 * that are pure products and quotients are inlined first, so A = SN/SD; AV = Σ_m A·V becomes
 * SNV = Σ_m SN·V; AV = SNV/SD (FuseMax Eqs. 31–32), and Z = Σ_k Y·A[k] becomes X = Σ_k A[k]; Z = Y·X
 * (Cascade 1 → Cascade 2). The reader of the completed value then no longer iterates the rank.
 */
import type { ValueExpr } from '../ir/cascade.ts';
import { accessesOf } from '../ir/cascade.ts';
import type { RankExprAst } from '../notation/ast.ts';
import { ex, exprVars, freshName, readers, reducedVarsOf, renameVars, type Draft, type DraftEinsum } from './draft.ts';
import { accept, refuse, type RuleResult } from './rule.ts';

interface Factors {
  readonly num: ValueExpr[];
  readonly den: ValueExpr[];
}

/** Flatten a ×(∩)/÷(←) tree into numerator and denominator factors, inlining pure single-use products. */
function factorsOf(d: Draft, x: ValueExpr, reader: DraftEinsum, inlined: Set<string>): Factors | null {
  if (x.kind === 'binary' && x.op.name === 'mul' && x.merge.name === 'intersect') {
    const l = factorsOf(d, x.left, reader, inlined);
    const r = factorsOf(d, x.right, reader, inlined);
    return l && r ? { num: [...l.num, ...r.num], den: [...l.den, ...r.den] } : null;
  }
  if (x.kind === 'binary' && x.op.name === 'div' && x.merge.name === 'take_left') {
    const l = factorsOf(d, x.left, reader, inlined);
    const r = factorsOf(d, x.right, reader, inlined);
    // a / (b·c / e) = a·e / (b·c)
    return l && r ? { num: [...l.num, ...r.den], den: [...l.den, ...r.num] } : null;
  }
  if (x.kind === 'access') {
    const def = d.einsums.filter((e) => e.tensor === x.tensor);
    const only = def[0];
    const inlinable = def.length === 1 && only !== undefined && reducedVarsOf(only).length === 0 && !d.outputs.includes(x.tensor)
      && readers(d, x.tensor).length === 1 && accessesOf(reader.expr).filter((a) => a.tensor === x.tensor).length === 1
      && only.indices.every((i) => i.kind === 'expr' && i.expr.kind === 'var');
    if (inlinable) {
      const map = new Map<string, RankExprAst>();
      only.indices.forEach((i, k) => { const at = x.indices[k]; if (i.kind === 'expr' && i.expr.kind === 'var' && at?.kind === 'expr') map.set(i.expr.name, at.expr); });
      const inner = factorsOf(d, renameVars(only.expr, map), reader, inlined);
      if (inner && (inner.num.length + inner.den.length > 1 || inner.den.length > 0)) {
        inlined.add(x.tensor);
        return inner;
      }
    }
    return { num: [x], den: [] };
  }
  if (x.kind === 'const') return { num: [x], den: [] };
  // Any other node (a sum, an exp, ...) is one opaque factor.
  return { num: [x], den: [] };
}

function product(f: Factors): ValueExpr {
  let acc = f.num.length ? (f.num[0] as ValueExpr) : ex.num(1);
  for (const x of f.num.slice(1)) acc = ex.bin('mul', acc, x);
  for (const x of f.den) acc = ex.bin('div', acc, x);
  return acc;
}

function nameOf(f: Factors): string {
  // Denominators name it too: Σ_k b/a[k] defers b and keeps Σ_k 1/a[k], which still needs a name.
  const names = [...f.num, ...f.den].map((x) => (x.kind === 'access' ? x.tensor : 'T'));
  return names.length === 1 ? `S${names[0]}` : names.join('');
}

/** Defer the factors of Einsum `target` (by position) that do not depend on its reduced variables. */
export function defer(d: Draft, target: number): RuleResult {
  const x = d.einsums[target];
  if (!x) return refuse('defer', `#${target}`, 'no such Einsum');
  const reduced = reducedVarsOf(x);
  if (reduced.length === 0) return refuse('defer', x.tensor, 'it reduces nothing');
  if (x.reduction && !(x.reduction.op.name === 'add' && x.reduction.merge.name === 'union')) {
    return refuse('defer', x.tensor, `its reduction is ${x.reduction.op.name}(${x.reduction.merge.name}); only a + reduction distributes`);
  }
  const inlined = new Set<string>();
  const f = factorsOf(d, x.expr, x, inlined);
  if (!f) return refuse('defer', x.tensor, 'its expression is not a product and quotient of factors');
  const depends = (v: ValueExpr) => [...exprVars(v)].some((n) => reduced.includes(n));
  const inner: Factors = { num: f.num.filter(depends), den: f.den.filter(depends) };
  const outer: Factors = { num: f.num.filter((v) => !depends(v)), den: f.den.filter((v) => !depends(v)) };
  if (outer.num.length + outer.den.length === 0) return refuse('defer', x.tensor, 'every factor depends on the reduced variables');
  if (inner.num.length + inner.den.length === 0) return refuse('defer', x.tensor, 'no factor depends on the reduced variables');
  if (outer.num.every((v) => v.kind === 'const') && outer.den.length === 0) return refuse('defer', x.tensor, 'only constants would move');
  const innerVars = new Set([...inner.num, ...inner.den].flatMap((v) => [...exprVars(v)]));
  const innerName = freshName(d, nameOf(inner));
  const outIdx = x.indices.filter((i) => i.kind === 'expr' && i.expr.kind === 'var' && innerVars.has(i.expr.name));
  const innerEinsum: DraftEinsum = { tensor: innerName, indices: outIdx, expr: product(inner), reduction: null };
  const rewritten: DraftEinsum = { tensor: x.tensor, indices: x.indices, expr: product({ num: [ex.acc(innerName, outIdx), ...outer.num], den: outer.den }), reduction: null };
  const einsums = d.einsums.flatMap((e, i) => (i === target ? [innerEinsum, rewritten] : inlined.has(e.tensor) ? [] : [e]));
  const moved = [...outer.num.map(show), ...outer.den.map((v) => `1/${show(v)}`)].join(', ');
  return accept({
    rule: 'defer',
    description: `${x.tensor}: moved ${moved} out of the sum over ${reduced.join(', ')} into ${x.tensor} = ${innerName}·…${inlined.size ? ` (inlined ${[...inlined].join(', ')})` : ''}`,
    condition: `× and ÷ distribute over +: Σ_${reduced.join(',')} a·t = t·Σ a and Σ a/t = (Σ a)/t when t does not depend on ${reduced.join(', ')} (÷ needs t non-empty)`,
    draft: { ...d, einsums },
  });
}

function show(v: ValueExpr): string {
  return v.kind === 'access' ? v.tensor : v.kind === 'const' ? String(v.value) : v.kind === 'shape' ? v.name : 'expr';
}
