import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { printCascade } from '../../src/notation/print.ts';
import { cascadeStructure } from '../../src/ir/structure.ts';
import { UserError, formatDiagnostic } from '../../src/diagnostics/diagnostic.ts';
import { mutatedBuiltinCascade } from '../helpers/cascades.ts';

/** Every failure must be a located diagnostic with a caret; anything else is a bug. */
function checkOutcome(text: string): void {
  try {
    const c = loadCascade(text, 'fuzz.cascade');
    // Whatever checks must also print and re-parse to the same IR.
    assert.deepEqual(cascadeStructure(loadCascade(printCascade(c), 'again')), cascadeStructure(c));
  } catch (err) {
    if (!(err instanceof UserError)) throw new Error(`not a diagnostic for input ${JSON.stringify(text)}: ${String((err as Error).stack)}`);
    for (const d of err.diagnostics) {
      assert.match(d.code, /^FM[12]\d\d$/);
      assert.ok(d.location, `no location: ${d.code} ${d.message}`);
      assert.match(formatDiagnostic(d), /^fuzz\.cascade:\d+:\d+: error FM\d{3}: .+\n\d+ \| .*\n\s*\| *\^+/);
    }
  }
}

const TOKENS = ['input', 'output', 'shape', 'stop', 'A', 'B', 'QK', 'K', 'M', 'M0', 'm', 'm1', 'k', 'e', '[', ']', '(', ')', ',', '=', '+', '-', '*', '/', ':', '::',
  'max', 'exp', 'reduce', 'map', 'union', 'intersect', '∩', '⋀', '⋁', '×', '0', '1', '256', 'inf', '\n', ' ', '>=', '<=', '_', '·', '⋄', '#', 'sub_exp', 'take_left', '$', '.5'];

test('property: random token streams never crash the parser or checker', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), (toks) => checkOutcome(toks.join(' '))), propertyParams(2500));
});

test('property: mutated built-in cascades give a diagnostic or a valid cascade', () => {
  fc.assert(fc.property(mutatedBuiltinCascade(), (text) => checkOutcome(text)), propertyParams(3000));
});

test('property: arbitrary unicode strings never crash', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => checkOutcome(s)), propertyParams(1500));
});
