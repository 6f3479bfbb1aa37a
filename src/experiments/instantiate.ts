/**
 * @file A design at a workload point: every expression evaluated, every Einsum turned into the model's
 * plain `Problem`, `Architecture` (its array's level chain) and `Mapping`, the binding and schedule
 * resolved to numbers. All errors are located in the design file: FM601 malformed expression, FM602
 * expression that cannot be evaluated, FM603 a value that must be a positive integer, FM604 an unknown
 * name (array, component, unit, Einsum, tensor), FM605 a schedule that does not run every bound Einsum
 * exactly once.
 */
import { UserError, type Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Architecture, DataSpace, LevelMapping, Loop, Mapping, Problem, StorageEnergy, StorageLevel } from '../model/types.ts';
import { diagnosticAt, type YamlPath } from '../readers/yaml-source.ts';
import { tensorRanks, type QuirkSet } from './artifact-quirks.ts';
import type { ComponentSpec, EinsumSpec, ExprValue, LevelMappingSpec, LoadedDesign } from './design-spec.ts';
import { evalExpr, ExprError, parseExpr, type Expr, type Scope, type Value } from './expr.ts';
import type { Workload } from './workload.ts';
import type { LevelConstraint, MapspaceConstraints } from '../mapper/constraints.ts';
import { METRICS, parseMetric, type Metric } from '../mapper/metrics.ts';

/** How a storage level's accesses are charged: pJ per access of `words` words. */
export interface LevelCharge {
  readonly read: number;
  readonly write: number;
  readonly words: number;
}

export interface EinsumInstance {
  readonly name: string;
  readonly array: string;
  readonly problem: Problem;
  readonly arch: Architecture;
  readonly mapping: Mapping;
  /** Energy charges by level name (DRAM included). */
  readonly charges: ReadonlyMap<string, LevelCharge>;
  /** Cycles per iteration of the nest (the binding's cost). */
  readonly cyclesPerStep: number;
  /** Operations per point by unit, and the unit energies (pJ). */
  readonly ops: readonly { readonly unit: string; readonly count: number; readonly energy: number }[];
  readonly spill: readonly string[];
  /** DRAM bytes replacing the mapping's (the mapper's mappings, artifact only). */
  readonly trafficOverride?: number;
  /** Under the copied-layers quirk: the Einsum whose results this one takes. */
  readonly copyOf?: string;
  /** YAML path of the mapping used, for locating model issues. */
  readonly mappingPath: YamlPath;
  /** The mapspace of the Einsum's mapper block, when it has one (searched when `mapper-mappings` is off). */
  readonly search?: EinsumSearch;
}

export interface EinsumSearch {
  readonly metrics: readonly Metric[];
  readonly constraints: MapspaceConstraints;
  readonly computeCost: Readonly<Record<string, number>>;
  /** YAML path of the mapper block, for locating mapper issues. */
  readonly path: YamlPath;
}

export interface LaneStep {
  readonly einsum: string;
  readonly times: number;
}

export interface PhaseInstance {
  readonly name: string;
  readonly epochs: readonly (readonly (readonly LaneStep[])[])[];
  /** The Einsums of this phase (their traffic is its memory time). */
  readonly einsums: readonly string[];
}

export interface DesignInstance {
  readonly design: LoadedDesign;
  readonly workload: Workload;
  readonly quirks: QuirkSet;
  readonly values: ReadonlyMap<string, Value>;
  readonly clockHz: number;
  readonly bandwidth: number;
  readonly spill: number;
  readonly wordBytes: number;
  readonly einsums: readonly EinsumInstance[];
  readonly phases: readonly PhaseInstance[];
  /** Evaluated `area` entries (µm²), NaN when unknown. */
  readonly area: ReadonlyMap<string, number>;
}

/** Parsed expressions, per design source and text. */
const cache = new WeakMap<object, Map<string, Expr>>();

class Evaluator {
  readonly values = new Map<string, Value>();
  readonly scope: Scope;

  constructor(
    readonly design: LoadedDesign,
    base: ReadonlyMap<string, Value>,
    tables: ReadonlyMap<string, ReadonlyMap<string, Value>>,
  ) {
    for (const [k, v] of base) this.values.set(k, v);
    this.scope = { values: this.values, tables };
  }

