/**
 * @file How much memory a run needs before it starts: the executors keep every tensor of a cascade
 * (inputs, intermediates, outputs) as a dense array of its full shape, so a shape that cannot fit is
 * refused up front with what it would need (FM330: one tensor beyond a JavaScript typed array's
 * 2^32 elements; FM331: more bytes than the limit the caller gives, e.g. the machine's memory)
 * instead of failing half-way with an allocation error.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import type { Cascade } from '../ir/cascade.ts';
import type { Shapes } from '../ir/shapes.ts';
import { tensorExtents, type Precision } from './state.ts';

/** Elements a JavaScript typed array can hold. */
export const MAX_TENSOR_ELEMENTS = 2 ** 32;

export interface TensorMemory {
  readonly name: string;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly bytes: number;
}

export interface RunMemory {
  /** Every tensor, largest first. */
  readonly tensors: readonly TensorMemory[];
  readonly totalBytes: number;
}

/** The dense storage of every tensor of the cascade at these shapes. */
export function runMemory(c: Cascade, shapes: Shapes, precision: Precision = 'float64'): RunMemory {
  const bytesPerElement = precision === 'float32' ? 4 : 8;
  const tensors = [...c.tensors.values()].map((t) => {
    const shape = tensorExtents(t, shapes);
    const elements = shape.reduce((a, b) => a * b, 1);
    return { name: t.name, shape, elements, bytes: elements * bytesPerElement };
  });
  tensors.sort((a, b) => b.bytes - a.bytes);
  return { tensors, totalBytes: tensors.reduce((a, t) => a + t.bytes, 0) };
}

/** Bytes as a person reads them: 512 B, 3.0 KiB, 1.5 GiB, 8.0 PiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

function describe(t: TensorMemory): string {
  return `${t.name}[${t.shape.join('×')}] ${formatBytes(t.bytes)}`;
}

/** Refuse a run that cannot fit: a tensor too large for one array, or more than `limitBytes` in all. */
export function checkRunMemory(c: Cascade, shapes: Shapes, precision: Precision, limitBytes: number): RunMemory {
  const need = runMemory(c, shapes, precision);
  const largest = need.tensors.slice(0, 3).map(describe).join(', ');
  const tooLong = need.tensors.find((t) => t.elements > MAX_TENSOR_ELEMENTS);
  if (tooLong) {
    fail('FM330', `tensor ${describe(tooLong)} has ${tooLong.elements.toExponential(3)} elements; the executor stores tensors densely and one tensor holds at most 2^32 elements (this run needs ${formatBytes(need.totalBytes)} in all)`, undefined, 'choose smaller rank sizes with --shape');
  }
  if (need.totalBytes > limitBytes) {
    const hint = precision === 'float64' ? 'choose smaller rank sizes with --shape, or --dtype float32 to halve it' : 'choose smaller rank sizes with --shape';
    fail('FM331', `this run needs ${formatBytes(need.totalBytes)} for its tensors (largest: ${largest}), more than the ${formatBytes(limitBytes)} available`, undefined, hint);
  }
  return need;
}
