/**
 * @file Seeded random data, identical on every machine: xoshiro128** seeded through SplitMix32, uniform
 * and normal (Box–Muller) values, and sparse data with an exact number of non-zeros at random positions.
 */
import { Tensor } from './tensor.ts';
import type { RankFormat } from './fiber.ts';

/** xoshiro128** (Blackman & Vigna): 32-bit state words, period 2^128 − 1. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // SplitMix32 spreads the seed over the four state words (never all zero).
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
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

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function randomUniform(shape: readonly number[], seed: number, lo = 0, hi = 1): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * rng.next();
  return out;
}

export function randomNormal(shape: readonly number[], seed: number, mean = 0, std = 1): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.normal();
  return out;
}

/** Exactly round(density·size) non-zeros at uniformly chosen positions; values never exactly 0. */
export function randomSparse(shape: readonly number[], density: number, seed: number, dist: 'uniform' | 'normal' = 'uniform'): Float64Array {
  if (!(density >= 0 && density <= 1)) throw new Error(`density must be in [0, 1], not ${density}`);
  const rng = new Rng(seed);
  const size = sizeOf(shape);
  const out = new Float64Array(size);
  const count = Math.round(density * size);
  // Partial Fisher–Yates over positions picks `count` distinct ones.
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

export function randomTensor(name: string, rankIds: readonly string[], shape: readonly number[], seed: number, options: { dist?: 'uniform' | 'normal'; density?: number; formats?: readonly RankFormat[] } = {}): Tensor {
  const dist = options.dist ?? 'normal';
  const data = options.density !== undefined && options.density < 1
    ? randomSparse(shape, options.density, seed, dist)
    : dist === 'normal' ? randomNormal(shape, seed) : randomUniform(shape, seed);
  return Tensor.fromDense(name, rankIds, shape, data, options.formats);
}
