/**
 * @file One search job: a spatial choice and a keep choice fixed, everything the temporal search needs
 * precomputed, and the closed form of the cost that makes the search exact and fast.
 *
 * The counts of src/model/analysis.ts, rewritten in terms of what the temporal loops can still change
 * (docs/mapper.md derives it). For a tensor t kept at level i (not its outermost keeper), the words
 * moved into all instances of i over the run are
 *
 *     F(t, i) = utilizedInstances(i) · loads(i) · size(i) = |t| · mcAbove(t, i) · refetch(t, i)
 *
 * where mcAbove is the product of the spatial factors above i that t does not depend on (multicast) and
 * refetch is the product of the temporal loops above i that t does not depend on and that sit outside
 * its innermost relevant loop above i (the only place loop order enters). Every read, fill and update
 * of every keeper is an affine function of these F's once the spatial factors and the keep sets are
 * fixed, so the energy is
 *
 *     energy = K + Σ over (t, i) of c(t, i) · refetch(t, i),   c(t, i) ≥ 0,
 *
 * with K (compute, leakage, the innermost keepers serving every compute, the first-access elision of
 * outputs) and c fixed for the job. The same holds for the outermost level's accesses. refetch ≥ 1
 * gives the job's lower bound; as the temporal search fixes levels from the outermost down, irrelevant
 * loops above a tensor's deepest relevant loop become certain refetches, which tightens it. An affine
 * tensor (sliding windows, strides) has no such form: it is left out here (bounded by 0) and costed by
 * src/model at complete mappings.
 */
import type { MapSpace } from './mapspace.ts';
import { Keep, tileWords } from './mapspace.ts';
import type { SpatialChoice } from './spatial.ts';
import { leakageEnergy } from './charge.ts';

export interface JobCosts {
  readonly L: number;
  readonly D: number;
  readonly T: number;
  /** Spatial factors counted per level (L × D). */
  readonly spatial: Int32Array;
  /** Keep mask per level (bit t: tensor t kept). */
  readonly keep: Int32Array;
  readonly cycles: number;
  /** Temporal product left for each dimension after the spatial factors. */
  readonly temporalTotal: Float64Array;
  /** (L + 1) × D: Π of the spatial factors of d at levels ≥ l. */
  readonly spatialBelow: Float64Array;
  /** Energy and last-level-access constants. */
  readonly energyConst: number;
  readonly accessConst: number;
  /** T × L: c(t, i) for energy and for last-level accesses (0 where t has no such keeper). */
  readonly energyCoef: Float64Array;
  readonly accessCoef: Float64Array;
  /** T × (L + 1): Σ of the coefficients at levels ≥ l. */
  readonly energySuffix: Float64Array;
  readonly accessSuffix: Float64Array;
  /**
   * T × (L + 1): Σ over t's keepers i ≥ l (not its outermost) of the constant part of the costs paired
   * with i's loads: an output's first access elided at i and at the keeper serving it (≤ 0).
   */
  readonly energyPairConst: Float64Array;
  readonly accessPairConst: Float64Array;
  /** L × D: 0 free, > 0 a fixed temporal factor, -1 forced to 1 (collapsed into the level above). */
  readonly temporalFixed: Int32Array;
  /** Per dimension: the innermost level where its temporal factor is free (-1 when nowhere). */
  readonly lastFree: Int32Array;
  /** (L + 1) × D: Π of the fixed temporal factors of d at levels ≥ l. */
  readonly reservedFrom: Float64Array;
  /** T × (L + 1): the first level ≥ l with a fixed temporal factor above 1 over a dimension of t (L if none). */
  readonly nextFixedRelevant: Int32Array;
  /** L × D: the deepest level above l where d's temporal factor is free (-1 if none). */
  readonly prevFree: Int32Array;

  // For the exact evaluation of complete mappings (search.ts, leaf).
  /** L + 1: utilized instances of each level (Π of the spatial factors above it). */
  readonly instAbove: Float64Array;
  /** T × (L + 1): Π of the spatial factors over t's dimensions at levels < l. */
  readonly spatialPrefix: Float64Array;
  /** T × L: t's physical partition at each level (the words one instance ever touches). */
  readonly partition: Float64Array;
  /** T × L: for a keeper of t, the previous keeper (-1 for the outermost); -2 where t is not kept. */
  readonly prevKeeper: Int32Array;
  /** Per tensor: its innermost keeper. */
  readonly lastKeeper: Int32Array;
  /** Leakage of the whole run (exact). */
  readonly leakage: number;
}

