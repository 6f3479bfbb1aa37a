/**
 * @file The mapper's own sections of a Timeloop v4 input: `mapper:` (metrics and search knobs),
 * `architecture_constraints`, `mapspace_constraints` and `constraints` (per-target temporal, spatial,
 * bypass/datatype and utilization constraints), `mapspace: {template}`, and the architecture's
 * `min_utilization` attributes. Everything is read from the parsed YAML with located diagnostics; the
 * result is plain data (constraints.ts) plus notes on the knobs that are reinterpreted or ignored.
 *
 * Knobs (docs/mapper.md): `optimization_metrics` (or `optimization_metric`) obeyed; `num_threads` an
 * upper bound on worker threads; `max_temporal_loops_in_a_mapping` obeyed; `out_prefix` names the
 * output files; `algorithm`, `timeout`, `victory_condition`, `search_size`, `max_permutations_per_if_visit`,
 * `filter_revisits`, `sync_interval` steer Timeloop's random search and are ignored (the search here is
 * exhaustive within `--time-limit`); logging knobs are ignored.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { UserError, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { diagnosticAt, validateYaml, type YamlPath, type YamlSource } from '../readers/yaml-source.ts';
import type { ConstraintRef, FactorConstraint, KeepConstraint, LevelConstraint, MapspaceConstraints, SpatialConstraint, TemporalConstraint } from './constraints.ts';
import { MapperCodes, type MapperIssue } from './mapspace.ts';
import { parseMetric, type Metric } from './metrics.ts';

const StringOrList = z.union([z.string(), z.array(z.union([z.string(), z.number()]))]);
const Entry = z.looseObject({
  target: z.string(),
  type: z.string(),
  factors: StringOrList.optional(),
  permutation: StringOrList.optional(),
  split: z.number().int().nonnegative().optional(),
  keep: z.array(z.string()).nullable().optional(),
  bypass: z.array(z.string()).nullable().optional(),
  min: z.number().optional(),
  min_utilization: z.number().optional(),
  no_iteration_over_dataspaces: z.array(z.string()).nullable().optional(),
});
type EntryT = z.output<typeof Entry>;
const Targets = z.union([z.looseObject({ targets: z.array(Entry).nullable().optional() }), z.array(Entry)]).nullable().optional();

const MapperSections = z.looseObject({
  mapper: z
    .looseObject({
      optimization_metrics: z.union([z.string(), z.array(z.string())]).nullable().optional(),
      optimization_metric: z.union([z.string(), z.array(z.string())]).nullable().optional(),
      num_threads: z.number().nullable().optional(),
      max_temporal_loops_in_a_mapping: z.number().nullable().optional(),
      out_prefix: z.string().nullable().optional(),
    })
    .nullable()
    .optional(),
  architecture_constraints: Targets,
  mapspace_constraints: Targets,
  constraints: Targets,
  mapspace: z.looseObject({ template: z.string().nullable().optional() }).nullable().optional(),
});

/** Keys of a constraint entry that are read; keys that Timeloop accepts but we do not honour are refused unless inert. */
const READ_KEYS = new Set(['target', 'type', 'factors', 'permutation', 'split', 'keep', 'bypass', 'min', 'min_utilization', 'proportion', 'max_overbooked_proportion', 'no_iteration_over_dataspaces']);

/**
 * Keys of Timeloop v0.4 (timeloopfe) constraint entries that the mapper cannot honour yet, and why; an
 * entry that sets one (to anything but an empty or false value) is refused with FM804 at the key.
 */
const NOT_YET: Readonly<Record<string, string>> = {
  no_reuse: 'it forbids reusing those tensors across this level\'s loops (refetches the model does not count)',
  rmw_first_update: 'it changes how an output\'s first update is counted, which the model does not do',
  no_coalesce: 'it changes how a tensor\'s accesses coalesce, which the model does not count',
  maximize_dims: 'it asks the mapper to favour the utilization of some dimensions, which this search does not rank',
  maximize_dims_capacity: 'it goes with maximize_dims',
  default_max_factor: 'factor bounds (a largest factor) are not part of this mapspace',
  default_min_factor: 'factor bounds (a smallest factor) are not part of this mapspace',
};

export interface MapperSpec {
  /** From the spec (default edp). */
  readonly metrics: readonly Metric[];
  readonly constraints: MapspaceConstraints;
  readonly threads?: number;
  readonly outPrefix: string;
  /** Notes for stderr: knobs reinterpreted or ignored. */
  readonly notes: readonly string[];
  /** Turns a constraint reference into a location in the spec. */
  readonly locate: (issue: MapperIssue) => Diagnostic;
}

