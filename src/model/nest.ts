/**
 * @file Binding a problem, an architecture and a mapping into a `Nest`: names resolved to indices,
 * relevant dimensions as bit masks, loops with bound 1 dropped, keep sets as bit masks. Binding also
 * checks everything that can be checked before counting: names, duplicate entries, projections
 * (affine terms with non-negative coefficients), factors multiplying to the problem size, spatial factors within the fan-outs, and that
 * every tensor is kept somewhere. Capacity is checked after counting (capacity.ts), since it needs the
 * tile sizes.
 */
import { ModelCodes, type NestIssue, type NestRef, type LoopSpace } from './issues.ts';
import type { Architecture, DataSpace, LevelMapping, Loop, Mapping, Problem, StorageLevel } from './types.ts';

/** Dimensions are bits in a 32-bit mask. */
const MAX_DIMS = 30;
/** Most spatial instances a nest with an affine data space may use (see sliding.ts, distinctOffsets). */
const MAX_AFFINE_SPREAD = 1 << 22;

/** One term `coefficient · dimension` of a bound rank expression. */
export interface BoundTerm {
  readonly dim: number;
  readonly coefficient: number;
}

export interface BoundTensor {
  readonly name: string;
  /** Bit i set when dimension i indexes this tensor. */
  readonly mask: number;
  readonly isOutput: boolean;
  /** Per tensor rank, its index as a sum of terms (terms with coefficient 0 dropped). */
  readonly ranks: readonly (readonly BoundTerm[])[];
  /**
   * False for a rank-subset projection (every rank one dimension with coefficient 1, no dimension in two
   * ranks): the counts then have the simple closed form. True for sliding windows, strides and dilations.
   */
  readonly affine: boolean;
}

export interface BoundLevel {
  readonly spec: StorageLevel;
  /** Dimension index and bound of each temporal loop with bound > 1, outermost first. */
  readonly temporalDims: readonly number[];
  readonly temporalBounds: readonly number[];
  /** Spatial loops with bound > 1 (X first, then Y). */
  readonly spatialDims: readonly number[];
  readonly spatialBounds: readonly number[];
  /** Bit t set when tensor t is kept here. */
  readonly keepMask: number;
  /** Instances of this level (product of the fan-outs above). */
  readonly instances: number;
}

export interface Nest {
  readonly problem: Problem;
  readonly arch: Architecture;
  readonly dimNames: readonly string[];
  readonly dimSizes: readonly number[];
  readonly tensors: readonly BoundTensor[];
  /** Outermost first, aligned with `arch.levels`. */
  readonly levels: readonly BoundLevel[];
  /** Instances of the compute array. */
  readonly computeInstances: number;
  /** Energy per compute in pJ: Σ cost × unit energy. */
  readonly computeEnergy: number;
}

export type BindResult = { readonly ok: true; readonly nest: Nest } | { readonly ok: false; readonly issues: readonly NestIssue[] };

