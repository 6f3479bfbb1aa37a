/**
 * The epoch scheduler (src/design/schedule.ts): +Binding's waterfall is found for +Binding's binding
 * (fusemax-model.md §4.5: at BERT 1K, 1,892,352 cycles, the 1D array's total); on random small groups the
 * dynamic program's optimum equals a brute force over every assignment of Einsums to epochs and stages,
 * written independently from the precedence rules of the schedule model; every schedule returned
 * respects the dependencies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { scheduleEpochs, type ScheduleInput } from '../../src/design/schedule.ts';

test("+Binding's binding gets the waterfall's length (BERT 1K, cycles from fusemax-model.md §4.5)", () => {
  // c_X = cycles × cost: QK BHMPE/65536, LM/SLN/SLD BHMP/65536 (SLN ×7), SLNV BHMPF/65536 on 2D;
  // RM/PRM/SPD/RD BHM1P/256 (PRM ×7), SPNV/RNV BHM1PF/256, AV BHPF/256 on 1D.
  const names = ['QK', 'LM', 'RM', 'SLN', 'SLD', 'SLNV', 'PRM', 'SPD', 'RD', 'SPNV', 'RNV', 'AV'];
  const cycles: Record<string, [string, number]> = {
    QK: ['2d', 786432], LM: ['2d', 12288], SLN: ['2d', 86016], SLD: ['2d', 12288], SLNV: ['2d', 786432],
    RM: ['1d', 12288], PRM: ['1d', 86016], SPD: ['1d', 12288], RD: ['1d', 12288], SPNV: ['1d', 786432], RNV: ['1d', 786432], AV: ['1d', 196608],
  };
  const i = (n: string): number => names.indexOf(n);
  const within: [number, number][] = [
    ['QK', 'LM'], ['LM', 'RM'], ['RM', 'SLN'], ['QK', 'SLN'], ['SLN', 'SLD'], ['SLN', 'SLNV'], ['RM', 'PRM'], ['PRM', 'SPD'], ['SLD', 'RD'], ['SPD', 'RD'],
    ['PRM', 'SPNV'], ['SLNV', 'RNV'], ['SPNV', 'RNV'], ['RD', 'AV'], ['RNV', 'AV'],
  ].map(([a, b]) => [i(a!), i(b!)]);
  const carried: [number, number][] = [['RM', 'RM'], ['RM', 'PRM'], ['RD', 'SPD'], ['RNV', 'SPNV'], ['RD', 'RD'], ['RNV', 'RNV']].map(([a, b]) => [i(a!), i(b!)]);
  const s = scheduleEpochs({ nodes: names.map((n) => ({ name: n, array: cycles[n]![0], seconds: cycles[n]![1] })), within, carried });
  assert.equal(s.seconds, 1892352);
  assert.equal(s.lowerBound, 1892352);
  assertValid({ nodes: names.map((n) => ({ name: n, array: cycles[n]![0], seconds: cycles[n]![1] })), within, carried }, s.epochs, s.late);
});

/** Check a schedule against the rules: every Einsum once, one lane per array and epoch, dependencies kept. */
function assertValid(input: ScheduleInput, epochs: readonly (readonly (readonly string[])[])[], late: readonly string[]): void {
  const where = new Map<string, { epoch: number; lane: number; pos: number }>();
  epochs.forEach((e, ei) => {
    const arrays = e.map((lane) => input.nodes.find((x) => x.name === lane[0])!.array);
    assert.equal(new Set(arrays).size, arrays.length, 'one lane per array');
    e.forEach((lane, li) => lane.forEach((n, pos) => {
      assert.ok(!where.has(n), `${n} scheduled twice`);
      assert.equal(input.nodes.find((x) => x.name === n)!.array, arrays[li]);
      where.set(n, { epoch: ei, lane: li, pos });
    }));
  });
  assert.equal(where.size, input.nodes.length);
  const before = (a: string, b: string): boolean => {
    const x = where.get(a)!;
    const y = where.get(b)!;
    return x.epoch < y.epoch || (x.epoch === y.epoch && x.lane === y.lane && x.pos < y.pos);
  };
  const stage = (n: string): number => (late.includes(n) ? 1 : 0);
  for (const [a, b] of input.within) {
    const [na, nb] = [input.nodes[a]!.name, input.nodes[b]!.name];
    if (a === b) continue;
    assert.ok(stage(na) <= stage(nb), `${na} → ${nb}: a late producer needs a late reader`);
    if (stage(na) === stage(nb)) assert.ok(before(na, nb), `${na} must run before ${nb}`);
  }
  for (const [a, b] of input.carried) {
    const [na, nb] = [input.nodes[a]!.name, input.nodes[b]!.name];
    if (a !== b && stage(na) === 1 && stage(nb) === 0) assert.ok(before(na, nb), `${na} (late) must run before ${nb} of the next step`);
  }
}

