/**
 * @file Where the fusemax package lives on disk (the checkout, or the installed package): the folder
 * above this module that holds `package.json` and `specs/`. Found by walking up, because this module
 * runs from `src/cli/` under tsx and from a bundled chunk in `dist/` when compiled.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'specs'))) return dir;
    if (dirname(dir) === dir) throw new Error(`fusemax: no package root (package.json and specs/) above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The built-in library: cascades, designs, workloads, architectures, mappings. */
export const SPECS_DIR = join(PACKAGE_ROOT, 'specs');
