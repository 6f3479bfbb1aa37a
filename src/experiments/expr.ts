/**
 * @file The small expression language of design specs: loop bounds, parameters, memory depths and
 * areas are written as expressions over the workload (`B`, `H`, `E`, `F`, `D`, `S`, `M`, `P`, `model`,
 * `seq`) and earlier parameters, e.g. `P / (P1 * PE)` or `QK_stat == 'weight' ? E : 256`.
 *
 * Grammar (usual precedence, left associative): literals (numbers, 'text'), names, `( )`, function
 * calls, unary `-` and `!`, `* / // %`, `+ -`, `< <= > >=`, `== !=`, `&&`, `||`, `c ? a : b`.
 * `/` is real division and `//` floor division. Functions: min, max, floor, ceil, log2, abs,
 * pow2ceil (the smallest power of two ≥ x, at least 1), largest_divisor_le(n, x) (the largest divisor
 * of the integer n that is ≤ x, at least 1), lookup('table', key..., column) (a design table entry; an
 * error if absent) and lookup_or('table', default, key..., column).
 *
 * Parsing and evaluation errors are `ExprError`s with the offset in the expression text, so that the
 * design loader can point a caret inside the YAML scalar.
 */

export type Value = number | string;

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly at: number }
  | { readonly kind: 'str'; readonly value: string; readonly at: number }
  | { readonly kind: 'name'; readonly name: string; readonly at: number }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly at: number }
  | { readonly kind: 'unary'; readonly op: '-' | '!'; readonly arg: Expr; readonly at: number }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly at: number }
  | { readonly kind: 'cond'; readonly test: Expr; readonly then: Expr; readonly else: Expr; readonly at: number };

type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';

export class ExprError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly length = 1,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

/** Names an expression can see, and the design's tables for `lookup`. */
export interface Scope {
  readonly values: ReadonlyMap<string, Value>;
  readonly tables?: ReadonlyMap<string, ReadonlyMap<string, Value>>;
}

// ---------------------------------------------------------------------------------------------------
// Lexer and parser

interface Token {
  readonly kind: 'num' | 'str' | 'name' | 'op' | 'end';
  readonly text: string;
  readonly at: number;
}

