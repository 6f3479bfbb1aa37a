// `npm run mutate -- src/<folder> [stryker options]`: mutation-test one src/ folder against the tests
// of the matching test/ folder, incrementally (mutation/<folder>.json). See docs/testing.md.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const [target, ...rest] = process.argv.slice(2);
const folder = target?.replace(/^\.?\/?src\//, '').replace(/\/+$/, '');
if (!folder || folder.includes('/') || !existsSync(`src/${folder}`) || !existsSync(`test/${folder}`)) {
  console.error('usage: npm run mutate -- src/<folder> [stryker options]   (src/<folder> and test/<folder> must exist)');
  process.exit(2);
}
const stryker = join(dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const result = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...rest], {
  stdio: 'inherit',
  // A quarter of each property test's runs: a mutant should cost seconds (see test/helpers/property.ts).
  env: { FUSEMAX_PROPERTY_RUNS_FACTOR: '0.25', ...process.env, FUSEMAX_MUTATE_FOLDER: folder },
});
process.exit(result.status ?? 1);
