/**
 * @file SVG to PNG with resvg, using the DejaVu Sans font shipped in the `dejavu-fonts-ttf` package (no
 * system fonts: the same pixels on every machine, including a fresh CI machine without fonts).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { FONT } from '../report/figures.ts';

const require = createRequire(import.meta.url);
const FONT_FILE = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans.ttf');

export function svgToPng(svg: string): Uint8Array {
  const r = new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: false, fontFiles: [FONT_FILE], defaultFontFamily: FONT, sansSerifFamily: FONT } });
  return r.render().asPng();
}