/** Bind and check a nest; returns every issue found rather than stopping at the first. */
export function bindNest(arch: Architecture, problem: Problem, mapping: Mapping): BindResult {
  const bp = bindProblem(problem);
  const issues: NestIssue[] = [...bp.issues];
  const { dimNames, dimSizes, tensors } = bp;

  // Mapping entries, aligned with the architecture's levels. The loops of an entry that cannot be used
  // (unknown or repeated level) still count towards the factor products, so that one wrong name gives
  // one error rather than one per dimension as well.
  const product = dimSizes.map(() => 1);
  const byLevel: (LevelMapping | undefined)[] = new Array<LevelMapping | undefined>(arch.levels.length).fill(undefined);
  for (let index = 0; index < mapping.levels.length; index++) {
    const lm = mapping.levels[index]!;
    let i = arch.levels.length - 1;
    while (i >= 0 && arch.levels[i]!.name !== lm.level) i--;
    if (i < 0 || byLevel[i] !== undefined) {
      for (const loop of [...lm.temporal, ...lm.spatialX, ...lm.spatialY]) {
        const d = dimNames.indexOf(loop.dim);
        if (d >= 0) product[d] = (product[d] ?? 1) * loop.bound;
      }
    }
    if (i < 0) {
      addIssue(issues, ModelCodes.unknownName, `the mapping names level '${lm.level}', which the architecture does not have`, { kind: 'mappingLevel', level: lm.level, index }, `levels: ${arch.levels.map((l) => l.name).join(', ')}`);
    } else if (byLevel[i] !== undefined) {
      addIssue(issues, ModelCodes.duplicate, `level '${lm.level}' is mapped twice`, { kind: 'mappingLevel', level: lm.level, index });
    } else {
      byLevel[i] = lm;
    }
  }

  const levels: BoundLevel[] = [];
  let instances = 1;
  for (let i = 0; i < arch.levels.length; i++) {
    const spec = arch.levels[i]!;
    const lm = byLevel[i];
    const temporalDims: number[] = [];
    const temporalBounds: number[] = [];
    const spatialDims: number[] = [];
    const spatialBounds: number[] = [];
    if (lm) {
      bindLoops(spec.name, lm.temporal, 'temporal', dimNames, product, temporalDims, temporalBounds, issues);
      const x = bindLoops(spec.name, lm.spatialX, 'x', dimNames, product, spatialDims, spatialBounds, issues);
      const y = bindLoops(spec.name, lm.spatialY, 'y', dimNames, product, spatialDims, spatialBounds, issues);
      for (const l of lm.spatialY) {
        if (hasLoopOver(lm.spatialX, l.dim)) addIssue(issues, ModelCodes.duplicate, `level '${spec.name}' maps '${l.dim}' spatially to both X and Y`, { kind: 'loop', level: spec.name, dim: l.dim, space: 'y' });
      }
      if (x > spec.fanoutX) fanoutIssue(spec, 'x', x, spec.fanoutX, lm.spatialX, issues);
      if (y > spec.fanoutY) fanoutIssue(spec, 'y', y, spec.fanoutY, lm.spatialY, issues);
    }

    let keepMask = 0;
    if (lm?.keep !== undefined) {
      for (const t of lm.keep) {
        let ti = tensors.length - 1;
        while (ti >= 0 && tensors[ti]!.name !== t) ti--;
        if (ti < 0) {
          addIssue(issues, ModelCodes.unknownName, `level '${spec.name}' keeps unknown tensor '${t}'`, { kind: 'keep', level: spec.name, tensor: t }, `tensors: ${tensors.map((x) => x.name).join(', ')}`);
        } else {
          keepMask |= 1 << ti;
        }
      }
    } else if (spec.kind !== 'spatial') {
      keepMask = (1 << tensors.length) - 1;
    }
    levels.push({ spec, temporalDims, temporalBounds, spatialDims, spatialBounds, keepMask, instances });
    instances *= spec.fanoutX * spec.fanoutY;
  }

  for (let i = 0; i < dimNames.length; i++) {
    const d = dimNames[i]!;
    const got = product[i] ?? 1;
    const want = dimSizes[i] ?? 1;
    if (got !== want) {
      addIssue(issues, ModelCodes.factorProduct, `the factors of '${d}' multiply to ${got}, but the problem size of '${d}' is ${want}`, firstLoopRef(mapping, d) ?? { kind: 'dimension', dim: d });
    }
  }

  // Multicast of a sliding-window tensor is counted by enumerating the offsets its spatial loops
  // spread; beyond a few million instances that would not be a quick count.
  let spatialInstances = 1;
  for (const l of levels) for (const b of l.spatialBounds) spatialInstances *= b;
  if (spatialInstances > MAX_AFFINE_SPREAD && tensors.some((t) => t.affine)) {
    const affine = tensors.find((t) => t.affine)!;
    addIssue(issues, ModelCodes.spatialSpread, `the spatial loops spread over ${spatialInstances} instances; with a sliding-window or strided data space ('${affine.name}') at most ${MAX_AFFINE_SPREAD} are counted`, { kind: 'dataSpace', tensor: affine.name });
  }

  let keptSomewhere = 0;
  for (const l of levels) keptSomewhere |= l.keepMask;
  for (let ti = 0; ti < tensors.length; ti++) {
    if (!(keptSomewhere & (1 << ti))) addIssue(issues, ModelCodes.notKept, `tensor '${tensors[ti]!.name}' is kept at no level`, { kind: 'dataSpace', tensor: tensors[ti]!.name });
  }

  // Energy per compute from the cost of each unit (default: one operation of the first unit).
  let computeEnergy = mapping.computeCost === undefined ? (arch.compute.units[0]?.energy ?? 0) : 0;
  for (const unit in mapping.computeCost) {
    const n = mapping.computeCost[unit] ?? 0;
    const u = arch.compute.units.find((x) => x.name === unit);
    if (!u) {
      addIssue(issues, ModelCodes.unknownName, `compute cost names unit '${unit}', which the architecture does not have`, { kind: 'computeCost', unit }, `units: ${arch.compute.units.map((x) => x.name).join(', ')}`);
    } else {
      computeEnergy += n * u.energy;
    }
  }

  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, nest: { problem, arch, dimNames, dimSizes, tensors, levels, computeInstances: instances, computeEnergy } };
}

