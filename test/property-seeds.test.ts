import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PROPERTY_SEED, RANDOM_RUN_FACTOR, propertySettings } from './helpers/property.ts';

test('property settings: a fixed seed by default, FUSEMAX_PROPERTY_SEED=random for a fresh seed and more runs, an integer to replay', () => {
  assert.deepEqual(propertySettings(300, undefined, ''), { seed: DEFAULT_PROPERTY_SEED, numRuns: 300, random: false });
  assert.deepEqual(propertySettings(300, '', ''), { seed: DEFAULT_PROPERTY_SEED, numRuns: 300, random: false });
  assert.deepEqual(propertySettings(300, '-17', ''), { seed: -17, numRuns: 300, random: false });
  const r = propertySettings(300, 'random', '');
  assert.equal(r.numRuns, 300 * RANDOM_RUN_FACTOR);
  assert.ok(r.random && Number.isInteger(r.seed));
  assert.throws(() => propertySettings(300, '12abc'), /FUSEMAX_PROPERTY_SEED must be 'random' or an integer/);
  assert.equal(propertySettings(300, '', '0.25').numRuns, 75);
  assert.equal(propertySettings(2, '', '0.1').numRuns, 1);
  assert.equal(propertySettings(300, 'random', '0.5').numRuns, 150 * RANDOM_RUN_FACTOR);
  assert.throws(() => propertySettings(300, '', '0'), /FUSEMAX_PROPERTY_RUNS_FACTOR must be a positive number/);
});

test('every fast-check property in the suite takes its seed and run count from test/helpers/property.ts', () => {
  const dir = import.meta.dirname;
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('helpers') && f !== 'property-seeds.test.ts');
  let properties = 0;
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const runs = (text.match(/\bfc\.(assert|check)\(/g) ?? []).length;
    properties += runs;
    // Each fc.assert ends with propertyParams(N); a bare { numRuns } or { seed } would run unseeded or fixed forever.
    assert.equal((text.match(/\bpropertyParams\(\d+\)/g) ?? []).length, runs, `${f}: every fc.assert takes propertyParams(numRuns)`);
    assert.doesNotMatch(text, /\bnumRuns\s*:/, `${f}: set runs and seeds through propertyParams`);
  }
  assert.ok(properties >= 18, `only ${properties} properties found`);
});