  expr(path: YamlPath, text: string): Expr {
    let m = cache.get(this.design.source);
    if (!m) cache.set(this.design.source, (m = new Map()));
    let e = m.get(text);
    if (!e) {
      try {
        e = parseExpr(text);
      } catch (err) {
        if (err instanceof ExprError) throw new UserError(this.at(path, 'FM601', `malformed expression: ${err.message}`, err));
        throw err;
      }
      m.set(text, e);
    }
    return e;
  }

  value(path: YamlPath, v: ExprValue, scope: Scope = this.scope): Value {
    if (typeof v === 'number') return v;
    const e = this.expr(path, v);
    try {
      return evalExpr(e, scope);
    } catch (err) {
      if (err instanceof ExprError) throw new UserError(this.at(path, 'FM602', `cannot evaluate '${v}': ${err.message}`, err));
      throw err;
    }
  }

  number(path: YamlPath, v: ExprValue, scope?: Scope): number {
    const x = this.value(path, v, scope);
    if (typeof x !== 'number') throw new UserError(this.at(path, 'FM602', `'${String(v)}' must give a number, not the text '${x}'`));
    return x;
  }

  /** A positive integer (a loop bound, a size, a depth). */
  int(path: YamlPath, v: ExprValue, what: string, scope?: Scope): number {
    const x = this.number(path, v, scope);
    if (!Number.isSafeInteger(x) || x < 1) throw new UserError(this.at(path, 'FM603', `${what} must be a positive integer, but '${String(v)}' is ${x} here`));
    return x;
  }

  truth(path: YamlPath, text: string, scope?: Scope): boolean {
    const x = this.value(path, text, scope);
    return typeof x === 'number' ? x !== 0 && !Number.isNaN(x) : x !== '';
  }

  at(path: YamlPath, code: string, message: string, err?: ExprError, hint?: string): Diagnostic {
    const within = err && isTextAt(this.design, path) ? { offset: err.offset, length: err.length } : undefined;
    return diagnosticAt(this.design.source, path, code, message, { ...(within ? { within } : {}), ...(hint ? { hint } : {}) });
  }

  unknownMetric(path: YamlPath, name: string): never {
    throw new UserError(diagnosticAt(this.design.source, path, 'FM805', `unknown optimization metric '${name}'`, { hint: `metrics: ${METRICS.join(', ')}` }));
  }

  unknown(path: YamlPath, what: string, name: string, known: Iterable<string>, target: 'key' | 'value' = 'value'): never {
    throw new UserError(diagnosticAt(this.design.source, path, 'FM604', `unknown ${what} '${name}'`, { target, hint: `known: ${[...known].join(', ') || 'none'}` }));
  }
}

function isTextAt(design: LoadedDesign, path: YamlPath): boolean {
  let v: unknown = design.spec;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p as string] : undefined;
  return typeof v === 'string';
}

/** One array of a design at a workload point: its level chain as the model's architecture. */
export interface ArrayInstance {
  readonly name: string;
  readonly arch: Architecture;
  /** Energy charges by level name (DRAM included). */
  readonly charges: ReadonlyMap<string, LevelCharge>;
  /** Rows of each buffer an automatic design may fill (`usable_depth`, else the depth). */
  readonly usableDepth: ReadonlyMap<string, number>;
}

/** A design's hardware at a workload point: parameters, clock, bandwidth, arrays. */
export interface HardwareInstance {
  readonly values: ReadonlyMap<string, Value>;
  readonly clockHz: number;
  readonly bandwidth: number;
  readonly spill: number;
  readonly wordBytes: number;
  readonly arrays: ReadonlyMap<string, ArrayInstance>;
}

