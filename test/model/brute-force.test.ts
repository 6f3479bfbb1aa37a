/**
 * The closed-form counts (analysis.ts) against the brute-force simulator (simulate.ts: explicit loops,
 * explicit tile buffers) on thousands of random small nests: random dimensions, tensors (any subset of
 * the dimensions; one output), 2–4 levels of DRAM, buffers and fan-out stages, factors spread over
 * temporal and spatial X/Y loops of random levels in random orders, random keep sets. Physical fidelity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { analyzeNest, countNumber, type NestStats } from '../../src/model/analysis.ts';
import { bindNest } from '../../src/model/nest.ts';
import { simulateNest } from '../../src/model/simulate.ts';
import { nestEnergy } from '../../src/model/energy.ts';
import type { Architecture, LevelMapping, Loop, Mapping, Problem, ProjectionTerm, StorageLevel } from '../../src/model/types.ts';

const NO_ENERGY = { read: 0, write: 0, update: 0, leak: 0 };
const DIMS = ['I', 'J', 'K', 'L'];
const SIZES = [1, 2, 3, 4, 6, 8];

/** Reads choices off a tape of random numbers (fast-check shrinks the tape towards zeros). */
class Tape {
  private i = 0;
  constructor(private readonly values: readonly number[]) {}
  pick(n: number): number {
    const v = this.values[this.i++ % this.values.length] ?? 0;
    return v % n;
  }
}

function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; n > 1; p++) while (n % p === 0) (out.push(p), (n /= p));
  return out;
}

interface RandomNest {
  arch: Architecture;
  problem: Problem;
  mapping: Mapping;
}

function randomNest(values: readonly number[], affine = false): RandomNest {
  const tape = new Tape(values);
  const nDims = 2 + tape.pick(3);
  const dims = DIMS.slice(0, nDims);
  const sizes = dims.map(() => SIZES[tape.pick(SIZES.length)]!);

  const nTensors = 2 + tape.pick(2);
  const dataSpaces = Array.from({ length: nTensors }, (_, t) => {
    let mask = tape.pick((1 << nDims) - 1) + 1; // a non-empty subset
    if (t === nTensors - 1 && tape.pick(4) === 0) mask = (1 << nDims) - 1;
    const ranks: ProjectionTerm[][] = dims.filter((_, d) => mask & (1 << d)).map((dim) => [{ dim, coefficient: 1 }]);
    // Inputs may get sliding-window ranks: a sum of two or three dimensions with coefficients 1–3
    // (a stride or a dilation), sometimes a dimension shared with another rank.
    if (affine && t < nTensors - 1 && tape.pick(3) > 0) {
      const n = 2 + tape.pick(2);
      const terms: ProjectionTerm[] = [];
      for (let i = 0; i < n; i++) {
        const dim = dims[tape.pick(nDims)]!;
        if (!terms.some((x) => x.dim === dim)) terms.push({ dim, coefficient: 1 + (tape.pick(3) === 0 ? tape.pick(3) : 0) });
      }
      if (tape.pick(2) === 0 || ranks.length === 0) ranks.push(terms);
      else ranks[tape.pick(ranks.length)] = terms;
    }
    return { name: `T${t}`, projection: ranks, isOutput: t === nTensors - 1 };
  });

  // Levels: DRAM, then buffers or fan-out stages.
  const nLevels = 2 + tape.pick(3);
  const kinds: StorageLevel['kind'][] = ['dram'];
  for (let i = 1; i < nLevels; i++) kinds.push(tape.pick(3) === 0 ? 'spatial' : 'buffer');

  // Spread each dimension's prime factors over (level, temporal | x | y) slots.
  type Slot = { temporal: Map<string, number>; x: Map<string, number>; y: Map<string, number> };
  const slots: Slot[] = kinds.map(() => ({ temporal: new Map(), x: new Map(), y: new Map() }));
  dims.forEach((dim, d) => {
    for (const p of primeFactors(sizes[d]!)) {
      const level = tape.pick(nLevels);
      let space = (['temporal', 'temporal', 'x', 'y'] as const)[tape.pick(4)]!;
      // A dimension goes to X or to Y at one level, not both.
      if (space === 'x' && slots[level]!.y.has(dim)) space = 'y';
      if (space === 'y' && slots[level]!.x.has(dim)) space = 'x';
      const m = slots[level]![space];
      m.set(dim, (m.get(dim) ?? 1) * p);
    }
  });
  const shuffled = (m: Map<string, number>): Loop[] => {
    const loops = [...m].map(([dim, bound]) => ({ dim, bound }));
    for (let i = loops.length - 1; i > 0; i--) {
      const j = tape.pick(i + 1);
      [loops[i], loops[j]] = [loops[j]!, loops[i]!];
    }
    return loops;
  };
  const fan = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a * b, 1) * (tape.pick(4) === 0 ? 2 : 1);

  // Distinct small per-action energies, so that every count and every instance factor shows in the energy.
  const energy = () => ({ read: 1 + tape.pick(7), write: 1 + tape.pick(7), update: 1 + tape.pick(7), leak: tape.pick(3) });
  const levels: StorageLevel[] = kinds.map((kind, i) => {
    const base = { name: `L${i}`, fanoutX: fan(slots[i]!.x), fanoutY: fan(slots[i]!.y), area: 0 };
    switch (kind) {
      case 'dram':
        return { kind, ...base, blockSize: 1, energy: energy() };
      case 'buffer':
        return { kind, ...base, depth: 1 << 20, blockSize: 1, energy: energy() };
      case 'spatial':
        return { kind, ...base };
    }
  });

  const keep: string[][] = kinds.map((kind) => (kind === 'spatial' ? [] : dataSpaces.filter(() => tape.pick(2) === 0).map((d) => d.name)));
  for (const ds of dataSpaces) {
    if (keep.some((k) => k.includes(ds.name))) continue;
    const candidates = kinds.map((k, i) => (k === 'spatial' ? -1 : i)).filter((i) => i >= 0);
    keep[candidates[tape.pick(candidates.length)]!]!.push(ds.name);
  }

  const mapping: Mapping = {
    levels: kinds.map((_, i): LevelMapping => ({ level: `L${i}`, temporal: shuffled(slots[i]!.temporal), spatialX: shuffled(slots[i]!.x), spatialY: shuffled(slots[i]!.y), keep: keep[i]! })),
  };
  const problem: Problem = { name: 'random', dimensions: Object.fromEntries(dims.map((d, i) => [d, sizes[i]!])), dataSpaces };
  const arch: Architecture = { name: 'random', wordBits: 16, levels, compute: { name: 'mac', units: [{ name: 'mac', energy: 1 + tape.pick(5), area: 0 }] } };
  return { arch, problem, mapping };
}

