import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bestWithin, tradeoff } from '../../src/analysis/tradeoff.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { builtinCascade } from '../helpers/cascades.ts';

const N = 4096;
const E = 64;

test('attention-3pass at M = P = 4096: QK and SN can be kept, re-read or recomputed at the right cost', () => {
  const c = builtinCascade('attention-3pass');
  const t = tradeoff(c, resolveShapes(c, new Map(Object.entries({ M: N, P: N, E, F: E }))), 2);
  assert.deepEqual(t.tensors.map((x) => x.tensor), ['QK', 'SN']);
  const qk = Object.fromEntries((t.tensors[0]?.options ?? []).map((o) => [o.option, o]));
  assert.equal(qk['keep']?.onChipBytes, N * N * 2, 'M·P elements on chip');
  assert.equal(qk['reread']?.dramReadBytes, N * N * 2, 'one extra read of M·P elements');
  assert.equal(qk['reread']?.dramWriteBytes, N * N * 2, 'written once to be read back');
  assert.equal(qk['recompute']?.extraOps, N * N * E, 'M·P·E MACs to recompute it');
  const sn = Object.fromEntries((t.tensors[1]?.options ?? []).map((o) => [o.option, o]));
  assert.equal(sn['keep']?.onChipBytes, N * N * 2);
  assert.equal(sn['recompute']?.extraOps, N * N);
  // Recomputing SN re-reads QK: with QK spilled that is one more read of M·P elements.
  const spilledQK = t.plans.find((p) => p.choices['QK'] === 'reread' && p.choices['SN'] === 'recompute');
  assert.equal(spilledQK?.dramBytes, 3 * N * N * 2);
  // The frontier: nothing dominated, both extremes present.
  assert.ok(t.pareto.some((p) => p.onChipBytes === 2 * N * N * 2 && p.dramBytes === 0 && p.extraOps === 0));
  assert.ok(t.pareto.some((p) => p.onChipBytes === 0 && p.dramBytes === 0));
  for (const p of t.pareto) for (const q of t.plans) {
    assert.ok(!(q.onChipBytes <= p.onChipBytes && q.dramBytes <= p.dramBytes && q.extraOps <= p.extraOps && (q.onChipBytes < p.onChipBytes || q.dramBytes < p.dramBytes || q.extraOps < p.extraOps)));
  }
  assert.deepEqual(bestWithin(t, 32 * 1024 * 1024)?.choices, { QK: 'keep', SN: 'recompute' });
});

test('the 1-pass cascade has nothing to trade over M1, only the M0 tile', () => {
  const c = builtinCascade('attention-1pass');
  const t = tradeoff(c, resolveShapes(c, new Map(Object.entries({ M: N, P: N, E, F: E }))));
  assert.deepEqual(t.tensors.map((x) => `${x.tensor}/${x.rank}`), ['BV/M0', 'BQK/M0']);
  assert.equal(t.tensors[1]?.options[0]?.onChipBytes, 256 * N * 2, 'an M0·P tile');
});

test('fusemax optimize --json and tradeoff --plot from the command line', () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'fusemax.js');
  const r = spawnSync(process.execPath, [bin, 'optimize', 'attention-3pass', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { cascade: string; rules: Array<{ rule: string; condition: string }>; passesBefore: Record<string, number>; passesAfter: Record<string, number> };
  assert.deepEqual(j.passesBefore['M'], 3);
  assert.deepEqual(j.passesAfter['M1'], 1);
  assert.deepEqual(j.rules.map((x) => x.rule), ['defer', 'partition', 'online']);
  assert.match(j.rules[2]?.condition ?? '', /exp\(a − b\) = exp\(a − c\)·exp\(c − b\)/);
  assert.match(j.cascade, /^input {2}Q\[E,P\], K\[E,M\], V\[F,M\]/);
  const dir = mkdtempSync(join(tmpdir(), 'fusemax-'));
  const svg = join(dir, 'pareto.svg');
  const t = spawnSync(process.execPath, [bin, 'tradeoff', 'attention-3pass', '--shape', 'M=4096,P=4096,E=64,F=64', '--buffer', '32MiB', '--plot', svg], { encoding: 'utf8' });
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /Best within 32\.00 MiB: +32\.00 MiB on chip +0\.00 MiB DRAM .* QK:keep SN:recompute/);
  assert.match(readFileSync(svg, 'utf8'), /^<svg .*on-chip buffer \(MiB\)/s);
  const bad = spawnSync(process.execPath, [bin, 'optimize', 'attention-3pass', '--rules', 'defer,magic'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /FM908: unknown rule 'magic'/);
});