interface BoundProblem {
  readonly dimNames: readonly string[];
  readonly dimSizes: readonly number[];
  readonly tensors: readonly BoundTensor[];
  readonly issues: readonly NestIssue[];
}

/**
 * The problem's part of a binding, cached per Problem object: a mapper evaluates many mappings of one
 * problem, and problems are plain immutable data (see types.ts).
 */
const boundProblems = new WeakMap<Problem, BoundProblem>();

function bindProblem(problem: Problem): BoundProblem {
  const cached = boundProblems.get(problem);
  if (cached) return cached;
  const issues: NestIssue[] = [];
  // Dimensions and projections. Names are looked up by linear search: problems have a handful of
  // dimensions and tensors.
  const dimNames = Object.keys(problem.dimensions);
  const dimSizes: number[] = [];
  if (dimNames.length > MAX_DIMS) addIssue(issues, ModelCodes.badValue, `a problem may have at most ${MAX_DIMS} dimensions (it has ${dimNames.length})`, { kind: 'dimension', dim: dimNames[MAX_DIMS] ?? '' });
  for (const d of dimNames) {
    const size = problem.dimensions[d] ?? 0;
    if (!Number.isSafeInteger(size) || size < 1) addIssue(issues, ModelCodes.badValue, `dimension '${d}' must be a positive integer (got ${size})`, { kind: 'dimension', dim: d });
    dimSizes.push(size);
  }

  const tensors: BoundTensor[] = [];
  for (const ds of problem.dataSpaces) {
    if (tensors.some((t) => t.name === ds.name)) {
      addIssue(issues, ModelCodes.duplicate, `data space '${ds.name}' is declared twice`, { kind: 'dataSpace', tensor: ds.name });
      continue;
    }
    const bound = bindProjection(ds, dimNames, dimSizes, issues);
    tensors.push({ name: ds.name, isOutput: ds.isOutput, ...bound });
  }
  if (tensors.length > MAX_DIMS) addIssue(issues, ModelCodes.badValue, `a problem may have at most ${MAX_DIMS} data spaces`, { kind: 'dataSpace', tensor: tensors[MAX_DIMS]?.name ?? '' });

  const bound = { dimNames, dimSizes, tensors, issues };
  boundProblems.set(problem, bound);
  return bound;
}

/**
 * A data space's projection as bound ranks. Coefficients must be non-negative safe integers and every
 * rank's extent (Σ coefficient · (size − 1) + 1) a safe integer, so that all data-space coordinates are
 * exact doubles.
 */
function bindProjection(ds: DataSpace, dimNames: readonly string[], dimSizes: readonly number[], issues: NestIssue[]): { mask: number; ranks: BoundTerm[][]; affine: boolean } {
  let mask = 0;
  let affine = false;
  const ranks: BoundTerm[][] = [];
  for (const rank of ds.projection) {
    const terms: BoundTerm[] = [];
    let extent = 1;
    for (const term of rank) {
      const d = dimNames.indexOf(term.dim);
      if (d < 0) {
        addIssue(issues, ModelCodes.unknownName, `data space '${ds.name}' is indexed by unknown dimension '${term.dim}'`, { kind: 'dataSpace', tensor: ds.name }, `dimensions: ${dimNames.join(', ')}`);
        continue;
      }
      if (!Number.isSafeInteger(term.coefficient) || term.coefficient < 0) {
        addIssue(issues, ModelCodes.badValue, `data space '${ds.name}': the coefficient of '${term.dim}' must be a non-negative integer (got ${term.coefficient})`, { kind: 'dataSpace', tensor: ds.name });
        continue;
      }
      if (term.coefficient === 0) continue;
      if (mask & (1 << d)) affine = true; // a dimension in two ranks (or twice in one)
      mask |= 1 << d;
      let same = 0;
      while (same < terms.length && terms[same]!.dim !== d) same++;
      terms[same] = { dim: d, coefficient: (terms[same]?.coefficient ?? 0) + term.coefficient };
      extent += term.coefficient * ((dimSizes[d] ?? 1) - 1);
    }
    if (!Number.isSafeInteger(extent)) addIssue(issues, ModelCodes.badValue, `data space '${ds.name}': a rank spans ${extent} points, beyond exact integers (2^53)`, { kind: 'dataSpace', tensor: ds.name });
    if (terms.length !== 1 || terms[0]!.coefficient !== 1) affine = true;
    ranks.push(terms);
  }
  return { mask, ranks, affine };
}