function comparable(s: NestStats, affineTensors: ReadonlySet<string> = new Set()): unknown {
  const plain = JSON.parse(JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as NestStats;
  // An affine tensor's partition size is Timeloop's formula, not the simulator's union of points.
  for (const l of plain.levels) for (const t of l.tensors) if (affineTensors.has(t.tensor)) (t as { partitionSize: unknown }).partitionSize = null;
  return plain;
}

test('closed-form counts and energy equal the brute-force simulation on 3000 random nests (idle instances included)', () => {
  const params = propertyParams(3000);
  let kept = 0;
  let partlyUsed = 0;
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 1_000_000 }), { minLength: 80, maxLength: 80 }), (values) => {
      const { arch, problem, mapping } = randomNest(values);
      const bound = bindNest(arch, problem, mapping);
      assert.ok(bound.ok, JSON.stringify(!bound.ok && bound.issues));
      const analytic = analyzeNest(bound.nest, { fidelity: 'physical' });
      const simulated = simulateNest(bound.nest);
      assert.deepEqual(comparable(analytic), comparable(simulated), JSON.stringify({ problem, mapping, arch: arch.levels }));
      assert.deepEqual(comparable(analyzeNest(bound.nest, { arithmetic: 'bigint' })), comparable(analytic));
      kept += analytic.levels.reduce((n, l) => n + l.tensors.length, 0);
      // Energy as Timeloop (v0.4) adds it up, from the simulator's counts: each access of every instance
      // in use (the simulator's per-instance counts are its totals split over those instances), leakage
      // of the instances in use only (idle ones are power-gated) for every cycle, one compute energy per
      // compute.
      let want = countNumber(simulated.computes) * arch.compute.units[0]!.energy;
      simulated.levels.forEach((l, i) => {
        const spec = arch.levels[i]!;
        if (spec.kind === 'spatial') return;
        for (const t of l.tensors) want += (countNumber(t.reads) * spec.energy.read + countNumber(t.fills) * spec.energy.write + countNumber(t.updates) * spec.energy.update) * t.utilizedInstances;
        want += spec.energy.leak * countNumber(simulated.cycles) * l.utilizedInstances;
        if (l.instances > l.utilizedInstances) partlyUsed++;
      });
      const got = nestEnergy(bound.nest, analytic).total;
      assert.ok(Math.abs(got - want) <= 1e-12 * want, `energy ${got} vs ${want}: ${JSON.stringify({ problem, mapping, arch: arch.levels })}`);
    }),
    params,
  );
  assert.ok(kept > params.numRuns * 2, 'the random nests keep tensors at several levels');
  assert.ok(partlyUsed > params.numRuns / 10, `only ${partlyUsed} levels had idle instances`);
});

