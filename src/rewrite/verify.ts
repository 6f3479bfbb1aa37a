/**
 * @file Verification of a rewrite: the original and the rewritten cascade run on the same random data
 * at small shapes (ragged partitions included), and every output of the original is compared. Three
 * kinds of data: standard normal, scaled by 30 (attention logits of ~1e3–1e4), and, for each input
 * in turn, that input offset by 1e5 (a large common mean, where multiplied-out sums cancel
 * catastrophically; one input at a time, so that the offset of one does not hide another's). A rewrite is stable when on every
 * data set its outputs are within the tolerance of the original's — or, where the original is itself
 * ill-conditioned, within 10 times how far the original's outputs move when its inputs move by about
 * 50 rounding errors (no rewrite can agree with the original better than the original with itself).
 */
import { inputsOf, type Cascade } from '../ir/cascade.ts';
import { resolveShapes } from '../ir/shapes.ts';
import { completeInputs } from '../exec/inputs.ts';
import { VERIFY_TOLERANCE, verificationShapes } from './verification-shapes.ts';

export { verificationShapes };
import { runCascade } from '../exec/run.ts';
import { maxRelativeDifference, Tensor } from '../tensor/index.ts';

/** Largest relative error a rewrite may show on any data set (where the original is well-conditioned). */
export const STABILITY_TOLERANCE = VERIFY_TOLERANCE;
export const LARGE_SCALE = 30;
export const LARGE_OFFSET = 1e5;

export interface VerificationCase {
  readonly data: 'normal' | 'scaled' | 'offset';
  readonly scale: number;
  readonly offset: number;
  /** The input that is offset (offset data only). */
  readonly input?: string;
  readonly seed: number;
  /** Normwise relative difference of the outputs (NaN when the case was skipped). */
  readonly maxRelError: number;
  /**
   * How far the original's outputs move when its inputs move by PERTURBATION: its own conditioning on
   * this data. Measured only where the error exceeds the tolerance (it can only raise the allowance).
   */
  readonly conditioning?: number;
  /** Set when the original's own outputs are not finite on this data, so there is nothing to compare. */
  readonly skipped?: string;
}

export interface Verification {
  /**
   * Largest relative difference of any output on the standard normal and scaled data (the rounding
   * difference of a correct rewrite); the offset case, which measures stability, is in `cases`.
   */
  readonly maxRelError: number;
  readonly cases: readonly VerificationCase[];
}

export type Stability = 'stable' | 'unstable';

function shapesFor(c: Cascade, shapes: ReadonlyMap<string, number>): Map<string, number> {
  const ranks = (k: string) => [...c.tensors.values()].some((t) => t.ranks.includes(k)) || c.partitions.some((p) => p.inner === k || p.outer === k);
  return resolveShapes(c, new Map([...shapes].filter(([k]) => ranks(k))));
}

/** Relative size of the input perturbation that measures the original's own conditioning (about 50 rounding errors). */
export const PERTURBATION = 1e-14;

interface DataSet {
  readonly data: VerificationCase['data'];
  readonly scale: number;
  readonly offset: number;
  readonly input?: string;
  readonly seed: number;
}

interface OriginalRun {
  readonly set: DataSet;
  readonly shapes: Map<string, number>;
  readonly inputs: Map<string, Tensor>;
  readonly outputs: ReadonlyMap<string, Tensor>;
  readonly finite: boolean;
  /** Measured on first need. */
  conditioning?: number;
}

function outputDifference(a: ReadonlyMap<string, Tensor>, b: ReadonlyMap<string, Tensor>): number {
  let err = 0;
  for (const [name, t] of a) {
    const other = b.get(name);
    if (!other) throw new Error(`the rewritten cascade lost output ${name}`);
    err = Math.max(err, maxRelativeDifference(other.toDense(), t.toDense()));
  }
  return err;
}

/**
 * Verifies rewrites of one original cascade: its runs on the three data sets (and on the same data
 * perturbed by PERTURBATION, which measures how much its outputs move by rounding alone) are made
 * once per set of shapes and reused for every rewrite compared with it.
 */
export class Verifier {
  private readonly runs = new Map<string, OriginalRun[]>();

  constructor(
    readonly original: Cascade, private readonly tolerance = STABILITY_TOLERANCE,
    private readonly largeScale = LARGE_SCALE, private readonly largeOffset = LARGE_OFFSET,
  ) {}

