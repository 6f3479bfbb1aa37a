/**
 * @file The Run tab: the editor's cascade on small seeded random inputs (`fusemax run`), in the chosen
 * precision and schedule, each output compared with a float64 sequential run of the same cascade (and,
 * for an attention cascade, with textbook softmax attention), with its first values previewed beside
 * the reference's.
 */
import { verificationShapes } from '../rewrite/verification-shapes.ts';
import { latest, Superseded } from './compute-client.ts';
import type { Context, View } from './context.ts';
import { errorView } from './diagnostics-view.ts';
import { fill, h } from './dom.ts';
import { relError } from './format.ts';
import type { OutputPreview, RunOutcome } from './protocol.ts';

function previewTable(o: OutputPreview): HTMLElement {
  const cols = o.values[0]?.length ?? 0;
  // Differences relative to the largest reference value shown, as the run's error is relative to the largest.
  const scale = Math.max(...o.reference.flat().map(Math.abs).filter(Number.isFinite), Number.MIN_VALUE);
  return h('table', { class: 'preview', 'data-output': o.name },
    h('caption', {}, `first ${o.values.length} × ${cols} values, each with its difference from the reference (hover for the reference value)`),
    h('tbody', {}, ...o.values.map((row, r) => h('tr', {}, ...row.map((v, c) => {
      const ref = o.reference[r]?.[c] ?? NaN;
      const same = v === ref || (Number.isNaN(v) && Number.isNaN(ref));
      return h('td', { class: same ? 'num' : 'num differs', title: `reference ${ref}` },
        v.toPrecision(6), h('br'), h('span', { class: 'note' }, same ? '=' : `Δ ${relError(Math.abs(v - ref) / scale)}`));
    })))));
}

function showRun(r: RunOutcome): HTMLElement {
  return h('div', {},
    h('p', {}, `Ran in ${r.milliseconds.toFixed(1)} ms (${r.schedule}, ${r.precision}) at ${r.shapes.map(([k, v]) => `${k}=${v}`).join(' ')}.`),
    r.textbook ? h('p', { 'data-testid': 'textbook-error' }, `${r.textbook.output} against textbook float64 softmax attention: max relative error ${relError(r.textbook.maxRelError)}`) : null,
    ...r.outputs.map((o) => h('section', { class: 'output', 'data-testid': 'run-output' },
      h('h3', {}, `${o.name}[${o.ranks.join(',')}] — ${o.shape.join(' × ') || 'scalar'}`),
      h('p', {}, `max relative error against the float64 reference run: `, h('strong', { 'data-testid': 'run-error' }, relError(o.maxRelError))),
      previewTable(o))),
  );
}

export function mount(panel: HTMLElement, ctx: Context): View {
  const ask = latest('run');
  const shapes = h('input', { id: 'run-shapes', type: 'text', size: 30, spellcheck: 'false' });
  const seed = h('input', { id: 'run-seed', type: 'number', min: 0, value: 1 });
  const precision = h('select', { id: 'run-precision' }, h('option', { value: 'float32' }, 'float32'), h('option', { value: 'float64' }, 'float64'));
  const schedule = h('select', { id: 'run-schedule' }, h('option', { value: 'sequential' }, 'sequential'), h('option', { value: 'fused' }, 'fused (one traversal per pass)'));
  const go = h('button', { type: 'button', class: 'primary', 'data-testid': 'run-button' }, 'Run');
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const result = h('div', { 'data-testid': 'run-result' });

  fill(panel,
    h('h2', {}, 'Run on small random inputs'),
    h('p', { class: 'controls' },
      h('label', { for: 'run-shapes' }, 'Shapes '), shapes, ' ',
      h('label', { for: 'run-seed' }, 'Seed '), seed, ' ',
      h('label', { for: 'run-precision' }, 'Precision '), precision, ' ',
      h('label', { for: 'run-schedule' }, 'Schedule '), schedule, ' ', go),
    h('p', { class: 'note' }, 'Inputs are seeded random normal data; the reference is the same cascade run Einsum by Einsum in float64.'),
    status, result);

  go.addEventListener('click', async () => {
    status.textContent = 'running…';
    try {
      const r = await ask({ text: ctx.text(), shapes: shapes.value, seed: Number(seed.value), precision: precision.value as 'float32' | 'float64', schedule: schedule.value as 'sequential' | 'fused' });
      status.textContent = '';
      fill(result, showRun(r));
    } catch (err) {
      if (err instanceof Superseded) return;
      status.textContent = '';
      fill(result, errorView(err));
    }
  });

  let seen = '';
  return {
    shown() {
      const c = ctx.checked();
      if (!c.ok || seen === ctx.text()) return;
      seen = ctx.text();
      // The shapes `fusemax optimize` verifies with: 6 per rank, partitioned ranks 10 in tiles of 4 (the last one partial).
      shapes.value = [...verificationShapes(c.cascade, c.cascade)].map(([k, v]) => `${k}=${v}`).join(',');
      fill(result);
    },
  };
}
