/**
 * @file Timeloop v4 input: the fully processed `parsed-processed-input.yaml` that timeloopfe writes
 * (architecture, problem, mapping) turned into our plain Architecture, Problem and Mapping, with a
 * source map so that model errors point into the file. Supported: a single chain of components
 * (storage levels, `dummy_storage` fan-out stages, the compute component last), dense problems with
 * affine projections, and mappings of temporal, spatial and keep/bypass entries (docs/model.md lists
 * what is refused and with which diagnostic).
 *
 * Conventions followed (Timeloop's): projection terms are `[dimension]` or `[dimension, coefficient]`,
 * a coefficient taking its value from the problem instance, else its default; `datatype`, `bypass`
 * and `dataspace` directives are read alike; a component `name[1..N]` has N instances in total, and meshX/meshY
 * are cumulative, so a level's fan-out is the next component's mesh divided by its own; permutations
 * list loops innermost first; in a spatial entry, the permutation positions before `split` go to X and
 * the rest to Y; a tensor that a bypass entry neither keeps nor bypasses is kept.
 */
import { z } from 'zod';
import { UserError, type Diagnostic, type SourceLocation } from '../diagnostics/diagnostic.ts';
import { ModelCodes, type NestRef } from '../model/issues.ts';
import type { Architecture, DataSpace, LevelMapping, Loop, Mapping, Problem, ProjectionRank, ProjectionTerm, StorageLevel } from '../model/types.ts';
import { diagnosticAt, locate, parseYamlSource, validateYaml, YamlCodes, type YamlPath, type YamlSource } from '../readers/yaml-source.ts';

export const TimeloopCodes = {
  /** A Timeloop feature outside the supported subset. */
  unsupported: 'FM406',
  /** A malformed Timeloop value (factor string, permutation, instance range, mesh). */
  malformed: 'FM407',
} as const;

const Num = z.number();
const Attributes = z.looseObject({
  depth: Num.optional(),
  width: Num.optional(),
  datawidth: Num.optional(),
  block_size: Num.optional(),
  meshX: Num.optional(),
  meshY: Num.optional(),
  global_cycle_seconds: Num.optional(),
});
const Leaf = z.looseObject({
  name: z.string(),
  class: z.string().optional(),
  attributes: Attributes.optional(),
  enabled: z.boolean().optional(),
});
interface TreeNodeT {
  name?: string | undefined;
  attributes?: z.output<typeof Attributes> | undefined;
  local?: z.output<typeof Leaf>[] | undefined;
  subtree?: TreeNodeT[] | undefined;
}
const TreeNode: z.ZodType<TreeNodeT> = z.lazy(() =>
  z.looseObject({
    name: z.string().optional(),
    attributes: Attributes.optional(),
    local: z.array(Leaf).optional(),
    subtree: z.array(TreeNode).optional(),
  }),
);

const Term = z.array(z.union([z.string(), Num])).min(1).max(2);
const StringOrList = z.union([z.string(), z.array(z.string())]);

export const TimeloopInputSchema = z.looseObject({
  architecture: z.looseObject({ subtree: z.array(TreeNode).min(1) }),
  problem: z.looseObject({
    shape: z.looseObject({
      name: z.string().optional(),
      dimensions: z.array(z.string()).min(1),
      coefficients: z.array(z.looseObject({ name: z.string(), default: Num.optional() })).optional(),
      data_spaces: z.array(z.looseObject({ name: z.string(), projection: z.array(z.array(Term)), read_write: z.boolean().optional() })).min(1),
    }),
    instance: z.record(z.string(), z.unknown()),
  }),
  mapping: z.array(
    z.looseObject({
      target: z.string(),
      type: z.enum(['temporal', 'spatial', 'bypass', 'datatype', 'dataspace']),
      factors: StringOrList.optional(),
      permutation: StringOrList.optional(),
      split: z.number().int().nonnegative().optional(),
      keep: z.array(z.string()).optional(),
      bypass: z.array(z.string()).optional(),
    }),
  ),
});

type TimeloopInput = z.output<typeof TimeloopInputSchema>;
type MappingEntry = TimeloopInput['mapping'][number];

/** Where each level's mapping entries and each component are in the file. */
interface TimeloopSourceMap {
  readonly leafPath: ReadonlyMap<string, YamlPath>;
  readonly entries: ReadonlyMap<string, { temporal?: number; spatial?: number; bypass?: number; first: number }>;
  /** Mapping.levels index → mapping entry index. */
  readonly levelEntry: readonly number[];
  /** The validated mapping entries as written. */
  readonly rawMapping: readonly MappingEntry[];
}