/** Knobs that steer Timeloop's stochastic search; noted when set. */
const IGNORED_KNOBS = ['algorithm', 'timeout', 'victory_condition', 'search_size', 'max_permutations_per_if_visit', 'filter_revisits', 'sync_interval'];

export function readMapperSpec(src: YamlSource, levelNames: readonly string[]): MapperSpec {
  const input = validateYaml(src, MapperSections);
  const diags: Diagnostic[] = [];
  const notes: string[] = [];

  // Metrics: optimization_metrics, else optimization_metric, else edp.
  let metrics: Metric[] = ['edp'];
  for (const key of ['optimization_metrics', 'optimization_metric'] as const) {
    const raw = input.mapper?.[key];
    const list = raw === null || raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
    if (list.length === 0) continue;
    const parsed: Metric[] = [];
    list.forEach((m, i) => {
      const metric = parseMetric(m);
      if (metric) parsed.push(metric);
      else diags.push(diagnosticAt(src, typeof raw === 'string' ? ['mapper', key] : ['mapper', key, i], MapperCodes.metric, `unknown optimization metric '${m}'`, { hint: 'metrics: edp, energy, delay, last_level_accesses' }));
    });
    metrics = parsed;
    break;
  }
  const mapperRaw = (src.doc.toJS() as Record<string, unknown> | null)?.['mapper'];
  if (mapperRaw && typeof mapperRaw === 'object') {
    const set = IGNORED_KNOBS.filter((k) => {
      const v = (mapperRaw as Record<string, unknown>)[k];
      return v !== undefined && v !== null;
    });
    if (set.length > 0) notes.push(`mapper knobs of Timeloop's stochastic search ignored (${set.join(', ')}): the search is exhaustive within --time-limit`);
  }
  const template = input.mapspace?.template;
  if (template !== undefined && template !== null && template !== 'uber') notes.push(`mapspace template '${template}' read as 'uber' (perfect factorizations over every level)`);

  // Constraint entries, from the three sections, grouped by target.
  const entries: { entry: EntryT; path: YamlPath }[] = [];
  for (const section of ['architecture_constraints', 'mapspace_constraints', 'constraints'] as const) {
    const v = input[section];
    if (v === null || v === undefined) continue;
    const list = Array.isArray(v) ? v : (v.targets ?? []);
    const base: YamlPath = Array.isArray(v) ? [section] : [section, 'targets'];
    list.forEach((entry, i) => entries.push({ entry, path: [...base, i] }));
  }
  const paths: YamlPath[] = entries.map((e) => e.path);
  const ref = (index: number, key?: string, item?: number): ConstraintRef => ({ kind: 'entry', index, ...(key !== undefined ? { key } : {}), ...(item !== undefined ? { item } : {}) });

  interface Acc {
    ref: ConstraintRef;
    temporal?: TemporalConstraint;
    spatial?: SpatialConstraint;
    keep?: KeepConstraint;
    utilization?: { minUtilization: number; minUtilizationRef: ConstraintRef };
    minCapacityUtilization?: number;
  }
  const byTarget = new Map<string, Acc>();
  entries.forEach(({ entry, path }, index) => {
    if (!levelNames.includes(entry.target)) {
      diags.push(diagnosticAt(src, [...path, 'target'], MapperCodes.unknownName, `a constraint targets level '${entry.target}', which the architecture does not have`, { hint: `levels: ${levelNames.join(', ')}` }));
      return;
    }
    for (const [k, v] of Object.entries(entry)) {
      if (READ_KEYS.has(k) || v === false || v === null || (Array.isArray(v) && v.length === 0)) continue;
      const why = NOT_YET[k];
      if (why !== undefined) diags.push(diagnosticAt(src, [...path, k], MapperCodes.unsupported, `constraint key '${k}' is not supported by the mapper yet: ${why}`, { target: 'key', hint: 'remove it, or map with Timeloop' }));
      else diags.push(diagnosticAt(src, [...path, k], MapperCodes.unsupported, `constraint key '${k}' is not supported by the mapper`, { target: 'key', hint: 'supported: factors, permutation, split, keep, bypass, min_utilization, min, no_iteration_over_dataspaces, proportion' }));
    }
    const noIteration = entry.no_iteration_over_dataspaces ?? [];
    const noIterationOver = noIteration.length > 0 ? { noIterationOver: noIteration, noIterationOverRef: ref(index, 'no_iteration_over_dataspaces') } : {};
    const acc = byTarget.get(entry.target) ?? { ref: ref(index) };
    byTarget.set(entry.target, acc);
    const twice = (what: string): void => {
      diags.push(diagnosticAt(src, [...path, 'type'], MapperCodes.impossible, `level '${entry.target}' has two ${what} constraints`));
    };
    switch (entry.type) {
      case 'temporal': {
        if (acc.temporal) return twice('temporal');
        const permutation = parsePermutationList(entry.permutation);
        acc.temporal = { factors: parseFactorList(src, entry.factors, path, index, diags), ...(permutation ? { permutation, permutationRef: ref(index, 'permutation') } : {}), ...noIterationOver };
        break;
      }
      case 'spatial': {
        if (acc.spatial) return twice('spatial');
        const permutation = parsePermutationList(entry.permutation);
        const min = entry.min_utilization;
        acc.spatial = {
          factors: parseFactorList(src, entry.factors, path, index, diags),
          ...(permutation ? { permutation, permutationRef: ref(index, 'permutation') } : {}),
          ...(entry.split !== undefined ? { split: entry.split } : {}),
          ...(min !== undefined ? { minUtilization: min, minUtilizationRef: ref(index, 'min_utilization') } : {}),
          ...noIterationOver,
        };
        break;
      }
      case 'bypass':
      case 'datatype':
      case 'dataspace': {
        if (acc.keep) return twice('keep/bypass');
        acc.keep = { keep: entry.keep ?? [], bypass: entry.bypass ?? [], ref: ref(index, 'keep') };
        break;
      }
      case 'utilization': {
        const min = entry.min ?? entry.min_utilization;
        if (min === undefined) {
          diags.push(diagnosticAt(src, path, MapperCodes.malformed, `a utilization constraint needs 'min'`));
          return;
        }
        acc.utilization = { minUtilization: min, minUtilizationRef: ref(index, entry.min !== undefined ? 'min' : 'min_utilization') };
        break;
      }
      case 'max_overbooked_proportion': {
        // An upper bound on how far tiles may overflow a buffer: the mapper's tiles always fit, which
        // honours any bound (it may miss mappings that would overbook).
        const v = (entry as Record<string, unknown>)['proportion'] ?? (entry as Record<string, unknown>)['max_overbooked_proportion'];
        if (typeof v !== 'number' || !(v >= 0)) diags.push(diagnosticAt(src, path, MapperCodes.malformed, `a max_overbooked_proportion constraint needs 'proportion', a number of at least 0`));
        else if (v > 0) notes.push(`${entry.target}: overbooking up to ${v} is allowed, but the mapper never overbooks (every tile fits)`);
        break;
      }
      default:
        diags.push(diagnosticAt(src, [...path, 'type'], MapperCodes.unsupported, `constraint type '${entry.type}' is not supported by the mapper`, { hint: 'types: temporal, spatial, bypass (datatype, dataspace), utilization' }));
    }
  });

  // The architecture's storage min_utilization attributes.
  for (const { name, path, value } of minUtilizations(src)) {
    if (!levelNames.includes(name) || value <= 0) continue;
    const acc = byTarget.get(name) ?? { ref: { kind: 'level', level: name } as ConstraintRef };
    acc.minCapacityUtilization = value;
    byTarget.set(name, acc);
    paths.push(path);
  }

  let maxTemporalLoops: number | undefined;
  const maxLoops = input.mapper?.max_temporal_loops_in_a_mapping;
  if (typeof maxLoops === 'number' && maxLoops >= 0) maxTemporalLoops = maxLoops;
  const threads = input.mapper?.num_threads;
  if (diags.length > 0) throw new UserError(diags);

  const levels: LevelConstraint[] = [...byTarget].map(([level, a]) => ({
    level,
    ref: a.ref,
    ...(a.temporal ? { temporal: a.temporal } : {}),
    ...(a.spatial || a.utilization ? { spatial: { ...(a.spatial ?? { factors: [] }), ...(a.utilization ?? {}) } } : {}),
    ...(a.keep ? { keep: a.keep } : {}),
    ...(a.minCapacityUtilization !== undefined ? { minCapacityUtilization: a.minCapacityUtilization } : {}),
  }));
  const locate = (issue: MapperIssue): Diagnostic => {
    const r = issue.ref;
    let path: YamlPath = [];
    if (r.kind === 'entry') {
      path = paths[r.index] ?? [];
      if (r.key !== undefined) path = [...path, r.key, ...(r.item !== undefined ? [r.item] : [])];
    } else if (r.kind === 'level') {
      path = ['architecture'];
    }
    return diagnosticAt(src, path, issue.code, issue.message, issue.hint !== undefined ? { hint: issue.hint } : {});
  };
  return {
    metrics,
    constraints: { levels, ...(maxTemporalLoops !== undefined ? { maxTemporalLoops } : {}) },
    ...(typeof threads === 'number' && threads >= 1 ? { threads: Math.floor(threads) } : {}),
    outPrefix: input.mapper?.out_prefix ?? 'timeloop-mapper',
    notes,
    locate,
  };
}

