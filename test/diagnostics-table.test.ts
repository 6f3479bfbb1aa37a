import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

test('every diagnostic code used in src/ is documented in docs/diagnostics.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'diagnostics.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| (FM\d{3}) \|/gm)].map((m) => m[1]));
  const used = new Set<string>();
  for (const f of readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })) {
    if (!f.endsWith('.ts')) continue;
    for (const m of readFileSync(join(ROOT, 'src', f), 'utf8').matchAll(/'(FM\d{3})'/g)) used.add(m[1] as string);
  }
  const missing = [...used].filter((c) => !documented.has(c)).sort();
  assert.deepEqual(missing, []);
});