/** Evaluate the design's parameters in order (overrides and, under artifact fidelity, the mapper's values win). */
function evaluateParams(ev: Evaluator, quirks: QuirkSet, overrides: ReadonlyMap<string, ExprValue>): { clockHz: number; bandwidth: number; spill: number } {
  const spec = ev.design.spec;
  const mapperParams = quirks.has('mapper-mappings') ? (spec.artifact?.mapper_params ?? {}) : {};
  for (const [name, v] of Object.entries(spec.params)) {
    const over = overrides.get(name);
    const mapper = mapperParams[name];
    const path = over !== undefined ? ['params', name] : mapper !== undefined ? ['artifact', 'mapper_params', name] : ['params', name];
    ev.values.set(name, ev.value(path, over ?? mapper ?? v));
  }
  for (const name of overrides.keys()) {
    if (!(name in spec.params)) ev.unknown(['params'], 'parameter (in an override)', name, Object.keys(spec.params));
  }
  const required = (name: string): number => {
    const v = ev.values.get(name);
    if (typeof v !== 'number') throw new UserError(ev.at(['params'], 'FM602', `the design needs a numeric parameter '${name}'`));
    return v;
  };
  return { clockHz: required('clock_hz'), bandwidth: required('bandwidth'), spill: ev.values.has('spill') ? required('spill') : 0 };
}

/** Only the hardware of a design at a workload point (its Einsums, binding and schedule are not read). */
export function instantiateHardware(design: LoadedDesign, wl: Workload, quirks: QuirkSet): HardwareInstance {
  const ev = new Evaluator(design, wl.values, buildTables(design));
  const { clockHz, bandwidth, spill } = evaluateParams(ev, quirks, new Map());
  const wordBits = design.spec.arch.wordBits ?? 16;
  const arrays = new Map<string, ArrayInstance>();
  for (const name of Object.keys(design.spec.arrays)) arrays.set(name, arrayInstance(ev, name, ['arrays', name], wordBits, ev.scope));
  return { values: ev.values, clockHz, bandwidth, spill, wordBytes: wordBits / 8, arrays };
}

/** Instantiate a design at a workload point. `overrides` replace parameters (a sweep's values). */
export function instantiate(design: LoadedDesign, wl: Workload, quirks: QuirkSet, overrides: ReadonlyMap<string, ExprValue> = new Map()): DesignInstance {
  const spec = design.spec;
  const ev = new Evaluator(design, wl.values, buildTables(design));
  const { clockHz, bandwidth, spill } = evaluateParams(ev, quirks, overrides);
  const wordBits = spec.arch.wordBits ?? 16;

  const einsums: EinsumInstance[] = [];
  for (const [name, b] of Object.entries(spec.binding)) {
    const e = spec.einsums[name];
    if (!e) return ev.unknown(['binding', name], 'Einsum', name, Object.keys(spec.einsums), 'key');
    einsums.push(einsumInstance(ev, name, e, b, wordBits, quirks));
  }
  for (const name of Object.keys(spec.einsums)) {
    if (!(name in spec.binding)) throw new UserError(ev.at(['einsums', name], 'FM605', `Einsum '${name}' is not bound to an array (add it to binding)`));
  }

  const phases = resolveSchedule(ev, Object.keys(spec.binding));

  const area = new Map<string, number>();
  for (const [name, v] of Object.entries(spec.area ?? {})) {
    const x = ev.number(['area', name], v);
    area.set(name, x);
    ev.values.set(name, x);
  }

  return { design, workload: wl, quirks, values: ev.values, clockHz, bandwidth, spill, wordBytes: wordBits / 8, einsums, phases, area };
}

function buildTables(design: LoadedDesign): Map<string, Map<string, Value>> {
  const out = new Map<string, Map<string, Value>>();
  for (const [name, t] of Object.entries(design.spec.tables ?? {})) {
    const m = new Map<string, Value>();
    t.rows.forEach((row, i) => {
      if (row.length !== t.columns.length) throw new UserError(diagnosticAt(design.source, ['tables', name, 'rows', i], 'FM405', `a row of table '${name}' needs ${t.columns.length} values, not ${row.length}`));
      const key = row.slice(0, t.keys).map(String).join(',');
      for (let c = t.keys; c < t.columns.length; c++) m.set(`${key},${t.columns[c]}`, row[c]!);
    });
    out.set(name, m);
  }
  return out;
}

