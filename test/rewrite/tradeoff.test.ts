import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
