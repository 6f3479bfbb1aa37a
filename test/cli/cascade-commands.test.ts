/** The cascade commands as a user runs them (the real `fusemax` binary): outputs, exit statuses, files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../../src/tensor/index.ts';
import { runProcess } from '../helpers/cli.ts';


test('run --out writes every output as .npy; --input reads NumPy data; --json summarizes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fusemax-'));
  // A·B dot product on given data: Y = Σ A[k]·B[k].
  writeFileSync(join(dir, 'a.npy'), writeNpy([3], Float64Array.of(1, 2, 3)));
  writeFileSync(join(dir, 'b.npy'), writeNpy([3], Float64Array.of(4, 5, 6)));
  const r = runProcess('run', 'cascade1-dot-reuse', '--input', `A=${join(dir, 'a.npy')}`, '--input', `B=${join(dir, 'b.npy')}`, '--out', join(dir, 'out'), '--json');
  assert.equal(r.status, 0, r.err);
  const summary = JSON.parse(r.out) as { shapes: Record<string, number>; outputs: Record<string, { sum: number }> };
  assert.deepEqual(summary.shapes, { K: 3 });
  // Z = (1·4 + 2·5 + 3·6) · (1 + 2 + 3) = 32 · 6
  assert.equal(summary.outputs['Z']?.sum, 192);
  assert.deepEqual(readdirSync(join(dir, 'out')), ['Z.npy']);
  assert.deepEqual(Array.from(readNpy(new Uint8Array(readFileSync(join(dir, 'out', 'Z.npy')))).data), [192]);
});

test('run --schedule fused reports the traversals of the fused rank', () => {
  const r = runProcess('run', 'attention-3pass', '--shape', 'M=16,P=8,E=4,F=4', '--schedule', 'fused', '--json');
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as { traversals: Record<string, number>; touched: Record<string, number[]> };
  assert.deepEqual(j.traversals, { M: 3 });
  assert.deepEqual(j.touched['QK'], [1, 2]);
});

test('user errors: located diagnostic, exit status 2, no stack trace, no partial output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fusemax-'));
  const bad = join(dir, 'bad.cascade');
  writeFileSync(bad, 'input A[M,K], B[K,N]\nZ[m,n] = A[m,k] * B[m,n]\n');
  const r1 = runProcess('run', bad, '--shape', 'M=2,K=3,N=4', '--out', join(dir, 'out'));
  assert.equal(r1.status, 2);
  assert.match(r1.err, /bad\.cascade:2:21: error FM219: variable 'm' ranges over M but indexes rank K of 'B' here\n2 \| Z\[m,n\] = A\[m,k\] \* B\[m,n\]\n {2}\| {21}\^/);
  assert.doesNotMatch(r1.err, /\n\s+at /);
  assert.equal(existsSync(join(dir, 'out')), false);
  // Input data of the wrong shape: nothing written either.
  writeFileSync(join(dir, 'a.npy'), writeNpy([5], new Float64Array(5)));
  const r2 = runProcess('run', 'cascade1-dot-reuse', '--shape', 'K=4', '--input', `A=${join(dir, 'a.npy')}`, '--out', join(dir, 'out'));
  assert.equal(r2.status, 2);
  assert.match(r2.err, /FM311: input 'A' has shape \[5\] but the cascade needs \[4\] \(K=4\)/);
  assert.equal(existsSync(join(dir, 'out')), false);
  const r3 = runProcess('run', 'attention-1pass', '--shape', 'M=10,M1=6,P=4,E=2,F=2');
  assert.equal(r3.status, 2);
  assert.match(r3.err, /FM241: M = 10 cannot be split into M1 = 6 tiles of one shape/);
  const r4 = runProcess('run', 'attention-1pass', '--bogus');
  assert.equal(r4.status, 2);
  assert.match(r4.err, /unknown option '--bogus'/);
});

test('passes --json follows the documented contract', () => {
  const r = runProcess('passes', 'attention-3pass', '--json');
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as { ranks: Record<string, number>; einsums: Record<string, Record<string, number>>; tensors: unknown[]; chains: Array<Record<string, unknown>> };
  assert.equal(j.ranks['M'], 3);
  assert.deepEqual(j.einsums['SN'], { M: 2, P: 1 });
  assert.deepEqual(j.tensors.find((t) => (t as { tensor: string; rank: string }).tensor === 'QK' && (t as { rank: string }).rank === 'M'), { tensor: 'QK', rank: 'M', passes: [1, 2] });
  assert.deepEqual(j.chains.map((c) => [c['rank'], c['pass'], c['completes'], c['reader']]), [['M', 2, 'GM', 'SN'], ['M', 3, 'SD', 'A']]);
});

test('check, print and help', () => {
  const check = runProcess('check', 'attention-1pass');
  assert.equal(check.status, 0);
  assert.match(check.out, /RM {5}intermediate \[M1\+1, P\]/);
  const print = runProcess('print', 'cascade1-dot-reuse', '--unicode');
  assert.match(print.out, /Z = Y × A\[k\] :: ⋀ ×\(∩\) ⋁_k \+\(∪\)/);
  const help = runProcess('--help');
  assert.equal(help.status, 0);
  for (const cmd of ['check', 'print', 'run', 'passes', 'demo']) assert.match(help.out, new RegExp(`\\n  ${cmd} `));
});
