import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/notation/lexer.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';

const lex = (text: string): string[] => tokenize({ file: 'lex', text }).map((t) => (t.kind === 'punct' || t.kind === 'name' || t.kind === 'number' ? `${t.kind[0]}:${t.text}` : t.kind));

test('tokens: names, numbers, multi-character operators, comments and newlines', () => {
  assert.deepEqual(lex('Y[k] = A_1[k] # comment [\nB0'), ['n:Y', 'p:[', 'n:k', 'p:]', 'p:=', 'n:A_1', 'p:[', 'n:k', 'p:]', 'newline', 'n:B0', 'newline', 'eof']);
  assert.deepEqual(lex(':: >= <= == != << < > = : ^ % ! . _'), ['p:::', 'p:>=', 'p:<=', 'p:==', 'p:!=', 'p:<<', 'p:<', 'p:>', 'p:=', 'p::', 'p:^', 'p:%', 'p:!', 'p:.', 'p:_', 'newline', 'eof']);
  // Numbers: integers, decimals, a leading dot, exponents with and without a sign; a dangling 'e' or '.' is not part of one.
  assert.deepEqual(lex('12 1.5 .5 1e5 1e+5 1E-5 2e 3. 4e+'), ['n:12', 'n:1.5', 'n:.5', 'n:1e5', 'n:1e+5', 'n:1E-5', 'n:2', 'n:e', 'n:3', 'p:.', 'n:4', 'n:e', 'p:+', 'newline', 'eof']);
  // Blank lines and leading newlines make no tokens; a newline inside brackets or parentheses is ignored.
  assert.deepEqual(lex('\n\n  A\n\n\nB'), ['n:A', 'newline', 'n:B', 'newline', 'eof']);
  assert.deepEqual(lex('Y[k,\n m] = f(a,\n b)\nZ'), ['n:Y', 'p:[', 'n:k', 'p:,', 'n:m', 'p:]', 'p:=', 'n:f', 'p:(', 'n:a', 'p:,', 'n:b', 'p:)', 'newline', 'n:Z', 'newline', 'eof']);
  assert.deepEqual(lex('{a,\nb}\n)\nc'), ['p:{', 'n:a', 'p:,', 'n:b', 'p:}', 'newline', 'p:)', 'newline', 'n:c', 'newline', 'eof'], 'an unmatched closer does not hide later newlines');
  assert.deepEqual(lex(''), ['eof']);
  assert.deepEqual(lex('A\n'), ['n:A', 'newline', 'eof']);
});

test('Unicode symbols are one token each, overlined ones and astral ones included', () => {
  assert.deepEqual(lex('⋀ ⋁ ⋘ × ÷ ∩ ∪ ← → ⋄ ≤ ≥ ≠ − · ⊖ ⊕ ≡ ↛ ↚ ⇐ ⇒ ∈ ∉ √ 𝟙 ∪̄ ∩̄'),
    [...'⋀ ⋁ ⋘ × ÷ ∩ ∪ ← → ⋄ ≤ ≥ ≠ − · ⊖ ⊕ ≡ ↛ ↚ ⇐ ⇒ ∈ ∉ √ 𝟙 ∪̄ ∩̄'.split(' ').map((s) => `p:${s}`), 'newline', 'eof']);
  const toks = tokenize({ file: 'lex', text: 'a 𝟙∩̄b' });
  assert.deepEqual(toks.map((t) => [t.text, t.span.start, t.span.end]), [['a', 0, 1], ['𝟙', 2, 4], ['∩̄', 4, 6], ['b', 6, 7], ['', 7, 7], ['', 7, 7]]);
});

test('spans of tokens, the final newline and the end of file', () => {
  const toks = tokenize({ file: 'lex', text: 'Y = 2.5e3\n' });
  assert.deepEqual(toks.map((t) => [t.kind, t.span.start, t.span.end]), [['name', 0, 1], ['punct', 2, 3], ['number', 4, 9], ['newline', 9, 10], ['eof', 10, 10]]);
});

test('an unknown character is a located FM101 naming it (or its code point when it is invisible)', () => {
  // A zero-width space (U+200B, invisible: upper-case hex) and an astral character (two UTF-16 units under the caret).
  for (const [text, col, length, shown] of [['A $ B', 3, 1, "'$'"], ['A\u0001', 2, 1, 'U+0001'], ['AB @', 4, 1, "'@'"], ['A €', 3, 1, "'€'"], ['A\u200bB', 2, 1, 'U+200B'], ['A 😀', 3, 2, "'😀'"]] as const) {
    try {
      tokenize({ file: 'lex', text });
      assert.fail(`no error for ${JSON.stringify(text)}`);
    } catch (e) {
      assert.ok(e instanceof UserError, String(e));
      const d = e.diagnostics[0]!;
      assert.equal(d.code, 'FM101');
      assert.equal(d.location?.col, col);
      assert.equal(d.location?.length, length);
      assert.equal(d.message, `unexpected character ${shown}`);
    }
  }
});
