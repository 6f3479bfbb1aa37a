/**
 * @file Test helpers: the built-in cascades (specs/cascades), loaded once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { join } from 'node:path';
import { loadCascade } from '../../src/ir/check.ts';
import type { Cascade } from '../../src/ir/cascade.ts';
import { UserError, formatDiagnostic } from '../../src/diagnostics/diagnostic.ts';

export const CASCADE_DIR = join(import.meta.dirname, '..', '..', 'specs', 'cascades');

export function builtinCascadeTexts(): Map<string, string> {
  const out = new Map<string, string>();
  const names = readdirSync(CASCADE_DIR).filter((x) => x.endsWith('.cascade')).map((f) => f.replace(/\.cascade$/, '')).sort();
  for (const name of names) out.set(name, readFileSync(join(CASCADE_DIR, `${name}.cascade`), 'utf8'));
  return out;
}

export function builtinCascade(name: string): Cascade {
  const text = builtinCascadeTexts().get(name);
  if (text === undefined) throw new Error(`no built-in cascade ${name}`);
  return loadCascade(text, `${name}.cascade`);
}

/** The diagnostic a cascade text fails with (formatted), or throws if it does not fail with a UserError. */
export function diagnosticOf(text: string, file = 'test.cascade'): { code: string; formatted: string; line?: number; col?: number } {
  try {
    loadCascade(text, file);
  } catch (err) {
    if (err instanceof UserError) {
      const d = err.diagnostics[0];
      if (!d) throw new Error('UserError without diagnostics');
      return { code: d.code, formatted: formatDiagnostic(d), ...(d.location ? { line: d.location.line, col: d.location.col } : {}) };
    }
    throw err;
  }
  throw new Error(`expected a diagnostic for:\n${text}`);
}

/** A built-in cascade's text with one to three small random edits (deleted characters, inserted tokens). */
export function mutatedBuiltinCascade(): fc.Arbitrary<string> {
  const texts = [...builtinCascadeTexts().values()];
  const mutation = fc.record({
    which: fc.nat({ max: texts.length - 1 }),
    edits: fc.array(fc.record({ at: fc.nat(), del: fc.nat({ max: 4 }), ins: fc.oneof(fc.constantFrom('', '[', ']', ',', 'm', 'X', '+', '*', '1', '\n', '::', 'reduce max', '(', ')', ' ', 'M0'), fc.string({ maxLength: 3 })) }), { minLength: 1, maxLength: 3 }),
  });
  return mutation.map(({ which, edits }) => {
    let text = texts[which] as string;
    for (const e of edits) {
      const at = e.at % (text.length + 1);
      text = text.slice(0, at) + e.ins + text.slice(at + e.del);
    }
    return text;
  });
}