function hasLoopOver(loops: readonly Loop[], dim: string): boolean {
  for (const l of loops) if (l.dim === dim) return true;
  return false;
}

function addIssue(issues: NestIssue[], code: string, message: string, ref: NestRef, hint?: string): void {
  issues.push(hint === undefined ? { code, message, ref } : { code, message, ref, hint });
}

/** Resolve one list of loops, multiply their bounds into `product`; returns the product of this list. */
function bindLoops(level: string, loops: readonly Loop[], space: LoopSpace, dimNames: readonly string[], product: number[], dims: number[], bounds: number[], issues: NestIssue[]): number {
  let total = 1;
  let seen = 0;
  for (const loop of loops) {
    const d = dimNames.indexOf(loop.dim);
    if (d < 0) {
      issues.push({ code: ModelCodes.unknownName, message: `level '${level}' has a loop over unknown dimension '${loop.dim}'`, ref: loopRef(level, loop.dim, space), hint: `dimensions: ${dimNames.join(', ')}` });
      continue;
    }
    if (seen & (1 << d)) issues.push({ code: ModelCodes.duplicate, message: `level '${level}' has two ${space === 'temporal' ? 'temporal' : 'spatial'} loops over '${loop.dim}'`, ref: loopRef(level, loop.dim, space) });
    seen |= 1 << d;
    if (!Number.isSafeInteger(loop.bound) || loop.bound < 1) {
      issues.push({ code: ModelCodes.badValue, message: `loop bound of '${loop.dim}' at level '${level}' must be a positive integer (got ${loop.bound})`, ref: loopRef(level, loop.dim, space) });
      continue;
    }
    product[d] = (product[d] ?? 1) * loop.bound;
    total *= loop.bound;
    if (loop.bound > 1) {
      dims.push(d);
      bounds.push(loop.bound);
    }
  }
  return total;
}

function loopRef(level: string, dim: string, space: LoopSpace): NestRef {
  return { kind: 'loop', level, dim, space };
}

function fanoutIssue(spec: StorageLevel, space: 'x' | 'y', total: number, fanout: number, loops: readonly Loop[], issues: NestIssue[]): void {
  const axis = space.toUpperCase();
  const first = loops.find((l) => l.bound > 1) ?? loops[0];
  issues.push({
    code: ModelCodes.fanout,
    message: `spatial ${axis} factors at level '${spec.name}' multiply to ${total}, more than its ${axis} fan-out of ${fanout}`,
    ref: first ? { kind: 'loop', level: spec.name, dim: first.dim, space } : { kind: 'mappingLevel', level: spec.name },
  });
}

/** Instances of every storage level and of the compute array: products of the fan-outs above. */
export function levelInstances(arch: Architecture): { readonly levels: readonly number[]; readonly compute: number } {
  const levels: number[] = [];
  let n = 1;
  for (const l of arch.levels) {
    levels.push(n);
    n *= l.fanoutX * l.fanoutY;
  }
  return { levels, compute: n };
}

/** Where to point when a dimension's factors do not add up: its first loop with a bound above 1, else its first loop. */
function firstLoopRef(mapping: Mapping, dim: string): NestRef | undefined {
  for (const minBound of [2, 1]) {
    for (const lm of mapping.levels) {
      for (const [space, loops] of [['temporal', lm.temporal], ['x', lm.spatialX], ['y', lm.spatialY]] as const) {
        if (loops.some((l) => l.dim === dim && l.bound >= minBound)) return { kind: 'loop', level: lm.level, dim, space };
      }
    }
  }
  return undefined;
}
