/** `fusemax model` in process: the JSON contract, the table, and user errors (exit 2, located, no stack). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runCommand, type CommandResult } from '../helpers/cli.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'timeloop-golden');
const specs = join(import.meta.dirname, '..', '..', 'specs');

function run(...args: string[]): Promise<CommandResult> {
  return runCommand('model', ...args);
}

test('--timeloop --ert --json: the documented contract with Timeloop\'s numbers', async () => {
  const c = join(fixtures, 'proposal-BERT-1K-sln');
  const r = await run('--timeloop', join(c, 'parsed-processed-input.yaml'), '--ert', join(c, 'timeloop-model.ERT.yaml'), '--json');
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown> & { levels: Record<string, { instances: number; tensors: Record<string, Record<string, number>> }> };
  for (const k of ['cycles', 'computes', 'utilizedInstances', 'energy_pJ', 'levels']) assert.ok(k in j, k);
  assert.equal(j['cycles'], 12288);
  assert.equal(j['computes'], 805306368);
  assert.equal(j['utilizedInstances'], 65536);
  assert.deepEqual(Object.keys(j.levels), ['L3', 'reg_file_1d', 'reg_file']);
  assert.equal(j.levels['reg_file']!.instances, 65536);
  assert.deepEqual(j.levels['reg_file_1d']!.tensors['RM'], { ...j.levels['reg_file_1d']!.tensors['RM'], reads: 3145728, fills: 0, updates: 0, utilizedCapacity: 256 });
  const expected = JSON.parse(readFileSync(join(c, 'expected.json'), 'utf8')) as { energy_uJ: number };
  assert.ok(Math.abs((j['energy_pJ'] as number) / 1e6 - expected.energy_uJ) < 0.005);
});

test('our own specs: a readable table', async () => {
  const r = await run('--arch', join(specs, 'archs/gemm-2level.yaml'), '--problem', join(specs, 'mappings/gemm-64.problem.yaml'), '--mapping', join(specs, 'mappings/gemm-64.mapping.yaml'));
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /^GEMM: 262,144 computes in 16,384 cycles on 16 of 16 mac instances \(fidelity physical\)/);
  assert.match(r.out, /level +instances +tensor +reads +fills +updates +capacity +partition +energy \(pJ\)/);
  assert.match(r.out, /\nDRAM +1 +A +4,096 +0 +0 +4,096 +4,096 /);
});

test('without an ERT a Timeloop input has unknown energy', async () => {
  const c = join(fixtures, 'check');
  const r = await run('--timeloop', join(c, 'parsed-processed-input.yaml'), '--json', '--fidelity', 'artifact');
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as { energy_pJ: unknown; fidelity: string };
  assert.equal(j.energy_pJ, null);
  assert.equal(j.fidelity, 'artifact');
});

test('a bad spec: exit 2, file:line:col, the line, a caret, no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fusemax-model-'));
  const mapping = join(dir, 'bad.mapping.yaml');
  writeFileSync(mapping, readFileSync(join(specs, 'mappings/gemm-64.mapping.yaml'), 'utf8').replace('level: GLB', 'level: GBL'));
  const r = await run('--arch', join(specs, 'archs/gemm-2level.yaml'), '--problem', join(specs, 'mappings/gemm-64.problem.yaml'), '--mapping', mapping);
  assert.equal(r.status, 2);
  assert.equal(r.out, '');
  const lines = r.err.split('\n');
  assert.match(lines[0]!, new RegExp(`^${mapping.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:12: error FM505: the mapping names level 'GBL'`));
  assert.equal(lines[1], '7 |   - level: GBL');
  assert.match(lines[2]!, /\| {12}\^\^\^$/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('usage errors: missing files, mixed inputs, bad fidelity', async () => {
  const missing = await run('--timeloop', '/nonexistent/in.yaml');
  assert.equal(missing.status, 2);
  assert.match(missing.err, /error FM901: cannot read '\/nonexistent\/in\.yaml'/);
  const mixed = await run('--timeloop', 'a.yaml', '--arch', 'b.yaml');
  assert.match(mixed.err, /error FM920: give either --timeloop or --arch/);
  const partial = await run('--arch', 'b.yaml');
  assert.match(partial.err, /error FM920: give --timeloop FILE, or all of --arch, --problem \(or --cascade\) and --mapping/);
  const fidelity = await run('--timeloop', 'a.yaml', '--fidelity', 'exact');
  assert.equal(fidelity.status, 2);
  assert.match(fidelity.err, /error FM921: --fidelity must be physical or artifact, not 'exact'/);
});

const peer = join(import.meta.dirname, '..', 'fixtures', 'timeloop-peer', 'ex-simple-weight-stationary');
const peerArgs = ['--timeloop', join(peer, 'parsed-processed-input.yaml'), '--ert', join(peer, 'timeloop-model.ERT.yaml'), '--art', join(peer, 'timeloop-model.ART.yaml')];

test('--out DIR: Timeloop\'s map and stats texts, identical to the run\'s own, beside an unchanged --json', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'fusemax-model-out-')), 'run');
  const r = await run(...peerArgs, '--json', '--out', dir);
  assert.equal(r.status, 0, r.err);
  assert.equal((JSON.parse(r.out) as { cycles: number }).cycles, 903168);
  assert.deepEqual(readdirSync(dir).sort(), ['timeloop-model.map.txt', 'timeloop-model.stats.txt']);
  for (const f of ['timeloop-model.map.txt', 'timeloop-model.stats.txt']) assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(peer, f), 'utf8'), f);
});

test('--out: an unwritable directory or a missing ERT is a user error, and nothing is written', async () => {
  const base = mkdtempSync(join(tmpdir(), 'fusemax-model-out-'));
  const file = join(base, 'a-file');
  writeFileSync(file, 'keep me');
  const onFile = await run(...peerArgs, '--out', file);
  assert.equal(onFile.status, 2);
  assert.match(onFile.err, /error FM910: cannot write '.*a-file': a file is in the way where a directory is needed/);
  assert.doesNotMatch(onFile.err, /\n\s+at /);
  assert.equal(readFileSync(file, 'utf8'), 'keep me');
  assert.deepEqual(readdirSync(base), ['a-file']);
  const noErt = await run('--timeloop', join(peer, 'parsed-processed-input.yaml'), '--out', join(base, 'x'));
  assert.equal(noErt.status, 2);
  assert.match(noErt.err, /error FM920: --out writes Timeloop's map and stats texts: it needs --timeloop and --ert/);
  assert.deepEqual(readdirSync(base), ['a-file']);
});
