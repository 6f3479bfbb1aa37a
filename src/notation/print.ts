/**
 * @file Printers of a checked cascade: canonical text (re-parses to the same IR), the EDGE Unicode form
 * (⋀ ⋁ × ÷ ∩ ∪ ⋄; also re-parses), and LaTeX. Default actions are left implicit in the text form, as the
 * paper writes them; the Unicode form spells every action out.
 */
import type { CompareOp, ExprAst, RankExprAst } from './ast.ts';
import type { Cascade, Einsum, Index, ValueExpr } from '../ir/cascade.ts';
import { MERGES, type MergeOperator } from '../ops/merge.ts';
import type { BinaryOperator } from '../ops/compute.ts';

export type PrintStyle = 'text' | 'unicode' | 'latex';

interface Style {
  readonly name: PrintStyle;
  access(tensor: string, indices: readonly string[], bare: boolean): string;
  binaryInfix(op: BinaryOperator): string;
  call(name: string, args: readonly string[]): string;
  compare(op: CompareOp): string;
  merge(m: MergeOperator): string;
  actionOp(op: BinaryOperator | { name: string }): string;
  map: string;
  reduce: string;
  ranks(vars: readonly string[]): string;
  inf: string;
}

const TEXT: Style = {
  name: 'text',
  access: (t, ix, bare) => (bare ? t : `${t}[${ix.join(',')}]`),
  binaryInfix: (op) => ({ add: ' + ', sub: ' - ', mul: ' * ', div: ' / ' } as Record<string, string>)[op.name] ?? ` ${op.name} `,
  call: (name, args) => `${name}(${args.join(', ')})`,
  compare: (op) => op,
  merge: (m) => m.name,
  actionOp: (op) => ('symbols' in op ? op.symbols[0] ?? op.name : op.name),
  map: 'map',
  reduce: 'reduce',
  ranks: (vars) => `[${vars.join(',')}]`,
  inf: 'inf',
};

const UNICODE: Style = {
  ...TEXT,
  name: 'unicode',
  binaryInfix: (op) => ({ add: ' + ', sub: ' − ', mul: ' × ', div: ' ÷ ' } as Record<string, string>)[op.name] ?? ` ${op.name} `,
  compare: (op) => ({ '<=': '≤', '>=': '≥', '!=': '≠' } as Record<string, string>)[op] ?? op,
  merge: (m) => m.symbol,
  actionOp: (op) => ({ add: '+', sub: '−', mul: '×', div: '÷' } as Record<string, string>)[op.name] ?? op.name,
  map: '⋀',
  reduce: '⋁',
  ranks: (vars) => (vars.length === 1 ? `_${vars[0]}` : `_{${vars.join(',')}}`),
};

const LATEX_MERGE: Readonly<Record<string, string>> = {
  intersect: '\\cap', union: '\\cup', take_left: '\\leftarrow', take_right: '\\rightarrow', pass_through: '\\mathbb{1}',
};

const LATEX: Style = {
  name: 'latex',
  access: (t, ix, bare) => (bare ? `\\mathit{${t}}` : `\\mathit{${t}}_{${ix.join(',')}}`),
  binaryInfix: (op) => ` ${op.latex} `,
  call: (name, args) => (name === 'exp' ? `e^{${args.join(', ')}}` : name === 'sqrt' ? `\\sqrt{${args.join(', ')}}` : `\\${['max', 'min', 'log'].includes(name) ? name : `mathrm{${name}}`}(${args.join(', ')})`),
  compare: (op) => ({ '<=': '\\le', '>=': '\\ge', '!=': '\\ne', '==': '=' } as Record<string, string>)[op] ?? op,
  merge: (m) => LATEX_MERGE[m.name] ?? `\\mathrm{${m.name.replace(/_/g, '\\_')}}`,
  actionOp: (op) => ('latex' in op ? op.latex : op.name),
  map: '\\bigwedge',
  reduce: '\\bigvee',
  ranks: (vars) => `_{${vars.join(',')}}`,
  inf: '\\infty',
};

const STYLES: Readonly<Record<PrintStyle, Style>> = { text: TEXT, unicode: UNICODE, latex: LATEX };

