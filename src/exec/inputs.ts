/**
 * @file Input data for a run: seeded random normal tensors for the inputs the user did not give.
 * Each input's seed is derived from the run seed and the tensor's name, so giving one input from a
 * file does not change the random data of the others.
 */
import type { Cascade } from '../ir/cascade.ts';
import type { Shapes } from '../ir/shapes.ts';
import { randomNormal, Tensor } from '../tensor/index.ts';
import { tensorExtents } from './state.ts';

/** A 32-bit seed from the run seed and a name (FNV-1a over the name, mixed with the seed). */
export function deriveSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Random normal data for every input of the cascade that `given` does not supply. */
export function completeInputs(c: Cascade, shapes: Shapes, seed: number, given: ReadonlyMap<string, Tensor> = new Map()): Map<string, Tensor> {
  const out = new Map(given);
  for (const t of c.tensors.values()) {
    if (t.role !== 'input' || out.has(t.name)) continue;
    const shape = tensorExtents(t, shapes);
    out.set(t.name, Tensor.fromDense(t.name, t.ranks, shape, randomNormal(shape, deriveSeed(seed, t.name))));
  }
  return out;
}
