/**
 * @file The explorer page's first load from localhost in headless Chromium, cold (a fresh browser
 * context every time: nothing cached, no service worker), until the pass analysis is on screen, against
 * loading a blank page from the same server in the same run; and what the first view downloads.
 * Needs Chromium (/usr/bin/chromium or $FUSEMAX_CHROMIUM).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildSite } from '../src/cli/explore-build.ts';
import { serveSite } from '../src/cli/explore-server.ts';

const RUNS = 7;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'fusemax-bench-explore-'));
  try {
    const t0 = performance.now();
    const site = await buildSite(join(work, 'site'));
    const buildMs = performance.now() - t0;
    writeFileSync(join(site.dir, 'blank.html'), '<!doctype html><title>blank</title><p>blank');
    const { server, url } = await serveSite(site.dir, '127.0.0.1', 0);
    const browser = await chromium.launch({ executablePath: process.env['FUSEMAX_CHROMIUM'] ?? '/usr/bin/chromium', headless: true, args: ARGS });
    const blank: number[] = [];
    const page: number[] = [];
    let firstView = { raw: 0, gzip: 0 };
    for (let i = 0; i < RUNS; i++) {
      for (const [which, out] of [['blank.html', blank], ['', page]] as const) {
        const context = await browser.newContext({ serviceWorkers: 'block' });
        const tab = await context.newPage();
        const fetched: string[] = [];
        tab.on('response', (r) => fetched.push(new URL(r.url()).pathname.slice(1) || 'index.html'));
        const start = performance.now();
        await tab.goto(url + which);
        if (which === '') await tab.waitForSelector('[data-testid="edge-math"] math');
        else await tab.waitForLoadState('load');
        out.push(performance.now() - start);
        if (which === '') {
          const files = site.files.filter((f) => fetched.includes(f.path));
          firstView = { raw: files.reduce((a, f) => a + f.bytes, 0), gzip: files.reduce((a, f) => a + f.gzipBytes, 0) };
        }
        await context.close();
      }
    }
    await browser.close();
    server.closeAllConnections();
    server.close();
    const all = { raw: site.files.reduce((a, f) => a + f.bytes, 0), gzip: site.files.reduce((a, f) => a + f.gzipBytes, 0) };
    const base = median(blank);
    console.log(`site: ${site.files.length} files, ${(all.raw / 1024).toFixed(0)} KiB (${(all.gzip / 1024).toFixed(0)} KiB gzip), built in ${buildMs.toFixed(0)} ms`);
    console.log(`first view: ${(firstView.raw / 1024).toFixed(0)} KiB (${(firstView.gzip / 1024).toFixed(0)} KiB gzip)`);
    console.log(`  baseline: blank page from the same server   ${base.toFixed(1).padStart(8)} ms   ×1.00 baseline`);
    const m = median(page);
    console.log(`  first load to the pass analysis and maths    ${m.toFixed(1).padStart(8)} ms   ×${(m / base).toFixed(2)} baseline (median of ${RUNS}, cold)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
