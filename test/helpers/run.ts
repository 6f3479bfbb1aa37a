/**
 * @file Test helpers for running cascades on seeded data.
 */
import type { Cascade } from '../../src/ir/cascade.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade, type RunResult } from '../../src/exec/run.ts';
import type { Tensor } from '../../src/tensor/index.ts';

export function shapesOf(c: Cascade, shapes: Record<string, number>): Map<string, number> {
  return resolveShapes(c, new Map(Object.entries(shapes)));
}

export function runOn(c: Cascade, shapes: Record<string, number>, seed = 7, given: Map<string, Tensor> = new Map()): { result: RunResult; inputs: Map<string, Tensor> } {
  const s = shapesOf(c, shapes);
  const inputs = completeInputs(c, s, seed, given);
  return { result: runCascade(c, s, inputs), inputs };
}

export { maxRelativeDifference as relError } from '../../src/tensor/index.ts';
