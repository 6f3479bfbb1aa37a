/**
 * @file The built-in design library on disk: specs/designs/*.yaml and specs/workloads/transformers.yaml,
 * loaded (with `--set` overrides applied to one design) into the plain `Library` the experiments use.
 * A design argument is a built-in name or a path to a design file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadDesign, type LoadedDesign } from '../experiments/design-spec.ts';
import type { Library } from '../experiments/paper.ts';
import { loadWorkloads } from '../experiments/workload.ts';
import type { Fidelity } from '../model/types.ts';
import { fail } from '../diagnostics/diagnostic.ts';
import { readUserFile } from './io.ts';
import { SPECS_DIR as SPECS } from './package-root.ts';

export const DESIGN_DIR = join(SPECS, 'designs');
export const WORKLOAD_FILE = join(SPECS, 'workloads', 'transformers.yaml');

function display(path: string): string {
  return path.startsWith(SPECS) ? join('specs', path.slice(SPECS.length + 1)) : path;
}

/** Load every built-in design; `replace` puts a user's design (or an overridden one) in place of its name. */
export function loadLibrary(replace: readonly LoadedDesign[] = []): Library {
  const designs = new Map<string, LoadedDesign>();
  for (const f of readdirSync(DESIGN_DIR).filter((x) => x.endsWith('.yaml')).sort()) {
    const path = join(DESIGN_DIR, f);
    const d = loadDesign(display(path), readUserFile(path));
    designs.set(d.spec.name, d);
  }
  for (const d of replace) designs.set(d.spec.name, d);
  const workloads = loadWorkloads(display(WORKLOAD_FILE), readUserFile(WORKLOAD_FILE)).spec;
  return { designs, workloads };
}

/** A design named on the command line (built-in name or file), with `--set` overrides. */
export function loadDesignArg(arg: string, sets: readonly string[]): LoadedDesign {
  const builtin = join(DESIGN_DIR, `${arg}.yaml`);
  const path = !arg.includes('/') && !arg.endsWith('.yaml') && existsSync(builtin) ? builtin : arg;
  if (path === arg && !existsSync(arg)) {
    const names = readdirSync(DESIGN_DIR).filter((x) => x.endsWith('.yaml')).map((x) => basename(x, '.yaml'));
    return fail('FM610', `unknown design '${arg}'`, undefined, `built-in designs: ${names.join(', ')} (or a path to a design file)`);
  }
  return loadDesign(display(path), readUserFile(path), sets);
}

export function parseFidelityArg(text: string): Fidelity {
  if (text === 'physical' || text === 'artifact') return text;
  return fail('FM611', `--fidelity must be artifact or physical, not '${text}'`);
}

/** `a,b c` → ['a', 'b', 'c']. */
export function listArg(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const xs = text.split(/[\s,]+/).filter(Boolean);
  return xs.length > 0 ? xs : undefined;
}
