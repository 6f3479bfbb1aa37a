// `npm run mutate -- src/<folder> [stryker options]`: mutation-test one src/ folder against the tests
// of the matching test/ folder, incrementally (mutation/<folder>.json). See docs/testing.md.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const [target, ...rest] = process.argv.slice(2);
const folder = target?.replace(/^\.?\/?src\//, '').replace(/\/+$/, '');
if (!folder || folder.includes('/') || !existsSync(`src/${folder}`) || !existsSync(`test/${folder}`)) {
  console.error('usage: npm run mutate -- src/<folder> [stryker options]   (src/<folder> and test/<folder> must exist)');
  process.exit(2);
}
// The folder's test files, property tests last: Stryker runs the files that cover a mutant in this
// order and stops at the first that fails, so cheap example tests get the first chance to kill it.
const tests = readdirSync(`test/${folder}`, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/${folder}/${f}`)
  .sort((a, b) => Number(/\bfc\.assert\(/.test(readFileSync(a, 'utf8'))) - Number(/\bfc\.assert\(/.test(readFileSync(b, 'utf8'))) || a.localeCompare(b));
const stryker = join(dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const result = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...rest], {
  stdio: 'inherit',
  // A tenth of each property test's runs: a mutant should cost seconds (see test/helpers/property.ts).
  env: { FUSEMAX_PROPERTY_RUNS_FACTOR: '0.1', ...process.env, FUSEMAX_MUTATE_FOLDER: folder, FUSEMAX_MUTATE_TESTS: JSON.stringify(tests) },
});
process.exit(result.status ?? 1);
