/**
 * Bad input never crashes: mutated specs and Timeloop inputs either evaluate or fail with located
 * user diagnostics (never another exception, never a diagnostic without a code).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { loadArchSpec } from '../../src/readers/arch.ts';
import { loadMappingSpec } from '../../src/readers/mapping.ts';
import { evaluateSource, ownNestSource, timeloopNestSource } from '../../src/readers/nest-source.ts';
import { loadProblemSpec } from '../../src/readers/problem.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';
import { applyErt, loadErt } from '../../src/timeloop/tables.ts';

const root = join(import.meta.dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const own = { arch: read('specs/archs/gemm-2level.yaml'), problem: read('specs/mappings/gemm-64.problem.yaml'), mapping: read('specs/mappings/gemm-64.mapping.yaml') };
const tl = { input: read('test/fixtures/timeloop-golden/proposal-BERT-1K-lm/parsed-processed-input.yaml'), ert: read('test/fixtures/timeloop-golden/proposal-BERT-1K-lm/timeloop-model.ERT.yaml') };

/** A mutation: replace a slice of the text by a few characters from a YAML-ish alphabet. */
const mutation = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  cut: fc.nat({ max: 12 }),
  insert: fc.string({ unit: fc.constantFrom(...' :-[]{},#\n0123456789.-xyzABKMNP_\'"|>&*!'.split('')), maxLength: 6 }),
});

function mutate(text: string, m: { at: number; cut: number; insert: string }): string {
  const i = Math.floor(m.at * text.length);
  return text.slice(0, i) + m.insert + text.slice(i + m.cut);
}

function userErrorOrSuccess(run: () => void): void {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof UserError, `not a user error: ${(err as Error).stack}`);
    for (const d of err.diagnostics) assert.match(d.code, /^FM\d{3}$/);
  }
}

test('mutated own specs evaluate or fail with diagnostics', () => {
  fc.assert(
    fc.property(fc.constantFrom('arch', 'problem', 'mapping' as const), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, ms) => {
      const texts = { ...own };
      texts[which] = ms.reduce(mutate, texts[which]);
      userErrorOrSuccess(() => {
        evaluateSource(ownNestSource(loadArchSpec('a.yaml', texts.arch), loadProblemSpec('p.yaml', texts.problem), loadMappingSpec('m.yaml', texts.mapping)));
      });
    }),
    propertyParams(300),
  );
});

test('mutated Timeloop inputs and ERTs evaluate or fail with diagnostics', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (inputSide, ms) => {
      const input = inputSide ? ms.reduce(mutate, tl.input) : tl.input;
      const ert = inputSide ? tl.ert : ms.reduce(mutate, tl.ert);
      userErrorOrSuccess(() => {
        const loaded = loadTimeloopInput('in.yaml', input);
        evaluateSource(timeloopNestSource(loaded, applyErt(loaded.arch, loadErt('ert.yaml', ert))));
      });
    }),
    propertyParams(150),
  );
});

test('structurally wrong documents are diagnostics too', () => {
  for (const text of ['', '[]', '42', 'levels: 3', 'name: x\nlevels: [{kind: buffer, name: B, depth: 1e400, width: 16}]\ncompute: {name: c, units: {}}']) {
    userErrorOrSuccess(() => loadArchSpec('a.yaml', text));
    userErrorOrSuccess(() => loadMappingSpec('m.yaml', text));
    userErrorOrSuccess(() => loadProblemSpec('p.yaml', text));
    userErrorOrSuccess(() => loadTimeloopInput('t.yaml', text));
    userErrorOrSuccess(() => loadErt('e.yaml', text));
  }
});
