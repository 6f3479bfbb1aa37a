import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { textbookAttention } from '../../src/exec/reference-attention.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';
import { runFused } from '../../src/exec/fused.ts';
import { analysePasses } from '../../src/analysis/passes.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { maxRelativeDifference, Tensor } from '../../src/tensor/index.ts';
import { builtinCascade } from '../helpers/cascades.ts';
import { shapesOf } from '../helpers/run.ts';

// M = 1000 in tiles of 256: M1 = ⌈1000/256⌉ = 4, the last tile holds 232 keys (TeAAL's uniform shape split).
const RAGGED = { M: 1000, M0: 256, P: 24, E: 8, F: 6 };

for (const name of ['attention-2pass', 'attention-1pass']) {
  test(`${name} with a partial last tile (M = 1000, M0 = 256) equals float64 attention, sequential and fused`, () => {
    const c = builtinCascade(name);
    const shapes = shapesOf(c, RAGGED);
    assert.equal(shapes.get('M1'), 4);
    for (const scale of [1, 25]) {
      const base = completeInputs(c, shapes, 7);
      const inputs = new Map([...base].map(([n, t]) => [n, n === 'V' ? t : Tensor.fromDense(n, t.rankIds, t.shape, t.toDense().map((v) => v * scale))] as const));
      const d = (n: string) => (inputs.get(n) as Tensor).toDense();
      const ref = textbookAttention({ M: 1000, P: 24, E: 8, F: 6 }, d('Q'), d('K'), d('V'));
      const seq = runCascade(c, shapes, inputs);
      assert.ok(maxRelativeDifference((seq.outputs.get('AV') as Tensor).toDense(), ref) < 1e-12, `scale ${scale}`);
      // The padding of the last tile is never visited: BQK is computed at exactly M·P points.
      const bqk = c.einsums.findIndex((e) => e.output.tensor === 'BQK');
      assert.equal(seq.visits[bqk], 1000 * 24 * 8);
      for (const rank of ['M1', 'M0']) {
        const fused = runFused(c, shapes, inputs, rank);
        assert.equal(fused.trace.traversalsPerFiber, analysePasses(c).ranks.get(rank));
        assert.deepEqual(Array.from((fused.outputs.get('AV') as Tensor).toDense()), Array.from((seq.outputs.get('AV') as Tensor).toDense()));
      }
    }
  });
}

test('ragged shapes: one partial tile, exact tiles, and M1 given instead of M0', () => {
  const c = loadCascade('input A[M]\nB[m1,m0] = A[m1*M0+m0]\nS = B[m1,m0]\nL[m1] = B[m1,m0] :: reduce max\n', 'sum.cascade');
  for (const [shapes, tiles] of [[{ M: 5, M0: 8 }, 1], [{ M: 12, M0: 4 }, 3], [{ M: 13, M0: 4 }, 4], [{ M: 13, M1: 4 }, 4]] as const) {
    const s = shapesOf(c, shapes);
    assert.equal(s.get('M1'), tiles, JSON.stringify(shapes));
    const inputs = completeInputs(c, s, 3);
    const a = (inputs.get('A') as Tensor).toDense();
    const r = runCascade(c, s, inputs);
    const sum = a.reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(((r.tensors.get('S') as Tensor).toDense()[0] as number) - sum) < 1e-12);
    // A max over a partial tile sees only its real elements (the padding would add zeros).
    const m0 = s.get('M0') as number;
    const maxes = (r.tensors.get('L') as Tensor).toDense();
    for (let t = 0; t < tiles; t++) assert.equal(maxes[t], Math.max(...a.slice(t * m0, Math.min(a.length, (t + 1) * m0))));
  }
});

test('fusemax run attention-1pass --shape M=1000,M0=256 runs', () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'fusemax.js');
  const r = spawnSync(process.execPath, [bin, 'run', 'attention-1pass', '--shape', 'M=1000,M0=256,P=16,E=8,F=8', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { shapes: Record<string, number> }).shapes['M1'], 4);
});

test('an Einsum with two variables over a part of a ragged partition is FM254 (which pair bounds the last tile?)', () => {
  const c = loadCascade('input A[M]\nB[m1,m0] = A[m1*M0+m0]\nT[m1,m0,j] = B[m1,m0] * B[m1,j]\n', 'pairs.cascade');
  assert.throws(() => runCascade(c, shapesOf(c, { M: 10, M0: 4 }), completeInputs(c, shapesOf(c, { M: 10, M0: 4 }), 1)), /FM254: 'T' iterates M1 or M0 with several variables/);
  // With tiles that divide M there is no partial tile, and nothing to pair.
  const s = shapesOf(c, { M: 12, M0: 4 });
  assert.doesNotThrow(() => runCascade(c, s, completeInputs(c, s, 1)));
});
