/**
 * @file Random small mapping problems for the mapper's tests: dimensions, tensors (a quarter of the
 * problems with a sliding-window input), two to four levels of
 * DRAM, buffers and fan-out stages with random energies, leakage and block sizes, random constraints
 * and metric lists, all read off a tape of random numbers (fast-check shrinks it towards zeros).
 */
import type { LevelConstraint, MapspaceConstraints } from '../../src/mapper/constraints.ts';
import type { Metric } from '../../src/mapper/metrics.ts';
import type { Architecture, Problem, StorageLevel } from '../../src/model/types.ts';

export class Tape {
  private i = 0;
  constructor(private readonly values: readonly number[]) {}
  pick(n: number): number {
    return (this.values[this.i++ % this.values.length] ?? 0) % n;
  }
}

const DIMS = ['I', 'J', 'K'];
const SIZES = [1, 2, 3, 4, 6];
const METRIC_LISTS: Metric[][] = [['edp'], ['energy'], ['delay', 'energy'], ['last_level_accesses', 'energy'], ['energy', 'delay']];

export interface RandomCase {
  arch: Architecture;
  problem: Problem;
  constraints: MapspaceConstraints;
  metrics: Metric[];
}

export function randomCase(values: readonly number[]): RandomCase {
  const tape = new Tape(values);
  const nDims = 2 + tape.pick(2);
  const dims = DIMS.slice(0, nDims);
  const dimensions: Record<string, number> = {};
  for (const d of dims) dimensions[d] = SIZES[tape.pick(SIZES.length)]!;
  const nTensors = 2 + tape.pick(2);
  const affine = tape.pick(4) === 0;
  const dataSpaces = Array.from({ length: nTensors }, (_, t) => {
    const mask = tape.pick((1 << nDims) - 1) + 1;
    // Sometimes a sliding window: an input indexed by the sum of two dimensions (maybe strided) and another.
    if (affine && t === 0) return { name: 'T0', projection: [[{ dim: dims[0]!, coefficient: 1 + tape.pick(2) }, { dim: dims[1]!, coefficient: 1 }], ...(nDims > 2 ? [[{ dim: dims[2]!, coefficient: 1 }]] : [])], isOutput: false };
    return { name: `T${t}`, projection: dims.filter((_, d) => mask & (1 << d)).map((dim) => [{ dim, coefficient: 1 }]), isOutput: t === nTensors - 1 };
  });
  const energy = () => ({ read: 1 + tape.pick(20), write: 1 + tape.pick(20), update: 1 + tape.pick(20), leak: tape.pick(3) === 0 ? tape.pick(4) / 100 : 0 });
  const nLevels = 2 + tape.pick(3);
  const levels: StorageLevel[] = [{ kind: 'dram', name: 'DRAM', fanoutX: 1, fanoutY: 1, area: 0, blockSize: 1 + tape.pick(2), energy: energy() }];
  for (let i = 1; i < nLevels; i++) {
    const fx = [1, 2, 2, 4][tape.pick(4)]!;
    const fy = [1, 1, 2][tape.pick(3)]!;
    if (tape.pick(3) === 0 && i < nLevels - 1) levels.push({ kind: 'spatial', name: `S${i}`, fanoutX: fx, fanoutY: fy, area: 0 });
    else levels.push({ kind: 'buffer', name: `B${i}`, fanoutX: tape.pick(2) === 0 ? fx : 1, fanoutY: 1, area: 0, depth: [2, 4, 8, 16][tape.pick(4)]!, blockSize: 1 + tape.pick(2), energy: energy() });
  }
  const arch: Architecture = { name: 'random', wordBits: 16, levels, compute: { name: 'mac', units: [{ name: 'mac', energy: 1 + tape.pick(5), area: 0 }] } };

  const constraints: LevelConstraint[] = [];
  for (const lv of levels) {
    if (tape.pick(3) !== 0) continue;
    const d = dims[tape.pick(nDims)]!;
    const size = dimensions[d]!;
    const divs = [1, 2, 3].filter((x) => size % x === 0);
    const kind = tape.pick(5);
    const ref = { kind: 'none' } as const;
    if (kind === 0) constraints.push({ level: lv.name, ref, temporal: { factors: [{ dim: d, value: divs[tape.pick(divs.length)]!, ref }] } });
    else if (kind === 1) constraints.push({ level: lv.name, ref, temporal: { factors: [], permutation: [d, dims[tape.pick(nDims)]!].filter((x, i, a) => a.indexOf(x) === i) } });
    else if (kind === 2 && lv.kind !== 'spatial' && lv !== levels[0]) {
      const t = dataSpaces[tape.pick(nTensors)]!.name;
      constraints.push({ level: lv.name, ref, keep: tape.pick(2) === 0 ? { keep: [t], bypass: [], ref } : { keep: [], bypass: [t], ref } });
    } else if (kind === 3 && lv.fanoutX * lv.fanoutY > 1) {
      constraints.push({ level: lv.name, ref, spatial: { factors: [], permutation: dims, split: tape.pick(nDims + 1) } });
    } else if (kind === 4) {
      // no_iteration_over_dataspaces: one tensor, temporal or (at a fan-out) spatial.
      const t = dataSpaces[tape.pick(nTensors)]!.name;
      if (lv.fanoutX * lv.fanoutY > 1 && tape.pick(2) === 0) constraints.push({ level: lv.name, ref, spatial: { factors: [], noIterationOver: [t] } });
      else constraints.push({ level: lv.name, ref, temporal: { factors: [], noIterationOver: [t] } });
    }
  }
  return { arch, problem: { name: 'p', dimensions, dataSpaces }, constraints: { levels: constraints }, metrics: METRIC_LISTS[tape.pick(METRIC_LISTS.length)]! };
}

