/**
 * Physical fidelity against closed forms transcribed from ../shared/reference/fusemax-model.md, for
 * every model at every paper length: FuseMax's (+Binding) traffic and latency (§4.5), its DRAM and
 * global-buffer counts (§4.5 table; physically no uint64 wrap, §4.1), +Architecture's
 * latency (§4.6, same Einsums and energy as +Binding), and the energy of +Cascade's exponentials, which
 * the artifact dropped (§4.7, §8 item 10) and the physical fidelity charges at the 1D exponential unit's
 * 94.6475 pJ (§3.3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePoint } from '../../src/experiments/paper.ts';
import { quirksFor } from '../../src/experiments/artifact-quirks.ts';
import { countNumber } from '../../src/model/analysis.ts';
import { library, relErr } from './helpers.ts';

// §1.2: B = 64 and per model H, E, F; M = P = the sequence length.
const B = 64;
const MODELS: Readonly<Record<string, { H: number; E: number; F: number }>> = {
  BERT: { H: 12, E: 64, F: 64 }, TrXL: { H: 16, E: 64, F: 64 }, T5: { H: 8, E: 64, F: 64 }, XLM: { H: 16, E: 128, F: 128 },
};
const SEQS: ReadonlyArray<readonly [string, number]> = [['1K', 1024], ['4K', 4096], ['16K', 16384], ['64K', 65536], ['256K', 262144], ['1M', 1048576]];
// §4.5 P1 selection: P2 = 1, 1, 1, 2, 8, 32 for E = 64 and 1, 1, 1, 4, 16, 64 for E = 128.
const P2: Readonly<Record<number, readonly number[]>> = { 64: [1, 1, 1, 2, 8, 32], 128: [1, 1, 1, 4, 16, 64] };
const PE = 256;
const CLOCK = 940e6; // §3.4
const BANDWIDTH = 400 * 2 ** 30; // §3.4, bytes per second
const EXP_ENERGY = 94.6475; // §3.3, pJ: 5 fpmac + 1 fpmultiplier

const physical = quirksFor('physical');

function points(): Array<{ model: string; seq: string; H: number; E: number; F: number; M: number; P: number; M1: number; P2: number }> {
  return Object.entries(MODELS).flatMap(([model, { H, E, F }]) => SEQS.map(([seq, n], i) => ({ model, seq, H, E, F, M: n, P: n, M1: n / PE, P2: (P2[E] as readonly number[])[i] as number })));
}

/** Seconds of each Einsum (§4.5 cycles × cost / clock; SLN and PRM cost 6 MAC + 1 add). */
function einsumSeconds(x: ReturnType<typeof points>[number]): Record<string, number> {
  const { H, F, M, P, M1 } = x;
  const bhmp = B * H * M * P;
  const cycles: Record<string, number> = {
    QK: (bhmp * x.E) / 65536, LM: bhmp / 65536, SLN: (7 * bhmp) / 65536, SLD: bhmp / 65536, SLNV: (bhmp * F) / 65536,
    RM: (B * H * M1 * P) / 256, PRM: (7 * B * H * M1 * P) / 256, SPD: (B * H * M1 * P) / 256, RD: (B * H * M1 * P) / 256,
    SPNV: (B * H * M1 * P * F) / 256, RNV: (B * H * M1 * P * F) / 256, AV: (B * H * P * F) / 256,
  };
  return Object.fromEntries(Object.entries(cycles).map(([k, v]) => [k, v / CLOCK]));
}

