/**
 * @file Workloads (specs/workloads/*.yaml): transformer models by their ranks (B, H, E, F, D, S) and
 * named sequence lengths. A workload point is a model at a sequence length (M = P = the length); its
 * values are the names every design expression can read: the ranks, `M`, `P`, `model` (the name) and
 * `seq` (the label, e.g. '4K'). A point can also be explicit rank sizes (`--shape`), for cascades that
 * are not attention: then the values are those sizes. Codes: FM607 unknown model, FM608 malformed sequence length.
 */
import { z } from 'zod';
import { UserError } from '../diagnostics/diagnostic.ts';
import { Identifier, PositiveInt } from '../readers/names.ts';
import { loadYaml, type YamlSource } from '../readers/yaml-source.ts';
import type { Value } from './expr.ts';

const RANKS = ['B', 'H', 'E', 'F', 'D', 'S'] as const;

export const WorkloadSpecSchema = z.strictObject({
  models: z.record(Identifier, z.strictObject({ B: PositiveInt, H: PositiveInt, E: PositiveInt, F: PositiveInt, D: PositiveInt, S: PositiveInt })),
  sequences: z.record(z.string().regex(/^\d+[KM]?$/, 'must be a length like 1K, 4K or 1M'), PositiveInt),
});

export type WorkloadSpec = z.output<typeof WorkloadSpecSchema>;

export interface LoadedWorkloads {
  readonly spec: WorkloadSpec;
  readonly source: YamlSource;
}

/** One model at one sequence length, or explicit rank sizes (`--shape`). */
export interface Workload {
  /** The model's name ('' for explicit shapes). */
  readonly model: string;
  /** The sequence length's label as the published CSVs write it ('1K', '256K', '1M'; '' for shapes). */
  readonly seq: string;
  readonly length: number;
  readonly values: ReadonlyMap<string, Value>;
  /** For messages: 'BERT 4K', or the shapes 'M=4096,P=4096'. */
  readonly label: string;
}

export function loadWorkloads(file: string, text: string): LoadedWorkloads {
  const { source, value } = loadYaml(file, text, WorkloadSpecSchema);
  return { spec: value, source };
}

/** '4K' → 4096, '1M' → 1048576, '3000' → 3000; a named sequence from the spec is looked up first. */
export function parseSeq(text: string, spec?: WorkloadSpec): { readonly label: string; readonly length: number } {
  const named = spec?.sequences[text];
  if (named !== undefined) return { label: text, length: named };
  const m = /^(\d+)([KkMm]?)$/.exec(text.trim());
  const length = m ? Number(m[1]) * (m[2] === '' ? 1 : m[2]!.toUpperCase() === 'K' ? 1024 : 1024 * 1024) : NaN;
  if (!Number.isSafeInteger(length) || length < 1) throw new UserError({ code: 'FM608', message: `a sequence length must be a positive integer or a length like 4K or 1M, not '${text}'` });
  return { label: seqLabel(length), length };
}

/** The CSV label of a length: 1024 → '1K', 1048576 → '1M', 3000 → '3000'. */
export function seqLabel(length: number): string {
  if (length % (1024 * 1024) === 0) return `${length / (1024 * 1024)}M`;
  if (length % 1024 === 0) return `${length / 1024}K`;
  return String(length);
}

export function workload(spec: WorkloadSpec, model: string, seq: string): Workload {
  const ranks = spec.models[model];
  if (!ranks) throw new UserError({ code: 'FM607', message: `unknown model '${model}'`, hint: `models: ${Object.keys(spec.models).join(', ')}` });
  const { label, length } = parseSeq(seq, spec);
  const values = new Map<string, Value>();
  for (const r of RANKS) values.set(r, ranks[r]);
  values.set('M', length);
  values.set('P', length);
  values.set('model', model);
  values.set('seq', label);
  return { model, seq: label, length, values, label: `${model} ${label}` };
}

/** Explicit rank sizes (`--shape M=4096,P=4096`) as a workload point: the values are the sizes. */
export function shapeWorkload(shapes: ReadonlyMap<string, number>): Workload {
  const label = [...shapes].map(([k, v]) => `${k}=${v}`).join(',');
  return { model: '', seq: '', length: 0, values: new Map<string, Value>(shapes), label };
}
