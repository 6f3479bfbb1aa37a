// Runs every test/**/*.test.ts file with the node:test runner (Node 20's --test takes no globs), one
// file per core at a time (Node 20's default is one fewer than the cores: a single file on 2 cores).
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const files = readdirSync('test', { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join('test', f))
  .sort();
const extra = process.argv.slice(2);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${Math.max(2, availableParallelism())}`, ...extra, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
