/**
 * @file The pass analysis of the cascade in the editor, recomputed on the page's main thread as one
 * types (parsing, checking and the analysis take a few milliseconds): passes per rank (the table the
 * tests read, `data-testid="passes"`), each Einsum's pass, the chains that force the extra passes,
 * the tensors live across passes with what keeping, re-reading or recomputing them costs, and the
 * EDGE form as mathematics (LaTeX from the printer, typeset to MathML by temml, loaded on first use).
 */
import { analysePasses, type PassAnalysis, type PassChain } from '../analysis/passes.ts';
import { liveFootprint, type FootprintEntry, type Quantity } from '../analysis/footprint.ts';
import { UserError, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Cascade } from '../ir/cascade.ts';
import { loadCascade } from '../ir/check.ts';
import { parseShapeList, resolveShapes } from '../ir/shapes.ts';
import { printCascade } from '../notation/print.ts';
import 'temml/dist/Temml-Local.css';
import { fill, h, table } from './dom.ts';
import { bytes } from './format.ts';
import { EDITOR_FILE } from './protocol.ts';

export type Checked = { readonly ok: true; readonly cascade: Cascade } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Parse and check; user errors become diagnostics (anything else is a bug and propagates). */
export function check(text: string): Checked {
  try {
    return { ok: true, cascade: loadCascade(text, EDITOR_FILE) };
  } catch (err) {
    if (err instanceof UserError) return { ok: false, diagnostics: err.diagnostics };
    throw err;
  }
}

function chainWhy(ch: PassChain): string {
  return ch.reason === 'reduces' ? `${ch.completes} reduces ${ch.rank}` : `${ch.completes} is read at its final generation`;
}

/** Elements to keep (e.g. `M·P = 16,777,216 (32 MiB)`): symbolic, then counted once shapes are given. */
function quantity(q: Quantity, wordBytes?: number): string {
  if (q.value === undefined) return q.symbolic;
  return `${q.symbolic} = ${q.value.toLocaleString('en-US')}${wordBytes ? ` (${bytes(q.value * wordBytes)})` : ''}`;
}

/** Bytes per element of the footprints in bytes (as `fusemax passes --word-bytes` defaults to). */
const WORD_BYTES = 2;

export interface AnalysisView {
  readonly element: HTMLElement;
  /** Show the analysis of a checked cascade (or keep the last one, dimmed, while the text is broken). */
  update(checked: Checked): void;
}

export function createAnalysisView(): AnalysisView {
  const shapesInput = h('input', { id: 'analysis-shapes', type: 'text', size: 30, placeholder: 'M=4096,P=4096,E=64,F=64', 'aria-describedby': 'analysis-shapes-help', spellcheck: 'false' });
  const shapesNote = h('span', { id: 'analysis-shapes-help', class: 'note' }, `rank sizes turn the footprints into numbers (${WORD_BYTES} B per element)`);
  const passes = h('div', { class: 'panel' });
  const einsums = h('div', { class: 'panel' });
  const chains = h('div', { class: 'panel' });
  const live = h('div', { class: 'panel' });
  const math = h('div', { class: 'math', 'data-testid': 'edge-math' });
  const staleNote = h('p', { class: 'note error', hidden: true }, 'The cascade has errors: below is the analysis of the last version that checked.');
  const element = h('section', { class: 'analysis', 'aria-label': 'pass analysis' },
    staleNote,
    h('div', { class: 'row' },
      h('div', {}, h('h2', {}, 'Passes per rank'), passes),
      h('div', {}, h('h2', {}, 'Pass of each Einsum'), einsums)),
    h('h2', {}, 'Why the extra passes'), chains,
    h('h2', {}, 'Tensors live across passes'),
    h('p', { class: 'controls' }, h('label', { for: 'analysis-shapes' }, 'Shapes '), shapesInput, ' ', shapesNote),
    live,
    h('h2', {}, 'EDGE form'), math,
  );
  let last: Cascade | undefined;
  let mathToken = 0;

  const render = (c: Cascade): void => {
    const a: PassAnalysis = analysePasses(c);
    fill(passes, table(['rank', 'passes'], [...a.ranks].map(([r, n]) => [r, String(n)]), { 'data-testid': 'passes' }, [1]));
    const tensorOf = (i: number): string => c.einsums[i]?.output.tensor ?? '?';
    fill(einsums, table(['Einsum', 'pass over each rank'], [...a.einsumPasses].sort(([x], [y]) => x - y).map(([i, m]) => [tensorOf(i), [...m].map(([r, p]) => `${r}:${p}`).join(' ')])));
    fill(chains, a.chains.length === 0
      ? h('p', {}, 'No extra passes: every rank is traversed once.')
      : table(['rank', 'pass', 'because', 'then', 'through'], a.chains.map((ch) => [ch.rank, String(ch.pass), chainWhy(ch), `${ch.reader} needs ${ch.completes}`, ch.via.join(', ') || '—']), { 'data-testid': 'chains' }, [1]));

    let footprint: FootprintEntry[];
    shapesNote.classList.remove('error');
    try {
      const given = shapesInput.value.trim();
      footprint = liveFootprint(c, a, given ? resolveShapes(c, parseShapeList(given)) : undefined);
      shapesNote.textContent = `rank sizes turn the footprints into numbers (${WORD_BYTES} B per element)`;
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      shapesNote.textContent = err.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ');
      shapesNote.classList.add('error');
      footprint = liveFootprint(c, a);
    }
    fill(live, footprint.length === 0
      ? h('p', {}, 'None: no tensor is touched in more than one pass.')
      : table(['tensor', 'over', 'passes', 'keep on chip (elements)', 're-read (extra elements)', 'recompute (extra operations)'],
        footprint.map((f) => [f.tensor, f.rank, f.passes.join(', '), quantity(f.buffer, WORD_BYTES), quantity(f.reread, WORD_BYTES), f.recompute ? `${quantity(f.recompute)} (${f.producer})` : '—']),
        { 'data-testid': 'live-tensors' }));

    const latex = printCascade(c, 'latex');
    const token = ++mathToken;
    void import('temml').then((temml) => {
      if (token !== mathToken) return;
      math.innerHTML = temml.default.renderToString(latex, { displayMode: true, annotate: true });
    });
  };

  shapesInput.addEventListener('input', () => { if (last) render(last); });

  return {
    element,
    update(checked) {
      for (const part of [passes, einsums, chains, live, math]) part.classList.toggle('stale', !checked.ok);
      staleNote.hidden = checked.ok || last === undefined;
      if (!checked.ok) return;
      last = checked.cascade;
      render(checked.cascade);
    },
  };
}