function einsumInstance(ev: Evaluator, name: string, e: EinsumSpec, b: { array: string; cycles?: ExprValue | undefined }, wordBits: number, quirks: QuirkSet): EinsumInstance {
  const spec = ev.design.spec;
  const base = ['einsums', name];
  // Local names shadow the design's parameters for this Einsum only.
  const local = new Map(ev.values);
  const scope: Scope = { values: local, tables: ev.scope.tables ?? new Map() };
  for (const [k, v] of Object.entries(e.let ?? {})) local.set(k, ev.value([...base, 'let', k], v, scope));

  const arrayName = b.array;
  // The architecture: the array's level chain (component expressions see this Einsum's local names).
  const { arch, charges: archCharges } = arrayInstance(ev, arrayName, ['binding', name, 'array'], wordBits, scope);
  const array = spec.arrays[arrayName]!;
  const levels = arch.levels;
  const units = arch.compute.units;
  const charges = new Map(archCharges);

  // The problem.
  const dims: Record<string, number> = {};
  for (const [d, v] of Object.entries(e.dims)) dims[d] = ev.int([...base, 'dims', d], v, `the size of dimension '${d}'`, scope);
  if (!(e.output in e.tensors)) ev.unknown([...base, 'output'], 'tensor', e.output, Object.keys(e.tensors));
  const dataSpaces: DataSpace[] = Object.entries(e.tensors).map(([t, ranks]) => ({
    name: t,
    projection: tensorRanks(name, t, ranks, spec.artifact?.tensors, quirks).map((r) => [{ dim: r, coefficient: 1 }]),
    isOutput: t === e.output,
  }));
  const problem: Problem = { name, dimensions: dims, dataSpaces };

  // The mapping: the template, or the first variant whose condition holds.
  let mappingPath: YamlPath = [...base, 'mapping'];
  let template: Record<string, LevelMappingSpec>;
  if ((e.mapping === undefined) === (e.variants === undefined)) throw new UserError(ev.at(base, 'FM605', `Einsum '${name}' needs either a mapping or mapping variants (one of the two)`));
  if (e.variants !== undefined) {
    const i = e.variants.findIndex((m, k) => ev.truth([...base, 'variants', k, 'when'], m.when, scope));
    if (i < 0) throw new UserError(ev.at([...base, 'variants'], 'FM602', `no mapping variant of Einsum '${name}' applies to ${String(ev.values.get('model'))} at ${String(ev.values.get('seq'))}`));
    mappingPath = [...base, 'variants', i, 'levels'];
    template = e.variants[i]!.levels;
  } else {
    template = e.mapping!;
  }
  const levelMappings: LevelMapping[] = [];
  for (const [lname, lm] of Object.entries(template)) {
    const lpath = [...mappingPath, lname];
    const idx = array.levels.indexOf(lname);
    if (idx < 0) ev.unknown(lpath, `level of array '${arrayName}'`, lname, array.levels, 'key');
    const lv = levels[idx]!;
    const temporal: Loop[] = Object.entries(lm.temporal ?? {}).map(([d, v]) => ({ dim: d, bound: ev.int([...lpath, 'temporal', d], v, `the loop bound of '${d}'`, scope) }));
    const spatial: Loop[] = Object.entries(lm.spatial ?? {}).map(([d, v]) => ({ dim: d, bound: ev.int([...lpath, 'spatial', d], v, `the spatial bound of '${d}'`, scope) }));
    // Spatial loops spread over the level's fan-out: X when it has one, else Y.
    const onX = lv.fanoutX > 1 || lv.fanoutY <= 1;
    const keep = lm.keep?.flatMap((k, i) => (typeof k === 'string' ? [k] : ev.truth([...lpath, 'keep', i, 'when'], k.when, scope) ? [k.tensor] : []));
    levelMappings.push({ level: lname, temporal, spatialX: onX ? spatial : [], spatialY: onX ? [] : spatial, ...(keep !== undefined ? { keep } : {}) });
  }

  const cyclesPerStep = b.cycles === undefined ? 1 : ev.number(['binding', name, 'cycles'], b.cycles, scope);
  const dropped = quirks.has('unmatched-energy-key') ? new Set(spec.artifact?.unmatched_units ?? []) : new Set<string>();
  const ops: { unit: string; count: number; energy: number }[] = [];
  for (const [unit, count] of Object.entries(e.ops)) {
    const u = units.find((x) => x.name === unit);
    if (!u) ev.unknown([...base, 'ops', unit], `unit of array '${arrayName}'`, unit, units.map((x) => x.name), 'key');
    if (!dropped.has(unit)) ops.push({ unit, count, energy: u.energy });
  }
  if (quirks.has('dropped-levels')) for (const l of spec.artifact?.dropped_levels ?? []) charges.delete(l);

  const mt = quirks.has('mapper-mappings') ? spec.artifact?.mapper_traffic?.[name] : undefined;
  const trafficOverride = mt !== undefined && ev.truth(['artifact', 'mapper_traffic', name, 'when'], mt.when, scope) ? ev.number(['artifact', 'mapper_traffic', name, 'bytes'], mt.bytes, scope) : undefined;
  const copyOf = quirks.has('copied-layers') ? spec.artifact?.copies?.[name] : undefined;
  if (copyOf !== undefined && !(copyOf in spec.einsums)) ev.unknown(['artifact', 'copies', name], 'Einsum', copyOf, Object.keys(spec.einsums));
  for (const t of e.spill ?? []) if (!(t in e.tensors)) ev.unknown([...base, 'spill'], 'tensor', t, Object.keys(e.tensors));

  return {
    name,
    array: arrayName,
    problem,
    arch,
    mapping: { levels: levelMappings },
    charges,
    cyclesPerStep,
    ops,
    spill: e.spill ?? [],
    ...(trafficOverride !== undefined ? { trafficOverride } : {}),
    ...(copyOf !== undefined ? { copyOf } : {}),
    mappingPath,
    ...(e.mapper ? { search: einsumSearch(ev, [...base, 'mapper'], e, levels, scope) } : {}),
  };
}

