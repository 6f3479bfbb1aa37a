/**
 * @file Divisors, cached: the search asks for those of the same few numbers millions of times.
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
