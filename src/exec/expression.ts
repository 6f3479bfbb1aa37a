/**
 * @file Compiles a checked value expression into closures that evaluate one iteration point with exact
 * EDGE semantics: each operand is present or empty; the merge operator decides whether the node is
 * computed; the compute operator sees an absent operand as its empty value. Also finds the accesses
 * whose emptiness empties the whole expression (they may drive, and prune, the iteration).
 */
import type { ValueExpr } from '../ir/cascade.ts';

type AccessNode = Extract<ValueExpr, { kind: 'access' }>;

/** Values and presence of every access at the current point, filled by the kernel before evaluation. */
export interface OperandSlots {
  readonly values: Float64Array;
  readonly present: Uint8Array;
}

export interface CompiledExpression {
  /** Evaluate at the current point; `presence()` then tells whether the result is present. */
  readonly evaluate: () => number;
  readonly presence: () => boolean;
}

/** Compile `expr`; `slotOf` gives each access node its slot in `slots`, `emptyOf` the empty value of its tensor. */
export function compileExpression(expr: ValueExpr, slotOf: (a: AccessNode) => number, emptyOf: (a: AccessNode) => number, slots: OperandSlots): CompiledExpression {
  let present = false;
  const compile = (x: ValueExpr): { fn: () => number; empty: number } => {
    switch (x.kind) {
      case 'const': {
        const v = x.value;
        // A constant is an operand that exists everywhere (it is empty only if it equals 0, the empty value).
        const p = v !== 0;
        return { fn: () => { present = p; return v; }, empty: 0 };
      }
      case 'access': {
        const slot = slotOf(x);
        const { values, present: pres } = slots;
        return { fn: () => { present = pres[slot] === 1; return values[slot] as number; }, empty: emptyOf(x) };
      }
      case 'unary': {
        const operand = compile(x.operand);
        const apply = x.op.apply;
        // A unary is a map against an all-ones operand: presence (operand, 1) → table[1] or table[3].
        const whenAbsent = x.merge.table[1];
        const whenPresent = x.merge.table[3];
        const empty = operand.empty;
        const f = operand.fn;
        return {
          fn: () => {
            const a = f();
            const ap = present;
            if (!(ap ? whenPresent : whenAbsent)) { present = false; return 0; }
            present = true;
            return apply(ap ? a : empty);
          },
          empty: 0,
        };
      }
      case 'binary': {
        const l = compile(x.left);
        const r = compile(x.right);
        const apply = x.op.apply;
        const t = x.merge.table;
        const lf = l.fn;
        const rf = r.fn;
        const le = l.empty;
        const re = r.empty;
        return {
          fn: () => {
            const a = lf();
            const ap = present;
            const b = rf();
            const bp = present;
            if (!t[(ap ? 2 : 0) + (bp ? 1 : 0)]) { present = false; return 0; }
            present = true;
            return apply(ap ? a : le, bp ? b : re);
          },
          empty: 0,
        };
      }
      default: {
        const never: never = x;
        return never;
      }
    }
  };
  const root = compile(expr).fn;
  return { evaluate: root, presence: () => present };
}

/**
 * Accesses that must be present for the expression to be present (a conjunction): if one is empty, the
 * point yields nothing, so iteration may skip it. Intersections require both sides, take-left the left,
 * unions only what both sides require, pass-through nothing.
 */
export function requiredAccesses(x: ValueExpr): Set<AccessNode> {
  switch (x.kind) {
    case 'const': return new Set();
    case 'access': return new Set([x]);
    case 'unary': return x.merge.table[1] ? new Set() : requiredAccesses(x.operand);
    case 'binary': {
      const t = x.merge.table;
      const l = requiredAccesses(x.left);
      const r = requiredAccesses(x.right);
      const out = new Set<AccessNode>();
      // Left absent never computes: (0,0) and (0,1) are both off.
      if (!t[0] && !t[1]) l.forEach((a) => out.add(a));
      if (!t[0] && !t[2]) r.forEach((a) => out.add(a));
      if (!t[0]) for (const a of l) if (r.has(a)) out.add(a);
      return out;
    }
    default: { const never: never = x; return never; }
  }
}