export function printRankExpr(x: RankExprAst, parentPrec = 0): string {
  switch (x.kind) {
    case 'var': case 'shape': return x.name;
    case 'int': return String(x.value);
    case 'neg': return `-${printRankExpr(x.operand, 3)}`;
    case 'binop': {
      const prec = x.op === '+' || x.op === '-' ? 1 : 2;
      const s = `${printRankExpr(x.left, prec)}${x.op}${printRankExpr(x.right, prec + 1)}`;
      return prec < parentPrec ? `(${s})` : s;
    }
    default: { const never: never = x; return never; }
  }
}

function printIndex(ix: Index, style: Style): string {
  if (ix.kind === 'expr') return printRankExpr(ix.expr);
  const op = style.compare(ix.op);
  return style.name !== 'latex' && ix.op === '==' ? `${ix.variable}:${ix.variable}=${printRankExpr(ix.bound)}` : `${ix.variable}:${ix.variable}${op}${printRankExpr(ix.bound)}`;
}

function printNumber(v: number, style: Style): string {
  if (v === Infinity) return style.inf;
  if (v === -Infinity) return `-${style.inf}`;
  return String(v);
}

/** Precedence: 1 additive, 2 multiplicative, 3 unary minus, 4 atoms. */
function printExpr(x: ValueExpr, style: Style, parentPrec = 0, rightOperand = false): string {
  switch (x.kind) {
    case 'const': {
      const s = printNumber(x.value, style);
      return x.value < 0 && parentPrec > 0 ? `(${s})` : s;
    }
    case 'access': return style.access(x.tensor, x.indices.map((ix) => printIndex(ix, style)), x.indices.length === 0);
    case 'shape': return style.name === 'latex' ? `|${x.name}|` : x.name;
    case 'unary': {
      if (x.op.name === 'neg') {
        const s = `-${printExpr(x.operand, style, 3)}`;
        return parentPrec > 3 ? `(${s})` : s;
      }
      return style.call(x.op.name, [printExpr(x.operand, style)]);
    }
    case 'binary': {
      switch (x.form) {
        case 'exp-sub':
          return style.call('exp', [`${printExpr(x.left, style, 1)}${style.binaryInfix({ name: 'sub' } as BinaryOperator).replace(/ \S+ /, style.name === 'latex' ? ' - ' : style.name === 'unicode' ? ' − ' : ' - ')}${printExpr(x.right, style, 1, true)}`]);
        case 'call':
          return style.call(x.op.name, [printExpr(x.left, style), printExpr(x.right, style)]);
        case 'infix':
        case 'dot': {
          const prec = x.op.name === 'add' || x.op.name === 'sub' ? 1 : 2;
          const sym = x.form === 'dot' ? (style.name === 'latex' ? ' \\cdot ' : ' · ') : style.binaryInfix(x.op);
          const s = `${printExpr(x.left, style, prec)}${sym}${printExpr(x.right, style, prec, true)}`;
          // Left-associative: a right operand of equal precedence needs parentheses.
          return prec < parentPrec || (rightOperand && prec === parentPrec) ? `(${s})` : s;
        }
        default: { const never: never = x.form; return never; }
      }
    }
    default: { const never: never = x; return never; }
  }
}

/** Distinct (operator, merge) pairs of the map nodes, in order of appearance. */
function mapNodes(x: ValueExpr, out: Array<{ op: BinaryOperator | { name: string }; merge: MergeOperator; isDefault: boolean; dot: boolean }> = []): typeof out {
  switch (x.kind) {
    case 'const': case 'access': case 'shape': break;
    case 'unary':
      mapNodes(x.operand, out);
      out.push({ op: x.op, merge: x.merge, isDefault: x.merge === MERGES[x.op.defaultMerge], dot: false });
      break;
    case 'binary':
      mapNodes(x.left, out);
      mapNodes(x.right, out);
      out.push({ op: x.op, merge: x.merge, isDefault: x.merge === MERGES[x.op.defaultMerge], dot: x.form === 'dot' });
      break;
    default: { const never: never = x; return never; }
  }
  return out;
}

