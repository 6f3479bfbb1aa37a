/**
 * The explorer page in a real browser: Debian's Chromium (/usr/bin/chromium, or $FUSEMAX_CHROMIUM)
 * driven by playwright-core, one launch for every test of this file, against a site freshly built from
 * src/web and served by the explorer's own server on 127.0.0.1. Screenshots go to test-output/web/.
 * Without Chromium the tests fail and say how to install it (never a silent skip).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildSite, type BuiltSite } from '../../src/cli/explore-build.ts';
import { serveSite } from '../../src/cli/explore-server.ts';

const CHROMIUM = process.env['FUSEMAX_CHROMIUM'] ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium calls home, and a closed network refuses it noisily.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'web');
const SOFTMAX = 'input X[M,P]\nG[p] = X[m,p] :: reduce max\nN[m,p] = exp(X[m,p] - G[p])\nS[p] = N[m,p]\nY[m,p] = N[m,p] / S[p]\n';

let work: string;
let site: BuiltSite;
let server: Server;
let url: string;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
/** Paths the page fetched before it was first ready (its first view). */
const firstLoad: string[] = [];

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need it. Install it with \`apt-get install -y chromium\` (Debian; .ci/run does this), or point FUSEMAX_CHROMIUM at a Chromium binary.`);
  }
  work = mkdtempSync(join(tmpdir(), 'fusemax-explore-'));
  mkdirSync(SHOTS, { recursive: true });
  site = await buildSite(join(work, 'site'));
  ({ server, url } = await serveSite(site.dir, '127.0.0.1', 0));
  context = await chromium.launchPersistentContext(join(work, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
});