test('FuseMax (+Binding), physical: traffic and latency in closed form for every model and length', () => {
  for (const x of points()) {
    const r = evaluatePoint(library(), 'binding', x.model, x.seq, physical);
    const traffic = 2 * (B * x.H * x.P * x.E + x.P2 * B * x.H * x.M * x.E + x.P2 * B * x.H * x.M * x.F + B * x.H * x.P * x.F);
    assert.equal(r.traffic, traffic, `${x.model} ${x.seq} traffic`);
    const c = einsumSeconds(x) as Record<string, number> & { QK: number; LM: number; RD: number; RNV: number; AV: number; RM: number; SLN: number; SLD: number; PRM: number; SPD: number; SLNV: number; SPNV: number };
    // The waterfall of §4.5.
    const comp = Math.max(c.QK + c.LM, c.RD + c.RNV + c.AV) + c.RM + Math.max(c.SLN + c.SLD, c.PRM + c.SPD) + Math.max(c.SLNV, c.SPNV);
    const latency = Math.max(comp, traffic / BANDWIDTH);
    assert.ok(relErr(r.latency, latency) < 1e-12, `${x.model} ${x.seq} latency ${r.latency} vs ${latency}`);
    // +Architecture: same Einsums, traffic and energy; the 2D array stalls PE × LM's time for RM (§4.6).
    const a = evaluatePoint(library(), 'arch', x.model, x.seq, physical);
    const stalled = Math.max(c.QK + c.LM, c.RD + c.AV) + c.LM * PE + c.RM + Math.max(c.SLN + c.SLD, c.PRM + c.SPD) + Math.max(c.SLNV, c.SPNV + c.RNV);
    assert.ok(relErr(a.latency, Math.max(stalled, traffic / BANDWIDTH)) < 1e-12, `${x.model} ${x.seq} +Architecture latency`);
    assert.equal(a.traffic, r.traffic);
    assert.ok(relErr(a.energy, r.energy) < 1e-12, `${x.model} ${x.seq} +Architecture energy equals +Binding's`);
  }
});

test("+Cascade, physical: its exponentials cost 94.6475 pJ each, B·H·(M·P + M1·P) of them (SLN and PRM)", () => {
  for (const x of points()) {
    const charged = evaluatePoint(library(), 'cascade', x.model, x.seq, physical).energy;
    const dropped = evaluatePoint(library(), 'cascade', x.model, x.seq, new Set(['unmatched-energy-key'])).energy;
    const exps = B * x.H * (x.M * x.P + x.M1 * x.P);
    assert.ok(relErr(charged - dropped, exps * EXP_ENERGY) < 1e-9, `${x.model} ${x.seq}: ${charged - dropped} pJ vs ${exps * EXP_ENERGY}`);
  }
});

test('FuseMax (+Binding), physical: DRAM and global-buffer counts of every Einsum as in the §4.5 table, no wrap', () => {
  for (const x of points()) {
    const { H, E, F, M, P, M1, P2: p2 } = x;
    const bh = B * H;
    // Einsum level tensor: reads, fills, updates (words). RNV written once: no reads (§4.1, without the wrap).
    const want: Record<string, readonly [number, number, number]> = {
      'QK DRAM Q': [bh * P * E, 0, 0], 'QK DRAM BK': [p2 * bh * M * E, 0, 0],
      'QK global_buffer Q': [bh * P * E * M1, bh * P * E, 0], 'QK global_buffer BK': [bh * M1 * P * E, p2 * bh * M * E, 0],
      'SLNV DRAM BV': [p2 * bh * M * F, 0, 0], 'SLNV global_buffer BV': [bh * M1 * P * F, p2 * bh * M * F, 0],
      'RM global_buffer RM0': [bh * M1 * P, 0, 0], 'RM global_buffer RM': [0, 0, bh * M1 * P],
      'SPD global_buffer RD0': [bh * M1 * P, 0, 0], 'SPNV global_buffer RNV0': [bh * M1 * P * F, 0, 0],
      'RD global_buffer RD': [0, 0, bh * M1 * P], 'RNV global_buffer RNV': [0, 0, bh * M1 * P * F],
      'AV DRAM AV': [0, 0, bh * P * F], 'AV global_buffer RNV': [bh * P * F, 0, 0], 'AV global_buffer RD': [bh * P, 0, 0],
    };
    const got: Record<string, readonly [number, number, number]> = {};
    for (const e of evaluatePoint(library(), 'binding', x.model, x.seq, physical).einsums) {
      for (const l of e.stats.levels) {
        if (l.name !== 'DRAM' && l.name !== 'global_buffer') continue;
        for (const t of l.tensors) got[`${e.name} ${l.name} ${t.tensor}`] = [countNumber(t.reads), countNumber(t.fills), countNumber(t.updates)];
      }
    }
    assert.deepEqual(got, want, `${x.model} ${x.seq}`);
  }
});