  private originalRuns(shapes: ReadonlyMap<string, number>): OriginalRun[] {
    const s0 = shapesFor(this.original, shapes);
    const key = JSON.stringify([...s0]);
    const known = this.runs.get(key);
    if (known) return known;
    const sets: DataSet[] = [
      { data: 'normal', scale: 1, offset: 0, seed: 11 },
      { data: 'scaled', scale: this.largeScale, offset: 0, seed: 12 },
      ...inputsOf(this.original).map((t) => ({ data: 'offset' as const, scale: 1, offset: this.largeOffset, input: t.name, seed: 13 })),
    ];
    const runs = sets.map((set) => {
      const raw = completeInputs(this.original, s0, set.seed);
      const shift = (n: string) => (set.input === undefined || set.input === n ? set.offset : 0);
      const inputs = new Map([...raw].map(([n, t]) => [n, Tensor.fromDense(n, t.rankIds, t.shape, t.toDense().map((v) => v * set.scale + shift(n)))]));
      const outputs = runCascade(this.original, s0, inputs).outputs;
      const finite = [...outputs.values()].every((t) => t.toDense().every(Number.isFinite));
      return { set, inputs, outputs, finite, shapes: s0 };
    });
    this.runs.set(key, runs);
    return runs;
  }

  /** The original's movement when its inputs move by ±PERTURBATION (relative, random sign per element). */
  private conditioning(run: OriginalRun): number {
    if (run.conditioning === undefined) {
      // Stryker disable next-line ArithmeticOperator: any seed other than the data's gives an independent random sign pattern
      const signs = completeInputs(this.original, run.shapes, run.set.seed + 1000);
      const moved = new Map([...run.inputs].map(([n, t]) => {
        const sign = (signs.get(n) as Tensor).toDense();
        return [n, Tensor.fromDense(n, t.rankIds, t.shape, t.toDense().map((v, i) => v * (1 + PERTURBATION * Math.sign(sign[i] as number))))] as const;
      }));
      run.conditioning = outputDifference(run.outputs, runCascade(this.original, run.shapes, moved).outputs);
    }
    return run.conditioning;
  }

  /** Run `rewritten` on the three data sets and compare every output of the original. */
  verify(rewritten: Cascade, shapes: ReadonlyMap<string, number> = verificationShapes(this.original, rewritten)): Verification {
    const s1 = shapesFor(rewritten, shapes);
    const cases: VerificationCase[] = [];
    for (const run of this.originalRuns(shapes)) {
      if (!run.finite) {
        cases.push({ ...run.set, maxRelError: NaN, skipped: 'the original cascade does not give finite outputs on this data' });
        continue;
      }
      const err = outputDifference(run.outputs, runCascade(rewritten, s1, run.inputs).tensors);
      cases.push({ ...run.set, maxRelError: err, ...(err > this.tolerance ? { conditioning: this.conditioning(run) } : {}) });
    }
    const ran = cases.filter((x) => !x.skipped && x.data !== 'offset').map((x) => x.maxRelError);
    return { maxRelError: ran.length ? Math.max(...ran) : 0, cases };
  }
}

/** Run both cascades on the same inputs (three data sets) and compare every output of the original. */
export function verifyRewrite(original: Cascade, rewritten: Cascade, shapes: ReadonlyMap<string, number>, largeScale = LARGE_SCALE, largeOffset = LARGE_OFFSET): Verification {
  return new Verifier(original, STABILITY_TOLERANCE, largeScale, largeOffset).verify(rewritten, shapes);
}

/** How many times the original's own movement under PERTURBATION a rewrite may differ by. */
export const CONDITIONING_FACTOR = 10;

/** The error a case may show: the tolerance, or CONDITIONING_FACTOR × the original's own movement under PERTURBATION when larger. */
export function allowedError(x: VerificationCase, tolerance = STABILITY_TOLERANCE): number {
  return Math.max(tolerance, x.conditioning !== undefined && Number.isFinite(x.conditioning) ? CONDITIONING_FACTOR * x.conditioning : 0);
}

/** Unstable when the error on some data set exceeds what it may show (allowedError), else stable. */
export function stabilityOf(v: Verification, tolerance = STABILITY_TOLERANCE): Stability {
  return v.cases.every((x) => x.skipped || x.maxRelError <= allowedError(x, tolerance)) ? 'stable' : 'unstable';
}
