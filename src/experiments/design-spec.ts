/**
 * @file The design spec (specs/designs/*.yaml): an accelerator design as data. A design names its
 * cascade, derives parameters from the workload (expressions, see expr.ts), declares the hardware
 * components and the arrays built from them (Timeloop-like level chains), the Einsums with their
 * iteration spaces and mapping templates, the binding (which array runs each Einsum and its cost in
 * cycles), the schedule (phases of epochs of parallel lanes), per-action energies, areas, and the
 * quirks the published tool chain applied to it (used only under `--fidelity artifact`).
 *
 * This module owns the schema (zod, located diagnostics through yaml-source.ts) and `--set`
 * overrides applied to the YAML document before validation; instantiate.ts gives it meaning.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { UserError } from '../diagnostics/diagnostic.ts';
import { Identifier, NonNegative } from '../readers/names.ts';
import { parseYamlSource, validateYaml, type YamlSource } from '../readers/yaml-source.ts';

/** A number, or an expression text evaluated against the workload and the design's parameters. */
export const ExprValue = z.union([z.number(), z.string().min(1)]);
export type ExprValue = z.output<typeof ExprValue>;

/** Names of arrays and cascades: '2d', 'attention-1pass'. */
const Name = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, 'must be a name (letters, digits, _ and -)');

const Loops = z.record(Identifier, ExprValue);

/** A level's mapping: temporal loops (outermost first), spatial loops over its fan-out, kept tensors. */
const LevelMappingSpec = z.strictObject({
  temporal: Loops.optional(),
  spatial: Loops.optional(),
  /** Tensors kept here; an entry `{ tensor, when }` is kept only when the expression holds. */
  keep: z.array(z.union([Identifier, z.strictObject({ tensor: Identifier, when: z.string().min(1) })])).optional(),
});
export type LevelMappingSpec = z.output<typeof LevelMappingSpec>;

const MappingSpec = z.record(Identifier, LevelMappingSpec);

const EinsumSpec = z.strictObject({
  /** Local names, evaluated in order after the design's parameters (shadowing is allowed). */
  let: z.record(Identifier, ExprValue).optional(),
  /** The iteration space: dimension → size. */
  dims: z.record(Identifier, ExprValue),
  /** Tensor → its ranks (dimension names). */
  tensors: z.record(Identifier, z.array(Identifier)),
  /** The tensor the Einsum writes (Timeloop's read_write data space). */
  output: Identifier,
  /** Operations per point by unit (energy). */
  ops: z.record(Identifier, NonNegative),
  /** The mapping template, per level of the array... */
  mapping: MappingSpec.optional(),
  /** ...or variants: the first whose `when` holds applies. */
  variants: z.array(z.strictObject({ when: z.string().min(1), levels: MappingSpec })).min(1).optional(),
  /** Tensors whose global-buffer copy may spill to DRAM (the spill proportion is the design's `spill`). */
  spill: z.array(Identifier).optional(),
  /**
   * The mapspace the published tool chain's mapper searched: its metrics (default edp) and, per level,
   * the temporal and spatial factors and keep sets it fixed (everything else is free). When the
   * `mapper-mappings` quirk is off, the Einsum runs with the optimum of this mapspace (src/mapper).
   */
  mapper: z.strictObject({ metrics: z.array(z.string().min(1)).min(1).optional(), fixed: MappingSpec }).optional(),
});
export type EinsumSpec = z.output<typeof EinsumSpec>;

const Energy = z.strictObject({
  read: NonNegative,
  write: NonNegative,
  /** Words per access the energies are for (default: width / word bits). */
  words: ExprValue.optional(),
});

const ComponentSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dram'), width: ExprValue, energy: Energy }),
  z.strictObject({
    kind: z.literal('buffer'),
    depth: ExprValue,
    width: ExprValue,
    energy: Energy,
    /** Rows an automatic design may fill, when the cycle model's depth is larger on purpose (FLAT's). */
    usable_depth: ExprValue.optional(),
  }),
  z.strictObject({ kind: z.literal('spatial'), fanout: z.strictObject({ x: ExprValue.optional(), y: ExprValue.optional() }) }),
]);
export type ComponentSpec = z.output<typeof ComponentSpec>;

/**
 * What an array can execute: per operator of the notation (add, sub, mul, div, max, min, sub_exp = exp(a − b),
 * exp, sqrt, recip, ...; `mac` = a product accumulated by +), the units one operation uses (energy) and
 * its cycles per element (default: the sum of the unit counts). Hardware data for `fusemax design`;
 * the evaluation of a design reads only its Einsums' `ops` and the binding's `cycles`.
 */
const OperatorCost = z.strictObject({ units: z.record(Identifier, NonNegative), cycles: NonNegative.optional() });
export type OperatorCost = z.output<typeof OperatorCost>;

const LaneItem = z.union([Identifier, z.strictObject({ einsum: Identifier, times: ExprValue })]);
export type LaneItem = z.output<typeof LaneItem>;

