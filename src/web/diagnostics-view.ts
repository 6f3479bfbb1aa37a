/**
 * @file Diagnostics on the page, as the CLI prints them (`cascade:2:25: error FM221: message`, the
 * line, a caret, the hint): a list whose located entries are buttons that put the editor's cursor on
 * the spot.
 */
import { formatDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { h } from './dom.ts';

export function diagnosticsList(diagnostics: readonly Diagnostic[], goTo?: (line: number, col: number) => void): HTMLElement {
  return h('ul', { class: 'diagnostics-list' }, ...diagnostics.map((d) => {
    const text = h('pre', {}, formatDiagnostic(d));
    const loc = d.location;
    if (!loc || !goTo) return h('li', { 'data-code': d.code }, text);
    return h('li', { 'data-code': d.code, 'data-line': loc.line, 'data-col': loc.col },
      h('button', { type: 'button', class: 'link', title: 'go to this place in the editor', onclick: () => goTo(loc.line, loc.col) }, `line ${loc.line}, column ${loc.col}`),
      text);
  }));
}

/** Show an error from a computation: diagnostics as above, anything else as an internal error (a bug, also logged). */
export function errorView(err: unknown): HTMLElement {
  const diagnostics = (err as { diagnostics?: readonly Diagnostic[] }).diagnostics;
  if (diagnostics) return diagnosticsList(diagnostics);
  console.error(err);
  return h('p', { class: 'error' }, err instanceof Error ? err.message : String(err));
}
