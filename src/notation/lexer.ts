/**
 * @file Lexer of the cascade notation: names, numbers, ASCII and Unicode punctuation, and newlines
 * (one statement per line; newlines inside brackets and parentheses are ignored so long Einsums can wrap).
 */
import { failAt, type Source, type Span } from './source.ts';

export type TokenKind = 'name' | 'number' | 'punct' | 'newline' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly span: Span;
}

/** Multi-character ASCII operators, longest first. */
const ASCII_MULTI = ['::', '>=', '<=', '==', '!=', '<<'];
const ASCII_SINGLE = new Set([...'[](){},=+-*/:<>^_%!.']);
/** Unicode symbols of the papers' notation, each one token (combining overlines are kept with them). */
const UNICODE_SINGLE = new Set([...'⋀⋁⋘×÷∩∪←→⋄≤≥≠−·⊖⊕≡↛↚⇐⇒∈∉√'].concat(['𝟙']));
const COMBINING = /[\u0304\u0305]/;

/** Names start with a letter: a leading '_' is EDGE's subscript (⋁_m0). */
function isNameStart(ch: string): boolean {
  return /[A-Za-z]/.test(ch);
}
function isNameChar(ch: string): boolean {
  return /[A-Za-z0-9_]/.test(ch);
}

export function tokenize(source: Source): Token[] {
  const { text } = source;
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number): void => {
    tokens.push({ kind, text: text.slice(start, end), span: { start, end } });
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '\n') {
      // Stryker disable next-line OptionalChaining: tokens.length > 0 guards the last token
      if (depth === 0 && tokens.length > 0 && tokens[tokens.length - 1]?.kind !== 'newline') push('newline', i, i + 1);
      i++;
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (isNameStart(ch)) {
      const start = i;
      while (i < text.length && isNameChar(text[i] as string)) i++;
      push('name', start, i);
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const start = i;
      // Stryker disable next-line StringLiteral: past the end of the text, either fallback has no digit or sign
      while (/[0-9]/.test(text[i] ?? '')) i++;
      if (text[i] === '.' && /[0-9]/.test(text[i + 1] ?? '')) {
        i++;
        // Stryker disable next-line StringLiteral: past the end of the text, either fallback has no digit or sign
        while (/[0-9]/.test(text[i] ?? '')) i++;
      }
      // Stryker disable next-line StringLiteral,ArithmeticOperator: past the end of the text no fallback has a sign or digit to follow an 'e'; and the look-ahead only saves work: the sign and the digit are tested again below
      if (/[eE]/.test(text[i] ?? '') && /[-+0-9]/.test(text[i + 1] ?? '')) {
        let j = i + 1;
        // Stryker disable next-line StringLiteral: past the end of the text, either fallback has no digit or sign
        if (/[-+]/.test(text[j] ?? '')) j++;
        // Stryker disable next-line StringLiteral: past the end of the text, either fallback has no digit or sign
        if (/[0-9]/.test(text[j] ?? '')) {
          i = j;
          // Stryker disable next-line StringLiteral: past the end of the text, either fallback has no digit or sign
          while (/[0-9]/.test(text[i] ?? '')) i++;
        }
      }
      push('number', start, i);
      continue;
    }
    const two = text.slice(i, i + 2);
    if (ASCII_MULTI.includes(two)) {
      push('punct', i, i + 2);
      i += 2;
      continue;
    }
    const cp = String.fromCodePoint(text.codePointAt(i) as number);
    if (ASCII_SINGLE.has(ch) || UNICODE_SINGLE.has(cp)) {
      const start = i;
      i += cp.length;
      while (i < text.length && COMBINING.test(text[i] as string)) i++;
      if ('[({'.includes(ch)) depth++;
      if ('])}'.includes(ch)) depth = Math.max(0, depth - 1);
      push('punct', start, i);
      continue;
    }
    const shown = /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(cp) ? `'${cp}'` : `U+${(cp.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
    failAt(source, { start: i, end: i + cp.length }, 'FM101', `unexpected character ${shown}`);
  }
  // Stryker disable next-line OptionalChaining: tokens.length > 0 guards the last token
  if (tokens.length > 0 && tokens[tokens.length - 1]?.kind !== 'newline') push('newline', text.length, text.length);
  tokens.push({ kind: 'eof', text: '', span: { start: text.length, end: text.length } });
  return tokens;
}