export const DesignSpecSchema = z.strictObject({
  name: Name,
  label: z.string().min(1),
  description: z.string().optional(),
  /** The cascade (specs/cascades/NAME.cascade) whose Einsums this design runs (none for a plain matmul). */
  cascade: Name.optional(),
  /** Derived parameters, evaluated in order. */
  params: z.record(Identifier, ExprValue),
  /** Tables for lookup(): columns, the number of key columns, and rows. */
  tables: z.record(Identifier, z.strictObject({ columns: z.array(Identifier).min(2), keys: z.number().int().positive(), rows: z.array(z.array(z.union([z.number(), z.string()]))) })).optional(),
  arch: z.strictObject({
    wordBits: z.number().int().positive().optional(),
    components: z.record(Identifier, ComponentSpec),
    units: z.record(Identifier, z.strictObject({ energy: NonNegative })),
  }),
  arrays: z.record(Name, z.strictObject({ levels: z.array(Identifier).min(1), units: z.array(Identifier).min(1), operators: z.record(Identifier, OperatorCost).optional() })),
  einsums: z.record(Identifier, EinsumSpec),
  binding: z.record(Identifier, z.strictObject({ array: Name, cycles: ExprValue.optional() })),
  schedule: z.array(z.strictObject({ name: z.string().optional(), epochs: z.array(z.array(z.array(LaneItem).min(1)).min(1)).min(1) })).min(1),
  area: z.record(Identifier, ExprValue).optional(),
  artifact: z
    .strictObject({
      /** Operation kinds whose energy the tool chain dropped (a cost key that matched no unit). */
      unmatched_units: z.array(Identifier).optional(),
      /** Components whose counts the tool chain dropped from the energy. */
      dropped_levels: z.array(Identifier).optional(),
      /** Parameters the mapper chose differently (the published mapper's mappings). */
      mapper_params: z.record(Identifier, ExprValue).optional(),
      /** An Einsum's DRAM bytes as the mapper's mapping moved them (replacing the mapping's), when `when` holds. */
      mapper_traffic: z.record(Identifier, z.strictObject({ when: z.string().min(1), bytes: ExprValue })).optional(),
      /** Einsums whose results were copied from another's. */
      copies: z.record(Identifier, Identifier).optional(),
      /** Einsum → tensor → ranks, where the artifact's Timeloop problem gave a tensor other ranks than the cascade. */
      tensors: z.record(Identifier, z.record(Identifier, z.array(Identifier))).optional(),
    })
    .optional(),
});

export type DesignSpec = z.output<typeof DesignSpecSchema>;

export interface LoadedDesign {
  readonly spec: DesignSpec;
  readonly source: YamlSource;
}

/** Parse, apply `--set path=value` overrides, validate. */
export function loadDesign(file: string, text: string, sets: readonly string[] = []): LoadedDesign {
  const source = parseYamlSource(file, text);
  for (const s of sets) applySet(source, s);
  return { spec: validateYaml(source, DesignSpecSchema), source };
}

/**
 * `path=value`: the path is dot-separated keys; in a list, a segment is an index or the `name` of an
 * item (or the item itself when it is that text). The value is read as YAML (a number, a text, ...).
 * Code FM609 for a malformed override or a path that does not exist.
 */
export function applySet(source: YamlSource, text: string): void {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError({ code: 'FM609', message: `--set needs PATH=VALUE, not '${text}'` });
  const path = text.slice(0, eq).trim().split('.');
  // `arch.global_buffer.depth` is short for `arch.components.global_buffer.depth`.
  if (path[0] === 'arch' && path.length > 2 && !['components', 'units', 'wordBits'].includes(path[1]!)) path.splice(1, 0, 'components');
  const valueText = text.slice(eq + 1);
  const value = parseDocument(valueText).toJS() as unknown;
  let node = source.doc.contents as YamlNode | null;
  const keys: (string | number)[] = [];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (isMap(node)) {
      keys.push(seg);
      if (last) break;
      node = node.get(seg, true) as YamlNode | null;
    } else if (isSeq(node)) {
      const idx = /^\d+$/.test(seg) ? Number(seg) : node.items.findIndex((it) => (isMap(it) && String(it.get('name')) === seg) || (isScalar(it) && String(it.value) === seg));
      if (idx < 0 || idx >= node.items.length) throw new UserError({ code: 'FM609', message: `--set ${path.join('.')}: no item '${seg}' in ${path.slice(0, i).join('.') || 'the document'}` });
      keys.push(idx);
      if (last) break;
      node = node.items[idx] as YamlNode | null;
    } else {
      throw new UserError({ code: 'FM609', message: `--set ${path.join('.')}: '${path.slice(0, i).join('.')}' is not a map or a list` });
    }
    if (node === null || node === undefined) throw new UserError({ code: 'FM609', message: `--set ${path.join('.')}: '${path.slice(0, i + 1).join('.')}' does not exist` });
  }
  source.doc.setIn(keys, source.doc.createNode(value));
}
