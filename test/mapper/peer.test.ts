/**
 * The Timeloop peer mapper runs (test/fixtures/timeloop-peer, from timeloop-accelergy-exercises): started
 * from `mapping: []`, the mapper's mapping honours every constraint of the run, re-runs through the model
 * (read back from the Timeloop YAML it writes) to the numbers it reports, and is no worse than Timeloop's
 * best on the run's own metrics, which the model gives exactly for Timeloop's own mapping (its
 * expected.json). The search is cut by a work budget (not time) when not exhaustive: the same result on
 * every machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { searchInProcess } from '../../src/mapper/drive.ts';
import { finishMapping, prepareMapping } from '../../src/mapper/map.ts';
import { compareVectors, evaluationMetrics } from '../../src/mapper/metrics.ts';
import { readMapperSpec, withoutMapping } from '../../src/mapper/timeloop-spec.ts';
import { evaluateNest } from '../../src/model/evaluate.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';
import { applyErt, loadErt } from '../../src/timeloop/tables.ts';
import { violations } from './honours.ts';

const peer = join(import.meta.dirname, '..', 'fixtures', 'timeloop-peer');

interface Expected {
  cycles: number;
  energy_pJ: number;
  energy_rel_tol: number;
}

function runCase(name: string, budget: number): void {
  const dir = join(peer, name);
  const text = readFileSync(join(dir, 'parsed-processed-input.yaml'), 'utf8');
  const ert = loadErt('ERT', readFileSync(join(dir, 'timeloop-model.ERT.yaml'), 'utf8'));
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;

  // Timeloop's best, counted by the model: its printed numbers.
  const recorded = loadTimeloopInput(name, text);
  const arch = applyErt(recorded.arch, ert);
  const spec = readMapperSpec(recorded.source, arch.levels.map((l) => l.name));
  const theirs = evaluateNest(arch, recorded.problem, recorded.mapping);
  assert.ok(theirs.ok);
  assert.equal(Number(theirs.stats.cycles), expected.cycles);
  assert.ok(Math.abs(theirs.energy.total - expected.energy_pJ) <= expected.energy_rel_tol * expected.energy_pJ);
  const timeloopBest = evaluationMetrics(spec.metrics, theirs);
  // Timeloop's mapping is in the mapspace the search covers: the comparison is fair.
  assert.deepEqual(violations(recorded.mapping, recorded.problem, spec.constraints, arch.levels[0]!.name), []);

  // Ours, from mapping: [].
  const blank = loadTimeloopInput(name, withoutMapping(text).text);
  const prepared = prepareMapping({ arch: applyErt(blank.arch, ert), problem: blank.problem, constraints: spec.constraints, metrics: spec.metrics });
  assert.ok(prepared.ok);
  const outcome = searchInProcess(prepared.prep, { budget });
  const done = finishMapping(prepared.prep, outcome.best, outcome);
  assert.ok(done.ok);
  const r = done.result;
  assert.ok(compareVectors(r.metrics, timeloopBest) <= 0, `${name}: ${r.metrics} vs Timeloop's ${timeloopBest}`);
  assert.deepEqual(violations(r.mapping, blank.problem, spec.constraints, arch.levels[0]!.name), []);

  // The Timeloop YAML it writes, in place of the spec's mapping, reads back to the same numbers.
  const start = text.indexOf('\nmapping:\n') + 1;
  const end = text.indexOf('\nmapper:\n');
  const substituted = text.slice(0, start) + stringify({ mapping: r.timeloop }) + text.slice(end + 1);
  const back = loadTimeloopInput(name, substituted);
  const again = evaluateNest(applyErt(back.arch, ert), back.problem, back.mapping);
  assert.ok(again.ok, again.ok ? '' : JSON.stringify(again.issues));
  assert.equal(Number(again.stats.cycles), Number(r.evaluation.stats.cycles));
  assert.equal(again.energy.total, r.evaluation.energy.total);
  return void r;
}

test('ispass-05 (Conv1D + K, 3 levels, delay then energy): an exhaustive search, no worse than Timeloop', () => {
  runCase('ispass-05-mapper-conv1d-oc-3level-null', Infinity);
});

test('ex-simple-weight-stationary (strided conv2D, 256 PEs, constraints, EDP): no worse than Timeloop', () => {
  runCase('ex-simple-weight-stationary', 200_000);
});

// The peer model runs as mapper runs of the same kinds (one to three levels, bypass, a spatial fan-out):
// their hand-written mappings, which Timeloop's model counts to their expected numbers, sit in the
// mapspace of their own mapper sections, so the optimum is no worse than each of them.
for (const name of ['ispass-00-conv1d-1level', 'ispass-01-conv1d-2level-ws', 'ispass-02-conv1d-oc-2level-tiling', 'ispass-03-conv1d-oc-3level-bypass', 'ispass-04-conv1d-oc-3levelspatial-cp']) {
  test(`${name} as a mapper run: no worse than its Timeloop-counted mapping`, () => {
    runCase(name, 200_000);
  });
}
