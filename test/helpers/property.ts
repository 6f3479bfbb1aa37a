/**
 * @file Shared fast-check settings for every property test. By default a property runs with one fixed
 * seed, so `npm test` (and CI) is reproducible; fast-check prints the seed and the shrink path of a
 * failure. `FUSEMAX_PROPERTY_SEED=random` draws a fresh seed per property and runs ten times as many
 * cases (an opt-in search for new counterexamples); `FUSEMAX_PROPERTY_SEED=<integer>` replays a seed
 * (with `random`, the seed to replay is the one in the failure message; the run count stays ×10).
 * `FUSEMAX_PROPERTY_RUNS_FACTOR=<x>` scales every run count: `npm run mutate` sets 0.1 so that a mutant
 * costs seconds, not minutes (its scores are then a lower bound for the full property runs).
 */
import type { Parameters } from 'fast-check';

/** The seed every property test uses unless FUSEMAX_PROPERTY_SEED says otherwise. */
export const DEFAULT_PROPERTY_SEED = 20240611;
/** How many more cases a `random` run tries than the default run. */
export const RANDOM_RUN_FACTOR = 10;

export interface PropertySettings {
  readonly seed: number;
  readonly numRuns: number;
  readonly random: boolean;
}

/** The seed and run count for a property whose default run tries `numRuns` cases. */
export function propertySettings(
  numRuns: number,
  env: string | undefined = process.env['FUSEMAX_PROPERTY_SEED'],
  factorEnv: string | undefined = process.env['FUSEMAX_PROPERTY_RUNS_FACTOR'],
): PropertySettings {
  const factor = factorEnv === undefined || factorEnv.trim() === '' ? 1 : Number(factorEnv);
  if (!(factor > 0)) throw new Error(`FUSEMAX_PROPERTY_RUNS_FACTOR must be a positive number, not '${factorEnv}'`);
  const runs = Math.max(1, Math.round(numRuns * factor));
  const setting = env?.trim() ?? '';
  if (setting === '') return { seed: DEFAULT_PROPERTY_SEED, numRuns: runs, random: false };
  if (setting === 'random') {
    return { seed: (Math.random() * 2 ** 32) | 0, numRuns: runs * RANDOM_RUN_FACTOR, random: true };
  }
  if (!/^-?\d+$/.test(setting)) throw new Error(`FUSEMAX_PROPERTY_SEED must be 'random' or an integer, not '${setting}'`);
  return { seed: Number(setting), numRuns: runs, random: false };
}

/** fast-check parameters (seed, runs) for `fc.assert(property, propertyParams(300))`. */
export function propertyParams(numRuns: number): Pick<Parameters, 'seed' | 'numRuns'> & { readonly seed: number; readonly numRuns: number } {
  const { seed, numRuns: runs } = propertySettings(numRuns);
  return { seed, numRuns: runs };
}
