/**
 * @file The reference for the mapper's tests: every mapping of a small mapspace, written out as the
 * model's Mapping (all factorizations over every temporal and spatial slot, every order of every level's
 * loops, every X/Y placement, every keep choice), each evaluated by src/model. Constraints are applied
 * the way docs/mapper.md states them. Nothing of src/mapper is used, so the two can disagree.
 */
import { evaluateNest } from '../../src/model/evaluate.ts';
import type { Architecture, LevelMapping, Loop, Mapping, Problem } from '../../src/model/types.ts';
import type { MapspaceConstraints } from '../../src/mapper/constraints.ts';
import { evaluationMetrics, compareVectors, type Metric } from '../../src/mapper/metrics.ts';

export interface BruteResult {
  readonly best?: readonly number[];
  readonly mapping?: Mapping;
  readonly mappings: number;
  readonly valid: number;
}

function factorizations(n: number, slots: number): number[][] {
  if (slots === 1) return [[n]];
  const out: number[][] = [];
  for (let f = 1; f <= n; f++) {
    if (n % f !== 0) continue;
    for (const rest of factorizations(n / f, slots - 1)) out.push([f, ...rest]);
  }
  return out;
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const p of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...p]);
  });
  return out;
}

function product<T>(lists: readonly (readonly T[])[]): T[][] {
  let out: T[][] = [[]];
  for (const l of lists) out = out.flatMap((p) => l.map((x) => [...p, x]));
  return out;
}

/** Number of mappings `bruteForce` would enumerate (to keep tests small). */
export function bruteForceSize(arch: Architecture, problem: Problem): number {
  const dims = Object.keys(problem.dimensions);
  const fan = arch.levels.filter((l) => l.fanoutX * l.fanoutY > 1).length;
  const slots = arch.levels.length + fan;
  let n = 1;
  for (const d of dims) n *= factorizations(problem.dimensions[d]!, slots).length;
  const free = arch.levels.filter((l, i) => i > 0 && l.kind !== 'spatial').length * problem.dataSpaces.length;
  const perms = arch.levels.reduce((p) => p * Math.min(6, Math.max(1, dims.length)), 1);
  return n * 2 ** free * perms * 2 ** fan;
}

