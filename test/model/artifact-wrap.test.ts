/**
 * Timeloop's uint64 wrap in partition sizes (fusemax-model.md §4.1, §8), reproduced only under
 * `fidelity: artifact`, and exact counts beyond 2^53. The large cases are the golden BERT-1K nests with
 * the sequence length raised to 256K and 1M as the artifact does (M1 = M/256, P = P1·P2·256); expected
 * values come from the reference's closed forms, not from the model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeNest, countBig, type NestStats } from '../../src/model/analysis.ts';
import { partitionStep, partitionStepBig } from '../../src/model/artifact-fidelity.ts';
import { bindNest } from '../../src/model/nest.ts';
import type { Fidelity, Mapping, Problem } from '../../src/model/types.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';

const root = join(import.meta.dirname, '..', 'fixtures', 'timeloop-golden');

/** A golden nest with new dimension sizes and new loop bounds per level. */
function scaled(dir: string, dims: Record<string, number>, bounds: Record<string, Record<string, number>>) {
  const loaded = loadTimeloopInput(dir, readFileSync(join(root, dir, 'parsed-processed-input.yaml'), 'utf8'));
  const problem: Problem = { ...loaded.problem, dimensions: { ...loaded.problem.dimensions, ...dims } };
  const mapping: Mapping = {
    levels: loaded.mapping.levels.map((l) => ({ ...l, temporal: l.temporal.map((loop) => ({ dim: loop.dim, bound: bounds[l.level]?.[loop.dim] ?? loop.bound })) })),
  };
  const bound = bindNest(loaded.arch, problem, mapping);
  assert.ok(bound.ok, JSON.stringify(!bound.ok && bound.issues));
  return bound.nest;
}

function tensorAt(stats: NestStats, level: string, tensor: string) {
  const t = stats.levels.find((l) => l.name === level)?.tensors.find((x) => x.tensor === tensor);
  assert.ok(t, `${level}.${tensor}`);
  return { reads: countBig(t.reads), fills: countBig(t.fills), updates: countBig(t.updates), partition: countBig(t.partitionSize) };
}

/** RNV of FuseMax (+Binding) at 256K: P1 = 128, P2 = 8, M1 = 1024. */
function rnv256K(H: number, fidelity: Fidelity) {
  const nest = scaled('proposal-BERT-1K-rnv', { H, M: 1024, P: 262144 }, { DRAM: { H, M: 1024, P: 8 }, L3: { P: 128 } });
  return tensorAt(analyzeNest(nest, { fidelity }), 'L3', 'RNV');
}

test('BERT 256K RNV: 3·2^63 mod 2^64 = 2^63, so the L3 partition is a third and reads are 2/3 of updates', () => {
  const size = 64n * 64n * 12n * 1024n * 262144n; // B·F·H·M1·P = 3·2^42
  const artifact = rnv256K(12, 'artifact');
  assert.equal(artifact.updates, size);
  assert.equal(artifact.partition, size / 3n);
  assert.equal(artifact.reads, (2n * size) / 3n);
  const physical = rnv256K(12, 'physical');
  assert.equal(physical.updates, size);
  assert.equal(physical.partition, size);
  assert.equal(physical.reads, 0n);
});

test('TrXL 256K RNV (H = 16): the product wraps to 0, so reads equal updates under artifact fidelity only', () => {
  const artifact = rnv256K(16, 'artifact');
  assert.equal(artifact.partition, 0n);
  assert.equal(artifact.reads, artifact.updates);
  assert.equal(artifact.updates, 1n << 44n);
  const physical = rnv256K(16, 'physical');
  assert.equal(physical.reads, 0n);
  assert.equal(physical.partition, 1n << 44n);
});

test('partition steps: exact when physical, wrapped modulo 2^64 when artifact, numbers and bigints alike', () => {
  const parent = 3 * 2 ** 42;
  assert.equal(partitionStep(parent, 2 ** 21, 1, 'physical'), parent);
  assert.equal(partitionStep(parent, 2 ** 21, 1, 'artifact'), 2 ** 42);
  assert.equal(partitionStep(parent, 2 ** 21, 256, 'artifact'), 2 ** 34);
  assert.equal(partitionStep(1000, 7, 10, 'artifact'), 100);
  assert.equal(partitionStepBig(3n << 42n, 1n << 21n, 1n, 'artifact'), 1n << 42n);
  assert.equal(partitionStepBig(3n << 42n, 1n << 21n, 4n, 'physical'), 3n << 40n);
});

test('QK at 1M (3·2^54 computes) is counted exactly with bigints: DRAM and L3 counts of §4.5', () => {
  // P1 = 128, P2 = 32, M1 = 4096 for E = 64 at 1M.
  const nest = scaled('proposal-BERT-1K-qk', { M: 4096, P: 1048576 }, { DRAM: { M: 4096, P: 32 }, L3: { P: 128 } });
  const stats = analyzeNest(nest);
  const [B, H, E, M1, P, P2] = [64n, 12n, 64n, 4096n, 1048576n, 32n];
  const M = M1 * 256n;
  assert.equal(typeof stats.computes, 'bigint');
  assert.equal(stats.computes, B * E * H * M * P);
  assert.ok(countBig(stats.computes) > BigInt(Number.MAX_SAFE_INTEGER));
  assert.equal(countBig(stats.cycles), (B * E * H * M * P) / 65536n);
  const dq = tensorAt(stats, 'DRAM', 'Q');
  const dk = tensorAt(stats, 'DRAM', 'BK');
  const lq = tensorAt(stats, 'L3', 'Q');
  const lk = tensorAt(stats, 'L3', 'BK');
  assert.equal(dq.reads, B * H * P * E);
  assert.equal(dk.reads, P2 * B * H * M * E);
  assert.equal(lq.reads, B * H * P * E * M1);
  assert.equal(lk.reads, B * H * M1 * P * E);
  assert.equal(lq.fills, B * H * P * E);
  assert.equal(lk.fills, P2 * B * H * M * E);
});
