/**
 * @file Number formatting for the explorer page: engineering prefixes for physical quantities,
 * binary units for bytes, and short relative errors.
 */

const PREFIXES: ReadonlyArray<readonly [number, string]> = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, ''], [1e-3, 'm'], [1e-6, 'µ'], [1e-9, 'n'], [1e-12, 'p']];

/** `0.0295` s → `29.5 ms`. */
export function si(x: number, unit: string, digits = 3): string {
  if (!Number.isFinite(x)) return `${x} ${unit}`;
  const a = Math.abs(x);
  const [scale, prefix] = PREFIXES.find(([s]) => a >= s) ?? (a === 0 ? [1, ''] : PREFIXES[PREFIXES.length - 1]!);
  return `${(x / scale).toPrecision(digits)} ${prefix}${unit}`;
}

/** `33554432` → `32 MiB`. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${Number.isInteger(v) ? v : v.toFixed(2)} ${units[u]}`;
}

/** A relative error: `0` or `3.1e-8`. */
export function relError(x: number): string {
  return x === 0 ? '0' : x.toExponential(1);
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
