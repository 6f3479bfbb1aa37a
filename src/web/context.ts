/**
 * @file What the page's views share: the cascade in the editor (its text and the result of checking
 * it, with a notification when it changes) and a way back into the editor.
 */
import type { Checked } from './analysis-view.ts';

export interface Context {
  /** The editor's text. */
  text(): string;
  /** The editor's cascade, checked. */
  checked(): Checked;
  /** Called after every change of the editor's cascade (already debounced). */
  onCascade(listener: (checked: Checked) => void): void;
  /** Replace the editor's text (e.g. with the rewritten cascade). */
  edit(text: string): void;
  goTo(line: number, col: number): void;
}

/** A view module: `mount` builds it into its panel once; `shown` runs each time its tab opens. */
export interface View {
  shown(): void;
}
