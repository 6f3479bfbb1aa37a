/** @file Test helpers: the built-in design library and a cached artifact-fidelity reproduction. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLibrary } from '../../src/cli/library.ts';
import { quirksFor } from '../../src/experiments/artifact-quirks.ts';
import { reproduce, type Library, type Reproduction } from '../../src/experiments/paper.ts';

export const ROOT = join(import.meta.dirname, '..', '..');

let lib: Library | undefined;
export function library(): Library {
  return (lib ??= loadLibrary());
}

const runs = new Map<string, Reproduction>();
export function reproduction(fidelity: 'artifact' | 'physical'): Reproduction {
  let r = runs.get(fidelity);
  if (!r) runs.set(fidelity, (r = reproduce(library(), quirksFor(fidelity))));
  return r;
}

/** A published CSV as header + rows of cells. */
export function publishedCsv(name: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(join(ROOT, 'test', 'fixtures', 'published', name), 'utf8').trim().split('\n');
  return { header: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

export function relErr(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}
