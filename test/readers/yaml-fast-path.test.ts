/**
 * The two-parser YAML source: the plain value js-yaml reads is the value the positioned `yaml` document
 * gives (for any document either writes), positions are still exact, edits to the document win, and a
 * document with anchors takes the guarded path (an alias bomb is a located FM401, not a hang).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { stringify } from 'yaml';
import { dump } from 'js-yaml';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { z } from 'zod';
import { locate, parseYamlSource, validateYaml } from '../../src/readers/yaml-source.ts';

const scalar = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 8 }), fc.constantFrom('yes', 'no', '0o17', '017', '1e3', '~', '.inf', '2001-12-14', '1_000', '+12', '-0', 'null', 'True'));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('node'), { maxKeys: 4 })),
})).node;

test('property: the fast value equals the positioned document value, whoever wrote the text', () => {
  fc.assert(fc.property(value, fc.boolean(), (v, byJsYaml) => {
    const text = byJsYaml ? dump(v) : stringify(v);
    const src = parseYamlSource('p.yaml', text);
    const fast = src.value();
    assert.deepEqual(fast, src.doc.toJS(), text);
  }), propertyParams(400));
});

test('positions come from the positioned parse; an edit to the document is what value() returns', () => {
  const src = parseYamlSource('a.yaml', 'levels:\n  - name: DRAM\n    depth: 8\n');
  assert.deepEqual(src.value(), { levels: [{ name: 'DRAM', depth: 8 }] });
  const at = locate(src, ['levels', 0, 'depth']);
  assert.deepEqual([at.line, at.col, at.lineText], [3, 12, '    depth: 8']);
  src.doc.setIn(['levels', 0, 'depth'], 16);
  assert.deepEqual(src.value(), { levels: [{ name: 'DRAM', depth: 16 }] });
});

test('text js-yaml refuses is judged by the positioned parse: a located error, or the value it accepts', () => {
  assert.throws(() => parseYamlSource('b.yaml', 'a: [1, 2\n'), (e: unknown) => e instanceof UserError && e.diagnostics[0]!.code === 'FM401' && e.diagnostics[0]!.location?.line === 2);
  assert.throws(() => parseYamlSource('d.yaml', 'a: 1\na: 2\n'), (e: unknown) => e instanceof UserError && e.diagnostics[0]!.code === 'FM401' && e.diagnostics[0]!.location?.line === 2);
  assert.deepEqual(parseYamlSource('c.yaml', 'a: !custom 3\n').value(), { a: '3' });
});

test('an alias bomb is refused with FM401, not expanded', () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  const src = parseYamlSource('bomb.yaml', lines.join('\n') + '\n');
  assert.throws(() => validateYaml(src, z.unknown()), (e: unknown) => e instanceof UserError && e.diagnostics[0]!.code === 'FM401' && /alias/i.test(e.diagnostics[0]!.message));
});
