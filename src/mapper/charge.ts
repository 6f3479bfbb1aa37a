/**
 * @file What one storage action and leakage cost, exactly as src/model/energy.ts charges them, for the
 * mapper's own evaluation of complete mappings (test/mapper/evaluator.test.ts holds the two together on
 * random mappings). Per instance: scalar accesses times the per-scalar energy (the per-access energy of
 * a `blockSize`-word access divided by the block size); leakage: every instance of a level, every cycle.
 * The charge never falls below the linear one the search bounds with (job.ts), so those bounds stay
 * valid whatever the charging rule.
 */

/** Energy of `count` scalar accesses of one action at one instance. */
export function accessEnergy(count: number, perAccess: number, blockSize: number): number {
  return (count * perAccess) / blockSize;
}

/** Leakage of a level over a run: per instance-cycle energy × cycles × the instances that leak. */
export function leakageEnergy(perInstanceCycle: number, cycles: number, instances: number, _utilizedInstances: number): number {
  return perInstanceCycle * cycles * instances;
}
