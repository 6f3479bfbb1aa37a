/**
 * @file The mapspace of one problem on one architecture under constraints (Timeloop's `uber` template):
 * per storage level a temporal slot (factors and a permutation), per fan-out level a spatial slot
 * (factors over X and Y), and per level a keep/bypass choice for every tensor. This module resolves
 * names, checks the constraints against the problem and the architecture (every issue with the
 * constraint it is about), and precomputes what the search needs as arrays indexed by level, dimension
 * and tensor.
 *
 * Fixed choices: the outermost level keeps every tensor unless a constraint bypasses it there
 * (Timeloop's mapper never bypasses the last level on its own); a fan-out stage keeps none.
 * Fan-out levels with no level that could keep a tensor between them form one spatial *group*: counts
 * depend only on the group's total factor per dimension, so the search enumerates totals and a group
 * assignment (which level, X or Y) is only a feasibility question (spatial.ts).
 */
import { ModelCodes } from '../model/issues.ts';
import { bindNest } from '../model/nest.ts';
import type { Architecture, Mapping, Problem } from '../model/types.ts';
import type { ConstraintRef, FactorConstraint, LevelConstraint, MapspaceConstraints } from './constraints.ts';

export const MapperCodes = {
  /** An unknown name in a constraint: level, dimension, tensor. */
  unknownName: 'FM801',
  /** A constraint that cannot hold: factors that do not divide, exceed a fan-out, keep and bypass at once... */
  impossible: 'FM802',
  /** A malformed constraint value. */
  malformed: 'FM803',
  /** A feature outside what the mapper supports. */
  unsupported: 'FM804',
  /** An unknown optimization metric. */
  metric: 'FM805',
  /** No mapping satisfies the constraints. */
  empty: 'FM806',
} as const;

export interface MapperIssue {
  readonly code: string;
  readonly message: string;
  readonly ref: ConstraintRef;
  readonly hint?: string;
}

export interface MapTensor {
  readonly name: string;
  /** Bit d set when dimension d indexes the tensor. */
  readonly mask: number;
  readonly isOutput: boolean;
  /** Number of points (its whole tile: product of its dimensions' sizes, or the box of an affine one). */
  readonly size: number;
  /** Per rank, its index as terms (dimension index, coefficient > 0). */
  readonly ranks: readonly (readonly { readonly dim: number; readonly coefficient: number }[])[];
  /** Not a rank subset (a sliding window, a stride, a dilation): tiles are boxes, counts come from src/model. */
  readonly affine: boolean;
}

/** Words of t's tile when dimension d extends over ext[d] points (a box for an affine tensor). */
export function tileWords(t: MapTensor, ext: ArrayLike<number>): number {
  let size = 1;
  const ranks = t.ranks;
  if (!t.affine) {
    for (let r = 0; r < ranks.length; r++) size *= ext[ranks[r]![0]!.dim]!;
    return size;
  }
  for (let r = 0; r < ranks.length; r++) {
    const rank = ranks[r]!;
    let x = 1;
    for (let i = 0; i < rank.length; i++) x += rank[i]!.coefficient * (ext[rank[i]!.dim]! - 1);
    size *= x;
  }
  return size;
}

/** Keep choice of a tensor at a level: free (the search decides), bypassed or kept. */
export const Keep = { Free: -1, Bypass: 0, Keep: 1 } as const;
export type Keep = (typeof Keep)[keyof typeof Keep];

