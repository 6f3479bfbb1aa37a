/** The generic YAML + zod layer: every problem comes back as a diagnostic with file:line:col. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { formatDiagnostic, UserError, type Diagnostic } from '../../src/diagnostics/diagnostic.ts';
import { diagnosticAt, loadYaml, locate, parseYamlSource, pathText } from '../../src/readers/yaml-source.ts';

const Schema = z.strictObject({
  name: z.string(),
  levels: z.array(
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('dram'), name: z.string() }),
      z.strictObject({ kind: z.literal('buffer'), name: z.string(), depth: z.number().int().positive() }),
    ]),
  ),
  sizes: z.record(z.string(), z.number()).optional(),
  mode: z.enum(['fast', 'exact']).optional(),
});

function diagnostics(text: string): Diagnostic[] {
  try {
    loadYaml('spec.yaml', text, Schema);
  } catch (err) {
    if (err instanceof UserError) return [...err.diagnostics];
    throw err;
  }
  return assert.fail('expected diagnostics');
}

function only(text: string): Diagnostic {
  const ds = diagnostics(text);
  assert.equal(ds.length, 1, ds.map(formatDiagnostic).join('\n'));
  return ds[0]!;
}

function at(d: Diagnostic): string {
  return `${d.code} ${d.location?.file}:${d.location?.line}:${d.location?.col}`;
}

test('a valid document loads', () => {
  const { value } = loadYaml('spec.yaml', 'name: x\nlevels:\n  - { kind: dram, name: D }\n  - { kind: buffer, name: B, depth: 4 }\n', Schema);
  assert.equal(value.levels.length, 2);
});

test('YAML syntax errors and duplicate keys are FM401 at their position', () => {
  assert.equal(at(only('name: x\nlevels: [\n')), 'FM401 spec.yaml:3:1');
  assert.equal(at(only('name: x\nname: y\nlevels: []\n')), 'FM401 spec.yaml:2:1');
});

test('a missing key is FM402 at the map that lacks it', () => {
  const d = only('name: x\nlevels:\n  - kind: buffer\n    name: B\n');
  assert.equal(at(d), 'FM402 spec.yaml:3:5');
  assert.match(d.message, /missing key 'depth' in levels\[0\]/);
  assert.equal(at(only('levels: []\n')), 'FM402 spec.yaml:1:1');
});

test('a wrong type is FM403 at the value', () => {
  const d = only('name: x\nlevels:\n  - { kind: buffer, name: B, depth: big }\n');
  assert.equal(at(d), 'FM403 spec.yaml:3:37');
  assert.match(d.message, /levels\[0\]\.depth must be a number, not 'big'/);
  assert.equal(at(only('name: x\nlevels: {}\n')), 'FM403 spec.yaml:2:9');
});

test('an unknown key is FM404 at the key, with a suggestion', () => {
  const d = only('name: x\nlevels:\n  - kind: buffer\n    name: B\n    depth: 4\n    deptj: 5\n');
  assert.equal(at(d), 'FM404 spec.yaml:6:5');
  assert.equal(d.hint, "did you mean 'depth'?");
  const top = only('name: x\nlevels: []\ncolour: red\n');
  assert.match(top.hint ?? '', /known keys: name, levels, sizes, mode/);
});

test('invalid values are FM405: enums, discriminators, ranges', () => {
  assert.equal(at(only('name: x\nlevels: []\nmode: slow\n')), 'FM405 spec.yaml:3:7');
  const kind = only('name: x\nlevels:\n  - { kind: sram, name: B }\n');
  assert.equal(at(kind), 'FM405 spec.yaml:3:13');
  assert.match(kind.message, /must be one of dram, buffer, not 'sram'/);
  const range = only('name: x\nlevels:\n  - { kind: buffer, name: B, depth: 0 }\n');
  assert.equal(at(range), 'FM405 spec.yaml:3:37');
  assert.match(range.message, /greater than 0/);
});

test('several problems are all reported, in file order', () => {
  const ds = diagnostics('levels:\n  - { kind: buffer, name: B }\nmode: slow\nextra: 1\n');
  assert.deepEqual(ds.map(at), ['FM402 spec.yaml:1:1', 'FM402 spec.yaml:2:5', 'FM405 spec.yaml:3:7', 'FM404 spec.yaml:4:1']);
});

test('the caret sits under the located column', () => {
  const text = formatDiagnostic(only('name: x\nlevels:\n  - { kind: buffer, name: B, depth: big }\n'));
  const [head, src, caret] = text.split('\n');
  assert.match(head!, /^spec\.yaml:3:37: error FM403: /);
  assert.equal(src, '3 |   - { kind: buffer, name: B, depth: big }');
  assert.equal(caret!.indexOf('^') - caret!.indexOf('|') - 2, 36);
  assert.equal(caret!.trim().split('').filter((c) => c === '^').length, 3);
});

test('locate: values, keys, missing paths, and spans inside a scalar', () => {
  const src = parseYamlSource('m.yaml', 'mapping:\n  - target: L3\n    factors: "B=64,E=1,P=16"\n');
  assert.equal(locate(src, ['mapping', 0, 'target']).col, 13);
  assert.equal(locate(src, ['mapping', 0, 'target'], 'key').col, 5);
  assert.equal(locate(src, ['mapping', 0, 'nothing']).line, 2);
  const within = locate(src, ['mapping', 0, 'factors'], 'value', { offset: 9, length: 4 });
  assert.deepEqual([within.line, within.col, within.length], [3, 24, 4]);
  const d = diagnosticAt(src, ['mapping', 0, 'target'], 'FM999', 'x', { hint: 'y' });
  assert.equal(d.hint, 'y');
  assert.equal(pathText(['levels', 2, 'depth']), 'levels[2].depth');
});