/**
 * Factors as Timeloop writes them: `C=3 M=4`, `C3 M4`, `C=3,M=4`, or a list of such items. Each factor
 * keeps a reference to its item (its offset inside a string is not tracked: the entry's `factors`).
 */
function parseFactorList(src: YamlSource, factors: EntryT['factors'], path: YamlPath, index: number, diags: Diagnostic[]): FactorConstraint[] {
  if (factors === undefined) return [];
  const items: { text: string; item?: number }[] = typeof factors === 'string' ? [...factors.matchAll(/[^,\s]+(?:\s*=\s*\d+)?/g)].map((m) => ({ text: m[0] })) : factors.map((f, i) => ({ text: String(f), item: i }));
  const out: FactorConstraint[] = [];
  for (const it of items) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*?)\s*=?\s*(\d+)$/.exec(it.text.trim());
    const at = it.item !== undefined ? [...path, 'factors', it.item] : [...path, 'factors'];
    if (!m && /^[A-Za-z_][A-Za-z0-9_]*\s*(<=|>=)\s*\d+$/.test(it.text.trim())) {
      diags.push(diagnosticAt(src, at, MapperCodes.unsupported, `factor bound '${it.text}' is not supported by the mapper yet: it fixes factors (D=n) or leaves them free`, { hint: 'write D=n, or leave the dimension out' }));
      continue;
    }
    if (!m) {
      diags.push(diagnosticAt(src, at, MapperCodes.malformed, `factor '${it.text}' is not of the form DIM=N`));
      continue;
    }
    out.push({ dim: m[1]!, value: Number(m[2]), ref: { kind: 'entry', index, key: 'factors', ...(it.item !== undefined ? { item: it.item } : {}) } });
  }
  return out;
}

