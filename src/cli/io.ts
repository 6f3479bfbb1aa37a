/**
 * @file File-system helpers for the CLI: the only place that writes output files. Writes are atomic
 * (temporary files in the target directory, then renames) so a failure never leaves a partial file,
 * and file-system failures are user errors with a code (FM901 reading, FM910 writing).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fail } from '../diagnostics/diagnostic.ts';

/** A file of an output set, named relative to the output directory. */
export interface OutputFile {
  readonly name: string;
  readonly data: string | Uint8Array;
}

/** Why a file-system call failed, in words a user can act on. */
function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return `a file is in the way where a directory is needed (${e.path ?? 'path'})`;
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    default:
      return e.message;
  }
}

/** Run a file-system write; a failure becomes a user error (FM910) instead of a stack trace. */
function writing<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    return fail('FM910', `cannot write '${path}': ${fsReason(err)}`);
  }
}

/** Write `data` to `path` atomically, creating parent directories as needed. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFilesAtomic(dirname(path), [{ name: basename(path), data }]);
}

/**
 * Write a set of files into `dir` (created as needed) all or nothing: every file goes to a temporary
 * directory inside `dir` first, and only when all are written are they moved into place. A failure
 * (no space, no permission, a file where the directory should be) leaves `dir` as it was and is
 * reported as FM910.
 */
export function writeFilesAtomic(dir: string, files: readonly OutputFile[]): void {
  writing(dir, () => mkdirSync(dir, { recursive: true }));
  const tmp = join(dir, `.fusemax-${process.pid}-${Date.now()}.tmp`);
  try {
    writing(dir, () => mkdirSync(tmp));
    for (const f of files) writing(join(dir, f.name), () => writeFileSync(join(tmp, f.name), f.data));
    for (const f of files) writing(join(dir, f.name), () => renameSync(join(tmp, f.name), join(dir, f.name)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Replace the directory `dir` by one holding exactly `files` (names may contain `/`), all or nothing:
 * the new directory is written beside it and swapped in only when complete; if the swap fails the old
 * one is put back. Failures are FM910. (For output that is a whole tree, like the explorer's site.)
 */
export function replaceDirectory(dir: string, files: readonly OutputFile[]): void {
  const parent = dirname(dir);
  writing(parent, () => mkdirSync(parent, { recursive: true }));
  const tmp = join(parent, `.${basename(dir)}.${process.pid}.${Date.now()}.tmp`);
  const old = `${tmp}.old`;
  try {
    for (const f of files) {
      const target = join(tmp, f.name);
      writing(join(dir, f.name), () => {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, f.data);
      });
    }
    const had = existsSync(dir);
    if (had) writing(dir, () => renameSync(dir, old));
    try {
      writing(dir, () => renameSync(tmp, dir));
    } catch (err) {
      if (had) renameSync(old, dir);
      throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
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
