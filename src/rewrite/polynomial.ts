/**
 * @file Polynomials over opaque atoms (sub-expressions), with integer exponents: the normal form the
 * `expand` rule multiplies out. A polynomial is a sum of monomials c·Π aᵢ^eᵢ; atoms are identified by
 * a structural key, so the same sub-expression written twice is one atom.
 */
import type { ValueExpr } from '../ir/cascade.ts';
import { definitionKey, ex } from './draft.ts';

export interface Atom {
  readonly key: string;
  readonly expr: ValueExpr;
  /** Whether it depends on the reduced variables. */
  readonly varying: boolean;
  /** A short name for generated tensors (the tensor it reads, or T). */
  readonly label: string;
}

export interface Monomial {
  readonly coef: number;
  /** Atom key → exponent (never 0). */
  readonly powers: ReadonlyMap<string, number>;
}

function monomialKey(powers: ReadonlyMap<string, number>): string {
  return [...powers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, e]) => `${k}^${e}`).join('·');
}

export class Polynomial {
  private constructor(readonly terms: ReadonlyMap<string, Monomial>) {}

  static constant(c: number): Polynomial {
    return Polynomial.of([{ coef: c, powers: new Map() }]);
  }

  static atom(a: Atom, exponent = 1): Polynomial {
    return Polynomial.of([{ coef: 1, powers: new Map([[a.key, exponent]]) }]);
  }

  static of(monomials: readonly Monomial[]): Polynomial {
    const terms = new Map<string, Monomial>();
    for (const m of monomials) {
      if (m.coef === 0) continue;
      const key = monomialKey(m.powers);
      const prev = terms.get(key);
      const coef = (prev?.coef ?? 0) + m.coef;
      if (coef === 0) terms.delete(key);
      else terms.set(key, { coef, powers: m.powers });
    }
    return new Polynomial(terms);
  }

  add(other: Polynomial, sign = 1): Polynomial {
    return Polynomial.of([...this.terms.values(), ...[...other.terms.values()].map((m) => ({ coef: sign * m.coef, powers: m.powers }))]);
  }

  mul(other: Polynomial): Polynomial {
    const out: Monomial[] = [];
    for (const a of this.terms.values()) {
      for (const b of other.terms.values()) {
        const powers = new Map(a.powers);
        for (const [k, e] of b.powers) {
          const sum = (powers.get(k) ?? 0) + e;
          if (sum === 0) powers.delete(k);
          else powers.set(k, sum);
        }
        out.push({ coef: a.coef * b.coef, powers });
      }
    }
    return Polynomial.of(out);
  }

  /** 1/p for a single monomial (else null: a sum has no polynomial inverse). */
  inverse(): Polynomial | null {
    const only = [...this.terms.values()];
    const m = only[0];
    if (only.length !== 1 || !m) return null;
    return Polynomial.of([{ coef: 1 / m.coef, powers: new Map([...m.powers].map(([k, e]) => [k, -e])) }]);
  }
}

/** The atoms of a polynomial's terms, by key. */
export class AtomTable {
  private readonly atoms = new Map<string, Atom>();

  intern(expr: ValueExpr, varying: boolean): Atom {
    // Stryker disable next-line ArrayDeclaration: the same indices in every key: only the expression tells atoms apart
    const key = definitionKey({ indices: [], expr, reduction: null });
    const known = this.atoms.get(key);
    if (known) return known;
    const label = expr.kind === 'access' ? expr.tensor : expr.kind === 'shape' ? expr.name : 'T';
    const atom = { key, expr, varying, label };
    this.atoms.set(key, atom);
    return atom;
  }

  get(key: string): Atom {
    const a = this.atoms.get(key);
    if (!a) throw new Error(`no atom ${key}`);
    return a;
  }
}

/** Π aᵢ^eᵢ as an expression: the positive powers multiplied, then divided by the negative ones (1 when empty). */
export function productExpr(table: AtomTable, powers: ReadonlyMap<string, number>, first: readonly ValueExpr[] = []): ValueExpr {
  const num: ValueExpr[] = [...first];
  const den: ValueExpr[] = [];
  for (const [k, e] of powers) for (let i = 0; i < Math.abs(e); i++) (e > 0 ? num : den).push(table.get(k).expr);
  let acc = num.length ? (num[0] as ValueExpr) : ex.num(1);
  for (const x of num.slice(1)) acc = ex.bin('mul', acc, x);
  for (const x of den) acc = ex.bin('div', acc, x);
  return acc;
}

/** Σ cⱼ·(term j) as an expression, subtracting terms with negative coefficients. */
export function sumExpr(terms: ReadonlyArray<{ readonly coef: number; readonly expr: ValueExpr }>): ValueExpr {
  let acc: ValueExpr | null = null;
  for (const t of terms) {
    const mag = Math.abs(t.coef);
    const scaled = mag === 1 ? t.expr : t.expr.kind === 'const' && t.expr.value === 1 ? ex.num(mag) : ex.bin('mul', ex.num(mag), t.expr);
    if (acc === null) acc = t.coef < 0 ? ex.neg(scaled) : scaled;
    else acc = ex.bin(t.coef < 0 ? 'sub' : 'add', acc, scaled);
  }
  return acc ?? ex.num(0);
}
