/**
 * Bad input from the command line ends with a coded diagnostic and exit status 2, never a stack trace,
 * and never leaves partial output (issue #9, item 5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type CommandResult } from '../helpers/cli.ts';

function assertUserError(r: CommandResult, code: string, message: RegExp): void {
  assert.equal(r.status, 2, r.err);
  assert.match(r.err, new RegExp(`error ${code}: `));
  assert.match(r.err, message);
  assert.doesNotMatch(r.err, /internal error|\n\s+at /);
}

test('a shape too large to run says how much memory it needs', () => {
  assertUserError(runProcess('run', 'attention-1pass', '--shape', 'M=100000000,P=100000000,E=64,F=64'), 'FM330', /BQK\[390625×256×100000000\] 71\.1 PiB has 1\.000e\+16 elements.*needs 197\.1 PiB/);
  assertUserError(runProcess('run', 'attention-3pass', '--shape', 'M=65536,P=65536,E=64,F=64'), 'FM331', /needs 96\.1 GiB .*QK\[65536×65536\] 32\.0 GiB/);
});

test('an output path blocked by a file is a diagnostic, and the file is left alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fm-errors-'));
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, 'keep me');
  assertUserError(runProcess('reproduce', '--out', blocker, '--no-figures', '--models', 'BERT', '--seq', '1K'), 'FM910', /cannot write '.*not-a-dir': a file is in the way/);
  assertUserError(runProcess('run', 'attention-1pass', '--shape', 'M=256,P=4,E=2,F=2', '--out', join(blocker, 'sub')), 'FM910', /cannot write/);
  assert.equal(readFileSync(blocker, 'utf8'), 'keep me');
  assert.deepEqual(readdirSync(dir), ['not-a-dir']);
});

test('a bad value given with --set is reported as the command line\'s, not at the top of the design file', () => {
  const r = runProcess('evaluate', '--design', 'binding', '--model', 'BERT', '--seq', '1K', '--set', 'params.PE=abc');
  assertUserError(r, 'FM602', /cannot evaluate 'abc'.*\(the value given on the command line for params\.PE\)/);
  assert.doesNotMatch(r.err, /binding\.yaml:1:1/);
});