function printActions(e: Einsum, style: Style): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const n of mapNodes(e.expr)) {
    const key = `${n.op.name}/${n.merge.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (style.name === 'text' && n.isDefault && !n.dot) continue;
    parts.push(`${style.map} ${style.actionOp(n.op)}(${style.merge(n.merge)})`);
  }
  if (e.reduction) {
    const r = e.reduction;
    const isDefault = r.op.name === 'add' && r.merge === MERGES[r.op.defaultMerge];
    if (style.name !== 'text' || !isDefault) {
      const ranks = style.name === 'text' ? '' : style.ranks(e.reducedVars);
      const merge = style.name === 'text' && r.merge === MERGES[r.op.defaultMerge] ? '' : `(${style.merge(r.merge)})`;
      parts.push(`${style.reduce}${ranks} ${style.actionOp(r.op)}${merge}`);
    }
  }
  if (parts.length === 0) return '';
  return style.name === 'latex' ? ` \\quad :: ${parts.join(' \\; ')}` : ` :: ${parts.join(' ')}`;
}

function printEinsum(e: Einsum, style: Style): string {
  const lhs = style.access(e.output.tensor, e.output.indices.map((ix) => printIndex(ix, style)), e.output.indices.length === 0);
  return `${lhs} = ${printExpr(e.expr, style)}${printActions(e, style)}`;
}

/** An operator body as written (precedence-aware, text form). */
export function printExprAst(x: ExprAst, parentPrec = 0, rightOperand = false): string {
  switch (x.kind) {
    case 'number': return x.text;
    case 'param': return x.name;
    case 'access': return x.bracketed ? `${x.tensor}[${x.indices.map((i) => (i.kind === 'rank' ? printRankExpr(i.expr) : `${i.variable}:${i.variable}${i.op}${printRankExpr(i.bound)}`)).join(',')}]` : x.tensor;
    case 'neg': { const s = `-${printExprAst(x.operand, 3)}`; return parentPrec > 3 ? `(${s})` : s; }
    case 'call': return `${x.name}(${x.args.map((a) => printExprAst(a)).join(', ')})`;
    case 'binary': {
      const prec = x.op === '+' || x.op === '-' ? 1 : 2;
      const s = `${printExprAst(x.left, prec)} ${x.op} ${printExprAst(x.right, prec, true)}`;
      return prec < parentPrec || (rightOperand && prec === parentPrec) ? `(${s})` : s;
    }
    default: { const never: never = x; return never; }
  }
}

/** `operator name(a, b) = body [identity v] [merge m]` */
export function printOperatorDecl(o: Cascade['operators'][number]): string {
  const identity = o.identity === null ? '' : ` identity ${o.identity === Infinity ? 'inf' : o.identity === -Infinity ? '-inf' : String(o.identity)}`;
  return `operator ${o.name}(${o.params.join(', ')}) = ${printExprAst(o.body)}${identity}${o.merge ? ` merge ${o.merge}` : ''}`;
}

/** Print a whole cascade in one of the styles. */
export function printCascade(c: Cascade, styleName: PrintStyle = 'text'): string {
  const style = STYLES[styleName];
  const lines: string[] = [];
  const comment = style.name === 'latex' ? '%' : '#';
  if (c.explicitInputs) {
    const inputs = [...c.tensors.values()].filter((t) => t.role === 'input');
    const decl = inputs.map((t) => style.access(t.name, t.ranks, t.ranks.length === 0)).join(', ');
    lines.push(style.name === 'latex' ? `${comment} input ${decl}` : `input  ${decl}`);
  }
  if (c.explicitOutputs) lines.push(style.name === 'latex' ? `${comment} output ${c.outputs.join(', ')}` : `output ${c.outputs.join(', ')}`);
  if (c.shapeDefaults.size > 0) {
    const shapes = [...c.shapeDefaults].map(([k, v]) => `${k} = ${v}`).join(', ');
    lines.push(style.name === 'latex' ? `${comment} shape ${shapes}` : `shape  ${shapes}`);
  }
  for (const o of c.operators) lines.push(style.name === 'latex' ? `${comment} ${printOperatorDecl(o)}` : printOperatorDecl(o));
  for (const e of c.einsums) lines.push(printEinsum(e, style));
  for (const it of c.iterativeRanks.values()) {
    if (!it.explicitStop) continue;
    const cond = `${it.variable} ${style.compare(it.stop.op)} ${printRankExpr(it.stop.bound)}`;
    lines.push(style.name === 'text' ? `stop ${cond}` : style.name === 'unicode' ? `⋄ : ${cond}` : `\\diamond : ${cond}`);
  }
  if (style.name === 'latex') return ['\\begin{align*}', ...lines.map((l) => (l.startsWith('%') ? l : `${l.replace(' = ', ' &= ')} \\\\`)), '\\end{align*}'].join('\n') + '\n';
  return lines.join('\n') + '\n';
}
