/**
 * @file The registry of compute operators: binary (+ − × ÷ max min sub_exp, ...) and unary (neg, exp,
 * sqrt, ...). Each carries its properties (identity, commutativity, associativity, annihilator), the
 * merge it gets by default when written infix or as a call, and how it prints. Users register more.
 */
import type { MergeName } from './merge.ts';

export interface BinaryOperator {
  readonly kind: 'binary';
  readonly name: string;
  /** Symbols accepted in `::` actions besides the name (e.g. `*`, `×`). */
  readonly symbols: readonly string[];
  readonly apply: (a: number, b: number) => number;
  /** Identity element; required for use as a reduction (seeds the reduction state). */
  readonly identity?: number;
  readonly annihilator?: number;
  readonly commutative: boolean;
  readonly associative: boolean;
  readonly defaultMerge: MergeName;
  /** Unicode and LaTeX spellings for the printers. */
  readonly unicode: string;
  readonly latex: string;
}

export interface UnaryOperator {
  readonly kind: 'unary';
  readonly name: string;
  readonly apply: (a: number) => number;
  /** Merge against the implicit all-ones operand: take_left maps empty to empty (EDGE §2.4). */
  readonly defaultMerge: MergeName;
  readonly latex: string;
}

export type ComputeOperator = BinaryOperator | UnaryOperator;

function binary(op: Omit<BinaryOperator, 'kind'>): BinaryOperator {
  return { kind: 'binary', ...op };
}
function unary(name: string, apply: (a: number) => number, latex: string): UnaryOperator {
  return { kind: 'unary', name, apply, defaultMerge: 'take_left', latex };
}

const BUILTIN: readonly ComputeOperator[] = [
  binary({ name: 'add', symbols: ['+'], apply: (a, b) => a + b, identity: 0, commutative: true, associative: true, defaultMerge: 'union', unicode: '+', latex: '+' }),
  binary({ name: 'sub', symbols: ['-', '−'], apply: (a, b) => a - b, commutative: false, associative: false, defaultMerge: 'union', unicode: '−', latex: '-' }),
  binary({ name: 'mul', symbols: ['*', '×'], apply: (a, b) => a * b, identity: 1, annihilator: 0, commutative: true, associative: true, defaultMerge: 'intersect', unicode: '×', latex: '\\times' }),
  binary({ name: 'div', symbols: ['/', '÷'], apply: (a, b) => a / b, commutative: false, associative: false, defaultMerge: 'take_left', unicode: '÷', latex: '\\div' }),
  // Stryker disable next-line EqualityOperator: >= and > differ only when a === b (then a and b are the same value; the sign of a zero carries no meaning)
  binary({ name: 'max', symbols: [], apply: (a, b) => (a >= b ? a : b), identity: -Infinity, commutative: true, associative: true, defaultMerge: 'union', unicode: 'max', latex: '\\max' }),
  // Stryker disable next-line EqualityOperator: <= and < differ only when a === b (then a and b are the same value; the sign of a zero carries no meaning)
  binary({ name: 'min', symbols: [], apply: (a, b) => (a <= b ? a : b), identity: Infinity, commutative: true, associative: true, defaultMerge: 'union', unicode: 'min', latex: '\\min' }),
  // exp(a − b): FuseMax's sub-then-exp, with the pass-through merge that touches every point.
  binary({ name: 'sub_exp', symbols: ['sub-then-exp'], apply: (a, b) => Math.exp(a - b), commutative: false, associative: false, defaultMerge: 'pass_through', unicode: 'sub-then-exp', latex: '\\mathrm{subexp}' }),
  unary('neg', (a) => -a, '-'),
  unary('exp', Math.exp, '\\exp'),
  unary('sqrt', Math.sqrt, '\\sqrt'),
  unary('abs', Math.abs, '\\lvert\\cdot\\rvert'),
  unary('log', Math.log, '\\log'),
  unary('recip', (a) => 1 / a, '\\mathrm{recip}'),
  unary('square', (a) => a * a, '\\mathrm{square}'),
];

/** A registry: the built-ins plus operators registered by the user (by name; names are unique). */
export class OperatorRegistry {
  private readonly byName = new Map<string, ComputeOperator>();
  private readonly bySymbol = new Map<string, BinaryOperator>();

  constructor(operators: readonly ComputeOperator[] = BUILTIN) {
    for (const op of operators) this.register(op);
  }

  /** Add an operator; throws if the name is taken (a programming error, not a user error). */
  register(op: ComputeOperator): void {
    if (this.byName.has(op.name)) throw new Error(`operator '${op.name}' is already registered`);
    this.byName.set(op.name, op);
    if (op.kind === 'binary') for (const s of op.symbols) this.bySymbol.set(s, op);
  }

  /** An operator by name or (binary) symbol. */
  lookup(spelling: string): ComputeOperator | undefined {
    return this.byName.get(spelling) ?? this.bySymbol.get(spelling);
  }

  binary(spelling: string): BinaryOperator | undefined {
    const op = this.lookup(spelling);
    return op?.kind === 'binary' ? op : undefined;
  }

  unary(spelling: string): UnaryOperator | undefined {
    const op = this.lookup(spelling);
    return op?.kind === 'unary' ? op : undefined;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** A copy that user registrations can extend without touching the shared default registry. */
  clone(): OperatorRegistry {
    return new OperatorRegistry([...this.byName.values()]);
  }
}

/** The built-in operators; clone it before registering your own. */
export const defaultOperators: OperatorRegistry = new OperatorRegistry();

/** Build a user binary operator (identity needed only if it is used to reduce). */
export function userBinaryOperator(spec: {
  name: string; apply: (a: number, b: number) => number; identity?: number; commutative?: boolean;
  associative?: boolean; defaultMerge?: MergeName;
}): BinaryOperator {
  return binary({
    name: spec.name, symbols: [], apply: spec.apply, ...(spec.identity !== undefined ? { identity: spec.identity } : {}),
    commutative: spec.commutative ?? false, associative: spec.associative ?? false,
    defaultMerge: spec.defaultMerge ?? 'union', unicode: spec.name, latex: `\\mathrm{${spec.name.replace(/_/g, '\\_')}}`,
  });
}

/** Build a user unary operator (take-left merge: empty stays empty). */
export function userUnaryOperator(spec: { name: string; apply: (a: number) => number }): UnaryOperator {
  return unary(spec.name, spec.apply, `\\mathrm{${spec.name.replace(/_/g, '\\_')}}`);
}