export function bruteForce(arch: Architecture, problem: Problem, constraints: MapspaceConstraints, metrics: readonly Metric[]): BruteResult {
  const dims = Object.keys(problem.dimensions);
  const tensors = problem.dataSpaces.map((d) => d.name);
  const L = arch.levels.length;
  const fanLevels = arch.levels.map((l, i) => (l.fanoutX * l.fanoutY > 1 ? i : -1)).filter((i) => i >= 0);
  const slots = L + fanLevels.length; // temporal slots 0..L-1, then spatial slots
  const cons = (name: string) => constraints.levels.find((c) => c.level === name);

  const perDim = dims.map((d) =>
    factorizations(problem.dimensions[d]!, slots).filter((fs) =>
      arch.levels.every((lv, l) => {
        const c = cons(lv.name);
        const t = c?.temporal?.factors.find((f) => f.dim === d);
        const s = c?.spatial?.factors.find((f) => f.dim === d);
        const si = fanLevels.indexOf(l);
        if (t && fs[l] !== t.value) return false;
        if (s && (si < 0 ? s.value !== 1 : fs[L + si] !== s.value)) return false;
        // no_iteration_over_dataspaces: no loop over a dimension of the named tensors.
        const over = (names: readonly string[] | undefined): boolean => (names ?? []).some((n) => problem.dataSpaces.find((x) => x.name === n)!.projection.some((r) => r.some((term) => term.dim === d)));
        if (over(c?.temporal?.noIterationOver) && fs[l] !== 1) return false;
        if (over(c?.spatial?.noIterationOver) && si >= 0 && fs[L + si] !== 1) return false;
        return true;
      }),
    ),
  );

  // Keep choices per level and tensor.
  const keepOptions = arch.levels.map((lv, l) => {
    const c = cons(lv.name)?.keep;
    return tensors.map((t) => {
      if (c?.keep.includes(t)) return [true];
      if (c?.bypass.includes(t)) return [false];
      if (lv.kind === 'spatial') return [false];
      if (l === 0) return [true];
      return [true, false];
    });
  });
  const keepCombos = product(keepOptions.flat()).map((bits) => arch.levels.map((_, l) => tensors.filter((_, t) => bits[l * tensors.length + t])));

  let best: number[] | undefined;
  let bestMapping: Mapping | undefined;
  let mappings = 0;
  let valid = 0;
  for (const choice of product(perDim)) {
    // Per level: temporal loops (dims with factor > 1) and spatial factors.
    const temporal = arch.levels.map((_, l) => dims.map((d, di) => ({ dim: d, bound: choice[di]![l]! })).filter((x) => x.bound > 1));
    const spatial = arch.levels.map((_, l) => {
      const si = fanLevels.indexOf(l);
      return si < 0 ? [] : dims.map((d, di) => ({ dim: d, bound: choice[di]![L + si]! })).filter((x) => x.bound > 1);
    });
    // Orders per level, honouring pinned innermost loops.
    const orders = temporal.map((loops, l) => {
      const pinned = cons(arch.levels[l]!.name)?.temporal?.permutation ?? [];
      return permutations(loops).filter((p) => {
        const innermostFirst = [...p].reverse().map((x) => x.dim);
        const pin = pinned.filter((d) => loops.some((x) => x.dim === d));
        return pin.every((d, i) => innermostFirst[i] === d);
      });
    });
    // Axes per level for each spatial loop.
    const axes = spatial.map((loops, l) => {
      const lv = arch.levels[l]!;
      const sc = cons(lv.name)?.spatial;
      return product(
        loops.map((x) => {
          if (sc?.permutation && sc.split !== undefined) {
            const pos = sc.permutation.indexOf(x.dim);
            return [pos >= 0 && pos < sc.split ? 'x' : 'y'];
          }
          if (lv.fanoutY === 1) return ['x'];
          if (lv.fanoutX === 1) return ['y'];
          return ['x', 'y'];
        }),
      );
    });
    for (const ord of product(orders)) {
      for (const ax of product(axes)) {
        for (const keeps of keepCombos) {
          mappings++;
          const levels: LevelMapping[] = arch.levels.map((lv, l) => {
            const sx: Loop[] = [];
            const sy: Loop[] = [];
            spatial[l]!.forEach((x, i) => (ax[l]![i] === 'x' ? sx : sy).push(x));
            return { level: lv.name, temporal: ord[l]!, spatialX: sx, spatialY: sy, keep: keeps[l]! };
          });
          const ok = levels.every((lm, l) => {
            const lv = arch.levels[l]!;
            const min = cons(lv.name)?.spatial?.minUtilization ?? 0;
            let used = 1;
            for (const x of [...lm.spatialX, ...lm.spatialY]) used *= x.bound;
            return used >= min * lv.fanoutX * lv.fanoutY;
          });
          if (!ok) continue;
          const mapping: Mapping = { levels };
          const ev = evaluateNest(arch, problem, mapping);
          if (!ev.ok) continue;
          const maxLoops = constraints.maxTemporalLoops ?? Infinity;
          if (levels.reduce((n, lm) => n + lm.temporal.length, 0) > maxLoops) continue;
          const capOk = arch.levels.every((lv, l) => {
            const min = cons(lv.name)?.minCapacityUtilization ?? 0;
            if (min === 0 || lv.kind !== 'buffer') return true;
            const used = ev.stats.levels[l]!.tensors.reduce((s, t) => s + Number(t.utilizedCapacity), 0);
            return used >= min * lv.depth * lv.blockSize;
          });
          if (!capOk) continue;
          valid++;
          const m = evaluationMetrics(metrics, ev);
          if (!best || compareVectors(m, best) < 0) {
            best = m;
            bestMapping = mapping;
          }
        }
      }
    }
  }
  return { ...(best ? { best } : {}), ...(bestMapping ? { mapping: bestMapping } : {}), mappings, valid };
}
