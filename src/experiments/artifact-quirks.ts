/**
 * @file The experiment-level quirks of the published FuseMax tool chain (Timeloop + Accelergy + the
 * artifact's Python post-processing), all in one place. `--fidelity artifact` turns every quirk on and
 * reproduces the published numbers; `--fidelity physical` turns them all off. Single quirks can be
 * turned off one at a time to measure how much each one moved the published results (the summary).
 *
 * The count-level quirk (Timeloop's uint64 partition wrap) lives in src/model/artifact-fidelity.ts;
 * here it is only switched (`nestFidelity`). What a design says about its own quirks (which energy
 * key did not match, which levels were dropped, the mapper's choices) is data in its `artifact:` block;
 * this module decides when that data applies. References: fusemax-model.md §4.0, §4.1, §8.
 */
import type { Fidelity } from '../model/types.ts';
import { assertNever } from '../model/never.ts';

export const QUIRKS = ['uint64-wrap', 'per-instance-registers', 'dram-reads-equal-updates', 'unmatched-energy-key', 'dropped-levels', 'copied-layers', 'mapper-mappings', 'artifact-problems'] as const;
export type Quirk = (typeof QUIRKS)[number];
export type QuirkSet = ReadonlySet<Quirk>;

/** What each quirk is, in a sentence (the summary and docs/reproduction.md use these). */
export const QUIRK_TEXT: Readonly<Record<Quirk, string>> = {
  'uint64-wrap': "Timeloop's partition sizes wrap modulo 2^64, so output reads in the global buffer come out close to the updates (L3 energy up at 64K–1M)",
  'per-instance-registers': "register-file counts are Timeloop's per-instance values fed to Accelergy as if for one register file (PE register energy divided by the PE count)",
  'dram-reads-equal-updates': 'DRAM (and spilled buffer) reads are ignored when they equal the updates (the artifact\'s "first read elision" workaround)',
  'unmatched-energy-key': "+Cascade's exponential cost key 'exponential' matches no unit ('exponentiatial'), so its exponentials cost no energy",
  'dropped-levels': "+Cascade's 2D Einsums lose their reg_file_1d counts (the flat Accelergy architecture has no such level)",
  'copied-layers': "the end-to-end K and V projections are copies of the Q projection's results",
  'mapper-mappings': "the stochastic Timeloop mapper's mappings: Unfused re-reads K and V 8× (16× for XLM) at 256K and 1M; XLM's end-to-end layers move extra traffic",
  'artifact-problems': "the artifact's Timeloop problems where they differ from the cascade: SLNV drops the chunk rank M1, so each chunk's partial numerator is read back and accumulated in the 1D register file (the cascade hands it to RNV)",
};

/** A tensor's ranks in an Einsum: the artifact's Timeloop problem's where it differs (under `artifact-problems`). */
export function tensorRanks(name: string, tensor: string, ranks: readonly string[], artifactTensors: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined, quirks: QuirkSet): readonly string[] {
  return (quirks.has('artifact-problems') ? artifactTensors?.[name]?.[tensor] : undefined) ?? ranks;
}

export function quirksFor(fidelity: Fidelity): QuirkSet {
  switch (fidelity) {
    case 'artifact':
      return new Set(QUIRKS);
    case 'physical':
      return new Set();
    default:
      return assertNever(fidelity);
  }
}

/** All quirks but one: to measure that one's effect. */
export function withoutQuirk(q: Quirk): QuirkSet {
  return new Set(QUIRKS.filter((x) => x !== q));
}

/** The nest analysis' own fidelity switch (the uint64 wrap). */
export function nestFidelity(quirks: QuirkSet): Fidelity {
  return quirks.has('uint64-wrap') ? 'artifact' : 'physical';
}

/**
 * A storage level's count as charged for energy: Timeloop prints per-instance counts; the artifact
 * charged those as if for a single instance; physically every utilized instance does the accesses.
 */
export function chargedCount(perInstance: number, utilizedInstances: number, quirks: QuirkSet): number {
  return quirks.has('per-instance-registers') ? perInstance : perInstance * utilizedInstances;
}

/** Reads as counted for DRAM traffic and energy: the artifact dropped them when equal to the updates. */
export function countedReads(reads: number, updates: number, quirks: QuirkSet): number {
  return quirks.has('dram-reads-equal-updates') && reads === updates ? 0 : reads;
}