const OPERATORS = ['//', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')', ',', '?', ':'];

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const num = /^(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (num) {
      tokens.push({ kind: 'num', text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ExprError('unterminated text literal', i, text.length - i);
      tokens.push({ kind: 'str', text: text.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected character '${c}'`, i);
    tokens.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', at: text.length });
  return tokens;
}

const LEVELS: readonly (readonly BinaryOp[])[] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '//', '%']];

/** Parse an expression; throws `ExprError` with the offset of the problem. */
export function parseExpr(text: string): Expr {
  const tokens = lex(text);
  let pos = 0;
  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const expectOp = (op: string): void => {
    const t = next();
    if (t.kind !== 'op' || t.text !== op) throw new ExprError(`expected '${op}' but found ${describe(t)}`, t.at, Math.max(1, t.text.length));
  };

  function conditional(): Expr {
    const test = binary(0);
    const t = peek();
    if (t.kind === 'op' && t.text === '?') {
      next();
      const then = conditional();
      expectOp(':');
      return { kind: 'cond', test, then, else: conditional(), at: test.at };
    }
    return test;
  }

  function binary(level: number): Expr {
    if (level >= LEVELS.length) return unary();
    let left = binary(level + 1);
    for (;;) {
      const t = peek();
      const op = LEVELS[level]!.find((o) => t.kind === 'op' && t.text === o);
      if (!op) return left;
      next();
      left = { kind: 'binary', op, left, right: binary(level + 1), at: t.at };
    }
  }

  function unary(): Expr {
    const t = peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '!')) {
      next();
      return { kind: 'unary', op: t.text, arg: unary(), at: t.at };
    }
    return primary();
  }

  function primary(): Expr {
    const t = next();
    switch (t.kind) {
      case 'num':
        return { kind: 'num', value: Number(t.text.replaceAll('_', '')), at: t.at };
      case 'str':
        return { kind: 'str', value: t.text, at: t.at };
      case 'name': {
        const p = peek();
        if (p.kind === 'op' && p.text === '(') {
          next();
          const args: Expr[] = [];
          if (!(peek().kind === 'op' && peek().text === ')')) {
            for (;;) {
              args.push(conditional());
              if (peek().kind === 'op' && peek().text === ',') next();
              else break;
            }
          }
          expectOp(')');
          return { kind: 'call', fn: t.text, args, at: t.at };
        }
        return { kind: 'name', name: t.text, at: t.at };
      }
      case 'op':
        if (t.text === '(') {
          const e = conditional();
          expectOp(')');
          return e;
        }
        throw new ExprError(`expected a value but found ${describe(t)}`, t.at, t.text.length);
      case 'end':
        throw new ExprError('expected a value but the expression ends', t.at);
    }
  }

  const e = conditional();
  const t = peek();
  if (t.kind !== 'end') throw new ExprError(`unexpected ${describe(t)} after the expression`, t.at, Math.max(1, t.text.length));
  return e;
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end' : `'${t.text}'`;
}

/** The names an expression reads (not function names). */
export function namesIn(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'num':
    case 'str':
      break;
    case 'name':
      out.add(e.name);
      break;
    case 'call':
      for (const a of e.args) namesIn(a, out);
      break;
    case 'unary':
      namesIn(e.arg, out);
      break;
    case 'binary':
      namesIn(e.left, out);
      namesIn(e.right, out);
      break;
    case 'cond':
      namesIn(e.test, out);
      namesIn(e.then, out);
      namesIn(e.else, out);
      break;
    default:
      return assertNever(e);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

export function evalExpr(e: Expr, scope: Scope): Value {
  switch (e.kind) {
    case 'num':
    case 'str':
      return e.value;
    case 'name': {
      const v = scope.values.get(e.name);
      if (v === undefined) throw new ExprError(`unknown name '${e.name}'`, e.at, e.name.length);
      return v;
    }
    case 'unary': {
      const v = evalExpr(e.arg, scope);
      return e.op === '-' ? -num(v, e.arg) : truthy(v) ? 0 : 1;
    }
    case 'binary':
      return binaryOp(e, scope);
    case 'cond':
      return truthy(evalExpr(e.test, scope)) ? evalExpr(e.then, scope) : evalExpr(e.else, scope);
    case 'call':
      return call(e, scope);
    default:
      return assertNever(e);
  }
}

/** Evaluate to a number (a text is an error). */
export function evalNumber(e: Expr, scope: Scope): number {
  return num(evalExpr(e, scope), e);
}

function binaryOp(e: Extract<Expr, { kind: 'binary' }>, scope: Scope): Value {
  if (e.op === '&&') return truthy(evalExpr(e.left, scope)) ? (truthy(evalExpr(e.right, scope)) ? 1 : 0) : 0;
  if (e.op === '||') return truthy(evalExpr(e.left, scope)) ? 1 : truthy(evalExpr(e.right, scope)) ? 1 : 0;
  const a = evalExpr(e.left, scope);
  const b = evalExpr(e.right, scope);
  if (e.op === '==') return a === b ? 1 : 0;
  if (e.op === '!=') return a !== b ? 1 : 0;
  const x = num(a, e.left);
  const y = num(b, e.right);
  switch (e.op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) throw new ExprError('division by zero', e.at);
      return x / y;
    case '//':
      if (y === 0) throw new ExprError('division by zero', e.at, 2);
      return Math.floor(x / y);
    case '%':
      if (y === 0) throw new ExprError('division by zero', e.at);
      return x % y;
    case '<':
      return x < y ? 1 : 0;
    case '<=':
      return x <= y ? 1 : 0;
    case '>':
      return x > y ? 1 : 0;
    case '>=':
      return x >= y ? 1 : 0;
    default:
      return assertNever(e.op);
  }
}

const FUNCTIONS: Record<string, { arity: number | 'any'; fn: (args: number[]) => number }> = {
  min: { arity: 'any', fn: (a) => Math.min(...a) },
  max: { arity: 'any', fn: (a) => Math.max(...a) },
  floor: { arity: 1, fn: (a) => Math.floor(a[0]!) },
  ceil: { arity: 1, fn: (a) => Math.ceil(a[0]!) },
  log2: { arity: 1, fn: (a) => Math.log2(a[0]!) },
  abs: { arity: 1, fn: (a) => Math.abs(a[0]!) },
  nan: { arity: 0, fn: () => NaN },
  pow2ceil: { arity: 1, fn: (a) => pow2ceil(a[0]!) },
  largest_divisor_le: { arity: 2, fn: (a) => largestDivisorAtMost(a[0]!, a[1]!) },
};

function call(e: Extract<Expr, { kind: 'call' }>, scope: Scope): Value {
  if (e.fn === 'lookup' || e.fn === 'lookup_or') {
    // lookup('table', key..., column) and lookup_or('table', default, key..., column).
    const [tableArg, ...rest] = e.args;
    if (tableArg === undefined) throw new ExprError(`${e.fn} needs a table name: ${e.fn}('table', ...)`, e.at, e.fn.length);
    const name = String(evalExpr(tableArg, scope));
    const table = scope.tables?.get(name);
    if (!table) throw new ExprError(`no table '${name}'`, tableArg.at);
    const fallback = e.fn === 'lookup_or' ? rest.shift() : undefined;
    const key = rest.map((k) => String(evalExpr(k, scope))).join(',');
    const v = table.get(key);
    if (v !== undefined) return v;
    if (fallback !== undefined) return evalExpr(fallback, scope);
    throw new ExprError(`table '${name}' has no entry for ${key}`, e.at, e.fn.length);
  }
  const f = FUNCTIONS[e.fn];
  if (!f) throw new ExprError(`unknown function '${e.fn}'`, e.at, e.fn.length);
  if (f.arity !== 'any' && e.args.length !== f.arity) throw new ExprError(`${e.fn} takes ${f.arity} argument${f.arity === 1 ? '' : 's'}, not ${e.args.length}`, e.at, e.fn.length);
  if (f.arity === 'any' && e.args.length === 0) throw new ExprError(`${e.fn} needs at least one argument`, e.at, e.fn.length);
  return f.fn(e.args.map((a) => evalNumber(a, scope)));
}

/** The smallest power of two ≥ x, and at least 1. */
export function pow2ceil(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/** The largest divisor of the positive integer n that is ≤ x (at least 1). */
export function largestDivisorAtMost(n: number, x: number): number {
  for (let d = Math.min(Math.floor(x), n); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

function num(v: Value, at: Expr): number {
  if (typeof v === 'number') return v;
  throw new ExprError(`expected a number, not the text '${v}'`, at.at);
}

function truthy(v: Value): boolean {
  return typeof v === 'number' ? v !== 0 && !Number.isNaN(v) : v !== '';
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