/** The mapper block as mapspace constraints: fixed factors and keep sets per level, metrics. */
function einsumSearch(ev: Evaluator, path: YamlPath, e: EinsumSpec, levels: readonly StorageLevel[], scope: Scope): EinsumSearch {
  const block = e.mapper!;
  const metrics = (block.metrics ?? ['edp']).map((m, i) => parseMetric(m) ?? ev.unknownMetric([...path, 'metrics', i], m));
  const none = { kind: 'none' } as const;
  const constraints: LevelConstraint[] = Object.entries(block.fixed).map(([lname, lm]) => {
    const lpath = [...path, 'fixed', lname];
    if (!levels.some((l) => l.name === lname)) ev.unknown(lpath, 'level of the array', lname, levels.map((l) => l.name), 'key');
    const factors = (loops: Record<string, ExprValue> | undefined, kind: string) =>
      Object.entries(loops ?? {}).map(([d, v]) => {
        if (!(d in e.dims)) ev.unknown([...lpath, kind, d], 'dimension', d, Object.keys(e.dims), 'key');
        return { dim: d, value: ev.int([...lpath, kind, d], v, `the ${kind} factor of '${d}'`, scope), ref: none };
      });
    const keep = lm.keep?.flatMap((k, i) => (typeof k === 'string' ? [k] : ev.truth([...lpath, 'keep', i, 'when'], k.when, scope) ? [k.tensor] : []));
    for (const t of keep ?? []) if (!(t in e.tensors)) ev.unknown([...lpath, 'keep'], 'tensor', t, Object.keys(e.tensors));
    return {
      level: lname,
      ref: { kind: 'level', level: lname },
      ...(lm.temporal ? { temporal: { factors: factors(lm.temporal, 'temporal') } } : {}),
      ...(lm.spatial ? { spatial: { factors: factors(lm.spatial, 'spatial') } } : {}),
      ...(keep ? { keep: { keep, bypass: Object.keys(e.tensors).filter((t) => !keep.includes(t)), ref: none } } : {}),
    };
  });
  return { metrics, constraints: { levels: constraints }, computeCost: { ...e.ops }, path };
}

