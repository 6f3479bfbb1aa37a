import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysePasses } from '../../src/analysis/passes.ts';
import { runFused } from '../../src/exec/fused.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';
import { builtinCascade, builtinCascadeTexts } from '../helpers/cascades.ts';
import { shapesOf } from '../helpers/run.ts';
import { maxRelativeDifference } from '../../src/tensor/index.ts';

const SHAPES: Record<string, number> = { M: 48, P: 20, E: 8, F: 6, M0: 16, K: 30, D: 12, O: 5 };

for (const name of builtinCascadeTexts().keys()) {
  test(`${name}: the fused schedule reaches the analysed passes and equals the sequential run bit for bit`, () => {
    const c = builtinCascade(name);
    const analysis = analysePasses(c);
    const ranks = [...analysis.ranks.keys()];
    const shapes = shapesOf(c, Object.fromEntries(Object.entries(SHAPES).filter(([k]) => ranks.includes(k) || c.partitions.some((p) => p.whole === k || p.inner === k))));
    const inputs = completeInputs(c, shapes, 5);
    const seq = runCascade(c, shapes, inputs);
    for (const rank of ranks) {
      const fused = runFused(c, shapes, inputs, rank);
      assert.equal(fused.trace.traversalsPerFiber, analysis.ranks.get(rank), `traversals of ${rank}`);
      for (const t of analysis.tensors.filter((x) => x.rank === rank)) {
        assert.deepEqual(fused.trace.touched.get(t.tensor), t.passes, `${t.tensor} touched over ${rank}`);
      }
      // A reduction over the fused rank and another one (SD over m1 and m0 in attention-partitioned)
      // sums in another order when fused: equal to rounding, not bit for bit.
      const reordered = c.einsums.some((e) => e.reducedVars.length > 1 && e.reducedVars.some((v) => e.vars.get(v) === rank));
      for (const [out, tensor] of seq.tensors) {
        const got = (fused.tensors.get(out) as typeof tensor).toDense();
        if (reordered) assert.ok(maxRelativeDifference(got, tensor.toDense()) < 1e-13, `${out} fused over ${rank}`);
        else assert.deepEqual(Array.from(got), Array.from(tensor.toDense()), `${out} fused over ${rank}`);
      }
    }
  });
}
