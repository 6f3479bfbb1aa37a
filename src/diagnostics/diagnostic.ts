/**
 * @file The one diagnostic system. Every user error anywhere in FuseMax (notation, YAML specs, CLI
 * arguments) is a `Diagnostic` with a stable code, a message and, where it has one, a source location
 * whose line text is captured so that a caret can be drawn without touching the file system.
 * Code ranges: FM1xx lexer/parser, FM2xx checker, FM3xx execution, FM4xx specs (YAML/schema),
 * FM5xx model, FM6xx experiments, FM8xx automatic designs, FM9xx CLI. See docs/diagnostics.md for the table.
 */

export interface SourceLocation {
  /** File name as the user gave it (or `<input>` for text without a file). */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column (in UTF-16 code units of the line). */
  readonly col: number;
  /** Length of the underlined span; 1 when unknown. */
  readonly length?: number;
  /** The text of the line, for the caret display. */
  readonly lineText?: string;
}

export interface Diagnostic {
  readonly code: string;
  readonly message: string;
  readonly location?: SourceLocation;
  /** An optional suggestion printed after the caret. */
  readonly hint?: string;
}

/** Thrown for any error that is the user's to fix; the CLI prints it and exits with status 2. */
export class UserError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: Diagnostic | readonly Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? (diagnostics as readonly Diagnostic[]) : [diagnostics as Diagnostic];
    super(list.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'UserError';
    this.diagnostics = list;
  }
}

/** Shorthand for throwing a single diagnostic. */
export function fail(code: string, message: string, location?: SourceLocation, hint?: string): never {
  throw new UserError({ code, message, ...(location ? { location } : {}), ...(hint ? { hint } : {}) });
}

/** Location of a character offset in a text (1-based line and column, with the line's text). */
export function locationAt(file: string, text: string, offset: number, length = 1): SourceLocation {
  const clamped = Math.max(0, Math.min(offset, text.length));
  const lineStart = text.lastIndexOf('\n', clamped - 1) + 1;
  let lineEnd = text.indexOf('\n', clamped);
  if (lineEnd < 0) lineEnd = text.length;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (text.charCodeAt(i) === 10) line++;
  return { file, line, col: clamped - lineStart + 1, length: Math.max(1, length), lineText: visibleLine(text.slice(lineStart, lineEnd)) };
}

/** Tabs and other invisible separators become one space each, so the caret stays under its column. */
function visibleLine(line: string): string {
  return line.replace(/\r$/, '').replace(/[\t\r\u2028\u2029\v\f\u0000-\u0008\u000e-\u001f\u007f]/g, ' ');
}

/** `file:line:col: error FM123: message`, then the line and a caret under the span. */
export function formatDiagnostic(d: Diagnostic): string {
  const loc = d.location;
  const head = loc ? `${loc.file}:${loc.line}:${loc.col}: error ${d.code}: ${d.message}` : `error ${d.code}: ${d.message}`;
  const lines = [head];
  if (loc?.lineText !== undefined) {
    const gutter = `${loc.line} | `;
    lines.push(gutter + loc.lineText);
    const width = Math.max(1, Math.min(loc.length ?? 1, loc.lineText.length - loc.col + 1));
    lines.push(' '.repeat(gutter.length - 2) + '| ' + ' '.repeat(Math.max(0, loc.col - 1)) + '^'.repeat(width));
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}
