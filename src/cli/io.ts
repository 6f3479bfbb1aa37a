/**
 * @file File-system helpers for the CLI: the only place that writes output files. Writes are atomic
 * (temporary file in the same directory, then rename) so a failure never leaves a partial file.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fail } from '../diagnostics/diagnostic.ts';

/** Write `data` to `path` atomically, creating parent directories as needed. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Write several files into `dir` all or nothing: each goes to a temporary file in `dir` first, and only
 * when all are written are they renamed into place (a failure removes the temporaries).
 */
export function writeFilesAtomic(dir: string, files: readonly { readonly name: string; readonly data: string | Uint8Array }[]): void {
  mkdirSync(dir, { recursive: true });
  const tmps = files.map((f) => join(dir, `.${f.name}.${process.pid}.${Date.now()}.tmp`));
  try {
    files.forEach((f, i) => writeFileSync(tmps[i]!, f.data));
    files.forEach((f, i) => renameSync(tmps[i]!, join(dir, f.name)));
  } finally {
    for (const t of tmps) rmSync(t, { force: true });
  }
}

/** Read a text file the user named; a missing or unreadable file is a user error (FM901). */
export function readUserFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    return fail('FM901', `cannot read '${path}': ${reason}`);
  }
}

/** Read a binary file the user named (FM901 when missing). */
export function readUserBinary(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    return fail('FM901', `cannot read '${path}': ${reason}`);
  }
}
