/**
 * The seven Timeloop v0.4 runs of the Timeloop team's own exercises (test/fixtures/timeloop-peer/, copied
 * with their SOURCE notes): convolutions with sliding-window and strided projections, 1–7 storage
 * levels, spatial fan-outs, bypass and mapper-written (`datatype`, `C1 M8`) mappings. Against each run's
 * expected.json (transcribed from its timeloop-model.stats.txt): cycles, computes, utilized instances,
 * every per-instance read, fill, update and utilized capacity exactly; the total energy within the
 * file's energy_rel_tol (the stats print two decimals); timeloop-model.map.txt and timeloop-model.stats.txt
 * byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeNest, countBig } from '../../src/model/analysis.ts';
import { summarize } from '../../src/model/summary.ts';
import { evaluateSource, timeloopNestSource } from '../../src/readers/nest-source.ts';
import { timeloopMapText } from '../../src/timeloop/map-text.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';
import { timeloopStatsText } from '../../src/timeloop/stats-text.ts';
import { applyArt, applyErt, loadArt, loadErt } from '../../src/timeloop/tables.ts';

const root = join(import.meta.dirname, '..', 'fixtures', 'timeloop-peer');
const cases = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory()).sort();

interface Expected {
  cycles: number;
  computes: number;
  utilized_instances: number;
  energy_pJ: number;
  energy_rel_tol: number;
  levels: Record<string, Record<string, { reads_per_instance: number; fills_per_instance: number; updates_per_instance: number; utilized_capacity: number }>>;
}

function load(dir: string) {
  const read = (f: string) => readFileSync(join(root, dir, f), 'utf8');
  const loaded = loadTimeloopInput(`${dir}/parsed-processed-input.yaml`, read('parsed-processed-input.yaml'));
  const arch = applyArt(applyErt(loaded.arch, loadErt('ERT.yaml', read('timeloop-model.ERT.yaml'))), loadArt('ART.yaml', read('timeloop-model.ART.yaml')));
  const evaluation = evaluateSource(timeloopNestSource(loaded, arch), 'physical');
  return { loaded, arch, evaluation, summary: summarize(evaluation), read };
}

test('the fixtures hold the seven peer runs', () => {
  assert.deepEqual(cases, [
    'ex-simple-weight-stationary',
    'ispass-00-conv1d-1level',
    'ispass-01-conv1d-2level-ws',
    'ispass-02-conv1d-oc-2level-tiling',
    'ispass-03-conv1d-oc-3level-bypass',
    'ispass-04-conv1d-oc-3levelspatial-cp',
    'ispass-05-mapper-conv1d-oc-3level-null',
  ]);
});

for (const dir of cases) {
  const expected = JSON.parse(readFileSync(join(root, dir, 'expected.json'), 'utf8')) as Expected;

  test(`${dir}: every count as Timeloop printed it`, () => {
    const { summary: s } = load(dir);
    assert.equal(s.cycles, expected.cycles);
    assert.equal(s.computes, expected.computes);
    assert.equal(s.utilizedInstances, expected.utilized_instances);
    // Timeloop prints a level that keeps a tensor or leaks (ispass-05's bypassed buffers print leakage only).
    assert.deepEqual(Object.keys(s.levels).sort(), Object.keys(expected.levels).sort(), 'printed levels');
    for (const [level, tensors] of Object.entries(expected.levels)) {
      assert.deepEqual(Object.keys(s.levels[level]!.tensors).sort(), Object.keys(tensors).sort(), `${level}: kept tensors`);
      for (const [t, e] of Object.entries(tensors)) {
        const g = s.levels[level]!.tensors[t]!;
        assert.equal(countBig(g.reads), BigInt(e.reads_per_instance), `${level}.${t} reads`);
        assert.equal(countBig(g.fills), BigInt(e.fills_per_instance), `${level}.${t} fills`);
        assert.equal(countBig(g.updates), BigInt(e.updates_per_instance), `${level}.${t} updates`);
        assert.equal(countBig(g.utilizedCapacity), BigInt(e.utilized_capacity), `${level}.${t} utilized capacity`);
      }
    }
  });

  test(`${dir}: total energy within the printed precision`, () => {
    const { summary: s } = load(dir);
    const rel = Math.abs(s.energy_pJ! - expected.energy_pJ) / expected.energy_pJ;
    assert.ok(rel <= expected.energy_rel_tol, `energy ${s.energy_pJ} pJ vs Timeloop ${expected.energy_pJ} (relative ${rel}, tolerance ${expected.energy_rel_tol})`);
  });

  test(`${dir}: timeloop-model.map.txt byte for byte`, () => {
    const { loaded, evaluation, read } = load(dir);
    assert.equal(timeloopMapText(loaded.arch, loaded.mapping, evaluation.stats), read('timeloop-model.map.txt'));
  });

  test(`${dir}: timeloop-model.stats.txt byte for byte`, () => {
    const { loaded, arch, evaluation, read } = load(dir);
    assert.equal(timeloopStatsText(loaded, evaluation, { arch }), read('timeloop-model.stats.txt'));
  });

  test(`${dir}: the bigint path gives the same counts`, () => {
    const { evaluation } = load(dir);
    const norm = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' || typeof v === 'number' ? String(v) : v));
    assert.equal(norm(analyzeNest(evaluation.nest, { arithmetic: 'bigint' })), norm(evaluation.stats));
  });
}
