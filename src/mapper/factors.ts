/**
 * @file Integer helpers of the mapspace: divisors (cached: the search asks for the same few numbers
 * millions of times) and ordered factorizations.
 */

const divisorCache = new Map<number, readonly number[]>();

/** The divisors of n in increasing order. */
export function divisors(n: number): readonly number[] {
  let d = divisorCache.get(n);
  if (d === undefined) {
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 1; i * i <= n; i++) {
      if (n % i !== 0) continue;
      small.push(i);
      if (i * i !== n) large.push(n / i);
    }
    d = [...small, ...large.reverse()];
    if (divisorCache.size < 100_000) divisorCache.set(n, d);
  }
  return d;
}

/** Number of ways to write n as an ordered product of `slots` positive factors. */
export function orderedFactorizations(n: number, slots: number): number {
  if (slots <= 0) return n === 1 ? 1 : 0;
  let count = 1;
  let m = n;
  for (let p = 2; p * p <= m; p++) {
    let e = 0;
    while (m % p === 0) {
      m /= p;
      e++;
    }
    if (e > 0) count *= binomial(e + slots - 1, slots - 1);
  }
  if (m > 1) count *= slots;
  return count;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}