/** A component as written (for the stats text): storage levels outermost first, the compute last. */
export interface TimeloopComponent {
  readonly name: string;
  readonly className: string;
  readonly instances: number;
  readonly meshX: number;
  readonly meshY: number;
  /** Numeric attributes as given (depth, width, datawidth, cluster_size, read_bandwidth, ...). */
  readonly attributes: Readonly<Record<string, number>>;
}

export interface LoadedTimeloop {
  readonly arch: Architecture;
  readonly problem: Problem;
  readonly mapping: Mapping;
  readonly components: readonly TimeloopComponent[];
  readonly source: YamlSource;
  readonly map: TimeloopSourceMap;
}

/** Read a parsed-processed-input.yaml. Energies and areas are zero until an ERT/ART is applied. */
export function loadTimeloopInput(file: string, text: string): LoadedTimeloop {
  const source = parseYamlSource(file, text);
  const input = validateYaml(source, TimeloopInputSchema);
  const diags: Diagnostic[] = [];
  const problem = readProblem(input, source, diags);
  const { arch, leafPath, components } = readArch(input, source, diags);
  const { mapping, entries, levelEntry } = readMapping(input, source, problem, diags);
  if (diags.length > 0) throw new UserError(diags);
  return { arch, problem, mapping, components, source, map: { leafPath, entries, levelEntry, rawMapping: input.mapping } };
}

// ---------------------------------------------------------------------------------------------------
// Problem

function readProblem(input: TimeloopInput, src: YamlSource, diags: Diagnostic[]): Problem {
  const shape = input.problem.shape;
  const instance = input.problem.instance;
  const dimensions: Record<string, number> = {};
  for (const d of shape.dimensions) {
    const v = instance[d];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      diags.push(diagnosticAt(src, ['problem', 'instance', d], v === undefined ? YamlCodes.missingKey : YamlCodes.invalidValue, v === undefined ? `problem instance has no size for dimension '${d}'` : `size of dimension '${d}' must be a positive integer`));
      dimensions[d] = 1;
    } else {
      dimensions[d] = v;
    }
  }
  const densities = instance['densities'];
  if (densities !== undefined && !(typeof densities === 'object' && densities !== null && Object.keys(densities).length === 0)) {
    diags.push(diagnosticAt(src, ['problem', 'instance', 'densities'], TimeloopCodes.unsupported, 'sparse densities are not supported (dense problems only)'));
  }
  // Coefficients take their value from the instance, else from the shape's default (Timeloop's order).
  const coefficient = new Map<string, number>();
  (shape.coefficients ?? []).forEach((c, i) => {
    const v = instance[c.name] ?? c.default ?? 1;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      const at: YamlPath = instance[c.name] !== undefined ? ['problem', 'instance', c.name] : ['problem', 'shape', 'coefficients', i, 'default'];
      diags.push(diagnosticAt(src, at, YamlCodes.invalidValue, `coefficient '${c.name}' must be a non-negative integer`));
      coefficient.set(c.name, 1);
    } else {
      coefficient.set(c.name, v);
    }
  });
  const dataSpaces: DataSpace[] = shape.data_spaces.map((ds, i) => ({
    name: ds.name,
    isOutput: ds.read_write ?? false,
    projection: ds.projection.map((rank, r): ProjectionRank =>
      rank.map((term, t) => readTerm(term, shape.dimensions, coefficient, src, ['problem', 'shape', 'data_spaces', i, 'projection', r, t], diags)),
    ),
  }));
  return { name: shape.name ?? 'problem', dimensions, dataSpaces };
}

/**
 * A projection term as Timeloop writes it: `[dimension]` or `[dimension, coefficient]`, the coefficient
 * a name from `shape.coefficients` (e.g. `[P, Wstride]`) or a number.
 */
