/**
 * @file Syntax colouring of the cascade notation for the editor: a line tokenizer (CodeMirror stream
 * parser) that tells tensors (an upper-case name before `[`), ranks and shapes, index variables,
 * functions, statement keywords, the actions after `::`, numbers and comments apart, and the colours.
 */
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import type { Extension } from '@codemirror/state';

/** Words that start a statement (docs/cascade-notation.md). */
const STATEMENT_KEYWORDS = new Set(['input', 'output', 'shape', 'stop', 'operator']);
/** Words of the action list after `::`. */
const ACTION_KEYWORDS = new Set(['map', 'reduce', 'populate', 'then']);

interface LineState {
  /** Nothing but blanks seen yet on this statement line. */
  atStart: boolean;
  /** Past the `::` of an Einsum: its actions. */
  inActions: boolean;
}

const cascadeParser = StreamLanguage.define<LineState>({
  name: 'cascade',
  startState: () => ({ atStart: true, inActions: false }),
  token(stream, state) {
    if (stream.sol()) { state.atStart = true; state.inActions = false; }
    if (stream.eatSpace()) return null;
    const wasStart = state.atStart;
    state.atStart = false;
    if (stream.peek() === '#') { stream.skipToEnd(); return 'comment'; }
    if (stream.match('::')) { state.inActions = true; return 'operator'; }
    const word = stream.match(/^[A-Za-z][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (word) {
      const w = word[0];
      if (wasStart && STATEMENT_KEYWORDS.has(w)) return 'keyword';
      if (state.inActions && ACTION_KEYWORDS.has(w)) return 'keyword';
      if (/^[A-Z]/.test(w)) return stream.peek() === '[' ? 'className' : 'typeName';
      if (stream.peek() === '(' || state.inActions) return 'variableName.function';
      return 'variableName';
    }
    if (stream.match(/^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) return 'number';
    const ch = stream.next();
    return ch !== undefined && '[](){}'.includes(ch) ? 'bracket' : 'operator';
  },
  languageData: { commentTokens: { line: '#' } },
});

const colours = HighlightStyle.define([
  { tag: tags.keyword, color: '#7a3e9d', fontWeight: '600' },
  { tag: tags.comment, color: '#6a737d', fontStyle: 'italic' },
  { tag: tags.className, color: '#005cc5', fontWeight: '600' },
  { tag: tags.typeName, color: '#b35900' },
  { tag: tags.variableName, color: '#22863a' },
  { tag: tags.function(tags.variableName), color: '#d73a49' },
  { tag: tags.number, color: '#6f42c1' },
  { tag: tags.operator, color: '#444d56' },
]);

/** The notation's language and its colours, as one editor extension. */
export function cascadeLanguage(): Extension {
  return [cascadeParser, syntaxHighlighting(colours)];
}
