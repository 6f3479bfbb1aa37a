#!/usr/bin/env node
// The `fusemax` command: runs the compiled CLI in dist/ (built by `npm ci` and `npm test` through
// scripts/build.js). In a checkout whose src/ changed after the last build, it runs the TypeScript
// sources through tsx instead, so an edit is never silently ignored (slower start, same behaviour).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist', 'main.js');
const sources = join(root, 'src');

/** Newest modification time (ms) of any file under `dir`. */
function newestChange(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

const fresh = existsSync(built) && (!existsSync(sources) || newestChange(sources) <= statSync(built).mtimeMs);
if (fresh) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