/** The optimum by brute force: every (epoch, stage) per Einsum, lanes ordered by the dependencies. */
function bruteForce(input: ScheduleInput): number {
  const n = input.nodes.length;
  let best = Infinity;
  const epoch = new Array<number>(n).fill(0);
  const stage = new Array<number>(n).fill(0);
  const check = (): number => {
    // Precedences inside one step of the body.
    const pred: number[][] = input.nodes.map(() => []);
    for (const [a, b] of input.within) {
      if (a === b) continue;
      if (stage[a]! > stage[b]!) return Infinity;
      if (stage[a] === stage[b]) pred[b]!.push(a);
    }
    for (const [a, b] of input.carried) if (a !== b && stage[a] === 1 && stage[b] === 0) pred[b]!.push(a);
    for (let b = 0; b < n; b++) for (const a of pred[b]!) {
      if (epoch[a]! > epoch[b]!) return Infinity;
      if (epoch[a] === epoch[b] && input.nodes[a]!.array !== input.nodes[b]!.array) return Infinity;
    }
    // Within a lane the precedences must be acyclic (a topological order exists).
    const indeg = pred.map((p, b) => p.filter((a) => epoch[a] === epoch[b]).length);
    const ready = indeg.map((d, i) => (d === 0 ? i : -1)).filter((i) => i >= 0);
    let seen = 0;
    while (ready.length > 0) {
      const x = ready.pop()!;
      seen++;
      // Once per listed dependency: a dependency may be listed twice (two reads of one tensor).
      for (let b = 0; b < n; b++) for (const a of pred[b]!) if (a === x && epoch[x] === epoch[b] && --indeg[b]! === 0) ready.push(b);
    }
    if (seen < n) return Infinity;
    let total = 0;
    for (let e = 0; e < n; e++) {
      const per = new Map<string, number>();
      input.nodes.forEach((x, i) => {
        if (epoch[i] === e) per.set(x.array, (per.get(x.array) ?? 0) + x.seconds);
      });
      total += Math.max(0, ...per.values());
    }
    return total;
  };
  const walk = (i: number): void => {
    if (i === n) {
      best = Math.min(best, check());
      return;
    }
    for (let e = 0; e < n; e++) for (let s = 0; s < 2; s++) {
      epoch[i] = e;
      stage[i] = s;
      walk(i + 1);
    }
  };
  walk(0);
  return best;
}

const smallGroup = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.record({
    arrays: fc.array(fc.constantFrom('2d', '1d'), { minLength: n, maxLength: n }),
    seconds: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: n, maxLength: n }),
    within: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 5 }),
    carried: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 3 }),
  }),
);

test('a dependency listed twice: the late 2D lane overlaps the 1D Einsum it reads (found by FUSEMAX_PROPERTY_SEED=random)', () => {
  // E0 (1D, 9 s) → E1 → E2 (2D, 1 s each), E1 → E2 listed twice. E1 and E2 run one step late, beside the
  // next step's E0: one epoch of 9 s, the 1D array's total.
  const input: ScheduleInput = { nodes: [{ name: 'E0', array: '1d', seconds: 9 }, { name: 'E1', array: '2d', seconds: 1 }, { name: 'E2', array: '2d', seconds: 1 }], within: [[1, 2], [1, 2], [0, 1]], carried: [] };
  const s = scheduleEpochs(input);
  assertValid(input, s.epochs, s.late);
  assert.deepEqual([s.epochs, s.late, s.seconds], [[[['E0'], ['E1', 'E2']]], ['E1', 'E2'], 9]);
  assert.equal(bruteForce(input), 9);
});

test('random groups: the optimum of the brute force, and a valid schedule', () => {
  fc.assert(
    fc.property(smallGroup, (g) => {
      const input: ScheduleInput = {
        nodes: g.arrays.map((a, i) => ({ name: `E${i}`, array: a, seconds: g.seconds[i]! })),
        // Dependencies go forward (cascade order), as between a cascade's Einsums.
        within: g.within.filter(([a, b]) => a < b),
        carried: g.carried,
      };
      const s = scheduleEpochs(input);
      assertValid(input, s.epochs, s.late);
      assert.equal(s.seconds, bruteForce(input));
      assert.ok(s.seconds >= s.lowerBound);
    }),
    propertyParams(150),
  );
});
