/**
 * @file A cascade's source text with its file name, and spans into it. Every AST node carries a span so
 * that the checker can point at the exact characters of a problem.
 */
import { locationAt, fail, type SourceLocation } from '../diagnostics/diagnostic.ts';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Source {
  readonly file: string;
  readonly text: string;
}

export function spanLocation(source: Source, span: Span): SourceLocation {
  return locationAt(source.file, source.text, span.start, Math.max(1, span.end - span.start));
}

/** Throw a diagnostic located at a span of the source. */
export function failAt(source: Source, span: Span, code: string, message: string, hint?: string): never {
  return fail(code, message, spanLocation(source, span), hint);
}

export function joinSpans(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