/** A permutation: a list, separated names, or one character per dimension. */
function parsePermutationList(perm: EntryT['permutation']): string[] | undefined {
  if (perm === undefined) return undefined;
  if (typeof perm !== 'string') return perm.map(String);
  return /[,\s]/.test(perm) ? perm.split(/[,\s]+/).filter((x) => x !== '') : [...perm];
}

/** `min_utilization` attributes of the architecture's components, by component name. */
function minUtilizations(src: YamlSource): { name: string; path: YamlPath; value: number }[] {
  const out: { name: string; path: YamlPath; value: number }[] = [];
  const walk = (node: unknown, path: YamlPath): void => {
    if (isSeq(node)) {
      node.items.forEach((it, i) => walk(it, [...path, i]));
      return;
    }
    if (!isMap(node)) return;
    const name = node.get('name');
    const attrs = node.get('attributes', true);
    if (typeof name === 'string' && isMap(attrs)) {
      const v = attrs.get('min_utilization');
      if (typeof v === 'number') out.push({ name: name.replace(/\[.*\]$/, ''), path: [...path, 'attributes', 'min_utilization'], value: v });
    }
    for (const key of ['local', 'subtree']) {
      const child = node.get(key, true);
      if (child) walk(child, [...path, key]);
    }
  };
  walk((src.doc.contents as unknown as { get?: (k: string, keep: boolean) => unknown })?.get?.('architecture', true), ['architecture']);
  return out;
}

/**
 * The spec's text with its `mapping:` value replaced by `[]` (line numbers kept), and how many entries
 * it had: the mapper starts from no mapping and does not read the one given.
 */
export function withoutMapping(text: string): { text: string; entries: number } {
  const doc = parseDocument(text);
  const contents = doc.contents;
  if (!isMap(contents)) return { text, entries: 0 };
  const value = contents.get('mapping', true);
  if (!value || typeof value !== 'object' || !('range' in value) || !value.range) return { text, entries: 0 };
  const entries = isSeq(value) ? value.items.length : 0;
  if (entries === 0) return { text, entries };
  const [start, end] = value.range as [number, number, number];
  const newlines = text.slice(start, end).split('\n').length - 1;
  return { text: text.slice(0, start) + '[]' + '\n'.repeat(newlines) + text.slice(end), entries };
}