export interface MapLevel {
  readonly index: number;
  readonly name: string;
  readonly kind: 'dram' | 'buffer' | 'spatial';
  /** Words per instance (Infinity for DRAM, 0 for a fan-out stage). */
  readonly capacity: number;
  readonly minCapacityUtilization: number;
  /** Instances of this level (product of the fan-outs above). */
  readonly instances: number;
  readonly fanoutX: number;
  readonly fanoutY: number;
  /** Words per access, and pJ per access of one block (as an ERT gives them). */
  readonly blockSize: number;
  readonly readAccess: number;
  readonly writeAccess: number;
  readonly updateAccess: number;
  /** pJ per scalar access (per-block energy / block size): the linear charge the bounds use. */
  readonly readEnergy: number;
  readonly writeEnergy: number;
  readonly updateEnergy: number;
  /** pJ per instance-cycle of leakage. */
  readonly leakEnergy: number;
  /** Per tensor. */
  readonly keep: readonly Keep[];
  /** Per dimension: 0 when free, else the fixed temporal factor. */
  readonly temporalFixed: readonly number[];
  /** Dimensions pinned innermost, innermost first (all of them for a full permutation). */
  readonly pinned: readonly number[];
  /** Per dimension: 0 when free, else the fixed spatial factor. */
  readonly spatialFixed: readonly number[];
  /** Per dimension: -1 free, 0 X, 1 Y. */
  readonly spatialAxis: readonly number[];
  /** A spatial permutation constraint as written (innermost first), for the emitted mapping. */
  readonly spatialPermutation?: readonly number[];
  /** The constraint's split (positions before it are X), when given. */
  readonly spatialSplit?: number;
  readonly minSpatialUtilization: number;
  /** Index of the spatial group this fan-out level belongs to, -1 without fan-out. */
  readonly group: number;
}

export interface FanoutGroup {
  /** Fan-out levels of the group, outermost first. */
  readonly levels: readonly number[];
  /** Level whose slot stands for the whole group in the counts (the outermost). */
  readonly head: number;
  /** Π of the group's fan-outs: an upper bound on the product of its spatial factors. */
  readonly capacity: number;
}

export interface MapSpace {
  readonly arch: Architecture;
  readonly problem: Problem;
  readonly dims: readonly string[];
  readonly sizes: readonly number[];
  readonly tensors: readonly MapTensor[];
  /** Outermost first, aligned with arch.levels. */
  readonly levels: readonly MapLevel[];
  readonly groups: readonly FanoutGroup[];
  /** Product of the dimension sizes. */
  readonly computes: number;
  /** pJ per compute (cost-weighted unit energies). */
  readonly computeEnergy: number;
  readonly computeCost?: Mapping['computeCost'];
  /** Infinity when unconstrained. */
  readonly maxTemporalLoops: number;
  /**
   * How complete mappings are costed: the closed form of job.ts, or src/model (when a tensor is affine,
   * or when asked): then every loop order of a level an affine tensor depends on is tried, fan-out levels
   * are not grouped and loops are not moved between levels, since affine counts can tell those apart.
   */
  readonly costing: Costing;
}

export type Costing = 'closed-form' | 'model';

export type MapSpaceResult = { readonly ok: true; readonly space: MapSpace } | { readonly ok: false; readonly issues: readonly MapperIssue[] };

const MAX_DIMS = 30;

