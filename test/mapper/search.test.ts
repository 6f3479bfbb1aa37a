/**
 * The pruned search against brute force (test/mapper/brute-force.ts: every mapping of the mapspace
 * evaluated by src/model) on random small problems: random dimensions, tensors, two to four levels of
 * DRAM, buffers and fan-out stages with random energies, leakage and block sizes, random constraints
 * and metric lists. The search must be exhaustive, find the same optimum, and report metrics that
 * the model gives for the mapping it returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { findMapping, finishMapping, prepareMapping } from '../../src/mapper/map.ts';
import { searchInProcess } from '../../src/mapper/drive.ts';
import { prepareSearch } from '../../src/mapper/search.ts';
import { evaluateNest } from '../../src/model/evaluate.ts';
import { evaluationMetrics } from '../../src/mapper/metrics.ts';
import { bruteForce, bruteForceSize } from './brute-force.ts';
import { randomCase } from './random-case.ts';

function close(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= 1e-9 * Math.max(1, Math.abs(x)));
}

test('the pruned search finds the brute-force optimum on random small mapspaces', () => {
  let checked = 0;
  const params = propertyParams(150);
  fc.assert(
    fc.property(fc.array(fc.nat(1000), { minLength: 64, maxLength: 64 }), (values) => {
      const c = randomCase(values);
      if (bruteForceSize(c.arch, c.problem) > 40_000) return;
      const brute = bruteForce(c.arch, c.problem, c.constraints, c.metrics);
      const prepared = prepareMapping({ arch: c.arch, problem: c.problem, constraints: c.constraints, metrics: c.metrics });
      if (!prepared.ok) {
        assert.equal(brute.best, undefined, `constraints refused (${prepared.issues[0]?.message}) but the brute force found a mapping`);
        return;
      }
      // A third of the cases with one job per spatial choice (every keep choice inside, bounded by
      // spatialBound), as the largest mapspaces run.
      const prep = checked % 3 === 1 ? prepareSearch(prepared.prep.space, prepared.prep.metrics, 0) : prepared.prep;
      const outcome = searchInProcess(prep);
      const found = finishMapping(prep, outcome.best, outcome);
      if (!brute.best) {
        assert.equal(found.ok, false, 'the brute force found no valid mapping');
        return;
      }
      assert.ok(found.ok, `search failed: ${found.ok ? '' : JSON.stringify(found.issues)}`);
      const r = found.result;
      assert.ok(r.exhaustive);
      assert.ok(close(r.metrics, brute.best), `search ${r.metrics} vs brute force ${brute.best} (${JSON.stringify(c)})`);
      // The search's own exact costing of its mapping agrees with the model's.
      assert.ok(close(outcome.best!.metrics, r.metrics), `search costs ${outcome.best!.metrics}, the model ${r.metrics}`);
      const again = evaluateNest(c.arch, c.problem, r.mapping);
      assert.ok(again.ok);
      assert.deepEqual(evaluationMetrics(c.metrics, again), [...r.metrics]);
      // The path of affine projections (every complete mapping costed by src/model, every order of a
      // level's loops, no grouping or moving of loops) finds the same optimum.
      if (checked % 3 === 0) {
        const byModel = findMapping({ arch: c.arch, problem: c.problem, constraints: c.constraints, metrics: c.metrics, costing: 'model' });
        assert.ok(byModel.ok && byModel.result.exhaustive);
        assert.ok(close(byModel.result.metrics, brute.best), `model costing ${byModel.result.metrics} vs brute force ${brute.best}`);
      }
      checked++;
    }),
    params,
  );
  assert.ok(checked >= params.numRuns * 0.4, `only ${checked} cases were small enough to check`);
});
