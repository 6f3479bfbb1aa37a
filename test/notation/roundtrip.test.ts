import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { cascadeStructure } from '../../src/ir/structure.ts';
import { printCascade } from '../../src/notation/print.ts';
import { builtinCascade, builtinCascadeTexts } from '../helpers/cascades.ts';

// The seven cascades of ../shared/cascades are copied verbatim into specs/cascades; four more show
// what `optimize` does beyond attention (issue 12).
test('all built-in cascades parse and check as written', () => {
  const names = [...builtinCascadeTexts().keys()];
  assert.deepEqual(names, [
    'attention-1pass', 'attention-2pass', 'attention-3pass', 'attention-3pass-deferred-division', 'attention-partitioned',
    'cascade1-dot-reuse', 'cascade2-deferred', 'cascade3-iterative', 'layernorm', 'layernorm-matmul', 'softmax',
  ]);
  for (const [name, text] of builtinCascadeTexts()) assert.ok(loadCascade(text, name).einsums.length > 0);
});

for (const [name, text] of builtinCascadeTexts()) {
  test(`${name}: text and Unicode printouts re-parse to the same IR`, () => {
    const c = loadCascade(text, name);
    for (const style of ['text', 'unicode'] as const) {
      const printed = printCascade(c, style);
      const again = loadCascade(printed, `${name}.${style}`);
      assert.deepEqual(cascadeStructure(again), cascadeStructure(c), `${style} form:\n${printed}`);
      // Printing is a fixed point.
      assert.equal(printCascade(again, style), printed);
    }
  });
}

test('the 1-pass cascade: ranks, partitions, iterative rank and actions as the paper writes them', () => {
  const c = builtinCascade('attention-1pass');
  const ranks = (n: string): string => {
    const t = c.tensors.get(n);
    assert.ok(t, n);
    return t.ranks.map((r, i) => (t.generational[i] ? `${r}+1` : r)).join(',');
  };
  assert.equal(ranks('BK'), 'E,M1,M0');
  assert.equal(ranks('RM'), 'M1+1,P');
  assert.equal(ranks('RNV'), 'F,M1+1,P');
  assert.equal(ranks('SLNV'), 'F,M1,P');
  assert.deepEqual(c.partitions, [{ whole: 'M', outer: 'M1', inner: 'M0' }]);
  assert.deepEqual([...c.iterativeRanks.keys()], ['m1']);
  assert.deepEqual(c.outputs, ['AV']);
  const byOut = (n: string) => c.einsums.find((e) => e.output.tensor === n && !e.initializes);
  assert.equal(byOut('LM')?.reduction?.op.name, 'max');
  assert.deepEqual(byOut('LM')?.reducedVars, ['m0']);
  const sln = byOut('SLN')?.expr;
  assert.equal(sln?.kind === 'binary' && `${sln.op.name}(${sln.merge.name})`, 'sub_exp(pass_through)');
  const av = byOut('AV')?.expr;
  assert.equal(av?.kind === 'binary' && `${av.op.name}(${av.merge.name})`, 'div(take_left)');
  assert.equal(byOut('RM')?.recurrence?.variable, 'm1');
  assert.equal(c.einsums.filter((e) => e.initializes).length, 3);
});

test('explicit actions: EDGE Unicode form and named merges override the defaults', () => {
  const c = loadCascade('input A[K,M], B[K,N]\nZ[m,n] = A[k,m] * B[k,n] :: ⋀_k ×(∪) ⋁_k max(∪)\n');
  const e = c.einsums[0];
  assert.ok(e && e.expr.kind === 'binary');
  assert.equal(e.expr.merge.name, 'union');
  assert.equal(e.reduction?.op.name, 'max');
  const dot = loadCascade('Z[m] = A[m] · B[m] :: map max(union)\n').einsums[0];
  assert.equal(dot?.expr.kind === 'binary' && dot.expr.op.name, 'max');
});

test('LaTeX printout of Cascade 3 uses EDGE symbols', () => {
  const latex = printCascade(builtinCascade('cascade3-iterative'), 'latex');
  assert.match(latex, /\\mathit\{RY\}_\{i\+1\} &= \\mathit\{RY\}_\{i\} \+ \\mathit\{A\}_\{i\} \\times \\mathit\{B\}_\{i\}/);
  assert.match(latex, /\\div\(\\leftarrow\)/);
  assert.match(latex, /\\diamond : i \\ge K/);
});