test('closed-form counts equal the brute-force simulation on 1500 random nests with sliding windows and strides', () => {
  const params = propertyParams(1500);
  let affineKept = 0;
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 1_000_000 }), { minLength: 100, maxLength: 100 }), (values) => {
      const { arch, problem, mapping } = randomNest(values, true);
      const bound = bindNest(arch, problem, mapping);
      assert.ok(bound.ok, JSON.stringify(!bound.ok && bound.issues));
      const affine = new Set(bound.nest.tensors.filter((t) => t.affine).map((t) => t.name));
      const analytic = analyzeNest(bound.nest, { fidelity: 'physical' });
      const simulated = simulateNest(bound.nest);
      assert.deepEqual(comparable(analytic, affine), comparable(simulated, affine), JSON.stringify({ problem, mapping, arch: arch.levels }));
      assert.deepEqual(comparable(analyzeNest(bound.nest, { arithmetic: 'bigint' })), comparable(analytic));
      affineKept += analytic.levels.reduce((n, l) => n + l.tensors.filter((t) => affine.has(t.tensor)).length, 0);
    }),
    params,
  );
  assert.ok(affineKept > params.numRuns, 'sliding-window tensors are kept at several levels');
});

test('the simulator exercises multicast, reduction, stationarity and refetch', () => {
  // A fixed nest where each effect changes the counts: Z[I,J] = Σ_K A[I,K]·B[K,J] on DRAM → GLB (fan-out
  // 2×2) → RF, with K outside I at DRAM (refetch of Z), J spatial over A (multicast), K spatial over Z
  // (reduction) and only I-loops below K (stationary B).
  const r = (d: string) => [{ dim: d, coefficient: 1 }];
  const problem: Problem = { name: 'gemm', dimensions: { I: 4, J: 2, K: 4 }, dataSpaces: [
    { name: 'A', projection: [r('I'), r('K')], isOutput: false },
    { name: 'B', projection: [r('K'), r('J')], isOutput: false },
    { name: 'Z', projection: [r('I'), r('J')], isOutput: true },
  ] };
  const arch: Architecture = { name: 'g', wordBits: 16, compute: { name: 'mac', units: [{ name: 'mac', energy: 1, area: 0 }] }, levels: [
    { kind: 'dram', name: 'DRAM', fanoutX: 1, fanoutY: 1, area: 0, blockSize: 1, energy: NO_ENERGY },
    { kind: 'buffer', name: 'GLB', fanoutX: 2, fanoutY: 2, area: 0, depth: 64, blockSize: 1, energy: NO_ENERGY },
    { kind: 'buffer', name: 'RF', fanoutX: 1, fanoutY: 1, area: 0, depth: 8, blockSize: 1, energy: NO_ENERGY },
  ] };
  const mapping: Mapping = { levels: [
    { level: 'DRAM', temporal: [{ dim: 'K', bound: 2 }, { dim: 'I', bound: 2 }], spatialX: [], spatialY: [], keep: ['A', 'B', 'Z'] },
    { level: 'GLB', temporal: [{ dim: 'I', bound: 2 }], spatialX: [{ dim: 'J', bound: 2 }], spatialY: [{ dim: 'K', bound: 2 }], keep: ['A', 'B', 'Z'] },
    { level: 'RF', temporal: [], spatialX: [], spatialY: [], keep: ['A', 'B', 'Z'] },
  ] };
  const bound = bindNest(arch, problem, mapping);
  assert.ok(bound.ok);
  const sim = simulateNest(bound.nest);
  assert.deepEqual(comparable(analyzeNest(bound.nest)), comparable(sim));
  const at = (l: string, t: string) => sim.levels.find((x) => x.name === l)!.tensors.find((x) => x.tensor === t)!;
  // A[I,K] at the GLB: 8 cycles × K-split 2 = 16 reads, not 32: the two J columns share each read.
  assert.equal(at('GLB', 'A').reads, 16);
  // B[K,J] stays in the RF while I runs: each RF loads its one B point once per DRAM K step.
  assert.equal(at('RF', 'B').fills, 2);
  // Z[I,J]: the two K rows reduce into one GLB update (16, not 32); Z is refetched from DRAM for the
  // second K half (8 reads of partial sums).
  assert.equal(at('GLB', 'Z').updates, 16);
  assert.equal(at('DRAM', 'Z').reads, 8);
  assert.equal(at('DRAM', 'Z').updates, 16);
});