/**
 * The costs of a job, or undefined when no temporal choice can complete it (a fixed factor that does not
 * divide, a tile that cannot fit even with every free loop moved out).
 */
export function jobCosts(space: MapSpace, spatial: SpatialChoice, keep: Int32Array): JobCosts | undefined {
  const L = space.levels.length;
  const D = space.dims.length;
  const T = space.tensors.length;
  const sf = spatial.factors;

  const S = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    let p = 1;
    for (let d = 0; d < D; d++) p *= sf[l * D + d]!;
    S[l] = p;
  }
  const spatialBelow = new Float64Array((L + 1) * D).fill(1);
  for (let l = L - 1; l >= 0; l--) for (let d = 0; d < D; d++) spatialBelow[l * D + d] = spatialBelow[(l + 1) * D + d]! * sf[l * D + d]!;
  const temporalTotal = new Float64Array(D);
  for (let d = 0; d < D; d++) temporalTotal[d] = space.sizes[d]! / spatialBelow[d]!;
  const cycles = space.computes / spatial.product;

  // Temporal freedom: fixed factors, and loops at a level that keeps nothing collapsed into the nearest
  // keeping level above (the same counts, see docs/mapper.md), when that level can take them.
  const temporalFixed = new Int32Array(L * D);
  for (let l = 0; l < L; l++) {
    const lv = space.levels[l]!;
    let upper = l - 1;
    while (upper >= 0 && keep[upper] === 0) upper--;
    for (let d = 0; d < D; d++) {
      const fixed = lv.temporalFixed[d]!;
      if (fixed > 0) temporalFixed[l * D + d] = fixed;
      else if (space.costing === 'closed-form' && keep[l] === 0 && upper >= 0 && space.levels[upper]!.temporalFixed[d] === 0 && space.levels[upper]!.pinned.length === 0) temporalFixed[l * D + d] = -1;
    }
  }
  // A dimension whose smallest factor cannot fit at a buffer (its tiles there would overflow even with
  // every other free factor moved out) can have no loop there or below: those slots are forced to 1.
  const fixedFrom = new Float64Array((L + 1) * D).fill(1);
  for (let l = L - 1; l >= 0; l--) for (let d = 0; d < D; d++) fixedFrom[l * D + d] = fixedFrom[(l + 1) * D + d]! * Math.max(1, temporalFixed[l * D + d]!);
  const ext = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    const p = smallestPrime(temporalTotal[d]! / fixedFrom[d]!);
    if (p === 0) continue;
    for (let k = 1; k < L; k++) {
      const lv = space.levels[k]!;
      if (lv.kind !== 'buffer' || keep[k] === 0) continue;
      for (let e = 0; e < D; e++) ext[e] = spatialBelow[k * D + e]! * fixedFrom[k * D + e]! * (e === d ? p : 1);
      let used = 0;
      for (let t = 0; t < T; t++) if (keep[k]! & (1 << t)) used += tileWords(space.tensors[t]!, ext);
      if (used > lv.capacity) {
        for (let j = k; j < L; j++) if (temporalFixed[j * D + d] === 0) temporalFixed[j * D + d] = -1;
        break;
      }
    }
  }
  const lastFree = new Int32Array(D).fill(-1);
  const reservedFrom = new Float64Array((L + 1) * D).fill(1);
  for (let l = L - 1; l >= 0; l--) {
    for (let d = 0; d < D; d++) {
      const f = temporalFixed[l * D + d]!;
      reservedFrom[l * D + d] = reservedFrom[(l + 1) * D + d]! * (f > 0 ? f : 1);
      if (f === 0 && lastFree[d] === -1) lastFree[d] = l;
    }
  }
  const prevFree = new Int32Array(L * D).fill(-1);
  for (let l = 1; l < L; l++) {
    for (let d = 0; d < D; d++) prevFree[l * D + d] = temporalFixed[(l - 1) * D + d] === 0 ? l - 1 : prevFree[(l - 1) * D + d]!;
  }
  const nextFixedRelevant = new Int32Array(T * (L + 1)).fill(L);
  for (let t = 0; t < T; t++) {
    const mask = space.tensors[t]!.mask;
    for (let l = L - 1; l >= 0; l--) {
      let fixedHere = false;
      for (let d = 0; d < D; d++) if (mask & (1 << d) && temporalFixed[l * D + d]! > 1) fixedHere = true;
      nextFixedRelevant[t * (L + 1) + l] = fixedHere ? l : nextFixedRelevant[t * (L + 1) + l + 1]!;
    }
  }
  for (let d = 0; d < D; d++) {
    const total = temporalTotal[d]!;
    const fixed = reservedFrom[d]!;
    if (lastFree[d] === -1 ? total !== fixed : total % fixed !== 0) return undefined;
  }

  // Smallest possible tiles: only fixed temporal factors and the spatial ones below each level (the
  // outermost level holds whole tensors).
  for (let l = 0; l < L; l++) {
    const lv = space.levels[l]!;
    if (lv.kind !== 'buffer') continue;
    for (let d = 0; d < D; d++) ext[d] = l === 0 ? space.sizes[d]! : reservedFrom[l * D + d]! * spatialBelow[l * D + d]!;
    let used = 0;
    for (let t = 0; t < T; t++) if (keep[l]! & (1 << t)) used += tileWords(space.tensors[t]!, ext);
    if (used > lv.capacity || (l === 0 && used < lv.minCapacityUtilization * lv.capacity)) return undefined;
  }

  const instAbove = new Float64Array(L + 1);
  instAbove[0] = 1;
  for (let l = 0; l < L; l++) instAbove[l + 1] = instAbove[l]! * S[l]!;
  let leakage = 0;
  for (let l = 0; l < L; l++) {
    const lv = space.levels[l]!;
    if (lv.kind !== 'spatial') leakage += leakageEnergy(lv.leakEnergy, cycles, lv.instances, instAbove[l]!);
  }
  let energyConst = space.computes * space.computeEnergy + leakage;
  let accessConst = 0;
  const spatialPrefix = new Float64Array(T * (L + 1));
  const partition = new Float64Array(T * L);
  const prevKeeper = new Int32Array(T * L).fill(-2);
  const lastKeeper = new Int32Array(T).fill(-1);
  const energyCoef = new Float64Array(T * L);
  const accessCoef = new Float64Array(T * L);
  const pairE = new Float64Array(T * L);
  const pairA = new Float64Array(T * L);
  const mcAbove = new Float64Array(L + 1);
  const keepers: number[] = [];

  for (let t = 0; t < T; t++) {
    const tensor = space.tensors[t]!;
    const mask = tensor.mask;
    // An affine tensor's counts come from src/model at complete mappings; it bounds nothing here.
    if (tensor.affine) continue;
    // Multicast factors: spatial factors t does not depend on, above each level.
    mcAbove[0] = 1;
    for (let l = 0; l < L; l++) {
      let irrelevant = 1;
      for (let d = 0; d < D; d++) if (!(mask & (1 << d))) irrelevant *= sf[l * D + d]!;
      mcAbove[l + 1] = mcAbove[l]! * irrelevant;
    }
    spatialPrefix[t * (L + 1)] = 1;
    for (let l = 0; l < L; l++) {
      let relevant = 1;
      for (let d = 0; d < D; d++) if (mask & (1 << d)) relevant *= sf[l * D + d]!;
      spatialPrefix[t * (L + 1) + l + 1] = spatialPrefix[t * (L + 1) + l]! * relevant;
      partition[t * L + l] = tensor.size / spatialPrefix[t * (L + 1) + l]!;
    }
    keepers.length = 0;
    for (let l = 0; l < L; l++) if (keep[l]! & (1 << t)) keepers.push(l);
    keepers.forEach((k, m) => (prevKeeper[t * L + k] = m === 0 ? -1 : keepers[m - 1]!));
    lastKeeper[t] = keepers[keepers.length - 1] ?? -1;
    const out = tensor.isOutput;
    for (let m = 0; m < keepers.length; m++) {
      const k = keepers[m]!;
      const lv = space.levels[k]!;
      const served = out ? lv.readEnergy + lv.updateEnergy : lv.readEnergy;
      const touched = tensor.size * mcAbove[k]!; // instances × partition: words first touched at k
      const atTop = k === 0;
      if (m === keepers.length - 1) {
        // The innermost keeper serves every compute, multicast over the irrelevant spatial loops below it.
        const reads = space.computes / (mcAbove[L]! / mcAbove[k]!);
        energyConst += served * reads;
        if (atTop) accessConst += (out ? 2 : 1) * reads;
      } else {
        const next = keepers[m + 1]!;
        const share = 1 / (mcAbove[next]! / mcAbove[k]!);
        energyCoef[t * L + next] = energyCoef[t * L + next]! + served * share * tensor.size * mcAbove[next]!;
        if (atTop) accessCoef[t * L + next] = accessCoef[t * L + next]! + (out ? 2 : 1) * share * tensor.size * mcAbove[next]!;
      }
      // An output's first access to each point is elided: the reads at k (paired with the next
      // keeper's loads, or constant at the innermost) and the fills at k (paired with k's own loads).
      if (out) {
        energyConst -= lv.readEnergy * touched;
        if (atTop) accessConst -= touched;
        if (m < keepers.length - 1) {
          const next = keepers[m + 1]!;
          pairE[t * L + next] = pairE[t * L + next]! - lv.readEnergy * touched;
          if (atTop) pairA[t * L + next] = pairA[t * L + next]! - touched;
        }
      }
      if (m > 0) {
        energyCoef[t * L + k] = energyCoef[t * L + k]! + lv.writeEnergy * tensor.size * mcAbove[k]!;
        if (out) {
          energyConst -= lv.writeEnergy * touched;
          pairE[t * L + k] = pairE[t * L + k]! - lv.writeEnergy * touched;
        }
      }
    }
  }
  const energySuffix = new Float64Array(T * (L + 1));
  const accessSuffix = new Float64Array(T * (L + 1));
  const energyPairConst = new Float64Array(T * (L + 1));
  const accessPairConst = new Float64Array(T * (L + 1));
  for (let t = 0; t < T; t++) {
    for (let l = L - 1; l >= 0; l--) {
      const at = t * (L + 1) + l;
      energySuffix[at] = energySuffix[at + 1]! + energyCoef[t * L + l]!;
      accessSuffix[at] = accessSuffix[at + 1]! + accessCoef[t * L + l]!;
      energyPairConst[at] = energyPairConst[at + 1]! + pairE[t * L + l]!;
      accessPairConst[at] = accessPairConst[at + 1]! + pairA[t * L + l]!;
    }
  }
  return {
    L,
    D,
    T,
    spatial: sf,
    keep,
    cycles,
    temporalTotal,
    spatialBelow,
    energyConst,
    accessConst,
    energyCoef,
    accessCoef,
    energySuffix,
    accessSuffix,
    energyPairConst,
    accessPairConst,
    temporalFixed,
    lastFree,
    reservedFrom,
    nextFixedRelevant,
    prevFree,
    instAbove,
    spatialPrefix,
    partition,
    prevKeeper,
    lastKeeper,
    leakage,
  };
}

