/**
 * `fusemax reproduce` and `fusemax evaluate` through the real binary: the output set, exit status 2 with
 * located diagnostics for bad input, and no partial output when a run fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, ROOT } from '../helpers/cli.ts';


test('reproduce writes the CSVs, the figures (SVG and PNG) and the summary; silent on stderr when piped', () => {
  const out = mkdtempSync(join(tmpdir(), 'fm-repro-'));
  const r = runProcess('reproduce', '--out', out);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.err, '');
  const files = readdirSync(out).sort();
  const expected = ['attn-arch.csv', 'attn-binding.csv', 'attn-cascade.csv', 'attn-flat.csv', 'attn-unfused.csv', 'end2end-flat.csv', 'end2end-proposal.csv', 'pareto.csv', 'summary.md'];
  for (const fig of ['fig6a', 'fig6b', 'fig7', 'fig8', 'fig9', 'fig10', 'fig11', 'fig12']) expected.push(`${fig}.png`, `${fig}.svg`);
  assert.deepEqual(files, expected.sort());
  const summary = readFileSync(join(out, 'summary.md'), 'utf8');
  assert.match(summary, /speedup, FuseMax vs FLAT \| 6\.46\d× \| 6\.72\d×/);
  assert.match(summary, /uint64-wrap/);
});

test('reproduce --fidelity physical --models --seq: a subset, any length', () => {
  const out = mkdtempSync(join(tmpdir(), 'fm-repro-'));
  const r = runProcess('reproduce', '--out', out, '--fidelity', 'physical', '--models', 'BERT,XLM', '--seq', '2K,8192', '--no-figures');
  assert.equal(r.status, 0, r.err);
  const rows = readFileSync(join(out, 'attn-binding.csv'), 'utf8').trim().split('\n');
  assert.deepEqual(rows.slice(1).map((l) => l.split(',').slice(0, 2).join(',')), ['BERT,2K', 'BERT,8K', 'XLM,2K', 'XLM,8K']);
  // A length the 256-wide arrays cannot tile is a located user error, not a crash.
  const odd = runProcess('evaluate', '--design', 'binding', '--model', 'BERT', '--seq', '3000');
  assert.equal(odd.status, 2);
  assert.match(odd.err, /binding\.yaml:\d+:\d+: error FM603: /);
});

test('bad arguments: exit 2, a coded diagnostic, no output files', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'fm-repro-')), 'never');
  for (const args of [
    ['reproduce', '--out', out, '--fidelity', 'exact'],
    ['reproduce', '--out', out, '--models', 'GPT9'],
    ['reproduce', '--out', out, '--seq', '12Q'],
    ['evaluate', '--design', 'nope', '--model', 'BERT', '--seq', '1K'],
    ['evaluate', '--design', 'binding', '--model', 'BERT', '--seq', '1K', '--set', 'params.nothing.deeper=1'],
  ]) {
    const r = runProcess(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, /error FM6\d\d: /, args.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }
  assert.equal(existsSync(out), false);
});

test('evaluate: one point, --set overrides, --json; a bad design is located with a caret', () => {
  const r = runProcess('evaluate', '--design', 'binding', '--model', 'BERT', '--seq', '1K', '--fidelity', 'artifact', '--json');
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as { latency_s: number; energy_pJ: number; traffic_bytes: number; einsums: unknown[] };
  assert.equal(j.traffic_bytes, 402653184);
  assert.ok(Math.abs(j.latency_s - 0.002013140425531915) < 1e-15);
  assert.equal(j.einsums.length, 12);
  const half = runProcess('evaluate', '--design', 'binding', '--model', 'BERT', '--seq', '1K', '--set', 'params.PE=128', '--json');
  assert.equal(half.status, 0, half.err);
  assert.ok((JSON.parse(half.out) as { latency_s: number }).latency_s > j.latency_s * 3);
  const text = runProcess('evaluate', '--design', 'flat', '--model', 'T5', '--seq', '16K');
  assert.equal(text.status, 0, text.err);
  assert.match(text.out, /FLAT \(flat\) on T5 at 16K/);

  const dir = mkdtempSync(join(tmpdir(), 'fm-design-'));
  const file = join(dir, 'bad.yaml');
  const good = readFileSync(join(ROOT, 'specs', 'designs', 'binding.yaml'), 'utf8');
  writeFileSync(file, good.replace('P2: "P1 * PE < P ? P / (P1 * PE) : 1"', 'P2: "P1 * PE < P ? P / (P1 * PE : 1"'));
  const bad = runProcess('evaluate', '--design', file, '--model', 'BERT', '--seq', '1K');
  assert.equal(bad.status, 2);
  assert.match(bad.err, /bad\.yaml:\d+:\d+: error FM601: malformed expression/);
  assert.match(bad.err, /\^/);
  writeFileSync(file, good.replace('M1: M / PE', 'M1: M / PE / 3'));
  const frac = runProcess('evaluate', '--design', file, '--model', 'BERT', '--seq', '1K');
  assert.equal(frac.status, 2);
  assert.match(frac.err, /error FM603: /);
  writeFileSync(file, good.replace('rf_depth: 16', 'rf_depth: 1'));
  const over = runProcess('evaluate', '--design', file, '--model', 'BERT', '--seq', '1K');
  assert.equal(over.status, 2);
  assert.match(over.err, /error FM503: Einsum '\w+' at BERT 1K: level 'reg_file' is over capacity/);
});
