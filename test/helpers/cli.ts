/**
 * @file Test helper: run a `fusemax` command line in this process (faster than a subprocess) and capture
 * what it writes as text on stdout and stderr, and its exit status. Binary writes (the test runner's own
 * reports, which can arrive while a command awaits its workers) pass through untouched. Or run it as a
 * user does, `bin/fusemax.js` in a child process (start-up, exit codes, files on disk).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/commands.ts';

/** The checkout's root and its installed command. */
export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'fusemax.js');

export interface CommandResult {
  readonly out: string;
  readonly err: string;
  readonly status: number;
}

export async function runCommand(...argv: string[]): Promise<CommandResult> {
  const program = await buildProgram(argv);
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  const capture = (stream: NodeJS.WriteStream, original: typeof process.stdout.write, text: (s: string) => void) =>
    ((s: string | Uint8Array, ...rest: unknown[]) => (typeof s === 'string' ? (text(s), true) : (original as (...a: unknown[]) => boolean).call(stream, s, ...rest))) as typeof process.stdout.write;
  process.stdout.write = capture(process.stdout, write.out, (s) => (out += s));
  process.stderr.write = capture(process.stderr, write.err, (s) => (err += s));
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  const status = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out, err, status };
}

/** `fusemax ...args` as a child process, run from the checkout's root. */
export function runProcess(...args: string[]): CommandResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { out: r.stdout, err: r.stderr, status: r.status ?? -1 };
}
