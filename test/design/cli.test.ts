/**
 * `fusemax design` through the real binary: the JSON contract, the written design evaluating to the same
 * numbers with `fusemax evaluate` (by model or by shape), bad input as located diagnostics with exit
 * status 2 and no output file; and the summary's table of `reproduce --auto-designs`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCascadeArg } from '../../src/cli/cascade-file.ts';
import { loadLibrary } from '../../src/cli/library.ts';
import { runReproduction } from '../../src/cli/reproduce.ts';
import { runProcess, ROOT } from '../helpers/cli.ts';


test('design --json --out; evaluate --design gives the same latency and energy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-design-'));
  const file = join(dir, 'bert-4k.yaml');
  const r = runProcess('design', 'attention-1pass', '--arch', 'binding', '--model', 'BERT', '--seq', '4K', '--json', '--out', file);
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown>;
  for (const k of ['latency_s', 'energy_pJ', 'traffic_bytes', 'utilization', 'design', 'searched', 'seconds']) assert.ok(k in j, k);
  assert.equal(readFileSync(file, 'utf8'), j['design']);
  const e = runProcess('evaluate', '--design', file, '--model', 'BERT', '--seq', '4K', '--json');
  assert.equal(e.status, 0, e.err);
  const ev = JSON.parse(e.out) as { latency_s: number; energy_pJ: number; traffic_bytes: number };
  assert.equal(ev.latency_s, j['latency_s']);
  assert.equal(ev.energy_pJ, j['energy_pJ']);
  assert.equal(ev.traffic_bytes, j['traffic_bytes']);
  // At another length the design's factors no longer multiply to the sizes: a located model error.
  const other = runProcess('evaluate', '--design', file, '--model', 'BERT', '--seq', '16K');
  assert.equal(other.status, 2);
  assert.match(other.err, /bert-4k\.yaml:\d+:\d+: error FM501/);
});

test('design --shape of a cascade file; evaluate --shape agrees', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-design-'));
  const file = join(dir, 'softmax.yaml');
  const r = runProcess('design', 'test/fixtures/design/softmax.cascade', '--arch', 'binding', '--shape', 'M=1024,P=2048', '--json', '--out', file);
  assert.equal(r.status, 0, r.err);
  const e = runProcess('evaluate', '--design', file, '--shape', 'M=1024,P=2048', '--json');
  assert.equal(e.status, 0, e.err);
  const [a, b] = [JSON.parse(r.out), JSON.parse(e.out)] as { latency_s: number; energy_pJ: number }[];
  assert.equal(b!.latency_s, a!.latency_s);
  assert.equal(b!.energy_pJ, a!.energy_pJ);
});

test('bad input: exit 2, a diagnostic, no design file written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-design-'));
  const file = join(dir, 'out.yaml');
  const cases: [string[], RegExp][] = [
    [['design', 'attention-1pass', '--arch', 'binding', '--model', 'BERT', '--seq', '1K', '--shape', 'M=4'], /error FM850/],
    [['design', 'attention-1pass', '--arch', 'binding'], /error FM850/],
    [['design', 'attention-1pass', '--arch', 'binding', '--model', 'BERT', '--seq', '1K', '--objective', 'speed'], /error FM855: --objective must be latency, energy or edp/],
    [['design', 'attention-1pass', '--arch', 'binding', '--model', 'BERT', '--seq', '1K', '--fusion', 'some'], /error FM855/],
    [['design', 'attention-1pass', '--arch', 'linear-proposal', '--model', 'BERT', '--seq', '1K'], /error FM853: no array of 'linear-proposal' can execute the Einsum of 'LM'/],
    [['design', 'attention-1pass', '--arch', 'nosuch', '--model', 'BERT', '--seq', '1K'], /error FM610/],
    [['design', 'attention-1pass', '--arch', 'binding', '--model', 'BERT', '--seq', '1K', '--set', 'params.rf_depth=2', '--set', 'params.rf_1d_array_depth=2'], /error FM854: the Einsum of 'BQK' does not fit/],
  ];
  for (const [args, err] of cases) {
    const r = runProcess(...args, '--out', file);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, err);
    assert.doesNotMatch(r.err, /internal error|    at /);
    assert.ok(!existsSync(file), args.join(' '));
  }
  // A hardware file whose array has no operators: located at the array.
  const hw = join(dir, 'hw.yaml');
  writeFileSync(hw, readFileSync(join(ROOT, 'specs', 'designs', 'linear-flat.yaml'), 'utf8').replace(/\n    operators:\n(      .*\n)+/, '\n'));
  const r = runProcess('design', 'test/fixtures/design/matmul-chain.cascade', '--arch', hw, '--shape', 'K=256,M=256,N=256,J=256');
  assert.equal(r.status, 2);
  assert.match(r.err, /hw\.yaml:\d+:\d+: error FM851: array '2d'/);
});

test('reproduce --auto-designs adds the automatic vs hand-made table for the configurations it can derive', async () => {
  const lib = loadLibrary();
  // Only the 1-pass cascade given: +Cascade, +Architecture and +Binding name it; Unfused and FLAT name the 3-pass one.
  const cascades = new Map([['attention-1pass', loadCascadeArg('attention-1pass').cascade]]);
  const run = await runReproduction(lib, 'physical', { models: ['T5'], seqs: ['4K'], figures: false, autoDesigns: cascades });
  const summary = String(run.files.find((f) => f.name === 'summary.md')!.data);
  assert.match(summary, /## Automatic vs hand-made designs/);
  for (const config of ['\\+Cascade', '\\+Architecture', '\\+Binding \\(FuseMax\\)']) assert.match(summary, new RegExp(`^\\| ${config} \\| attention-1pass \\| T5 \\| \\d\\.\\d{3} / \\d\\.\\d{3} \\|$`, 'm'));
  assert.doesNotMatch(summary, /^\| (Unfused|FLAT) \| attention-3pass/m);
  // Without the option, the section says how to get it.
  const plain = await runReproduction(lib, 'physical', { models: ['T5'], seqs: ['4K'], figures: false });
  assert.match(String(plain.files.find((f) => f.name === 'summary.md')!.data), /run `fusemax reproduce --auto-designs`/);
});