export function buildMapSpace(arch: Architecture, problem: Problem, constraints: MapspaceConstraints, computeCost?: Mapping['computeCost'], costing: 'auto' | 'model' = 'auto'): MapSpaceResult {
  const issues: MapperIssue[] = [];
  const none: ConstraintRef = { kind: 'none' };
  const dims = Object.keys(problem.dimensions);
  const sizes = dims.map((d) => problem.dimensions[d] ?? 1);
  if (dims.length > MAX_DIMS) issues.push({ code: MapperCodes.unsupported, message: `the mapper handles at most ${MAX_DIMS} dimensions (the problem has ${dims.length})`, ref: none });

  const tensors: MapTensor[] = [];
  for (const ds of problem.dataSpaces) {
    let mask = 0;
    let affine = false;
    const ranks: { dim: number; coefficient: number }[][] = [];
    for (const rank of ds.projection) {
      const terms: { dim: number; coefficient: number }[] = [];
      for (const term of rank) {
        const d = dims.indexOf(term.dim);
        if (d < 0 || !Number.isSafeInteger(term.coefficient) || term.coefficient < 0) {
          issues.push({ code: MapperCodes.unsupported, message: `data space '${ds.name}': a projection term must be a dimension with a non-negative integer coefficient`, ref: none });
          continue;
        }
        if (term.coefficient === 0) continue;
        if (mask & (1 << d)) affine = true;
        mask |= 1 << d;
        const same = terms.find((x) => x.dim === d);
        if (same) same.coefficient += term.coefficient;
        else terms.push({ dim: d, coefficient: term.coefficient });
      }
      if (terms.length !== 1 || terms[0]!.coefficient !== 1) affine = true;
      ranks.push(terms);
    }
    const t = { name: ds.name, mask, isOutput: ds.isOutput, size: 1, ranks, affine };
    tensors.push({ ...t, size: tileWords(t, sizes) });
  }

  const byLevel = new Map<string, LevelConstraint>();
  for (const c of residualFactors(constraints, dims, sizes, issues).levels) {
    if (!arch.levels.some((l) => l.name === c.level)) {
      issues.push({ code: MapperCodes.unknownName, message: `a constraint targets level '${c.level}', which the architecture does not have`, ref: c.ref, hint: `levels: ${arch.levels.map((l) => l.name).join(', ')}` });
      continue;
    }
    if (byLevel.has(c.level)) {
      issues.push({ code: MapperCodes.impossible, message: `level '${c.level}' is constrained twice`, ref: c.ref });
      continue;
    }
    byLevel.set(c.level, c);
  }

  const levels: MapLevel[] = [];
  let instances = 1;
  arch.levels.forEach((spec, index) => {
    const c = byLevel.get(spec.name);
    const fanout = spec.fanoutX * spec.fanoutY;
    const dimIndex = (name: string, ref: ConstraintRef): number => {
      const d = dims.indexOf(name);
      if (d < 0) issues.push({ code: MapperCodes.unknownName, message: `a constraint at level '${spec.name}' names unknown dimension '${name}'`, ref, hint: `dimensions: ${dims.join(', ')}` });
      return d;
    };

    // Keep choices.
    const keep: Keep[] = tensors.map(() => (index === 0 ? Keep.Keep : spec.kind === 'spatial' ? Keep.Bypass : Keep.Free));
    if (c?.keep) {
      const kc = c.keep;
      const set = (names: readonly string[], value: Keep): void => {
        for (const n of names) {
          const t = tensors.findIndex((x) => x.name === n);
          if (t < 0) {
            issues.push({ code: MapperCodes.unknownName, message: `a constraint at level '${spec.name}' names unknown tensor '${n}'`, ref: kc.ref, hint: `tensors: ${tensors.map((x) => x.name).join(', ')}` });
            continue;
          }
          if (value === Keep.Keep && spec.kind === 'spatial') issues.push({ code: MapperCodes.impossible, message: `level '${spec.name}' is a fan-out stage and stores nothing, but a constraint keeps '${n}' there`, ref: kc.ref });
          else if (value === Keep.Bypass && kc.keep.includes(n)) issues.push({ code: MapperCodes.impossible, message: `a constraint both keeps and bypasses '${n}' at level '${spec.name}'`, ref: kc.ref });
          else keep[t] = value;
        }
      };
      set(kc.keep, Keep.Keep);
      set(kc.bypass, Keep.Bypass);
    }

    /** Fix factor 1 for every dimension of the tensors a `no_iteration_over_dataspaces` names. */
    const noIteration = (fixed: number[], names: readonly string[] | undefined, ref: ConstraintRef, what: string): void => {
      for (const n of names ?? []) {
        const t = tensors.findIndex((x) => x.name === n);
        if (t < 0) {
          issues.push({ code: MapperCodes.unknownName, message: `a constraint at level '${spec.name}' names unknown tensor '${n}'`, ref, hint: `tensors: ${tensors.map((x) => x.name).join(', ')}` });
          continue;
        }
        dims.forEach((dim, d) => {
          if (!(tensors[t]!.mask & (1 << d))) return;
          if (fixed[d]! > 1) issues.push({ code: MapperCodes.impossible, message: `level '${spec.name}' may not iterate over '${n}', but a ${what} factor ${dim}=${fixed[d]} is fixed there`, ref });
          else fixed[d] = 1;
        });
      }
    };

    // Temporal constraints.
    const temporalFixed = dims.map(() => 0);
    const pinned: number[] = [];
    const tc = c?.temporal;
    if (tc) {
      for (const f of tc.factors) {
        const d = dimIndex(f.dim, f.ref);
        if (d < 0) continue;
        if (!Number.isSafeInteger(f.value) || f.value < 1) issues.push({ code: MapperCodes.malformed, message: `temporal factor ${f.dim}=${f.value} at level '${spec.name}' must be a positive integer`, ref: f.ref });
        else if (temporalFixed[d] !== 0 && temporalFixed[d] !== f.value) issues.push({ code: MapperCodes.impossible, message: `two different temporal factors for '${f.dim}' at level '${spec.name}'`, ref: f.ref });
        else temporalFixed[d] = f.value;
      }
      for (const name of tc.permutation ?? []) {
        const d = dimIndex(name, tc.permutationRef ?? c.ref);
        if (d < 0) continue;
        if (pinned.includes(d)) issues.push({ code: MapperCodes.malformed, message: `the permutation at level '${spec.name}' names '${name}' twice`, ref: tc.permutationRef ?? c.ref });
        else pinned.push(d);
      }
      noIteration(temporalFixed, tc.noIterationOver, tc.noIterationOverRef ?? c.ref, 'temporal');
    }

    // Spatial constraints.
    const spatialFixed = dims.map(() => 0);
    const spatialAxis = dims.map(() => (spec.fanoutY === 1 ? 0 : spec.fanoutX === 1 ? 1 : -1));
    let spatialPermutation: number[] | undefined;
    let minSpatialUtilization = 0;
    const sc = c?.spatial;
    if (sc) {
      if (fanout === 1 && (sc.factors.some((f) => f.value !== 1) || (sc.minUtilization ?? 0) > 0)) {
        issues.push({ code: MapperCodes.impossible, message: `level '${spec.name}' has no fan-out, but a spatial constraint targets it`, ref: sc.factors.find((f) => f.value !== 1)?.ref ?? c.ref });
      }
      for (const f of sc.factors) {
        const d = dimIndex(f.dim, f.ref);
        if (d < 0) continue;
        if (!Number.isSafeInteger(f.value) || f.value < 1) issues.push({ code: MapperCodes.malformed, message: `spatial factor ${f.dim}=${f.value} at level '${spec.name}' must be a positive integer`, ref: f.ref });
        else spatialFixed[d] = f.value;
      }
      noIteration(spatialFixed, sc.noIterationOver, sc.noIterationOverRef ?? c.ref, 'spatial');
      if (sc.permutation !== undefined) {
        const order: number[] = [];
        for (const name of sc.permutation) {
          const d = dimIndex(name, sc.permutationRef ?? c.ref);
          if (d >= 0 && !order.includes(d)) order.push(d);
        }
        spatialPermutation = order;
        if (sc.split !== undefined) {
          order.forEach((d, pos) => (spatialAxis[d] = pos < sc.split! ? 0 : 1));
          // Unlisted dimensions follow the listed ones, on the side of the split their position falls on.
          const rest = sc.split <= order.length ? 1 : 0;
          dims.forEach((_, d) => {
            if (!order.includes(d)) spatialAxis[d] = rest;
          });
        }
      }
      if (sc.minUtilization !== undefined) {
        if (!(sc.minUtilization >= 0 && sc.minUtilization <= 1)) issues.push({ code: MapperCodes.malformed, message: `minimum utilization at level '${spec.name}' must be between 0 and 1 (got ${sc.minUtilization})`, ref: sc.minUtilizationRef ?? c.ref });
        else minSpatialUtilization = sc.minUtilization;
      }
      // Fixed factors on one axis must fit it.
      for (const [axis, limit, name] of [[0, spec.fanoutX, 'X'], [1, spec.fanoutY, 'Y']] as const) {
        let p = 1;
        dims.forEach((_, d) => {
          if (spatialFixed[d]! > 1 && spatialAxis[d] === axis) p *= spatialFixed[d]!;
        });
        if (p > limit) issues.push({ code: MapperCodes.impossible, message: `fixed spatial factors on ${name} at level '${spec.name}' multiply to ${p}, more than its ${name} fan-out of ${limit}`, ref: sc.factors[0]?.ref ?? c.ref });
      }
      let all = 1;
      for (const f of spatialFixed) all *= Math.max(1, f);
      if (all > fanout && fanout > 1) issues.push({ code: MapperCodes.impossible, message: `fixed spatial factors at level '${spec.name}' multiply to ${all}, more than its fan-out of ${fanout}`, ref: sc.factors[0]?.ref ?? c.ref });
    }

    let minCapacityUtilization = 0;
    if (c?.minCapacityUtilization !== undefined) {
      if (!(c.minCapacityUtilization >= 0 && c.minCapacityUtilization <= 1)) issues.push({ code: MapperCodes.malformed, message: `minimum utilization of level '${spec.name}' must be between 0 and 1 (got ${c.minCapacityUtilization})`, ref: c.ref });
      else minCapacityUtilization = c.minCapacityUtilization;
    }

    let capacity = 0;
    let blockSize = 1;
    let energy = { read: 0, write: 0, update: 0, leak: 0 };
    switch (spec.kind) {
      case 'dram':
      case 'buffer':
        capacity = spec.kind === 'dram' ? Infinity : spec.depth * spec.blockSize;
        blockSize = spec.blockSize;
        energy = spec.energy;
        break;
      case 'spatial':
        break;
      default: {
        const never: never = spec;
        return never;
      }
    }

    levels.push({
      index,
      name: spec.name,
      kind: spec.kind,
      capacity,
      minCapacityUtilization,
      instances,
      fanoutX: spec.fanoutX,
      fanoutY: spec.fanoutY,
      blockSize,
      readAccess: energy.read,
      writeAccess: energy.write,
      updateAccess: energy.update,
      readEnergy: energy.read / blockSize,
      writeEnergy: energy.write / blockSize,
      updateEnergy: energy.update / blockSize,
      leakEnergy: energy.leak,
      keep,
      temporalFixed,
      pinned,
      spatialFixed,
      spatialAxis,
      ...(spatialPermutation ? { spatialPermutation } : {}),
      ...(sc?.permutation !== undefined && sc.split !== undefined ? { spatialSplit: sc.split } : {}),
      minSpatialUtilization,
      group: -1,
    });
    instances *= fanout;
  });

  // Fixed factors of each dimension must divide its size.
  dims.forEach((name, d) => {
    let fixed = 1;
    for (const l of levels) fixed *= Math.max(1, l.temporalFixed[d]!) * Math.max(1, l.spatialFixed[d]!);
    if (sizes[d]! % fixed !== 0) {
      const ref = constraints.levels.flatMap((c) => [...(c.temporal?.factors ?? []), ...(c.spatial?.factors ?? [])]).find((f) => f.dim === name && f.value !== 1)?.ref ?? none;
      issues.push({ code: MapperCodes.impossible, message: `the fixed factors of '${name}' multiply to ${fixed}, which does not divide its size ${sizes[d]}`, ref });
    }
  });

  const modelCosting = costing === 'model' || tensors.some((t) => t.affine);
  if (tensors.some((t) => t.affine)) {
    // Affine counts come from src/model: it must support these projections.
    const probe = bindNest(arch, problem, { levels: [] });
    if (!probe.ok) {
      for (const i of probe.issues) if (i.code === ModelCodes.projection) issues.push({ code: MapperCodes.unsupported, message: `${i.message} (the model cannot count it, so the mapper cannot map it)`, ref: none });
    }
  }
  // Spatial groups: runs of fan-out levels with no level that could keep a tensor between them (each
  // fan-out level alone under model costing).
  const canKeep = levels.map((l) => modelCosting || (l.kind !== 'spatial' && l.keep.some((k) => k !== Keep.Bypass)));
  const groups: FanoutGroup[] = [];
  let current: number[] = [];
  const close = (): void => {
    if (current.length === 0) return;
    let capacity = 1;
    for (const i of current) capacity *= levels[i]!.fanoutX * levels[i]!.fanoutY;
    groups.push({ levels: current, head: current[0]!, capacity });
    current = [];
  };
  levels.forEach((l, i) => {
    if (current.length > 0 && canKeep[i]) close();
    if (l.fanoutX * l.fanoutY > 1) current.push(i);
  });
  close();
  const grouped = levels.map((l) => {
    const g = groups.findIndex((x) => x.levels.includes(l.index));
    return g < 0 ? l : { ...l, group: g };
  });

  let computeEnergy = computeCost === undefined ? (arch.compute.units[0]?.energy ?? 0) : 0;
  for (const unit in computeCost) {
    const u = arch.compute.units.find((x) => x.name === unit);
    if (u) computeEnergy += (computeCost[unit] ?? 0) * u.energy;
    else issues.push({ code: MapperCodes.unknownName, message: `compute cost names unit '${unit}', which the architecture does not have`, ref: none });
  }

  if (issues.length > 0) return { ok: false, issues };
  let computes = 1;
  for (const s of sizes) computes *= s;
  return {
    ok: true,
    space: {
      arch,
      problem,
      dims,
      sizes,
      tensors,
      levels: grouped,
      groups,
      computes,
      computeEnergy,
      ...(computeCost !== undefined ? { computeCost } : {}),
      maxTemporalLoops: constraints.maxTemporalLoops ?? Infinity,
      costing: modelCosting ? 'model' : 'closed-form',
    },
  };
}

