/**
 * @file Vega-Lite specifications rendered to SVG (headless, deterministic: no timestamps, fixed size).
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';

/** Render a Vega-Lite specification to an SVG document. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