function readTerm(term: readonly (string | number)[], dims: readonly string[], coefficient: ReadonlyMap<string, number>, src: YamlSource, path: YamlPath, diags: Diagnostic[]): ProjectionTerm {
  const [dim, coef] = term;
  if (typeof dim !== 'string' || !dims.includes(dim)) {
    const swapped = typeof coef === 'string' && dims.includes(coef);
    diags.push(diagnosticAt(src, [...path, 0], TimeloopCodes.malformed, `projection term must be [dimension] or [dimension, coefficient]; '${String(dim)}' is not a dimension`, swapped ? { hint: `Timeloop writes the dimension first: [${coef}, ${String(dim)}]` } : { hint: `dimensions: ${dims.join(', ')}` }));
    return { dim: String(dim), coefficient: 1 };
  }
  if (coef === undefined) return { dim, coefficient: 1 };
  const value = typeof coef === 'number' ? coef : coefficient.get(coef);
  if (value === undefined) {
    diags.push(diagnosticAt(src, [...path, 1], TimeloopCodes.malformed, `unknown coefficient '${coef}' in a projection term`, { hint: coefficient.size > 0 ? `coefficients: ${[...coefficient.keys()].join(', ')}` : 'declare it under problem.shape.coefficients' }));
    return { dim, coefficient: 1 };
  }
  return { dim, coefficient: value };
}

// ---------------------------------------------------------------------------------------------------
// Architecture

interface LeafAt {
  readonly leaf: z.output<typeof Leaf>;
  readonly path: YamlPath;
}

/** The components in order: each node's `local` leaves, then its single subtree child. */
function chain(input: TimeloopInput, src: YamlSource, diags: Diagnostic[]): { leaves: LeafAt[]; cycleSeconds?: number } {
  const leaves: LeafAt[] = [];
  let cycleSeconds: number | undefined;
  let nodes = input.architecture.subtree;
  let path: YamlPath = ['architecture', 'subtree'];
  while (nodes.length > 0) {
    if (nodes.length > 1) {
      diags.push(diagnosticAt(src, [...path, 1], TimeloopCodes.unsupported, 'the architecture branches into several subtrees; only a single chain of components is supported'));
      break;
    }
    const node = nodes[0]!;
    cycleSeconds ??= node.attributes?.global_cycle_seconds;
    for (const key of ['network', 'networks']) {
      if (key in node) diags.push(diagnosticAt(src, [...path, 0, key], TimeloopCodes.unsupported, NETWORKS_UNSUPPORTED));
    }
    (node.local ?? []).forEach((leaf, i) => {
      if (leaf.enabled === false) return;
      if (/network/i.test(leaf.class ?? '')) diags.push(diagnosticAt(src, [...path, 0, 'local', i, 'class'], TimeloopCodes.unsupported, NETWORKS_UNSUPPORTED));
      else leaves.push({ leaf, path: [...path, 0, 'local', i] });
    });
    path = [...path, 0, 'subtree'];
    nodes = node.subtree ?? [];
  }
  return cycleSeconds === undefined ? { leaves } : { leaves, cycleSeconds };
}

const NETWORKS_UNSUPPORTED = "network components are not supported: Timeloop's default networks between adjacent levels are assumed (no link transfers, no network energy)";

const ZERO_ENERGY = { read: 0, write: 0, update: 0, leak: 0 } as const;