/**
 * Keep choices: every combination of the free (level, tensor) bits, as a keep mask per level. Combos
 * that keep a tensor nowhere, or put more tensors in a buffer than it has words (each tile holds at
 * least one), are left out.
 */
export function enumerateKeeps(space: MapSpace): Int32Array[] {
  const L = space.levels.length;
  const T = space.tensors.length;
  const base = new Int32Array(L);
  const free: [number, number][] = [];
  space.levels.forEach((lv, l) => {
    lv.keep.forEach((k, t) => {
      if (k === Keep.Keep) base[l] = base[l]! | (1 << t);
      else if (k === Keep.Free) free.push([l, t]);
    });
  });
  const out: Int32Array[] = [];
  const n = free.length;
  // Bit order: the last free bit varies fastest; "keep" (1) before "bypass" (0), so that keeping
  // everything comes first.
  for (let code = 0; code < 2 ** n; code++) {
    const masks = base.slice();
    for (let b = 0; b < n; b++) {
      if (code & (1 << (n - 1 - b))) continue;
      const [l, t] = free[b]!;
      masks[l] = masks[l]! | (1 << t);
    }
    let fits = true;
    let kept = 0;
    for (let l = 0; l < L && fits; l++) {
      const lv = space.levels[l]!;
      if (lv.kind === 'buffer' && popcount(masks[l]!) > lv.capacity) fits = false;
      kept |= masks[l]!;
    }
    // Every tensor must be kept somewhere.
    if (fits && kept === (1 << T) - 1) out.push(masks);
  }
  return out;
}

/** The smallest prime factor of n, 0 for n = 1. */
function smallestPrime(n: number): number {
  if (n <= 1) return 0;
  for (let p = 2; p * p <= n; p++) if (n % p === 0) return p;
  return n;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v !== 0; v &= v - 1) c++;
  return c;
}
