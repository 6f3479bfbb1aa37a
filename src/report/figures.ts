/**
 * @file Figures 6a–12 of the FuseMax paper as Vega-Lite specifications, faceted like the paper: one
 * panel per model, sequence length on x, one bar per configuration (Unfused, FLAT, +Cascade,
 * +Architecture, +Binding); Fig 7 stacks the per-Einsum 2D utilization of BERT, Fig 12 plots latency
 * against area on log–log axes. Deterministic: fixed sizes, a fixed font, data in a fixed order.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ATTENTION, type Reproduction } from '../experiments/paper.ts';
import { points } from '../experiments/headlines.ts';

export const FONT = 'DejaVu Sans';

const LABELS: Record<string, string> = { unfused: 'Unfused', flat: 'FLAT', cascade: '+Cascade', arch: '+Architecture', binding: '+Binding' };
const ORDER = ATTENTION.map((a) => LABELS[a.key]!);
const COLORS = ['#7f7f7f', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];

export interface Figure {
  /** File stem: fig6a, fig6b, fig7, ..., fig12. */
  readonly name: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

type Row = Record<string, string | number>;

function groupedBars(title: string, values: Row[], yTitle: string, seqs: readonly string[], models: readonly string[], log = false): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    facet: { column: { field: 'model', type: 'nominal', sort: [...models], title: null } },
    spec: {
      width: 220,
      height: 180,
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'seq', type: 'ordinal', sort: [...seqs], title: 'sequence length' },
        xOffset: { field: 'config', type: 'nominal', sort: ORDER },
        y: { field: 'value', type: 'quantitative', title: yTitle, ...(log ? { scale: { type: 'log' } } : {}) },
        color: { field: 'config', type: 'nominal', sort: ORDER, scale: { domain: ORDER, range: COLORS }, title: null },
      },
    },
    config: { font: FONT, legend: { orient: 'top' } },
  } as TopLevelSpec;
}

export function paperFigures(r: Reproduction): Figure[] {
  const figs: Figure[] = [];
  const util = (which: '1d' | '2d'): Row[] =>
    ATTENTION.flatMap((a) => (r.attention.get(a.key) ?? []).map((x) => ({ model: x.model, seq: x.seq, config: LABELS[a.key]!, value: x.result.utilization.get(which) ?? 0 })));
  figs.push({ name: 'fig6a', title: 'Fig 6a: 1D array utilization', spec: groupedBars('Fig 6a: 1D array utilization (attention)', util('1d'), 'utilization', r.seqs, r.models) });
  figs.push({ name: 'fig6b', title: 'Fig 6b: 2D array utilization', spec: groupedBars('Fig 6b: 2D array utilization (attention)', util('2d'), 'utilization', r.seqs, r.models) });

  // Fig 7: BERT, per-Einsum 2D proportion active, stacked, one panel per sequence length.
  const fig7: Row[] = [];
  const einsumLabel = (k: string, c: string): string => (k === 'flat' && c === 'AV' ? 'SLNV/AV' : c);
  for (const a of ATTENTION) {
    if (a.columns.length === 0) continue;
    for (const x of r.attention.get(a.key) ?? []) {
      if (x.model !== 'BERT') continue;
      for (const c of a.columns) fig7.push({ seq: x.seq, config: LABELS[a.key]!, einsum: einsumLabel(a.key, c), value: x.result.einsumUtilization.get(c) ?? 0 });
    }
  }
  figs.push({
    name: 'fig7',
    title: 'Fig 7: BERT, 2D array proportion active per Einsum',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Fig 7: BERT — 2D array proportion active per Einsum',
      data: { values: fig7 },
      facet: { column: { field: 'seq', type: 'ordinal', sort: [...r.seqs], title: null } },
      spec: {
        width: 110,
        height: 180,
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'config', type: 'nominal', sort: ORDER, title: null },
          y: { field: 'value', type: 'quantitative', stack: 'zero', title: 'proportion active' },
          color: { field: 'einsum', type: 'nominal', sort: ['QK', 'LM', 'SLN', 'SLD', 'SLNV', 'SLNV/AV'], title: 'Einsum' },
        },
      },
      config: { font: FONT, legend: { orient: 'top' } },
    } as TopLevelSpec,
  });

  const relative = (endToEnd: boolean, metric: 'speedup' | 'energy'): Row[] => {
    const base = points(r, 'unfused', endToEnd);
    return ATTENTION.flatMap((a) =>
      points(r, a.key, endToEnd).map((p, i) => {
        const b = base[i]!;
        const row = (r.attention.get(a.key) ?? [])[i]!;
        return { model: p.model, seq: row.seq, config: LABELS[a.key]!, value: metric === 'speedup' ? b.latency / p.latency : p.energy / b.energy };
      }),
    );
  };
  figs.push({ name: 'fig8', title: 'Fig 8: attention speedup over Unfused', spec: groupedBars('Fig 8: attention speedup over Unfused', relative(false, 'speedup'), 'speedup', r.seqs, r.models) });
  figs.push({ name: 'fig9', title: 'Fig 9: attention energy relative to Unfused', spec: groupedBars('Fig 9: attention energy relative to Unfused', relative(false, 'energy'), 'energy (normalized)', r.seqs, r.models) });
  figs.push({ name: 'fig10', title: 'Fig 10: end-to-end speedup over Unfused', spec: groupedBars('Fig 10: end-to-end speedup over Unfused', relative(true, 'speedup'), 'speedup', r.seqs, r.models) });
  figs.push({ name: 'fig11', title: 'Fig 11: end-to-end energy relative to Unfused', spec: groupedBars('Fig 11: end-to-end energy relative to Unfused', relative(true, 'energy'), 'energy (normalized)', r.seqs, r.models) });

  if (r.pareto.length > 0) {
    const values = r.pareto.map((p) => ({ model: p.model, pe: p.pe, area: p.area * 1e-8, latency: p.latency }));
    figs.push({
      name: 'fig12',
      title: 'Fig 12: latency vs area, PE array 16…512 (256K)',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'Fig 12: latency vs area, PE array 16 to 512 (256K)',
        width: 420,
        height: 300,
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'area', type: 'quantitative', scale: { type: 'log' }, title: 'area (cm²)' },
          y: { field: 'latency', type: 'quantitative', scale: { type: 'log' }, title: 'latency (s)' },
          color: { field: 'model', type: 'nominal', sort: [...r.models], title: null },
          order: { field: 'pe', type: 'quantitative' },
        },
        config: { font: FONT, legend: { orient: 'top' } },
      } as TopLevelSpec,
    });
  }
  return figs;
}
