// `npm run mutate -- src/<folder>[/<file>.ts] [stryker options]`: mutation-test one src/ folder (or one
// file of it) against the tests of the matching test/ folder, incrementally (mutation/). See docs/testing.md.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const [target, ...rest] = process.argv.slice(2);
// src/<folder>, or one file src/<folder>/<file>.ts of a large folder (its own report, mutation/<folder>/<file>.json).
const path = target?.replace(/^\.?\/?src\//, '').replace(/\/+$/, '') ?? '';
const [folder, file, ...deeper] = path.split('/');
if (!folder || deeper.length > 0 || (file !== undefined && !file.endsWith('.ts')) || !existsSync(`src/${path}`) || !existsSync(`test/${folder}`)) {
  console.error('usage: npm run mutate -- src/<folder>[/<file>.ts] [stryker options]   (test/<folder> must exist)');
  process.exit(2);
}
const mutate = file === undefined ? `src/${folder}/**/*.ts` : `src/${folder}/${file}`;
const report = file === undefined ? `mutation/${folder}.json` : `mutation/${folder}/${file.replace(/\.ts$/, '')}.json`;
// The folder's test files, property tests last: Stryker runs the files that cover a mutant in this
// order and stops at the first that fails, so cheap example tests get the first chance to kill it.
// For one file (src/rewrite/split.ts), the tests named after it (split-prune.test.ts) come first.
const stem = file?.replace(/\.ts$/, '');
const namedAfter = (f) => Number(stem === undefined || !f.replace(/^.*\//, '').split(/[-.]/).includes(stem));
const isProperty = (f) => Number(/\bfc\.assert\(/.test(readFileSync(f, 'utf8')));
const tests = readdirSync(`test/${folder}`, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${folder}/${f}`)
  .sort((a, b) => isProperty(a) - isProperty(b) || namedAfter(a) - namedAfter(b) || a.localeCompare(b));
const stryker = join(dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const result = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...rest], {
  stdio: 'inherit',
  // A tenth of each property test's runs: a mutant should cost seconds (see test/helpers/property.ts).
  env: { FUSEMAX_PROPERTY_RUNS_FACTOR: '0.1', ...process.env, FUSEMAX_MUTATE_FOLDER: folder, FUSEMAX_MUTATE_FILES: mutate, FUSEMAX_MUTATE_REPORT: report, FUSEMAX_MUTATE_TESTS: JSON.stringify(tests) },
});
process.exit(result.status ?? 1);
