/**
 * @file Recursive-descent parser of the cascade notation (docs/cascade-notation.md): declarations
 * (`input`, `output`, `shape`), Einsums with `::` actions in ASCII or EDGE Unicode form, and stopping
 * conditions (`stop v >= V` or `⋄ : v >= V`). Produces the AST; all checking happens later.
 */
import type {
  ActionAst, CascadeAst, CompareOp, EinsumAst, ExprAst, IndexAst, InputDeclAst, NameRef, OperatorDeclAst, OutputDeclAst, RankExprAst,
  ShapeDeclAst, StatementAst, StopAst,
} from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { failAt, joinSpans, type Source, type Span } from './source.ts';

const COMPARE: Readonly<Record<string, CompareOp>> = {
  '<': '<', '<=': '<=', '≤': '<=', '>': '>', '>=': '>=', '≥': '>=', '==': '==', '=': '==', '!=': '!=', '≠': '!=',
};
const MAP_WORDS = new Set(['map', '⋀']);
const REDUCE_WORDS = new Set(['reduce', '⋁']);

export function isTensorName(name: string): boolean {
  return /^[A-Z]/.test(name);
}

class Parser {
  private pos = 0;
  constructor(private readonly source: Source, private readonly tokens: readonly Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token;
  }
  private next(): Token {
    const t = this.peek();
    // Stryker disable next-line ArithmeticOperator: peek() clamps to the last token (the end of file)
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  private is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === 'punct' || t.kind === 'name') && t.text === text;
  }
  private accept(text: string): Token | undefined {
    return this.is(text) ? this.next() : undefined;
  }
  private describe(t: Token): string {
    // Stryker disable next-line StringLiteral: unreachable: the lexer ends every non-empty text with a newline token before the end of file, so no statement reaches it
    if (t.kind === 'eof') return 'end of file';
    if (t.kind === 'newline') return 'end of line';
    return `'${t.text}'`;
  }
  private error(t: Token, message: string, hint?: string): never {
    // Stryker disable next-line LogicalOperator,StringLiteral,ArithmeticOperator: spanLocation marks at least one character either way
    const span = t.kind === 'newline' || t.kind === 'eof' ? { start: t.span.start, end: t.span.start + 1 } : t.span;
    return failAt(this.source, span, 'FM102', message, hint);
  }
  private expect(text: string, what?: string): Token {
    const t = this.peek();
    if (this.is(text)) return this.next();
    return this.error(t, `expected ${what ?? `'${text}'`} but found ${this.describe(t)}`);
  }
  private expectName(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'name') this.error(t, `expected ${what} but found ${this.describe(t)}`);
    return this.next();
  }
  private endOfStatement(): void {
    const t = this.peek();
    if (t.kind === 'newline') {
      this.next();
      return;
    }
    // Stryker disable next-line StringLiteral: unreachable: the lexer ends every non-empty text with a newline token before the end of file, so no statement reaches it
    if (t.kind !== 'eof') this.error(t, `unexpected ${this.describe(t)} after the end of the statement`, 'one statement per line');
  }

  parseFile(): CascadeAst {
    const statements: StatementAst[] = [];
    while (this.peek().kind !== 'eof') {
      // Stryker disable next-line BlockStatement,StringLiteral: unreachable: the lexer emits no leading newline and never two in a row
      if (this.peek().kind === 'newline') {
        this.next();
        continue;
      }
      statements.push(this.statement());
    }
    return { source: this.source, statements };
  }

  private statement(): StatementAst {
    const t = this.peek();
    if (t.kind === 'name' && !isTensorName(t.text)) {
      if (t.text === 'input') return this.inputDecl();
      if (t.text === 'output') return this.outputDecl();
      if (t.text === 'shape') return this.shapeDecl();
      if (t.text === 'operator') return this.operatorDecl();
      if (t.text === 'stop') {
        this.next();
        return this.stopBody(t.span);
      }
      this.error(t, `unexpected ${this.describe(t)} at the start of a statement`,
        "a statement is 'input', 'output', 'shape', 'operator', 'stop' or an Einsum 'T[...] = ...' (tensor names start with an upper-case letter)");
    }
    if (this.is('⋄')) {
      this.next();
      if (this.accept('_')) this.expectName('the iterative rank variable');
      this.expect(':', "':' after '⋄'");
      return this.stopBody(t.span);
    }
    if (t.kind === 'name') return this.einsum();
    return this.error(t, `unexpected ${this.describe(t)} at the start of a statement`);
  }

  private inputDecl(): InputDeclAst {
    const kw = this.next();
    const tensors: InputDeclAst['tensors'][number][] = [];
    do {
      const name = this.expectName('a tensor name');
      if (!isTensorName(name.text)) failAt(this.source, name.span, 'FM103', `tensor name '${name.text}' must start with an upper-case letter`);
      const ranks: NameRef[] = [];
      let end = name.span;
      if (this.accept('[')) {
        if (!this.is(']')) {
          do {
            const r = this.expectName('a rank name');
            if (!isTensorName(r.text)) failAt(this.source, r.span, 'FM103', `rank name '${r.text}' must start with an upper-case letter`, `rank names are shapes like M, E, M0; variables like m index them`);
            ranks.push({ name: r.text, span: r.span });
          } while (this.accept(','));
        }
        end = this.expect(']').span;
      }
      tensors.push({ name: name.text, nameSpan: name.span, ranks, span: joinSpans(name.span, end) });
    } while (this.accept(','));
    // Stryker disable next-line LogicalOperator,OptionalChaining: the loop above adds at least one tensor
    const span = joinSpans(kw.span, tensors[tensors.length - 1]?.span ?? kw.span);
    this.endOfStatement();
    return { kind: 'input', tensors, span };
  }

  private outputDecl(): OutputDeclAst {
    const kw = this.next();
    const names: NameRef[] = [];
    do {
      const n = this.expectName('a tensor name');
      names.push({ name: n.text, span: n.span });
    } while (this.accept(','));
    // Stryker disable next-line LogicalOperator,OptionalChaining: the loop above adds at least one name
    const span = joinSpans(kw.span, names[names.length - 1]?.span ?? kw.span);
    this.endOfStatement();
    return { kind: 'output', names, span };
  }

  private shapeDecl(): ShapeDeclAst {
    const kw = this.next();
    const entries: ShapeDeclAst['entries'][number][] = [];
    do {
      const n = this.expectName('a shape name');
      if (!isTensorName(n.text)) failAt(this.source, n.span, 'FM103', `shape name '${n.text}' must start with an upper-case letter`);
      this.expect('=');
      const v = this.peek();
      if (v.kind !== 'number' || !/^[0-9]+$/.test(v.text)) this.error(v, `expected a positive integer size for shape '${n.text}' but found ${this.describe(v)}`);
      this.next();
      entries.push({ name: n.text, nameSpan: n.span, value: Number(v.text), span: joinSpans(n.span, v.span) });
    } while (this.accept(','));
    // Stryker disable next-line LogicalOperator,OptionalChaining: the loop above adds at least one entry
    const span = joinSpans(kw.span, entries[entries.length - 1]?.span ?? kw.span);
    this.endOfStatement();
    return { kind: 'shape', entries, span };
  }

  /** Parameters of the operator whose body is being parsed (lower-case names that are values there). */
  private params: ReadonlySet<string> = new Set();

  private operatorDecl(): OperatorDeclAst {
    const kw = this.next();
    const name = this.expectName('the operator name');
    if (isTensorName(name.text)) failAt(this.source, name.span, 'FM103', `operator name '${name.text}' must start with a lower-case letter`);
    this.expect('(', "'(' and the parameters");
    const params: NameRef[] = [];
    do {
      const p = this.expectName('a parameter name');
      if (isTensorName(p.text)) failAt(this.source, p.span, 'FM103', `parameter '${p.text}' must start with a lower-case letter`);
      if (params.some((q) => q.name === p.text)) failAt(this.source, p.span, 'FM107', `parameter '${p.text}' is given twice`);
      params.push({ name: p.text, span: p.span });
    } while (this.accept(','));
    this.expect(')');
    if (params.length > 2) failAt(this.source, (params[2] as NameRef).span, 'FM107', 'an operator takes one or two parameters');
    this.expect('=', "'=' and the operator's body");
    this.params = new Set(params.map((p) => p.name));
    let body: ExprAst;
    try {
      body = this.expr();
    } finally {
      this.params = new Set();
    }
    let identity: OperatorDeclAst['identity'] = null;
    let merge: NameRef | null = null;
    let end = body.span;
    for (;;) {
      if (this.accept('identity')) {
        const neg = this.accept('-') ?? this.accept('−');
        const v = this.next();
        if (v.kind !== 'number' && v.text !== 'inf') this.error(v, `expected a number or inf after 'identity' but found ${this.describe(v)}`);
        const value = v.text === 'inf' ? Infinity : Number(v.text);
        identity = { value: neg ? -value : value, span: joinSpans(neg?.span ?? v.span, v.span) };
        end = v.span;
      } else if (this.accept('merge')) {
        merge = this.mergeName();
        end = merge.span;
      } else break;
    }
    const span = joinSpans(kw.span, end);
    this.endOfStatement();
    return { kind: 'operator', name: { name: name.text, span: name.span }, params, body, identity, merge, span };
  }

  private stopBody(start: Span): StopAst {
    const v = this.expectName('the iterative rank variable');
    if (isTensorName(v.text)) failAt(this.source, v.span, 'FM103', `'${v.text}' is not a rank variable`, 'stopping conditions compare the (lower-case) iterative variable, e.g. stop m1 >= M1');
    const opTok = this.next();
    const op = COMPARE[opTok.text];
    if (opTok.kind !== 'punct' || op === undefined) this.error(opTok, `expected a comparison (>=, >, ==, ...) but found ${this.describe(opTok)}`);
    const bound = this.rankExpr();
    const span = joinSpans(start, bound.span);
    this.endOfStatement();
    return { kind: 'stop', variable: v.text, varSpan: v.span, op, bound, span };
  }

  private einsum(): EinsumAst {
    // Stryker disable next-line StringLiteral: unreachable: statement() calls einsum() only on a name
    const name = this.expectName('a tensor name');
    if (!isTensorName(name.text)) failAt(this.source, name.span, 'FM103', `tensor name '${name.text}' must start with an upper-case letter`);
    let indices: IndexAst[] = [];
    let lhsEnd = name.span;
    if (this.is('[')) {
      this.next();
      indices = this.indexList();
      lhsEnd = this.expect(']').span;
    }
    this.expect('=', "'=' after the output tensor");
    const expr = this.expr();
    const actions: ActionAst[] = [];
    if (this.accept('::')) {
      if (this.peek().kind === 'newline' || this.peek().kind === 'eof') this.error(this.peek(), "expected an action after '::'", "e.g. ':: reduce max' or ':: map *(intersect) reduce +(union)'");
      while (this.peek().kind !== 'newline' && this.peek().kind !== 'eof') actions.push(this.action());
    }
    const span = joinSpans(name.span, actions[actions.length - 1]?.span ?? expr.span);
    this.endOfStatement();
    return { kind: 'einsum', output: { tensor: name.text, nameSpan: name.span, indices, span: joinSpans(name.span, lhsEnd) }, expr, actions, span };
  }

  private action(): ActionAst {
    const kw = this.next();
    let kind: 'map' | 'reduce';
    if (MAP_WORDS.has(kw.text)) kind = 'map';
    else if (REDUCE_WORDS.has(kw.text)) kind = 'reduce';
    else if (kw.text === 'populate' || kw.text === '⋘') return failAt(this.source, kw.span, 'FM104', 'populate actions are not supported', 'only map and reduce actions are implemented; the default populate (=) is implied');
    else return this.error(kw, `expected 'map', 'reduce', '⋀' or '⋁' but found ${this.describe(kw)}`);
    let ranks: NameRef[] | null = null;
    if (this.accept('[')) {
      ranks = this.rankVarList(']');
      this.expect(']');
    } else if (this.accept('_')) {
      if (this.accept('{')) {
        ranks = this.rankVarList('}');
        this.expect('}');
      } else {
        const r = this.expectName('a rank variable');
        ranks = [{ name: r.text, span: r.span }];
      }
    }
    const op = this.actionOperator();
    let merge: NameRef | null = null;
    let end = op.span;
    if (this.accept('(')) {
      merge = this.mergeName();
      end = this.expect(')').span;
    }
    return { kind, ranks, op, merge, span: joinSpans(kw.span, end) };
  }

  private rankVarList(close: string): NameRef[] {
    const out: NameRef[] = [];
    if (this.is(close)) return out;
    do {
      const r = this.expectName('a rank variable');
      out.push({ name: r.text, span: r.span });
    } while (this.accept(','));
    return out;
  }

  private actionOperator(): NameRef {
    const t = this.peek();
    if (t.kind === 'punct' && ['+', '-', '*', '/', '×', '÷', '−'].includes(t.text)) {
      this.next();
      return { name: t.text, span: t.span };
    }
    if (t.kind === 'name') {
      this.next();
      // `sub-then-exp` is one operator name written with dashes.
      if (t.text === 'sub' && this.is('-') && this.peek(1).text === 'then' && this.peek(2).text === '-' && this.peek(3).text === 'exp') {
        this.next(); this.next(); this.next();
        const last = this.next();
        return { name: 'sub_exp', span: joinSpans(t.span, last.span) };
      }
      return { name: t.text, span: t.span };
    }
    return this.error(t, `expected a compute operator (+, *, max, ...) but found ${this.describe(t)}`);
  }

  private mergeName(): NameRef {
    const t = this.next();
    if (t.kind === 'name' || t.kind === 'number' || t.kind === 'punct') {
      // ⊖l and ⊖r are a symbol followed by a letter.
      if (t.text === '⊖' && this.peek().kind === 'name' && ['l', 'r'].includes(this.peek().text)) {
        const side = this.next();
        return { name: `⊖${side.text}`, span: joinSpans(t.span, side.span) };
      }
      if (t.kind !== 'punct' || !['(', ')', ','].includes(t.text)) return { name: t.text, span: t.span };
    }
    return this.error(t, `expected a merge operator (intersect, union, take_left, ∩, ∪, ←, 1, ...) but found ${this.describe(t)}`);
  }

  private indexList(): IndexAst[] {
    const out: IndexAst[] = [];
    if (this.is(']')) return out;
    do out.push(this.index());
    while (this.accept(','));
    return out;
  }

  private index(): IndexAst {
    const t = this.peek();
    if (t.kind === 'name' && !isTensorName(t.text) && this.is(':', 1)) {
      this.next();
      this.next();
      const v2 = this.expectName('the filtered variable');
      if (v2.text !== t.text) failAt(this.source, v2.span, 'FM105', `a filter must constrain its own variable: write '${t.text} : ${t.text} <= ...'`);
      const opTok = this.next();
      const op = COMPARE[opTok.text];
      if (op === undefined) this.error(opTok, `expected a comparison (=, <=, <, >=, >, !=) but found ${this.describe(opTok)}`);
      const bound = this.rankExpr();
      return { kind: 'filter', variable: t.text, varSpan: t.span, op, bound, span: joinSpans(t.span, bound.span) };
    }
    const expr = this.rankExpr();
    return { kind: 'rank', expr, span: expr.span };
  }

  private rankExpr(): RankExprAst {
    let left = this.rankTerm();
    while (this.is('+') || this.is('-') || this.is('−')) {
      const op = this.next().text === '+' ? '+' : '-';
      const right = this.rankTerm();
      left = { kind: 'binop', op, left, right, span: joinSpans(left.span, right.span) };
    }
    return left;
  }

  private rankTerm(): RankExprAst {
    let left = this.rankUnary();
    while (this.is('*') || this.is('/') || this.is('%') || this.is('×')) {
      const text = this.next().text;
      const op = text === '×' ? '*' : (text as '*' | '/' | '%');
      const right = this.rankUnary();
      left = { kind: 'binop', op, left, right, span: joinSpans(left.span, right.span) };
    }
    return left;
  }

  private rankUnary(): RankExprAst {
    const t = this.peek();
    if (this.is('-') || this.is('−')) {
      this.next();
      const operand = this.rankUnary();
      return { kind: 'neg', operand, span: joinSpans(t.span, operand.span) };
    }
    if (t.kind === 'number') {
      if (!/^[0-9]+$/.test(t.text)) failAt(this.source, t.span, 'FM106', `rank expressions are integers; '${t.text}' is not`);
      this.next();
      return { kind: 'int', value: Number(t.text), span: t.span };
    }
    if (t.kind === 'name') {
      this.next();
      return isTensorName(t.text) ? { kind: 'shape', name: t.text, span: t.span } : { kind: 'var', name: t.text, span: t.span };
    }
    if (this.accept('(')) {
      const inner = this.rankExpr();
      this.expect(')');
      return inner;
    }
    return this.error(t, `expected a rank expression (a variable, a shape name or an integer) but found ${this.describe(t)}`);
  }

  private expr(): ExprAst {
    let left = this.term();
    while (this.is('+') || this.is('-') || this.is('−')) {
      const opTok = this.next();
      const right = this.term();
      left = { kind: 'binary', op: opTok.text === '+' ? '+' : '-', opSpan: opTok.span, left, right, span: joinSpans(left.span, right.span) };
    }
    return left;
  }

  private term(): ExprAst {
    let left = this.unary();
    while (this.is('*') || this.is('/') || this.is('×') || this.is('÷') || this.is('·')) {
      const opTok = this.next();
      const op = opTok.text === '×' ? '*' : opTok.text === '÷' ? '/' : (opTok.text as '*' | '/' | '·');
      const right = this.unary();
      left = { kind: 'binary', op, opSpan: opTok.span, left, right, span: joinSpans(left.span, right.span) };
    }
    return left;
  }

  private unary(): ExprAst {
    const t = this.peek();
    if (this.is('-') || this.is('−')) {
      this.next();
      const operand = this.unary();
      return { kind: 'neg', operand, span: joinSpans(t.span, operand.span) };
    }
    return this.primary();
  }

  private primary(): ExprAst {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return { kind: 'number', value: Number(t.text), text: t.text, span: t.span };
    }
    if (t.kind === 'name' && t.text === 'inf') {
      this.next();
      return { kind: 'number', value: Infinity, text: 'inf', span: t.span };
    }
    if (this.accept('(')) {
      const inner = this.expr();
      this.expect(')');
      return inner;
    }
    if (t.kind === 'name' && this.params.has(t.text) && !this.is('(', 1)) {
      this.next();
      return { kind: 'param', name: t.text, span: t.span };
    }
    if (t.kind === 'name' && !isTensorName(t.text)) {
      if (!this.is('(', 1)) {
        return this.error(t, `'${t.text}' is not a tensor: tensor names start with an upper-case letter`,
          `a lower-case name is a rank variable or a function such as exp(...)`);
      }
      this.next();
      this.next();
      const args: ExprAst[] = [];
      if (!this.is(')')) {
        do args.push(this.expr());
        while (this.accept(','));
      }
      const close = this.expect(')', "')' closing the call");
      return { kind: 'call', name: t.text, nameSpan: t.span, args, span: joinSpans(t.span, close.span) };
    }
    if (t.kind === 'name') {
      this.next();
      if (this.is('[')) {
        this.next();
        const indices = this.indexList();
        const close = this.expect(']', "']' closing the index list");
        return { kind: 'access', tensor: t.text, nameSpan: t.span, indices, bracketed: true, span: joinSpans(t.span, close.span) };
      }
      return { kind: 'access', tensor: t.text, nameSpan: t.span, indices: [], bracketed: false, span: t.span };
    }
    return this.error(t, `expected a tensor, a number or a call but found ${this.describe(t)}`);
  }
}

/** Parse a cascade file into its syntax tree; throws a UserError (FM1xx) with the location on bad syntax. */
export function parseCascade(source: Source): CascadeAst {
  return new Parser(source, tokenize(source)).parseFile();
}
