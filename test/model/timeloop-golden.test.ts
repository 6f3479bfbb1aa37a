/**
 * Every Timeloop golden case (the artifact's check problem, FuseMax's 12 Einsums at BERT-1K, the unfused
 * softmax) against the values transcribed from timeloop-model.stats.txt into expected.json: cycles,
 * computes, utilized instances, which levels and tensors are printed, and every per-instance read, fill,
 * update, utilized capacity and partition size, exactly; energies to 1e-9 relative (or to the 0.005 pJ
 * half-unit the stats print with, whichever is larger); areas under artifact fidelity; map.txt and stats.txt byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeNest, countBig } from '../../src/model/analysis.ts';
import { archArea } from '../../src/model/area.ts';
import { summarize } from '../../src/model/summary.ts';
import { evaluateSource, timeloopNestSource } from '../../src/readers/nest-source.ts';
import { timeloopMapText } from '../../src/timeloop/map-text.ts';
import { timeloopStatsText } from '../../src/timeloop/stats-text.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';
import { applyArt, applyErt, loadArt, loadErt } from '../../src/timeloop/tables.ts';
import type { Fidelity } from '../../src/model/types.ts';

const root = join(import.meta.dirname, '..', 'fixtures', 'timeloop-golden');
const cases = readdirSync(root).sort();

interface ExpectedTensor {
  partitionSize: number;
  utilizedCapacity: number;
  utilizedInstances: number;
  reads: number;
  fills: number;
  updates: number;
  energy_pJ: number;
}
interface Expected {
  source: string;
  cycles: number;
  computes: number;
  utilizedInstances: number;
  energy_uJ: number | null;
  compute: { instances: number; energy_pJ: number; areaTotal_um2: number };
  levels: Record<string, { instances: number; blockSize: number; area_um2: number; leakage_pJ: number; tensors: Record<string, ExpectedTensor> }>;
}

function load(dir: string, fidelity: Fidelity) {
  const read = (f: string) => readFileSync(join(root, dir, f), 'utf8');
  const loaded = loadTimeloopInput(`${dir}/parsed-processed-input.yaml`, read('parsed-processed-input.yaml'));
  const arch = applyArt(applyErt(loaded.arch, loadErt('ERT.yaml', read('timeloop-model.ERT.yaml'))), loadArt('ART.yaml', read('timeloop-model.ART.yaml')));
  const evaluation = evaluateSource(timeloopNestSource(loaded, arch), fidelity);
  return { evaluation, summary: summarize(evaluation, { area: archArea(arch, fidelity) }) };
}

/** Printed energies carry two decimals: allow 1e-9 relative or the rounding of the print. */
function assertEnergy(actual: number | null | undefined, expected: number, what: string): void {
  assert.ok(typeof actual === 'number', `${what}: no energy`);
  const tol = Math.max(1e-9 * Math.abs(expected), 0.005 + 1e-9);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs Timeloop ${expected} (tolerance ${tol})`);
}

test('the fixtures cover every golden case', () => {
  assert.equal(cases.length, 17);
  assert.ok(cases.includes('check'));
  assert.equal(cases.filter((c) => c.startsWith('proposal-BERT-1K-')).length, 12);
  assert.equal(cases.filter((c) => c.startsWith('unfused-BERT-1K-softmax-')).length, 4);
});

for (const dir of cases) {
  const expected = JSON.parse(readFileSync(join(root, dir, 'expected.json'), 'utf8')) as Expected;

  for (const fidelity of ['physical', 'artifact'] as const) {
    test(`${dir} (${fidelity}): counts match ${expected.source}`, () => {
      const { summary: s } = load(dir, fidelity);
      assert.equal(s.cycles, expected.cycles);
      assert.equal(s.computes, expected.computes);
      assert.equal(s.utilizedInstances, expected.utilizedInstances);
      assert.equal(s.compute.instances, expected.compute.instances);
      assert.deepEqual(Object.keys(s.levels).sort(), Object.keys(expected.levels).sort(), 'printed levels');
      for (const [name, lv] of Object.entries(expected.levels)) {
        const got = s.levels[name]!;
        assert.equal(got.instances, lv.instances, `${name} instances`);
        assert.deepEqual(Object.keys(got.tensors).sort(), Object.keys(lv.tensors).sort(), `${name}: printed tensors`);
        for (const [t, e] of Object.entries(lv.tensors)) {
          const g = got.tensors[t]!;
          for (const key of ['reads', 'fills', 'updates', 'utilizedCapacity', 'partitionSize'] as const) {
            assert.equal(countBig(g[key]), BigInt(e[key]), `${name}.${t}.${key}`);
          }
        }
      }
    });
  }

  test(`${dir}: energy matches Timeloop's per-component energies`, () => {
    const { summary: s } = load(dir, 'physical');
    assertEnergy(s.compute.energy_pJ, expected.compute.energy_pJ, 'compute');
    let printedSum = expected.compute.energy_pJ;
    let components = 1;
    for (const [name, lv] of Object.entries(expected.levels)) {
      assertEnergy(s.levels[name]?.leak_pJ, lv.leakage_pJ, `${name} leakage`);
      printedSum += lv.leakage_pJ;
      components++;
      for (const [t, e] of Object.entries(lv.tensors)) {
        assertEnergy(s.levels[name]?.tensors[t]?.energy_pJ, e.energy_pJ, `${name}.${t}`);
        printedSum += e.energy_pJ;
        components++;
      }
    }
    // The total: against the sum of the printed components, and against the printed total in µJ.
    const total = s.energy_pJ!;
    assert.ok(Math.abs(total - printedSum) <= Math.max(1e-9 * printedSum, components * 0.005), `total ${total} vs ${printedSum}`);
    if (expected.energy_uJ !== null) assert.ok(Math.abs(total / 1e6 - expected.energy_uJ) <= 0.005 + 1e-9, `total ${total / 1e6} µJ vs ${expected.energy_uJ}`);
  });

  test(`${dir}: areas match under artifact fidelity (float32)`, () => {
    const { evaluation } = load(dir, 'artifact');
    const area = archArea(evaluation.nest.arch, 'artifact');
    assert.ok(Math.abs(area.compute.total - expected.compute.areaTotal_um2) <= 0.005, `compute area ${area.compute.total}`);
    for (const [name, lv] of Object.entries(expected.levels)) {
      const got = area.levels.find((l) => l.name === name)!;
      assert.ok(Math.abs(got.perInstance - lv.area_um2) <= 0.005, `${name} area ${got.perInstance} vs ${lv.area_um2}`);
    }
  });

  test(`${dir}: timeloop-model.map.txt byte for byte`, () => {
    const { evaluation } = load(dir, 'physical');
    const loaded = loadTimeloopInput(dir, readFileSync(join(root, dir, 'parsed-processed-input.yaml'), 'utf8'));
    assert.equal(timeloopMapText(loaded.arch, loaded.mapping, evaluation.stats), readFileSync(join(root, dir, 'timeloop-model.map.txt'), 'utf8'));
  });

  test(`${dir}: timeloop-model.stats.txt byte for byte`, () => {
    const read = (f: string) => readFileSync(join(root, dir, f), 'utf8');
    const loaded = loadTimeloopInput(dir, read('parsed-processed-input.yaml'));
    const arch = applyArt(applyErt(loaded.arch, loadErt('ERT.yaml', read('timeloop-model.ERT.yaml'))), loadArt('ART.yaml', read('timeloop-model.ART.yaml')));
    const evaluation = evaluateSource(timeloopNestSource(loaded, arch), 'physical');
    assert.equal(timeloopStatsText(loaded, evaluation, { arch }), read('timeloop-model.stats.txt'));
  });

  test(`${dir}: the bigint path gives the same counts`, () => {
    const { evaluation } = load(dir, 'physical');
    const big = analyzeNest(evaluation.nest, { arithmetic: 'bigint' });
    const norm = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' || typeof v === 'number' ? String(v) : v));
    assert.equal(norm(big), norm(evaluation.stats));
  });
}
