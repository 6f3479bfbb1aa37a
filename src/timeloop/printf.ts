/**
 * @file C's printf("%.Nf") and printf("%.Ne") for doubles, as Timeloop's stats print numbers: the exact
 * binary value rounded half to even (JavaScript's toFixed rounds exact ties up: 0.125 → "0.13", where
 * printf gives "0.12"), and at least two exponent digits ("5.54e-09").
 */

/** The double as an exact fraction num / den (den a power of two). */
function exactFraction(x: number): { num: bigint; den: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const e = (exponent === 0 ? 1 : exponent) - 1075;
  return e >= 0 ? { num: sign * (mantissa << BigInt(e)), den: 1n } : { num: sign * mantissa, den: 1n << BigInt(-e) };
}

/** round(num / den) with ties to even, for num ≥ 0. */
function roundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = 2n * (num % den);
  if (r2 > den || (r2 === den && q % 2n === 1n)) return q + 1n;
  return q;
}

/** printf("%.{decimals}f", x). */
export function fixed(x: number, decimals = 2): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const { num, den } = exactFraction(x);
  const negative = num < 0n || Object.is(x, -0);
  const scaled = roundHalfEven((num < 0n ? -num : num) * 10n ** BigInt(decimals), den);
  const digits = scaled.toString().padStart(decimals + 1, '0');
  const int = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${int}${decimals > 0 ? `.${frac}` : ''}`;
}

/** printf("%.{decimals}e", x). */
export function exponential(x: number, decimals = 2): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return `${Object.is(x, -0) ? '-' : ''}0.${'0'.repeat(decimals)}e+00`;
  const { num, den } = exactFraction(Math.abs(x));
  let e = Math.floor(Math.log10(Math.abs(x)));
  // Correct the estimate exactly: 10^e ≤ |x| < 10^(e+1).
  const pow = (k: number): { n: bigint; d: bigint } => (k >= 0 ? { n: 10n ** BigInt(k), d: 1n } : { n: 1n, d: 10n ** BigInt(-k) });
  const below = (k: number): boolean => {
    const p = pow(k);
    return num * p.d < p.n * den;
  };
  while (below(e)) e--;
  while (!below(e + 1)) e++;
  const p = pow(decimals - e);
  let m = roundHalfEven(num * p.n, den * p.d);
  if (m === 10n ** BigInt(decimals + 1)) {
    m /= 10n;
    e++;
  }
  const digits = m.toString();
  const mantissa = decimals > 0 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${x < 0 ? '-' : ''}${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