function readArch(input: TimeloopInput, src: YamlSource, diags: Diagnostic[]): { arch: Architecture; leafPath: Map<string, YamlPath>; components: TimeloopComponent[] } {
  const { leaves, cycleSeconds } = chain(input, src, diags);
  const leafPath = new Map<string, YamlPath>();
  interface Parsed {
    name: string;
    instances: number;
    meshX: number;
    meshY: number;
    at: LeafAt;
  }
  const parsed: Parsed[] = [];
  for (const at of leaves) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\.\.(\d+)\])?$/.exec(at.leaf.name);
    if (!m) {
      diags.push(diagnosticAt(src, [...at.path, 'name'], TimeloopCodes.malformed, `component name '${at.leaf.name}' is not of the form name or name[1..N]`));
      continue;
    }
    const name = m[1]!;
    const instances = m[2] === undefined ? 1 : Number(m[3]) - Number(m[2]) + 1;
    const a = at.leaf.attributes ?? {};
    const meshX = a.meshX ?? (a.meshY !== undefined ? instances / a.meshY : instances);
    const meshY = a.meshY ?? instances / meshX;
    if (!(instances >= 1) || meshX * meshY !== instances || !Number.isInteger(meshX) || !Number.isInteger(meshY)) {
      diags.push(diagnosticAt(src, [...at.path, 'name'], TimeloopCodes.malformed, `component '${name}' has ${instances} instances but a ${meshX} × ${meshY} mesh`));
      continue;
    }
    if (leafPath.has(name)) diags.push(diagnosticAt(src, [...at.path, 'name'], YamlCodes.invalidValue, `component name '${name}' is used twice`));
    leafPath.set(name, at.path);
    parsed.push({ name, instances, meshX, meshY, at });
  }
  const computeAt = parsed[parsed.length - 1];
  if (parsed.length < 2 || computeAt === undefined) {
    diags.push(diagnosticAt(src, ['architecture'], TimeloopCodes.unsupported, 'the architecture needs at least one storage level and a compute component'));
    return { arch: { name: 'timeloop', wordBits: 16, levels: [], compute: { name: 'compute', units: [] } }, leafPath, components: [] };
  }

  const levels: StorageLevel[] = [];
  let wordBits = 16;
  for (let i = 0; i + 1 < parsed.length; i++) {
    const p = parsed[i]!;
    const next = parsed[i + 1]!;
    const fanoutX = next.meshX / p.meshX;
    const fanoutY = next.meshY / p.meshY;
    if (!Number.isInteger(fanoutX) || !Number.isInteger(fanoutY)) {
      diags.push(diagnosticAt(src, [...next.at.path, 'name'], TimeloopCodes.malformed, `the mesh of '${next.name}' (${next.meshX} × ${next.meshY}) is not a multiple of the mesh of '${p.name}' above it (${p.meshX} × ${p.meshY})`));
      continue;
    }
    const a = p.at.leaf.attributes ?? {};
    const base = { name: p.name, fanoutX, fanoutY, area: 0 };
    const cls = p.at.leaf.class ?? '';
    if (cls === 'dummy_storage') {
      levels.push({ kind: 'spatial', ...base });
      continue;
    }
    const datawidth = a.datawidth ?? 16;
    if (i === 0) wordBits = datawidth;
    const width = a.width ?? datawidth;
    const blockSize = a.block_size ?? width / datawidth;
    if (!Number.isInteger(blockSize) || blockSize < 1) {
      diags.push(diagnosticAt(src, [...p.at.path, 'attributes', 'width'], TimeloopCodes.malformed, `width ${width} of '${p.name}' is not a whole number of ${datawidth}-bit words`));
      continue;
    }
    if (cls === 'DRAM') {
      levels.push({ kind: 'dram', ...base, blockSize, energy: ZERO_ENERGY });
    } else if (a.depth === undefined) {
      diags.push(diagnosticAt(src, [...p.at.path, 'attributes'], YamlCodes.missingKey, `storage component '${p.name}' has no depth`));
    } else {
      levels.push({ kind: 'buffer', ...base, depth: a.depth, blockSize, energy: ZERO_ENERGY });
    }
  }
  const arch: Architecture = {
    name: input.architecture.subtree[0]?.name ?? 'timeloop',
    wordBits,
    levels,
    compute: { name: computeAt.name, units: [{ name: computeAt.name, energy: 0, area: 0 }] },
    ...(cycleSeconds !== undefined ? { cycleSeconds } : {}),
  };
  const components = parsed.map((p): TimeloopComponent => {
    const attributes: Record<string, number> = {};
    for (const [k, v] of Object.entries(p.at.leaf.attributes ?? {})) if (typeof v === 'number') attributes[k] = v;
    return { name: p.name, className: p.at.leaf.class ?? '', instances: p.instances, meshX: p.meshX, meshY: p.meshY, attributes };
  });
  return { arch, leafPath, components };
}

// ---------------------------------------------------------------------------------------------------
// Mapping