after(async () => {
  await context?.close();
  server?.closeAllConnections();
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The passes table's row of a rank (the checks below run in Node, so they use locators, not DOM code). */
function passesRow(rank: string, passes?: number) {
  const row = page.locator('[data-testid="passes"] tbody tr').filter({ has: page.locator('th', { hasText: new RegExp(`^${rank}$`) }) });
  return passes === undefined ? row : row.filter({ has: page.locator('td', { hasText: new RegExp(`^${passes}$`) }) });
}

async function replaceEditorText(text: string): Promise<void> {
  await page.locator('[data-testid="cascade-editor"] .cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

test('the built site: every file precached by the service worker, no address outside the site', () => {
  const sw = readFileSync(join(site.dir, 'sw.js'), 'utf8');
  for (const f of site.files) if (f.path !== 'index.html' && f.path !== 'sw.js') assert.ok(sw.includes(`"${f.path}"`), f.path);
  for (const f of ['index.html', 'main.js', 'main.css', 'worker.js', 'sw.js']) assert.ok(site.files.some((x) => x.path === f), f);
  assert.doesNotMatch(readFileSync(join(site.dir, 'index.html'), 'utf8'), /https?:\/\//);
});

test('first load: the pass analysis of attention-3pass, only the first view downloaded', async (t) => {
  const origin = new URL(url).origin;
  const onResponse = (r: { url(): string }): void => { if (r.url().startsWith(origin)) firstLoad.push(new URL(r.url()).pathname.slice(1) || 'index.html'); };
  page.on('response', onResponse);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('[data-testid="edge-math"] math');
  page.off('response', onResponse);
  const ready = Number(await page.evaluate("performance.getEntriesByName('fusemax-ready')[0].startTime"));
  t.diagnostic(`first load ready at ${ready.toFixed(0)} ms; fetched ${firstLoad.join(', ')}`);

  assert.equal(await passesRow('M').locator('td').innerText(), '3'); // FuseMax paper: the 3-pass cascade makes 3 passes over M
  assert.equal(await passesRow('P').locator('td').innerText(), '1');
  assert.equal(await page.locator('[data-testid="chains"] tbody tr').count(), 2);
  assert.match(await page.locator('[data-testid="live-tensors"]').innerText(), /QK\s+M\s+1, 2/);
  // The heavy parts (charts, the compute worker) wait for their views.
  const lazy = firstLoad.filter((p) => !site.initial.includes(p) && !/^chunks\/temml-|^assets\/Temml-/.test(p));
  assert.deepEqual(lazy, []);
  assert.ok(!firstLoad.includes('worker.js'));
  const gzip = site.files.filter((f) => firstLoad.includes(f.path)).reduce((a, f) => a + f.gzipBytes, 0);
  t.diagnostic(`first view: ${(gzip / 1024).toFixed(0)} KiB gzip`);
  assert.ok(gzip < 1.5 * 1024 * 1024, `first view ${gzip} B gzip`);
  await page.screenshot({ path: join(SHOTS, 'cascade.png') });
});

test('typing the softmax cascade updates the passes table: M makes 3 passes', async (t) => {
  await replaceEditorText(SOFTMAX);
  const typed = Date.now();
  // Wait for the analysis of the whole text (a slow machine may show prefixes of it while typing): Y, the last Einsum, in pass 3.
  await page.locator('table tbody tr', { hasText: /^YM:3 P:1$/ }).waitFor({ timeout: 5000 });
  t.diagnostic(`passes table updated ${Date.now() - typed} ms after the last keystroke`);
  assert.equal(await page.locator('[data-testid="passes"] tbody tr').count(), 2);
  assert.equal(await passesRow('M', 3).count(), 1);
  assert.equal(await passesRow('P', 1).count(), 1);
  assert.equal(await page.locator('[data-testid="cascade-picker"]').inputValue(), '');
  assert.match(await page.locator('[data-testid="diagnostics"]').innerText(), /No errors/);
  assert.match(await page.locator('[data-testid="chains"]').innerText(), /G reduces M/);
});

test('a reduce with an unknown operator shows a diagnostic located on line 2', async () => {
  await replaceEditorText(SOFTMAX.replace('reduce max', 'reduce maxx'));
  const item = page.locator('[data-testid="diagnostics"] li[data-code="FM221"]');
  await item.waitFor();
  assert.equal(await item.getAttribute('data-line'), '2');
  assert.equal(await item.getAttribute('data-col'), '25');
  assert.match(await item.innerText(), /cascade:2:25: error FM221: unknown operator 'maxx'/);
  // The editor underlines the operator, and the location button puts the cursor there.
  await page.locator('.cm-lintRange-error').first().waitFor();
  await item.getByRole('button').click();
  assert.equal(await page.locator('.cm-activeLine').innerText(), 'G[p] = X[m,p] :: reduce maxx');
  await page.screenshot({ path: join(SHOTS, 'diagnostic.png') });
});

test('keyboard: the picker loads a built-in cascade, Tab leaves the editor, the tabs follow the arrow keys', async () => {
  await page.locator('[data-testid="cascade-picker"]').focus();
  await page.keyboard.press('End'); // last option
  await page.locator('[data-testid="cascade-picker"]').selectOption('attention-3pass');
  await passesRow('E').waitFor();
  // Tab leaves the editor (it inserts no tab): the keyboard is never trapped.
  const editorText = await page.locator('[data-testid="cascade-editor"] .cm-content').innerText();
  await page.locator('[data-testid="cascade-editor"] .cm-content').click();
  await page.keyboard.press('Tab');
  assert.equal(await page.locator('[data-testid="cascade-editor"] .cm-content:focus').count(), 0);
  assert.equal(await page.locator('[data-testid="cascade-editor"] .cm-content').innerText(), editorText);
  await page.locator('#tab-cascade').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#tab-optimize').getAttribute('aria-selected'), 'true');
  assert.equal(await page.locator('#tab-optimize:focus').count(), 1);
  assert.equal(new URL(page.url()).hash, '#optimize');
});

test('optimize: attention-3pass becomes one pass over M1, verified; the budget slider picks the best plan', async () => {
  await page.getByTestId('optimize-button').waitFor();
  await page.getByTestId('optimize-button').focus();
  await page.keyboard.press('Enter');
  const verification = page.getByTestId('verification');
  await verification.waitFor({ timeout: 20_000 });
  assert.match(await verification.getAttribute('class') ?? '', /\bok\b/);
  assert.match(await page.getByTestId('optimize-passes').innerText(), /after\s+E:1 F:1 M0:2 M1:1 P:1/);
  assert.match(await page.getByTestId('optimize-rewritten').innerText(), /\[m1\+1,p\] = /); // running values over M1
  assert.match(await page.getByTestId('optimize-original').innerText(), /GM\[p\] = QK\[m,p\] :: reduce max/);
  // Trade-off at M = P = 4096 (2 B per element): QK and SN are M·P = 32 MiB each.
  await page.locator('[data-testid="tradeoff-plot"] svg').waitFor({ timeout: 20_000 });
  const slider = page.getByTestId('budget-slider');
  await slider.fill('26'); // 64 MiB: both fit on chip
  assert.match(await page.getByTestId('best-plan').innerText(), /QK:keep SN:keep — 64 MiB on chip, 0 B extra DRAM/);
  await slider.fill('20'); // 1 MiB: nothing fits, recompute or re-read
  assert.doesNotMatch(await page.getByTestId('best-plan').innerText(), /:keep/);
  await page.screenshot({ path: join(SHOTS, 'optimize.png'), fullPage: true });
});

test('run: float32 against the float64 reference and textbook attention', async () => {
  await page.locator('#tab-run').click();
  await page.getByTestId('run-button').click();
  const error = page.getByTestId('run-error');
  await error.waitFor({ timeout: 20_000 });
  const relative = Number(await error.innerText());
  assert.ok(relative > 0 && relative < 1e-5, String(relative));
  assert.match(await page.getByTestId('textbook-error').innerText(), /AV against textbook float64 softmax attention: max relative error \d/);
  await page.screenshot({ path: join(SHOTS, 'run.png'), fullPage: true });
});

test('design: moving the PE-array slider changes the latency', async () => {
  await page.locator('#tab-design').click();
  const latency = page.getByTestId('latency');
  await latency.waitFor({ timeout: 20_000 });
  const before = await latency.innerText();
  assert.equal(before, '7.403 s'); // +Binding, BERT, 64K, physical (fusemax evaluate --design binding --model BERT --seq 64K)
  await page.getByTestId('design-pe').focus();
  await page.keyboard.press('ArrowLeft'); // 256 → 128
  await page.locator('[data-testid="latency"]', { hasNotText: before }).waitFor({ timeout: 20_000 });
  assert.equal(await latency.innerText(), '29.58 s'); // fusemax evaluate ... --set params.PE=128
  assert.equal(await page.locator('#design-pe + output').innerText(), '128 × 128');
  assert.equal(await page.locator('[data-testid="einsum-breakdown"] tbody tr').count(), 12);
  await page.screenshot({ path: join(SHOTS, 'design.png'), fullPage: true });
});

test('figures: all 8 charts of Figures 6a-12 render, with tooltips, and the headline table', async () => {
  await page.getByTestId('figures').click();
  await page.locator('[data-testid="figure"] .chart[data-ready="true"] svg').nth(7).waitFor({ timeout: 60_000 });
  const figures = page.locator('[data-testid="figure"]');
  assert.equal(await figures.count(), 8);
  const names = await Promise.all([...Array(8).keys()].map((i) => figures.nth(i).getAttribute('data-name')));
  assert.deepEqual(names, ['fig6a', 'fig6b', 'fig7', 'fig8', 'fig9', 'fig10', 'fig11', 'fig12']);
  // Headline: FuseMax vs FLAT attention speedup, arithmetic mean 6.723× (the paper: 6.7×).
  assert.match(await page.getByTestId('headlines').innerText(), /attention: speedup, FuseMax vs FLAT\s+\S+\s+6\.72\d×/);
  const bar = page.locator('[data-name="fig8"] svg path[aria-roledescription="bar"]').first();
  await bar.hover();
  await page.locator('#vg-tooltip-element.visible').waitFor();
  assert.match(await page.locator('#vg-tooltip-element').innerText(), /model\s+BERT\s+seq\s+1K\s+config\s+Unfused\s+value\s+1\b/);
  await page.screenshot({ path: join(SHOTS, 'figures.png'), fullPage: true });
});

test('offline once loaded: with the server gone the page reloads and computes from its cache', async () => {
  await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
  await page.waitForFunction('navigator.serviceWorker.controller !== null');
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await page.goto(`${url}#design`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.getByTestId('latency').waitFor({ timeout: 20_000 });
  await page.locator('#tab-optimize').click();
  await page.locator('[data-testid="tradeoff-plot"] svg').waitFor({ timeout: 20_000 });
});

test('no console errors', () => {
  assert.deepEqual(consoleErrors, []);
});
