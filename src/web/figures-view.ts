/**
 * @file The Figures tab: the FuseMax evaluation reproduced in the page with the functions `fusemax
 * reproduce` uses (experiments/paper.ts, report/figures.ts, experiments/headlines.ts): the headline
 * ratios as a table and Figures 6a–12 as interactive Vega-Lite charts with tooltips, each in a
 * `data-testid="figure"` element.
 */
import type { Ratio } from '../experiments/headlines.ts';
import { request } from './compute-client.ts';
import type { View } from './context.ts';
import { errorView } from './diagnostics-view.ts';
import { fill, h, table } from './dom.ts';
import type { ReproduceOutcome } from './protocol.ts';
import { drawChart } from './vega-chart.ts';

function ratioRow(name: string, r: Ratio, unit: string): string[] {
  const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  return [name, `${f(r.all.geo)}${unit}`, `${f(r.all.arith)}${unit}`, `${f(r.all.min)}–${f(r.all.max)}`, [...r.perModel].map(([m, s]) => `${m} ${f(s.geo, 2)}${unit}`).join(', ')];
}

function headlineTable(o: ReproduceOutcome): HTMLElement {
  const rows = (side: 'attention' | 'endToEnd', label: string): string[][] => {
    const s = o.headlines[side];
    return [
      ratioRow(`${label}: speedup, FuseMax vs FLAT`, s.speedupVsFlat, '×'),
      ratioRow(`${label}: speedup, FuseMax vs Unfused`, s.speedupVsUnfused, '×'),
      ratioRow(`${label}: energy, FuseMax / FLAT`, s.energyVsFlat, ''),
      ratioRow(`${label}: energy, FuseMax / Unfused`, s.energyVsUnfused, ''),
    ];
  };
  return table(['ratio', 'geometric mean', 'arithmetic mean', 'range', 'per model (geometric mean)'],
    [...rows('attention', 'attention'), ...rows('endToEnd', 'end to end')], { 'data-testid': 'headlines' }, [1, 2]);
}

export function mount(panel: HTMLElement): View {
  const fidelity = h('select', { id: 'figures-fidelity' }, h('option', { value: 'artifact' }, 'artifact (the published numbers)'), h('option', { value: 'physical' }, 'physical (quirks corrected)'));
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const headlines = h('div');
  const figures = h('div', { class: 'figures' });
  fill(panel,
    h('h2', {}, 'The FuseMax evaluation (MICRO 2024), reproduced in this page'),
    h('p', { class: 'controls' }, h('label', { for: 'figures-fidelity' }, 'Fidelity '), fidelity),
    h('p', { class: 'note' }, 'Paper: attention 6.7× faster than FLAT at 79% of the energy; end to end 5.3× at 83% (arithmetic means over the 24 points).'),
    status, headlines, figures);

  let shownFor = '';
  let token = 0;
  let charts: Array<{ finalize(): void }> = [];
  const load = async (): Promise<void> => {
    const mine = ++token;
    status.textContent = 'reproducing the evaluation…';
    for (const c of charts) c.finalize();
    charts = [];
    fill(figures);
    try {
      const o = await request('reproduce', { fidelity: fidelity.value as 'artifact' | 'physical' });
      if (mine !== token) return;
      fill(headlines, h('h3', {}, 'Headline ratios'), headlineTable(o));
      status.textContent = `computed in ${(o.milliseconds / 1000).toFixed(2)} s; drawing the figures…`;
      for (const f of o.figures) {
        const chart = h('div', { class: 'chart' });
        figures.append(h('figure', { 'data-testid': 'figure', 'data-name': f.name }, chart, h('figcaption', {}, f.title)));
        const view = await drawChart(chart, f.spec);
        if (mine !== token) { view.finalize(); return; }
        charts.push(view);
        chart.dataset['ready'] = 'true';
      }
      status.textContent = `${o.figures.length} figures (fidelity ${o.fidelity}), computed in ${(o.milliseconds / 1000).toFixed(2)} s`;
    } catch (err) {
      status.textContent = '';
      fill(figures, errorView(err));
    }
  };
  fidelity.addEventListener('change', () => { shownFor = fidelity.value; void load(); });

  return {
    shown() {
      if (shownFor === fidelity.value) return;
      shownFor = fidelity.value;
      void load();
    },
  };
}
