/**
 * @file The messages between the page and its compute worker: one request kind per heavy computation
 * (optimize and verify, the keep/re-read/recompute trade-off, a run against the float64 reference, one
 * design point, the paper's reproduction) and the plain, structured-clonable results. User errors come
 * back as diagnostics; anything else is an internal error (a bug). Also the name both give the editor's
 * text in diagnostics.
 */
import type { Tradeoff } from '../analysis/tradeoff.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Precision } from '../exec/state.ts';
import type { Headlines } from '../experiments/headlines.ts';
import type { Fidelity } from '../model/types.ts';
import type { Figure } from '../report/figures.ts';
import type { RuleName } from '../rewrite/search.ts';

/** The file name of the editor's text in diagnostics: `cascade:2:25: error FM221: ...`. */
export const EDITOR_FILE = 'cascade';

export interface DesignKnobs {
  /** The parameter holding the PE array side (absent: the design has none). */
  readonly pe?: string;
  /** The global buffer's parameter and the bytes one unit of it holds (L3_bytes: 1, L3_rows: 512). */
  readonly buffer?: { readonly param: string; readonly bytesPerUnit: number };
  readonly bandwidth?: string;
}

export interface DesignEntry {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly knobs: DesignKnobs;
  /** The design's own values: PE side, buffer bytes, DRAM bytes/s. */
  readonly defaults: { readonly pe?: number; readonly bufferBytes?: number; readonly bandwidth?: number };
}

export interface Catalog {
  readonly designs: readonly DesignEntry[];
  readonly models: readonly string[];
  readonly seqs: readonly string[];
}

export interface OptimizeOutcome {
  readonly original: string;
  readonly rewritten: string;
  readonly rank: string;
  readonly rules: ReadonlyArray<{ readonly rule: string; readonly description: string; readonly condition: string }>;
  readonly refusals: ReadonlyArray<{ readonly rule: string; readonly target: string; readonly reason: string }>;
  readonly passesBefore: ReadonlyArray<readonly [string, number]>;
  readonly passesAfter: ReadonlyArray<readonly [string, number]>;
  readonly compute: { readonly before: number; readonly after: number; readonly shapes: ReadonlyArray<readonly [string, number]> };
  readonly verification: { readonly maxRelError: number; readonly tolerance: number; readonly shapes: ReadonlyArray<readonly [string, number]> };
}

export interface OutputPreview {
  readonly name: string;
  readonly ranks: readonly string[];
  readonly shape: readonly number[];
  /** Largest relative difference of the whole output from the float64 reference run. */
  readonly maxRelError: number;
  /** The first rows × columns of the output (first rank down, the others flattened across). */
  readonly values: readonly (readonly number[])[];
  readonly reference: readonly (readonly number[])[];
}

export interface RunOutcome {
  readonly shapes: ReadonlyArray<readonly [string, number]>;
  readonly precision: Precision;
  readonly schedule: 'sequential' | 'fused';
  readonly milliseconds: number;
  readonly outputs: readonly OutputPreview[];
  /** For an attention cascade (Q[E,P], K[E,M], V[F,M] → AV[F,P]): the error against textbook softmax attention. */
  readonly textbook?: { readonly output: string; readonly maxRelError: number };
}

export interface DesignOutcome {
  readonly design: string;
  readonly label: string;
  readonly model: string;
  readonly seq: string;
  readonly latency: number;
  readonly energy: number;
  readonly traffic: number;
  readonly utilization: ReadonlyArray<readonly [string, number]>;
  readonly phases: ReadonlyArray<{ readonly name: string; readonly memorySeconds: number; readonly computeSeconds: number; readonly latency: number }>;
  readonly einsums: ReadonlyArray<{ readonly name: string; readonly array: string; readonly cycles: number; readonly computeSeconds: number; readonly busy: number; readonly dramBytes: number; readonly energy: number }>;
}

export interface ReproduceOutcome {
  readonly fidelity: Fidelity;
  readonly figures: readonly Figure[];
  readonly headlines: Headlines;
  readonly milliseconds: number;
}

export interface Requests {
  catalog: { req: Record<string, never>; res: Catalog };
  optimize: { req: { text: string; rank?: string; rules: RuleName[]; chunk: number }; res: OptimizeOutcome };
  tradeoff: { req: { text: string; shapes: string; wordBytes: number }; res: { tradeoff: Tradeoff; shapes: ReadonlyArray<readonly [string, number]> } };
  run: { req: { text: string; shapes: string; seed: number; precision: Precision; schedule: 'sequential' | 'fused' }; res: RunOutcome };
  design: { req: { design: string; model: string; seq: string; fidelity: Fidelity; pe?: number; bufferBytes?: number; bandwidth?: number }; res: DesignOutcome };
  reproduce: { req: { fidelity: Fidelity }; res: ReproduceOutcome };
}

export type Kind = keyof Requests;

export type Request = { [K in Kind]: { readonly id: number; readonly kind: K; readonly args: Requests[K]['req'] } }[Kind];

export type Response =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly diagnostics: readonly Diagnostic[] }
  | { readonly id: number; readonly ok: false; readonly internal: string };
