import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { cascadeStructure } from '../../src/ir/structure.ts';
import { printCascade } from '../../src/notation/print.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';
import type { Tensor } from '../../src/tensor/index.ts';
import { diagnosticOf } from '../helpers/cascades.ts';
import { shapesOf } from '../helpers/run.ts';

const MEAN = 'input X[D,P]\nMU[p] = X[d,p] / D\nY[d,p] = X[d,p] - MU[p]\n';

test('a bare rank name is its extent: the mean of X over D', () => {
  const c = loadCascade(MEAN, 'mean.cascade');
  assert.deepEqual([...c.tensors.keys()], ['X', 'MU', 'Y'], 'D is not a tensor');
  const shapes = shapesOf(c, { D: 7, P: 3 });
  const inputs = completeInputs(c, shapes, 4);
  const x = (inputs.get('X') as Tensor).toDense();
  const mu = (runCascade(c, shapes, inputs).tensors.get('MU') as Tensor).toDense();
  for (let p = 0; p < 3; p++) {
    let s = 0;
    for (let d = 0; d < 7; d++) s += (x[d * 3 + p] as number);
    assert.ok(Math.abs((mu[p] as number) - s / 7) < 1e-15);
  }
});

test('shape values print and re-parse to the same IR (text, Unicode) and print as |D| in LaTeX', () => {
  const c = loadCascade(MEAN, 'mean.cascade');
  for (const style of ['text', 'unicode'] as const) {
    const again = loadCascade(printCascade(c, style), `mean.${style}`);
    assert.deepEqual(cascadeStructure(again), cascadeStructure(c));
  }
  assert.match(printCascade(c, 'text'), /MU\[p\] = X\[d,p\] \/ D\n/);
  assert.match(printCascade(c, 'latex'), /\\div \|D\|/);
});

test('a bare name that is neither a tensor nor a rank is FM253; a declared scalar input stays a tensor', () => {
  const d = diagnosticOf('input X[D,P]\nMU[p] = X[d,p] / Q\n');
  assert.equal(d.code, 'FM208', 'with declared inputs an unknown name is an unknown tensor');
  const i = diagnosticOf('input X[K]\nS = X[i] / I\n');
  assert.equal(i.code, 'FM253', 'i ranges over K, so I is not a rank');
  assert.match(i.formatted, /'I' is neither a tensor nor a rank of this cascade/);
  const scalar = loadCascade('input X[D], D\nS = X[d] / D\n', 'scalar.cascade');
  assert.equal(scalar.tensors.get('D')?.role, 'input');
});
