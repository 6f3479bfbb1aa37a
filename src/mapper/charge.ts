/**
 * @file What one storage action and leakage cost, exactly as src/model/energy.ts charges them, for the
 * mapper's own costing of complete mappings (test/mapper/search.test.ts holds the two together on random
 * mappings). Per instance: whole block accesses, ⌈scalar accesses / block size⌉ times the energy of one
 * access; leakage: every utilized instance of a level, every cycle. The charge is never below the linear
 * one the search bounds with (scalar accesses × per-access energy / block size, job.ts), so those bounds
 * stay valid.
 */

/** Energy of `count` scalar accesses of one action at one instance. */
export function accessEnergy(count: number, perAccess: number, blockSize: number): number {
  return Math.ceil(count / blockSize) * perAccess;
}

/** Leakage of a level over a run: per instance-cycle energy × cycles × the instances that leak (the utilized ones). */
export function leakageEnergy(perInstanceCycle: number, cycles: number, _instances: number, utilizedInstances: number): number {
  return perInstanceCycle * cycles * utilizedInstances;
}
