import { test } from 'node:test';
import assert from 'node:assert/strict';
import { textbookAttention } from '../../src/exec/reference-attention.ts';
import { Tensor, randomNormal } from '../../src/tensor/index.ts';
import { builtinCascade } from '../helpers/cascades.ts';
import { relError, runOn, shapesOf } from '../helpers/run.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';

const ATTENTION = ['attention-3pass', 'attention-3pass-deferred-division', 'attention-2pass', 'attention-1pass'];
const SHAPE = { M: 96, P: 40, E: 16, F: 12, M0: 32 };

function attentionInputs(scale: number, seed: number): Map<string, Tensor> {
  const { M, P, E, F } = SHAPE;
  const q = randomNormal([E, P], seed).map((v) => v * scale);
  const k = randomNormal([E, M], seed + 1).map((v) => v * scale);
  const v = randomNormal([F, M], seed + 2);
  return new Map([
    ['Q', Tensor.fromDense('Q', ['E', 'P'], [E, P], q)],
    ['K', Tensor.fromDense('K', ['E', 'M'], [E, M], k)],
    ['V', Tensor.fromDense('V', ['F', 'M'], [F, M], v)],
  ]);
}

for (const name of ATTENTION) {
  for (const scale of [1, 25]) {
    test(`${name} equals float64 textbook attention (logit scale ${scale === 1 ? '~4' : '~1e4'})`, () => {
      const c = builtinCascade(name);
      const shapes = name.includes('pass') && c.partitions.length ? SHAPE : { M: SHAPE.M, P: SHAPE.P, E: SHAPE.E, F: SHAPE.F };
      const given = attentionInputs(scale, 11);
      const { result } = runOn(c, shapes, 1, given);
      const av = result.outputs.get('AV');
      assert.ok(av);
      const ref = textbookAttention(SHAPE, (given.get('Q') as Tensor).toDense(), (given.get('K') as Tensor).toDense(), (given.get('V') as Tensor).toDense());
      const dense = av.toDense();
      assert.ok(dense.every(Number.isFinite), 'no NaN or Inf');
      // The logits really are large in the second case.
      if (scale > 1) {
        const qk = result.tensors.get(c.tensors.has('QK') ? 'QK' : 'BQK') as Tensor;
        assert.ok(Math.max(...qk.toDense().map(Math.abs)) > 5000);
      }
      assert.ok(relError(dense, ref) < 1e-12, `relative error ${relError(dense, ref)}`);
    });
  }
}

test('Cascade 3 (iterative, take-left at 0/0) returns the same Z as Cascade 1', () => {
  const shapes = { K: 50 };
  const z1 = runOn(builtinCascade('cascade1-dot-reuse'), shapes, 3).result.outputs.get('Z') as Tensor;
  const { result, inputs } = runOn(builtinCascade('cascade3-iterative'), shapes, 3);
  const z3 = result.outputs.get('Z') as Tensor;
  assert.equal(result.generations.get('i'), 50);
  // Z = (Σ A·B)·(Σ A), in plain float64.
  const a = (inputs.get('A') as Tensor).toDense();
  const b = (inputs.get('B') as Tensor).toDense();
  let y = 0; let x = 0;
  for (let k = 0; k < 50; k++) { y += (a[k] as number) * (b[k] as number); x += a[k] as number; }
  assert.ok(Math.abs(z1.scalarValue - y * x) <= 1e-12 * Math.abs(y * x));
  assert.ok(Math.abs(z3.scalarValue - z1.scalarValue) <= 1e-12 * Math.abs(z1.scalarValue), `${z3.scalarValue} vs ${z1.scalarValue}`);
  assert.ok(Number.isFinite(z3.scalarValue));
});

test('float32 storage rounds every stored value and stays close to float64', () => {
  const c = builtinCascade('attention-3pass');
  const shapes = { M: 32, P: 8, E: 8, F: 4 };
  const s = shapesOf(c, shapes);
  const inputs = completeInputs(c, s, 4);
  const r32 = runCascade(c, s, inputs, { precision: 'float32' });
  const r64 = runCascade(c, s, inputs);
  for (const [name, t] of r32.tensors) for (const v of t.toDense()) assert.equal(Math.fround(v), v, `${name} holds a non-float32 value`);
  const err = relError((r32.outputs.get('AV') as Tensor).toDense(), (r64.outputs.get('AV') as Tensor).toDense());
  assert.ok(err > 0 && err < 1e-5, `float32 relative error ${err}`);
});