/** An array's level chain as the model's architecture, with the energy charge of each level. */
function arrayInstance(ev: Evaluator, arrayName: string, at: YamlPath, wordBits: number, scope: Scope): ArrayInstance {
  const spec = ev.design.spec;
  const array = spec.arrays[arrayName];
  if (!array) return ev.unknown(at, 'array', arrayName, Object.keys(spec.arrays));
  const levels: StorageLevel[] = [];
  const charges = new Map<string, LevelCharge>();
  const usableDepth = new Map<string, number>();
  array.levels.forEach((cname, i) => {
    const c = spec.arch.components[cname];
    if (!c) ev.unknown(['arrays', arrayName, 'levels', i], 'component', cname, Object.keys(spec.arch.components));
    const path = ['arch', 'components', cname];
    const lv = level(ev, cname, c, path, wordBits, scope);
    levels.push(lv.level);
    if (lv.charge) charges.set(cname, lv.charge);
    if (c.kind === 'buffer' && lv.level.kind === 'buffer') usableDepth.set(cname, c.usable_depth === undefined ? lv.level.depth : ev.int([...path, 'usable_depth'], c.usable_depth, 'a usable depth', scope));
  });
  const units = array.units.map((u, i) => {
    const spec_u = spec.arch.units[u];
    if (!spec_u) ev.unknown(['arrays', arrayName, 'units', i], 'unit', u, Object.keys(spec.arch.units));
    return { name: u, energy: spec_u.energy, area: 0 };
  });
  const arch: Architecture = { name: `${spec.name}.${arrayName}`, wordBits, levels, compute: { name: 'mac', units } };
  return { name: arrayName, arch, charges, usableDepth };
}

function level(ev: Evaluator, name: string, c: ComponentSpec, path: YamlPath, wordBits: number, scope: Scope): { level: StorageLevel; charge?: LevelCharge } {
  const noEnergy: StorageEnergy = { read: 0, write: 0, update: 0, leak: 0 };
  switch (c.kind) {
    case 'dram':
    case 'buffer': {
      const width = ev.int([...path, 'width'], c.width, 'a width', scope);
      if (width % wordBits !== 0) throw new UserError(ev.at([...path, 'width'], 'FM603', `width ${width} is not a whole number of ${wordBits}-bit words`));
      const blockSize = width / wordBits;
      const words = c.energy.words === undefined ? blockSize : ev.int([...path, 'energy', 'words'], c.energy.words, 'words per access', scope);
      const charge = { read: c.energy.read, write: c.energy.write, words };
      const energy = { read: c.energy.read, write: c.energy.write, update: c.energy.write, leak: 0 };
      if (c.kind === 'dram') return { level: { kind: 'dram', name, fanoutX: 1, fanoutY: 1, area: 0, blockSize, energy }, charge };
      const depth = ev.int([...path, 'depth'], c.depth, 'a depth', scope);
      return { level: { kind: 'buffer', name, fanoutX: 1, fanoutY: 1, area: 0, depth, blockSize, energy: energy ?? noEnergy }, charge };
    }
    case 'spatial': {
      const x = c.fanout.x === undefined ? 1 : ev.int([...path, 'fanout', 'x'], c.fanout.x, 'a fan-out', scope);
      const y = c.fanout.y === undefined ? 1 : ev.int([...path, 'fanout', 'y'], c.fanout.y, 'a fan-out', scope);
      return { level: { kind: 'spatial', name, fanoutX: x, fanoutY: y, area: 0 } };
    }
    default:
      return assertNever(c);
  }
}

function resolveSchedule(ev: Evaluator, bound: readonly string[]): PhaseInstance[] {
  const seen = new Map<string, YamlPath>();
  const phases = ev.design.spec.schedule.map((ph, pi) => {
    const names = new Set<string>();
    const epochs = ph.epochs.map((epoch, ei) =>
      epoch.map((lane, li) =>
        lane.map((item, ii) => {
          const path = ['schedule', pi, 'epochs', ei, li, ii];
          const einsum = typeof item === 'string' ? item : item.einsum;
          if (!bound.includes(einsum)) ev.unknown(typeof item === 'string' ? path : [...path, 'einsum'], 'Einsum', einsum, bound);
          const times = typeof item === 'string' ? 1 : ev.number([...path, 'times'], item.times);
          // An Einsum runs once; further entries (a stall waiting on it) only add time.
          if (typeof item === 'string') {
            if (seen.has(einsum)) throw new UserError(ev.at(path, 'FM605', `Einsum '${einsum}' is scheduled twice`));
            seen.set(einsum, path);
          }
          names.add(einsum);
          return { einsum, times };
        }),
      ),
    );
    return { name: ph.name ?? `phase ${pi + 1}`, epochs, einsums: [...names] };
  });
  for (const b of bound) if (!seen.has(b)) throw new UserError(ev.at(['binding', b], 'FM605', `Einsum '${b}' is bound but never scheduled`));
  return phases;
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
