/**
 * @file Interactive Vega-Lite charts on the page: vega, vega-lite and vega-tooltip are loaded on first
 * use (they are most of the page's weight), the chart is drawn as SVG with hover tooltips, and the
 * returned view lets a control move a chart's parameters (the trade-off plot's budget) without redrawing.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { View } from 'vega';

/** Tooltips on every mark: the fields of its data row. */
function withTooltips(spec: TopLevelSpec): TopLevelSpec {
  const config = (spec as { config?: Record<string, unknown> }).config ?? {};
  return { ...spec, config: { ...config, mark: { ...(config['mark'] as object | undefined), tooltip: { content: 'data' } } } } as TopLevelSpec;
}

export async function drawChart(container: HTMLElement, spec: TopLevelSpec): Promise<View> {
  const [vega, vegaLite, tooltip] = await Promise.all([import('vega'), import('vega-lite'), import('vega-tooltip')]);
  const handler = new tooltip.Handler();
  const view = new vega.View(vega.parse(vegaLite.compile(withTooltips(spec)).spec), { renderer: 'svg', container, hover: true, tooltip: handler.call });
  await view.runAsync();
  return view;
}
