/**
 * @file The tensor library: fibertree tensors, NumPy .npy files, seeded random data.
 */
export { fiberCoordAt, fiberLength, fiberPosition, type Fiber, type RankFormat } from './fiber.ts';
export { Tensor, maxRelativeDifference, maxRelativeError, tensorsEqual } from './tensor.ts';
export { readNpy, writeNpy, type NpyArray } from './npy.ts';
export { Rng, randomNormal, randomSparse, randomTensor, randomUniform } from './random.ts';
