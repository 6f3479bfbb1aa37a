/**
 * @file Seeded random data, identical on every machine (only 32-bit integer operations and IEEE double
 * arithmetic, no Math.random): the xoshiro128** generator (Blackman & Vigna) with its state filled by a
 * SplitMix32-style mixer from the seed; uniform values with 53 random bits, normal values by Box–Muller,
 * and sparse data with an exact number of non-zeros at uniformly chosen distinct positions.
 */
import { Tensor } from './tensor.ts';
import type { RankFormat } from './fiber.ts';

/** xoshiro128** (Blackman & Vigna): 32-bit state words, period 2^128 − 1. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Any safe integer seed; seeds that differ anywhere in their 64-bit two's complement give different streams. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`random seed must be a safe integer, not ${seed}`);
    const words = spread(seed >>> 0);
    // The high word only perturbs the state when set, so that seeds 0..2^32-1 keep their streams.
    const high = Math.floor(seed / 4294967296) >>> 0;
    if (high !== 0) spread(high).forEach((w, i) => { words[i] = ((words[i] as number) ^ w) >>> 0; });
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // xoshiro's one forbidden state.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c ^= this.a; this.d ^= this.b; this.b ^= this.c; this.a ^= this.d;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d, 11);
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller; one value per call). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}

/** Four state words from a 32-bit value: a Weyl sequence (golden-ratio step) through the MurmurHash3 finalizer. */
function spread(x: number): number[] {
  let s = x;
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    words.push((z ^ (z >>> 16)) >>> 0);
  }
  return words;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function sizeOf(shape: readonly number[]): number {
  for (const s of shape) if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`bad extent ${s} in shape [${shape.join(', ')}]`);
  return shape.reduce((a, b) => a * b, 1);
}

/** Uniform values in [lo, hi) (53 random bits each; an exact 0 is possible when lo < 0 < hi). */
export function randomUniform(shape: readonly number[], seed: number, lo = 0, hi = 1): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * rng.next();
  return out;
}

/** Normal values (Box–Muller from two uniforms per value). */
export function randomNormal(shape: readonly number[], seed: number, mean = 0, std = 1): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.normal();
  return out;
}

/**
 * Exactly round(density·size) non-zeros at uniformly chosen distinct positions (a partial Fisher–Yates
 * shuffle), standard normal or uniform in (0, 1) values, redrawn when exactly 0; zeros elsewhere.
 */
export function randomSparse(shape: readonly number[], density: number, seed: number, dist: 'uniform' | 'normal' = 'uniform'): Float64Array {
  if (!(density >= 0 && density <= 1)) throw new RangeError(`density must be in [0, 1], not ${density}`);
  const rng = new Rng(seed);
  const size = sizeOf(shape);
  const out = new Float64Array(size);
  const count = Math.round(density * size);
  const positions = new Int32Array(size);
  for (let i = 0; i < size; i++) positions[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + rng.below(size - i);
    const tmp = positions[i] as number;
    positions[i] = positions[j] as number;
    positions[j] = tmp;
    let v = 0;
    while (v === 0) v = dist === 'normal' ? rng.normal() : rng.next();
    out[positions[i] as number] = v;
  }
  return out;
}

export interface RandomTensorOptions {
  /** Value distribution, 'normal' (standard) unless given. */
  readonly dist?: 'uniform' | 'normal';
  /** Below 1: randomSparse with this density; otherwise dense randomNormal / randomUniform on [0, 1). */
  readonly density?: number;
  /** Rank formats, all 'U' unless given. */
  readonly formats?: readonly RankFormat[];
}

/** A tensor of seeded random data (see RandomTensorOptions). */
export function randomTensor(name: string, rankIds: readonly string[], shape: readonly number[], seed: number, options: RandomTensorOptions = {}): Tensor {
  const dist = options.dist ?? 'normal';
  const data = options.density !== undefined && options.density < 1
    ? randomSparse(shape, options.density, seed, dist)
    : dist === 'normal' ? randomNormal(shape, seed) : randomUniform(shape, seed);
  return Tensor.fromDense(name, rankIds, shape, data, options.formats);
}
