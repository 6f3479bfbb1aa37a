/**
 * The paper's headline numbers (MICRO 2024, abstract and §7): FuseMax vs FLAT on attention ≈ 6.7×
 * faster (arithmetic mean over the 24 points) at ≈ 79% of the energy; end to end ≈ 5.3× at ≈ 83%.
 * Also: the physical fidelity evaluates every point (every mapping fits), changes only what the quirks
 * touch, and no model is special-cased (TrXL and T5 share BERT's per-element behaviour).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headlines, quirkEffect, stat } from '../../src/experiments/headlines.ts';
import { reproduction } from './helpers.ts';

test('artifact fidelity: the paper headline ratios', () => {
  const h = headlines(reproduction('artifact'));
  assert.ok(Math.abs(h.attention.speedupVsFlat.all.arith - 6.7) < 0.05, `attention speedup ${h.attention.speedupVsFlat.all.arith}`);
  assert.ok(Math.abs(h.attention.energyVsFlat.all.arith - 0.79) < 0.005, `attention energy ${h.attention.energyVsFlat.all.arith}`);
  assert.ok(Math.abs(h.endToEnd.speedupVsFlat.all.arith - 5.3) < 0.05, `end-to-end speedup ${h.endToEnd.speedupVsFlat.all.arith}`);
  assert.ok(Math.abs(h.endToEnd.energyVsFlat.all.arith - 0.83) < 0.005, `end-to-end energy ${h.endToEnd.energyVsFlat.all.arith}`);
  // FuseMax keeps both arrays busy (fusemax-model.md §7.6: 2D 0.970 [0.889–0.996], 1D 1.0).
  const u = h.utilization.get('binding')!;
  assert.ok(Math.abs(u.util2d.arith - 0.970) < 0.001 && Math.abs(u.util1d.arith - 1) < 1e-9);
});

test('physical fidelity: every point evaluates; latencies and traffic of fixed mappings are unchanged', () => {
  const a = reproduction('artifact');
  const p = reproduction('physical');
  for (const key of ['flat', 'cascade', 'arch', 'binding']) {
    const ra = a.attention.get(key)!;
    const rp = p.attention.get(key)!;
    ra.forEach((row, i) => {
      assert.equal(rp[i]!.result.latency, row.result.latency, `${key} ${row.model} ${row.seq} latency`);
      // Register energy is charged for every PE: physical energy is higher.
      assert.ok(rp[i]!.result.energy > row.result.energy * 0.99, `${key} ${row.model} ${row.seq} energy`);
    });
  }
  // The mapper's 8-block split at 256K becomes the 2 blocks that fit: less K/V traffic for Unfused.
  const u256a = a.attention.get('unfused')!.find((r) => r.model === 'BERT' && r.seq === '256K')!.result;
  const u256p = p.attention.get('unfused')!.find((r) => r.model === 'BERT' && r.seq === '256K')!.result;
  assert.ok(u256p.traffic < u256a.traffic);
  // No quirk moves a latency of FuseMax or FLAT (docs/reproduction.md): the speedups are the artifact's.
  const [ha, hp] = [headlines(a), headlines(p)];
  assert.equal(hp.attention.speedupVsFlat.all.arith, ha.attention.speedupVsFlat.all.arith);
  assert.equal(hp.endToEnd.speedupVsFlat.all.arith, ha.endToEnd.speedupVsFlat.all.arith);
});

test('no model is special-cased: TrXL and T5 differ from BERT only through their ranks', () => {
  const r = reproduction('artifact');
  const rows = r.attention.get('binding')!;
  const at = (m: string, s: string) => rows.find((x) => x.model === m && x.seq === s)!.result;
  // Same per-head work ratio: latency scales with H (BERT 12, TrXL 16, T5 8) at 1K.
  assert.ok(Math.abs(at('TrXL', '1K').latency / at('BERT', '1K').latency - 16 / 12) < 1e-12);
  assert.ok(Math.abs(at('T5', '1K').latency / at('BERT', '1K').latency - 8 / 12) < 1e-12);
});

test('statistics: geometric and arithmetic means, minimum and maximum, by hand', () => {
  const t = stat([1, 4, 16]);
  assert.ok(Math.abs(t.geo - 4) < 1e-14 && t.arith === 7 && t.min === 1 && t.max === 16, JSON.stringify(t));
  const s = stat([0.5, 2, 3]);
  assert.ok(Math.abs(s.geo - Math.cbrt(3)) < 1e-15 && s.arith === 5.5 / 3 && s.min === 0.5 && s.max === 3, JSON.stringify(s));
  assert.deepEqual(stat([-1, -3]).max, -1, 'the maximum starts below every value');
});

test('headline ratios recomputed from the reproduction\'s points: all points and per model, attention and end to end', () => {
  const r = reproduction('artifact');
  const h = headlines(r);
  const rows = (key: string) => r.attention.get(key)!;
  // End to end adds the linear layers: FLAT's hardware for FLAT and Unfused, FuseMax's for +Binding.
  const lin = (key: string, i: number) => r.linear.get(key === 'binding' ? 'proposal' : 'flat')![i]!.result;
  const at = (key: string, i: number, e2e: boolean, what: 'latency' | 'energy') => rows(key)[i]!.result[what] + (e2e ? lin(key, i)[what] : 0);
  const check = (got: { all: { geo: number; arith: number; min: number; max: number }; perModel: ReadonlyMap<string, { arith: number }> }, value: (i: number) => number, what: string) => {
    const values = rows('binding').map((_, i) => value(i));
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.abs(b);
    const geo = Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
    const arith = values.reduce((s, v) => s + v, 0) / values.length;
    assert.ok(close(got.all.geo, geo) && close(got.all.arith, arith) && got.all.min === Math.min(...values) && got.all.max === Math.max(...values), what);
    assert.deepEqual([...got.perModel.keys()], r.models, what);
    for (const m of r.models) {
      const mine = values.filter((_, i) => rows('binding')[i]!.model === m);
      assert.ok(close(got.perModel.get(m)!.arith, mine.reduce((s, v) => s + v, 0) / mine.length), `${what} ${m}`);
    }
  };
  for (const e2e of [false, true]) {
    const side = e2e ? h.endToEnd : h.attention;
    const name = e2e ? 'end to end' : 'attention';
    check(side.speedupVsFlat, (i) => at('flat', i, e2e, 'latency') / at('binding', i, e2e, 'latency'), `${name} speedup vs FLAT`);
    check(side.speedupVsUnfused, (i) => at('unfused', i, e2e, 'latency') / at('binding', i, e2e, 'latency'), `${name} speedup vs Unfused`);
    check(side.energyVsFlat, (i) => at('binding', i, e2e, 'energy') / at('flat', i, e2e, 'energy'), `${name} energy vs FLAT`);
    check(side.energyVsUnfused, (i) => at('binding', i, e2e, 'energy') / at('unfused', i, e2e, 'energy'), `${name} energy vs Unfused`);
  }
  assert.deepEqual([...h.utilization.keys()], ['unfused', 'flat', 'cascade', 'arch', 'binding']);
  const flat2d = rows('flat').map((x) => x.result.utilization.get('2d') ?? 0);
  assert.equal(h.utilization.get('flat')!.util2d.max, Math.max(...flat2d));
});

test('a quirk\'s effect: the largest relative change of any attention or linear-layer value, where, and the headlines without it', () => {
  const a = reproduction('artifact');
  const p = reproduction('physical');
  const same = quirkEffect('uint64-wrap', a, a);
  assert.deepEqual(same.maxChange, { value: 0, where: 'nothing changes' });
  assert.equal(same.mapperGap, undefined);
  // Recomputed: the largest |y − x| / |x| over every row and column (signed in the answer).
  let best = { value: 0, where: '' };
  for (const [kind, ma, mp] of [['attn', a.attention, p.attention], ['end2end', a.linear, p.linear]] as const) {
    for (const [key, rows] of ma) {
      rows.forEach((row, i) => {
        const o = mp.get(key)![i]!.result;
        for (const col of ['traffic', 'latency', 'energy'] as const) {
          const [x, y] = [row.result[col], o[col]];
          if (Math.abs(y - x) / Math.abs(x) > Math.abs(best.value)) best = { value: (y - x) / x, where: `${kind}-${key} ${row.model} ${row.seq} ${col}` };
        }
      });
    }
  }
  const effect = quirkEffect('per-instance-registers', a, p);
  assert.deepEqual(effect.maxChange, best);
  assert.ok(best.value !== 0);
  assert.equal(effect.quirk, 'per-instance-registers');
  assert.equal(effect.headlines.attention.energyVsFlat.all.arith, headlines(p).attention.energyVsFlat.all.arith);
});
