/**
 * SVG snapshots of Figures 6a–12 (artifact fidelity): the rendering is deterministic (same SVG twice, no
 * timestamps) and equals the snapshot in test/fixtures/figures/. Set UPDATE_SNAPSHOTS=1 to rewrite the
 * snapshots after an intended change, then look at them. A missing snapshot fails the test: under CI
 * (CI=true) it is an error; elsewhere it is written first, to be looked at and committed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paperFigures } from '../../src/report/figures.ts';
import { vegaLiteToSvg } from '../../src/report/vega.ts';
import { svgToPng } from '../../src/cli/png.ts';
import { reproduction, ROOT } from '../experiments/helpers.ts';

const DIR = join(ROOT, 'test', 'fixtures', 'figures');

test('Figures 6a, 6b, 7, 8, 9, 10, 11, 12: deterministic SVG equal to the snapshots', async () => {
  const figs = paperFigures(reproduction('artifact'));
  assert.deepEqual(figs.map((f) => f.name), ['fig6a', 'fig6b', 'fig7', 'fig8', 'fig9', 'fig10', 'fig11', 'fig12']);
  for (const f of figs) {
    const svg = await vegaLiteToSvg(f.spec);
    assert.equal(await vegaLiteToSvg(f.spec), svg, `${f.name} renders twice the same`);
    assert.match(svg, /^<svg/);
    assert.ok(svg.includes('DejaVu Sans'), `${f.name} names the fixed font`);
    const file = join(DIR, `${f.name}.svg`);
    if (!existsSync(file) && process.env['UPDATE_SNAPSHOTS'] !== '1') {
      if (process.env['CI'] !== 'true') writeFileSync(file, svg);
      assert.fail(`${f.name}: no snapshot in test/fixtures/figures/${process.env['CI'] === 'true' ? '' : ' (written now: look at it, commit it, run again)'}`);
    }
    if (process.env['UPDATE_SNAPSHOTS'] === '1') writeFileSync(file, svg);
    assert.equal(svg, readFileSync(file, 'utf8'), `${f.name} differs from its snapshot (UPDATE_SNAPSHOTS=1 to accept)`);
  }
});

test('PNG: rendered with the shipped font, deterministic', async () => {
  const fig = paperFigures(reproduction('artifact')).find((f) => f.name === 'fig12')!;
  const svg = await vegaLiteToSvg(fig.spec);
  const a = svgToPng(svg);
  const b = svgToPng(svg);
  assert.deepEqual([...a.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(a.length > 10000);
  assert.deepEqual(a, b);
});
