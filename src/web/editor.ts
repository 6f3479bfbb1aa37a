/**
 * @file The cascade editor (CodeMirror 6): line numbers, undo history, the notation's colouring, and
 * diagnostics underlined at their line:col. Tab is left to the browser, so the keyboard can leave the
 * editor (Escape then Tab also works, as in every CodeMirror).
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { setDiagnostics, lintGutter, type Diagnostic as EditorDiagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { cascadeLanguage } from './cascade-language.ts';

export interface CascadeEditor {
  readonly view: EditorView;
  text(): string;
  setText(text: string): void;
  /** Underline these diagnostics (those with a location) in the text. */
  showDiagnostics(diagnostics: readonly Diagnostic[]): void;
  /** Put the cursor at a 1-based line and column and focus the editor. */
  goTo(line: number, col: number): void;
}

export function createEditor(parent: HTMLElement, initial: string, onChange: (text: string) => void): CascadeEditor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initial,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        EditorView.lineWrapping,
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        cascadeLanguage(),
        EditorView.contentAttributes.of({ 'aria-label': 'cascade source', spellcheck: 'false' }),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
      ],
    }),
  });

  const offset = (line: number, col: number): number => {
    const doc = view.state.doc;
    const l = doc.line(Math.min(Math.max(1, line), doc.lines));
    return Math.min(l.from + Math.max(0, col - 1), l.to);
  };

  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    showDiagnostics(diagnostics) {
      const marks: EditorDiagnostic[] = [];
      for (const d of diagnostics) {
        if (!d.location) continue;
        const from = offset(d.location.line, d.location.col);
        const to = Math.min(from + (d.location.length ?? 1), view.state.doc.line(Math.min(d.location.line, view.state.doc.lines)).to);
        marks.push({ from, to: Math.max(to, from), severity: 'error', message: `${d.code}: ${d.message}` });
      }
      view.dispatch(setDiagnostics(view.state, marks));
    },
    goTo(line, col) {
      const at = offset(line, col);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    },
  };
}