/**
 * A fixed factor of 0 means the rest of the dimension (as Timeloop reads it): its size over the other
 * fixed factors of that dimension. Two of them for one dimension are ambiguous (FM802).
 */
function residualFactors(constraints: MapspaceConstraints, dims: readonly string[], sizes: readonly number[], issues: MapperIssue[]): MapspaceConstraints {
  const all = constraints.levels.flatMap((c) => [...(c.temporal?.factors ?? []), ...(c.spatial?.factors ?? [])]);
  if (!all.some((f) => f.value === 0)) return constraints;
  const rest = new Map<string, number>();
  dims.forEach((dim, d) => {
    const zeros = all.filter((f) => f.dim === dim && f.value === 0);
    if (zeros.length === 0) return;
    if (zeros.length > 1) issues.push({ code: MapperCodes.impossible, message: `two factors of '${dim}' are 0 (the rest of the dimension): which one takes it is ambiguous`, ref: zeros[1]!.ref });
    let fixed = 1;
    for (const f of all) if (f.dim === dim && f.value > 0) fixed *= f.value;
    rest.set(dim, sizes[d]! % fixed === 0 ? sizes[d]! / fixed : fixed * sizes[d]!);
  });
  const resolve = (fs: readonly FactorConstraint[]): FactorConstraint[] => fs.map((f) => (f.value === 0 && rest.has(f.dim) ? { ...f, value: rest.get(f.dim)! } : f));
  return {
    ...constraints,
    levels: constraints.levels.map((c) => ({
      ...c,
      ...(c.temporal ? { temporal: { ...c.temporal, factors: resolve(c.temporal.factors) } } : {}),
      ...(c.spatial ? { spatial: { ...c.spatial, factors: resolve(c.spatial.factors) } } : {}),
    })),
  };
}
