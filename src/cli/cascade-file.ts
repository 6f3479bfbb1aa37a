/**
 * @file Loading a cascade named on the command line: a path, or the name of a built-in cascade from
 * specs/cascades/ (e.g. `attention-1pass`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cascade } from '../ir/cascade.ts';
import { loadCascade } from '../ir/check.ts';
import { fail } from '../diagnostics/diagnostic.ts';
import { readUserFile } from './io.ts';
import { SPECS_DIR } from './package-root.ts';

export const BUILTIN_CASCADE_DIR = join(SPECS_DIR, 'cascades');

export function builtinCascadeNames(): string[] {
  return readdirSync(BUILTIN_CASCADE_DIR).filter((f) => f.endsWith('.cascade')).map((f) => f.replace(/\.cascade$/, '')).sort();
}

/** Resolve a path or built-in name to a file path. */
export function resolveCascadePath(arg: string): string {
  if (existsSync(arg)) return arg;
  const builtin = join(BUILTIN_CASCADE_DIR, arg.endsWith('.cascade') ? arg : `${arg}.cascade`);
  if (!arg.includes('/') && existsSync(builtin)) return builtin;
  return fail('FM901', `cannot read '${arg}': no such file`, undefined, `built-in cascades: ${builtinCascadeNames().join(', ')}`);
}

export function loadCascadeArg(arg: string): { cascade: Cascade; path: string } {
  const path = resolveCascadePath(arg);
  return { cascade: loadCascade(readUserFile(path), path === arg ? arg : `${arg}`), path };
}