function readMapping(
  input: TimeloopInput,
  src: YamlSource,
  problem: Problem,
  diags: Diagnostic[],
): { mapping: Mapping; entries: Map<string, { temporal?: number; spatial?: number; bypass?: number; first: number }>; levelEntry: number[] } {
  const dims = Object.keys(problem.dimensions);
  const tensors = problem.dataSpaces.map((d) => d.name);
  const entries = new Map<string, { temporal?: number; spatial?: number; bypass?: number; first: number }>();
  const order: string[] = [];
  input.mapping.forEach((e, i) => {
    let slot = entries.get(e.target);
    if (!slot) {
      slot = { first: i };
      entries.set(e.target, slot);
      order.push(e.target);
    }
    // Timeloop reads datatype, bypass and dataspace directives alike (keep/bypass lists).
    const kind = e.type === 'dataspace' || e.type === 'datatype' ? 'bypass' : e.type;
    if (slot[kind] !== undefined) {
      diags.push(diagnosticAt(src, ['mapping', i, 'type'], ModelCodes.duplicate, `level '${e.target}' has two ${e.type} entries`));
    } else {
      slot[kind] = i;
    }
  });

  const levels: LevelMapping[] = [];
  const levelEntry: number[] = [];
  for (const target of order) {
    const slot = entries.get(target)!;
    const t = slot.temporal === undefined ? undefined : input.mapping[slot.temporal];
    const s = slot.spatial === undefined ? undefined : input.mapping[slot.spatial];
    const b = slot.bypass === undefined ? undefined : input.mapping[slot.bypass];
    const temporal = t ? [...loopsOf(t, slot.temporal!, problem.dimensions, src, diags)].reverse() : [];
    const spatialX: Loop[] = [];
    const spatialY: Loop[] = [];
    if (s) {
      // Permutation positions before `split` (the innermost loops) go to X, the rest to Y; our lists
      // are outermost first, like the temporal ones.
      const loops = loopsOf(s, slot.spatial!, problem.dimensions, src, diags);
      const split = s.split ?? loops.length;
      loops.forEach((loop, pos) => (pos < split ? spatialX : spatialY).unshift(loop));
    }
    let keep: string[] | undefined;
    if (b) {
      for (const [j, name] of (b.bypass ?? []).entries()) {
        if (!tensors.includes(name)) diags.push(diagnosticAt(src, ['mapping', slot.bypass!, 'bypass', j], ModelCodes.unknownName, `level '${target}' bypasses unknown tensor '${name}'`, { hint: `tensors: ${tensors.join(', ')}` }));
      }
      const bypassed = new Set(b.bypass ?? []);
      const explicit = b.keep ?? [];
      keep = [...explicit, ...tensors.filter((x) => !bypassed.has(x) && !explicit.includes(x))];
    }
    levels.push({ level: target, temporal, spatialX, spatialY, ...(keep !== undefined ? { keep } : {}) });
    levelEntry.push(slot.first);
  }
  return { mapping: { levels }, entries, levelEntry };
}

/**
 * The loops of a temporal or spatial entry in permutation order (innermost first), each dimension with
 * its factor; dimensions without a factor have bound 1 and those the permutation leaves out come last
 * (outermost), which only matters for bound > 1, and then is an error.
 */
function loopsOf(e: MappingEntry, index: number, sizes: Readonly<Record<string, number>>, src: YamlSource, diags: Diagnostic[]): Loop[] {
  const factors = parseFactors(e.factors, index, src, diags);
  const perm = parsePermutation(e.permutation, Object.keys(sizes), index, src, diags);
  // Timeloop reads a factor of 0 as the whole dimension.
  const bound = (d: string, b: number): number => (b === 0 ? (sizes[d] ?? 0) : b);
  const loops: Loop[] = [];
  for (const d of perm) loops.push({ dim: d, bound: bound(d, factors.get(d)?.bound ?? 1) });
  for (const [d, f] of factors) {
    if (perm.includes(d)) continue;
    if (f.bound > 1 && e.permutation !== undefined) {
      diags.push(diagnosticAt(src, ['mapping', index, 'permutation'], TimeloopCodes.malformed, `the permutation does not place '${d}', which has factor ${f.bound}`));
    }
    loops.push({ dim: d, bound: bound(d, f.bound) });
  }
  return loops;
}

/**
 * Factors as Timeloop reads them: every match of `[A-Za-z]+ *=* *[0-9]+` in the string (`C=1,M=8`,
 * `C1 M8`, `C = 1`, mixed), or a list of such strings; names with digits or underscores need the `=`
 * (`M1=4`). Anything else between the factors (other than spaces and commas) is an error here, where
 * Timeloop would silently skip it.
 */
