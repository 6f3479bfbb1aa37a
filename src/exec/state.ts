/**
 * @file The executor's storage for one tensor: either a dense row-major array (intermediates, dense
 * inputs; an element equal to the empty value is empty) or a fibertree (sparse inputs and sparse
 * intermediates, which the kernel co-iterates). Generational ranks have one extra coordinate.
 */
import type { TensorInfo } from '../ir/cascade.ts';
import type { Shapes } from '../ir/shapes.ts';
import { Tensor, type RankFormat } from '../tensor/index.ts';

/** Storage precision: float32 rounds every stored element (inputs and Einsum results) to float32. */
export type Precision = 'float64' | 'float32';

export interface DenseState {
  readonly kind: 'dense';
  readonly name: string;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly data: Float64Array | Float32Array;
  readonly emptyValue: number;
  /** The format the tensor takes when it leaves the executor (or is frozen into a fibertree). */
  readonly formats: readonly RankFormat[];
}

export interface TreeState {
  readonly kind: 'tree';
  readonly name: string;
  readonly tensor: Tensor;
}

export type TensorState = DenseState | TreeState;

/** Extents of a tensor's ranks, generational ranks included (0..V inclusive). */
export function tensorExtents(t: TensorInfo, shapes: Shapes): number[] {
  return t.ranks.map((r, i) => (shapes.get(r) as number) + (t.generational[i] ? 1 : 0));
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

export function newDenseState(name: string, shape: readonly number[], formats: readonly RankFormat[], precision: Precision = 'float64', emptyValue = 0): DenseState {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = precision === 'float32' ? new Float32Array(size) : new Float64Array(size);
  if (emptyValue !== 0) data.fill(emptyValue);
  return { kind: 'dense', name, shape, strides: stridesOf(shape), data, emptyValue, formats };
}

/** Dense tensors are read faster as arrays; any compressed rank keeps the fibertree so it can drive iteration. */
export function stateFromTensor(t: Tensor, precision: Precision = 'float64'): TensorState {
  if (t.formats.every((f) => f === 'U')) {
    const dense = t.toDense();
    const data = precision === 'float32' ? Float32Array.from(dense) : dense;
    return { kind: 'dense', name: t.name, shape: t.shape, strides: stridesOf(t.shape), data, emptyValue: t.emptyValue, formats: t.formats };
  }
  return { kind: 'tree', name: t.name, tensor: t };
}

export function stateToTensor(s: TensorState, info: TensorInfo): Tensor {
  if (s.kind === 'tree') return s.tensor;
  return Tensor.fromDense(s.name, info.ranks, s.shape, s.data instanceof Float64Array ? s.data : Float64Array.from(s.data), s.formats, s.emptyValue);
}

export function isCompressed(s: TensorState): boolean {
  return s.kind === 'tree' ? s.tensor.formats.some((f) => f === 'C') : s.formats.some((f) => f === 'C');
}

/** Freeze a dense intermediate into a fibertree when it is meant to be sparse (so readers skip its empties). */
export function settle(s: TensorState, info: TensorInfo): TensorState {
  if (s.kind === 'dense' && s.formats.some((f) => f === 'C')) return { kind: 'tree', name: s.name, tensor: stateToTensor(s, info) };
  return s;
}
