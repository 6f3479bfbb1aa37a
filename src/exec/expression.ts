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

/** JS source of the built-in operators, so that generated code needs no call per operation. */
const INLINE_BINARY: Readonly<Record<string, (a: string, b: string) => string>> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  max: (a, b) => `(${a} >= ${b} ? ${a} : ${b})`,
  min: (a, b) => `(${a} <= ${b} ? ${a} : ${b})`,
  sub_exp: (a, b) => `Math.exp(${a} - ${b})`,
};
const INLINE_UNARY: Readonly<Record<string, (a: string) => string>> = {
  neg: (a) => `(-${a})`,
  exp: (a) => `Math.exp(${a})`,
  sqrt: (a) => `Math.sqrt(${a})`,
  abs: (a) => `Math.abs(${a})`,
  log: (a) => `Math.log(${a})`,
};

/** A merge truth table as a boolean expression of the two presence flags. */
export function mergeTest(t: readonly boolean[], l: string, r: string): string {
  const terms: string[] = [];
  if (t[0]) terms.push(`(!${l} && !${r})`);
  if (t[1]) terms.push(`(!${l} && ${r})`);
  if (t[2]) terms.push(`(${l} && !${r})`);
  if (t[3]) terms.push(`(${l} && ${r})`);
  return terms.length === 0 ? 'false' : terms.length === 4 ? 'true' : terms.join(' || ');
}

export interface ExpressionCode {
  /** Statements defining v<k>/p<k> for every node. */
  readonly lines: readonly string[];
  /** Names of the root's value and presence. */
  readonly value: string;
  readonly present: string;
  /** Operators without inline source, called as fns[i](...). */
  readonly fns: ReadonlyArray<(...args: number[]) => number>;
}

/** JS literal of a number. */
export function numberLiteral(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : Object.is(v, -0) ? '-0' : String(v);
}

/**
 * JS statements that evaluate `expr` at one point (source built from the checked IR only: numbers,
 * slot indices and fixed operator spellings, never user text). `operand(slot)` names the value and
 * presence of an access; `emptyOf` gives its tensor's empty value, substituted when a merge lets an
 * absent operand through.
 */
export function expressionCode(
  expr: ValueExpr, slotOf: (a: AccessNode) => number, emptyOf: (a: AccessNode) => number, operand: (slot: number) => { value: string; present: string },
  shapeOf: (name: string) => number,
): ExpressionCode {
  const lines: string[] = [];
  const fns: Array<(...args: number[]) => number> = [];
  let n = 0;
  const emit = (x: ValueExpr): { k: number; empty: number } => {
    const k = n++;
    switch (x.kind) {
      case 'const':
        // A constant exists everywhere (it is empty only when it equals 0, the empty value).
        lines.push(`const v${k} = ${numberLiteral(x.value)}; const p${k} = ${x.value !== 0};`);
        return { k, empty: 0 };
      case 'shape':
        // A rank's extent is a constant of the run (never 0: shapes are positive).
        lines.push(`const v${k} = ${numberLiteral(shapeOf(x.name))}; const p${k} = true;`);
        return { k, empty: 0 };
      case 'access': {
        const o = operand(slotOf(x));
        lines.push(`const v${k} = ${o.value}; const p${k} = ${o.present};`);
        return { k, empty: emptyOf(x) };
      }
      case 'unary': {
        const a = emit(x.operand);
        const inline = INLINE_UNARY[x.op.name];
        const arg = `(p${a.k} ? v${a.k} : ${numberLiteral(a.empty)})`;
        let call: string;
        if (inline) call = inline(arg);
        else { fns.push(x.op.apply as (...args: number[]) => number); call = `fns[${fns.length - 1}](${arg})`; }
        // A unary is a map against an all-ones operand: (operand, 1).
        lines.push(`const p${k} = ${mergeTest(x.merge.table, `p${a.k}`, 'true')}; const v${k} = p${k} ? ${call} : 0;`);
        return { k, empty: 0 };
      }
      case 'binary': {
        const l = emit(x.left);
        const r = emit(x.right);
        const la = `(p${l.k} ? v${l.k} : ${numberLiteral(l.empty)})`;
        const ra = `(p${r.k} ? v${r.k} : ${numberLiteral(r.empty)})`;
        const inline = INLINE_BINARY[x.op.name];
        let call: string;
        if (inline) call = inline(la, ra);
        else { fns.push(x.op.apply as (...args: number[]) => number); call = `fns[${fns.length - 1}](${la}, ${ra})`; }
        lines.push(`const p${k} = ${mergeTest(x.merge.table, `p${l.k}`, `p${r.k}`)}; const v${k} = p${k} ? ${call} : 0;`);
        return { k, empty: 0 };
      }
      default: {
        const never: never = x;
        return never;
      }
    }
  };
  const root = emit(expr);
  return { lines, value: `v${root.k}`, present: `p${root.k}`, fns };
}

const FACTORIES = new Map<string, (...args: unknown[]) => unknown>();

/**
 * `new Function(...params, body)`, shared between identical sources: the same Einsum run again (the
 * verification of rewrites runs each cascade on several data sets) does not compile its code again.
 * The factories hold no state; the closures they return do.
 */
export function compiledFunction(params: readonly string[], body: string): (...args: unknown[]) => unknown {
  const key = `${params.join(',')}\n${body}`;
  let f = FACTORIES.get(key);
  if (!f) {
    if (FACTORIES.size >= 2000) FACTORIES.clear();
    f = new Function(...params, body) as (...args: unknown[]) => unknown;
    FACTORIES.set(key, f);
  }
  return f;
}

/** Inline JS of a reduction operator when it has one (else undefined: call it). */
export function inlineBinary(name: string): ((a: string, b: string) => string) | undefined {
  return INLINE_BINARY[name];
}

/** Compile `expr` into one generated function reading the operand slots. */
export function compileExpression(expr: ValueExpr, slotOf: (a: AccessNode) => number, emptyOf: (a: AccessNode) => number, slots: OperandSlots, shapeOf: (name: string) => number): CompiledExpression {
  const code = expressionCode(expr, slotOf, emptyOf, (slot) => ({ value: `values[${slot}]`, present: `(present[${slot}] === 1)` }), shapeOf);
  const state = { present: false };
  const body = `return function evaluate() {\n${code.lines.join('\n')}\nstate.present = ${code.present}; return ${code.value};\n};`;
  const factory = compiledFunction(['values', 'present', 'fns', 'state'], body) as (
    values: Float64Array, present: Uint8Array, f: ExpressionCode['fns'], st: typeof state) => () => number;
  return { evaluate: factory(slots.values, slots.present, code.fns, state), presence: () => state.present };
}

/**
 * Accesses that must be present for the expression to be present (a conjunction): if one is empty, the
 * point yields nothing, so iteration may skip it. Intersections require both sides, take-left the left,
 * unions only what both sides require, pass-through nothing.
 */
export function requiredAccesses(x: ValueExpr): Set<AccessNode> {
  switch (x.kind) {
    case 'const': case 'shape': return new Set();
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
