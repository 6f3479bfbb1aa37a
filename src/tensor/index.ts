/**
 * @file The tensor library: fibertree tensors (fiber.ts, tensor.ts), NumPy .npy files in memory
 * (npy.ts) and seeded random data (random.ts). Pure: no file system, no process, no console.
 */
export { fiberCoordAt, fiberLength, fiberPosition, makeFiber, type Fiber, type RankFormat } from './fiber.ts';
export { Tensor, maxRelativeDifference, maxRelativeError, tensorsEqual } from './tensor.ts';
export { readNpy, writeNpy, type NpyArray } from './npy.ts';
export { Rng, randomNormal, randomSparse, randomTensor, randomUniform, type RandomTensorOptions } from './random.ts';