function parseFactors(factors: string | readonly string[] | undefined, index: number, src: YamlSource, diags: Diagnostic[]): Map<string, { bound: number }> {
  const out = new Map<string, { bound: number }>();
  if (factors === undefined) return out;
  const texts = typeof factors === 'string' ? [{ text: factors, path: ['mapping', index, 'factors'] as YamlPath }] : factors.map((f, i) => ({ text: f, path: ['mapping', index, 'factors', i] as YamlPath }));
  for (const { text, path } of texts) {
    // Timeloop's [A-Za-z]+ *=* *[0-9]+, plus names with digits or underscores before an '='.
    const re = /([A-Za-z_][A-Za-z0-9_]*)\s*=+\s*([0-9]+)|([A-Za-z]+)\s*([0-9]+)/g;
    let last = 0;
    const junk = (from: number, to: number): void => {
      const gap = text.slice(from, to);
      const m = /[^\s,]+/.exec(gap);
      if (m) diags.push(diagnosticAt(src, path, TimeloopCodes.malformed, `'${m[0]}' in factors is not of the form DIM=N or DIMN`, { within: { offset: from + m.index, length: m[0].length } }));
    };
    for (const m of text.matchAll(re)) {
      junk(last, m.index);
      last = m.index + m[0].length;
      const name = m[1] ?? m[3]!;
      const bound = Number(m[2] ?? m[4]);
      if (out.has(name)) diags.push(diagnosticAt(src, path, ModelCodes.duplicate, `factor of '${name}' is given twice`, { within: { offset: m.index, length: m[0].length } }));
      out.set(name, { bound });
    }
    junk(last, text.length);
  }
  return out;
}

/** A permutation string: separated names, or one character per dimension when all names are single letters. */
function parsePermutation(perm: string | readonly string[] | undefined, dims: readonly string[], index: number, src: YamlSource, diags: Diagnostic[]): string[] {
  if (perm === undefined) return [];
  const names = typeof perm !== 'string' ? [...perm] : /[,\s]/.test(perm) ? perm.split(/[,\s]+/).filter((x) => x !== '') : dims.every((d) => d.length === 1) ? [...perm] : greedy(perm, dims);
  for (const n of names) {
    if (!dims.includes(n)) diags.push(diagnosticAt(src, ['mapping', index, 'permutation'], ModelCodes.unknownName, `the permutation names unknown dimension '${n}'`, { hint: `dimensions: ${dims.join(', ')}` }));
  }
  return names.filter((n) => dims.includes(n));
}

/** Split a run-together permutation into dimension names, longest match first. */
function greedy(perm: string, dims: readonly string[]): string[] {
  const sorted = [...dims].sort((a, b) => b.length - a.length);
  const out: string[] = [];
  let rest = perm;
  while (rest.length > 0) {
    const d = sorted.find((x) => rest.startsWith(x)) ?? rest[0]!;
    out.push(d);
    rest = rest.slice(d.length);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Locations of model issues

export function locateTimeloopRef(loaded: LoadedTimeloop, ref: NestRef): SourceLocation | undefined {
  const src = loaded.source;
  const slot = (level: string) => loaded.map.entries.get(level);
  switch (ref.kind) {
    case 'dimension':
      return locate(src, ['problem', 'instance', ref.dim], 'key');
    case 'dataSpace': {
      const i = loaded.problem.dataSpaces.findLastIndex((d) => d.name === ref.tensor);
      return i < 0 ? undefined : locate(src, ['problem', 'shape', 'data_spaces', i, 'name']);
    }
    case 'archLevel': {
      const p = loaded.map.leafPath.get(ref.level);
      return p ? locate(src, [...p, 'name']) : undefined;
    }
    case 'mappingLevel': {
      const i = ref.index !== undefined ? loaded.map.levelEntry[ref.index] : slot(ref.level)?.first;
      return i === undefined ? undefined : locate(src, ['mapping', i, 'target']);
    }
    case 'loop': {
      const s = slot(ref.level);
      const i = ref.space === 'temporal' ? s?.temporal : s?.spatial;
      if (i === undefined) return undefined;
      const factors = loaded.map.rawMapping[i]?.factors;
      if (typeof factors === 'string') {
        const m = new RegExp(`(^|[^A-Za-z0-9_])(${ref.dim}\\s*=*\\s*\\d+)`).exec(factors);
        if (m) return locate(src, ['mapping', i, 'factors'], 'value', { offset: m.index + m[1]!.length, length: m[2]!.length });
      }
      return locate(src, ['mapping', i, 'factors']);
    }
    case 'keep': {
      const s = slot(ref.level);
      if (s?.bypass === undefined) return s ? locate(src, ['mapping', s.first, 'target']) : undefined;
      const j = loaded.map.rawMapping[s.bypass]?.keep?.indexOf(ref.tensor) ?? -1;
      return j >= 0 ? locate(src, ['mapping', s.bypass, 'keep', j]) : locate(src, ['mapping', s.bypass, 'target']);
    }
    case 'computeCost':
      return undefined;
    case 'mapping':
      return locate(src, ['mapping']);
    default:
      return assertNever(ref);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected reference ${JSON.stringify(x)}`);
}
