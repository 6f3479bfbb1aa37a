/**
 * The artifact fidelity against every published value (test/fixtures/published, BERT rows): traffic,
 * latency, energy, utilizations and per-Einsum columns of the five attention configurations, the two
 * end-to-end tables, and the Pareto latency and area columns. 1e-9 relative for fixed mappings; 2e-8
 * for the one value where the stochastic Timeloop mapper's mapping differs from the one the design
 * states in a way that shows (Unfused energy at 16K, measured 1.94e-8; at 256K and 1M the mappings differ
 * too but the energies agree to 6e-12, so they are held to 1e-9 like the rest).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATTENTION, LINEAR } from '../../src/experiments/paper.ts';
import { reproductionCsvs } from '../../src/report/csv.ts';
import { publishedCsv, relErr, reproduction } from './helpers.ts';

const FIXED = 1e-9;
const MAPPER = 2e-8;

test('attention: every published BERT value of the five configurations', () => {
  const r = reproduction('artifact');
  let checked = 0;
  for (const a of ATTENTION) {
    const pub = publishedCsv(`attn-${a.key}-BERT.csv`);
    const rows = (r.attention.get(a.key) ?? []).filter((x) => x.model === 'BERT');
    assert.equal(rows.length, pub.rows.length, a.key);
    pub.rows.forEach((cells, i) => {
      const row = rows[i]!;
      assert.equal(row.seq, cells[1], `${a.key} row ${i}`);
      const res = row.result;
      const mine: Record<string, number> = { traffic: res.traffic, latency: res.latency, energy: res.energy, util_2d: res.utilization.get('2d') ?? 0, util_1d: res.utilization.get('1d') ?? 0 };
      for (const c of a.columns) mine[c] = res.einsumUtilization.get(c) ?? NaN;
      pub.header.forEach((h, j) => {
        if (j < 2 || h === '') return;
        const tol = a.key === 'unfused' && h === 'energy' && row.seq === '16K' ? MAPPER : FIXED;
        const e = relErr(mine[h]!, Number(cells[j]));
        assert.ok(e <= tol, `attn-${a.key} BERT ${row.seq} ${h}: ${mine[h]} vs published ${cells[j]} (rel. error ${e.toExponential(2)})`);
        checked++;
      });
    });
  }
  assert.equal(checked, 6 * (5 * 5 + 2 + 2 + 5 + 5));
});

test('end to end: every published BERT value on both platforms', () => {
  const r = reproduction('artifact');
  for (const l of LINEAR) {
    const pub = publishedCsv(`end2end-${l.key}-BERT.csv`);
    const rows = (r.linear.get(l.key) ?? []).filter((x) => x.model === 'BERT');
    pub.rows.forEach((cells, i) => {
      const res = rows[i]!.result;
      const mine = [res.traffic, res.latency, res.energy];
      mine.forEach((m, j) => assert.ok(relErr(m, Number(cells[j + 2])) <= FIXED, `end2end-${l.key} ${cells[1]} ${pub.header[j + 2]}: ${m} vs ${cells[j + 2]}`));
    });
  }
});

test('Pareto: every published BERT value (traffic, latencies, areas)', () => {
  const r = reproduction('artifact');
  const pub = publishedCsv('pareto-BERT.csv');
  const rows = r.pareto.filter((p) => p.model === 'BERT');
  assert.equal(rows.length, pub.rows.length);
  pub.rows.forEach((cells, i) => {
    const p = rows[i]!;
    assert.equal(String(p.pe), cells[2]);
    const mine = [p.traffic, p.memLatency, p.compute2d, p.compute1d, p.latency, p.array2dArea, p.area];
    mine.forEach((m, j) => assert.ok(relErr(m, Number(cells[j + 3])) <= FIXED, `pareto PE ${p.pe} ${pub.header[j + 3]}: ${m} vs ${cells[j + 3]}`));
  });
});

test('CSVs: the published names, columns and row order (all four models, 24 rows each)', () => {
  const files = reproductionCsvs(reproduction('artifact'));
  const names = files.map((f) => f.name);
  assert.deepEqual(names, ['attn-unfused.csv', 'attn-flat.csv', 'attn-cascade.csv', 'attn-arch.csv', 'attn-binding.csv', 'end2end-flat.csv', 'end2end-proposal.csv', 'pareto.csv']);
  for (const f of files) {
    const lines = f.text.trim().split('\n');
    const stem = f.name.replace('.csv', '');
    const pub = publishedCsv(`${stem}-BERT.csv`);
    assert.equal(lines[0], pub.header.join(','), `${f.name} header`);
    assert.equal(lines.length, 1 + 24, f.name);
    const keys = lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','));
    if (stem === 'pareto') {
      assert.deepEqual(keys.slice(0, 6), pub.rows.map((c) => c.slice(0, 3).join(',')));
    } else {
      const expected = ['BERT', 'TrXL', 'T5', 'XLM'].flatMap((m) => ['1K', '4K', '16K', '64K', '256K', '1M'].map((s) => `${m},${s}`));
      assert.deepEqual(keys.map((k) => k.split(',').slice(0, 2).join(',')), expected);
      // BERT's integer traffic prints exactly as published.
      pub.rows.forEach((c, i) => assert.equal(lines[i + 1]!.split(',')[2], c[2], `${f.name} BERT ${c[1]} traffic text`));
    }
  }
});
