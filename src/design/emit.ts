/**
 * @file An automatic design as a design spec (the specs/designs format): the hardware as it came, the
 * sizes of the cascade's ranks that the workload does not give (partitions as expressions, M1 = M / M0),
 * one Einsum per computing Einsum of the cascade with its problem, units per point and mapping (loop
 * bounds as numbers: the design is for one workload point, and evaluating it at another one fails on
 * the factors), the binding with its cycles per point, one schedule phase per fused group. And the
 * YAML text of it, small collections in flow style as in the hand-written designs.
 */
import { Document, isMap, isScalar, isSeq } from 'yaml';
import type { DesignSpec, ExprValue, LevelMappingSpec } from '../experiments/design-spec.ts';
import type { Value } from '../experiments/expr.ts';
import type { Cascade } from '../ir/cascade.ts';
import type { Mapping } from '../model/types.ts';
import type { GroupDesign } from './group.ts';
import { hardwareSpec, type Hardware } from './hardware.ts';

export interface EmitInput {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly cascadeName?: string;
  readonly cascade: Cascade;
  readonly hardware: Hardware;
  /** The workload point's values (names the design's expressions can read). */
  readonly workload: ReadonlyMap<string, Value>;
  readonly shapes: ReadonlyMap<string, number>;
  readonly groups: readonly GroupDesign[];
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** How each rank's size is written: the workload's name, a parameter, or the number. */
function rankSizes(input: EmitInput, hwParams: ReadonlySet<string>): { params: Record<string, ExprValue>; size: (rank: string) => ExprValue } {
  const params: Record<string, ExprValue> = {};
  const size = new Map<string, ExprValue>();
  const known = (r: string): boolean => input.workload.get(r) === input.shapes.get(r);
  const ranks = [...input.shapes.keys()];
  for (const r of ranks) if (known(r)) size.set(r, r);
  const free = (r: string): boolean => !hwParams.has(r) && !input.workload.has(r);
  // Sizes not derived from a partition of a known rank: numbers.
  const derived = new Map<string, string>();
  for (const p of input.cascade.partitions) {
    if (known(p.whole) && !known(p.inner) && !known(p.outer)) derived.set(p.outer, `${p.whole} / ${p.inner}`);
  }
  for (const r of ranks) {
    if (size.has(r) || derived.has(r)) continue;
    if (free(r)) {
      params[r] = input.shapes.get(r)!;
      size.set(r, r);
    } else {
      size.set(r, input.shapes.get(r)!);
    }
  }
  for (const [r, expr] of derived) {
    const inner = input.cascade.partitions.find((p) => p.outer === r)!.inner;
    if (free(r) && size.get(inner) === inner) {
      params[r] = expr;
      size.set(r, r);
    } else {
      size.set(r, input.shapes.get(r)!);
    }
  }
  return { params, size: (r) => size.get(r) ?? input.shapes.get(r)! };
}

function mappingSpec(m: Mapping, spatialLevels: ReadonlySet<string>): Record<string, LevelMappingSpec> {
  const out: Record<string, LevelMappingSpec> = {};
  for (const lm of m.levels) {
    const temporal = Object.fromEntries(lm.temporal.filter((l) => l.bound > 1).map((l) => [l.dim, l.bound]));
    const spatial = Object.fromEntries([...lm.spatialX, ...lm.spatialY].filter((l) => l.bound > 1).map((l) => [l.dim, l.bound]));
    const spec: LevelMappingSpec = {
      ...(Object.keys(temporal).length > 0 ? { temporal } : {}),
      ...(Object.keys(spatial).length > 0 ? { spatial } : {}),
      ...(spatialLevels.has(lm.level) ? {} : { keep: [...(lm.keep ?? [])] }),
    };
    if (Object.keys(spec).length > 0) out[lm.level] = spec;
  }
  return out;
}

export function designSpec(input: EmitInput): DesignSpec {
  const hw = hardwareSpec(input.hardware);
  const { params, size } = rankSizes(input, new Set(Object.keys(hw.params)));
  const spatialLevels = new Set(Object.entries(hw.arch.components).filter(([, c]) => c.kind === 'spatial').map(([n]) => n));
  const einsums: DesignSpec['einsums'] = {};
  const binding: DesignSpec['binding'] = {};
  for (const g of input.groups) {
    for (const m of g.nest.members) {
      const problem = g.problems.get(m.name)!;
      const cost = g.costs.get(m.name)!;
      einsums[m.name] = {
        dims: Object.fromEntries(Object.keys(problem.dimensions).map((d) => [d, size(d)])),
        tensors: Object.fromEntries(problem.dataSpaces.map((d) => [d.name, d.projection.map((r) => r[0]!.dim)])),
        output: problem.dataSpaces.find((d) => d.isOutput)!.name,
        ops: Object.fromEntries(Object.entries(cost.units).filter(([, n]) => n > 0)),
        mapping: mappingSpec(g.mappings.get(m.name)!, spatialLevels),
      };
      binding[m.name] = { array: g.binding.get(m.name)!, ...(cost.cycles !== 1 ? { cycles: cost.cycles } : {}) };
    }
  }
  const schedule = input.groups.map((g, i) => ({
    name: input.groups.length === 1 ? 'fused' : `group ${i + 1}`,
    epochs: g.schedule.epochs.map((e) => e.map((lane) => [...lane])),
  }));
  return {
    name: input.name,
    label: input.label,
    description: input.description,
    ...(input.cascadeName !== undefined && NAME.test(input.cascadeName) ? { cascade: input.cascadeName } : {}),
    params: { ...hw.params, ...params },
    ...(hw.tables ? { tables: hw.tables } : {}),
    arch: hw.arch,
    arrays: hw.arrays,
    einsums,
    binding,
    schedule,
    ...(hw.artifact ? { artifact: hw.artifact } : {}),
  };
}

/** The design as YAML: collections that fit on a line in flow style (as the hand-written designs), a comment on top. */
export function designYaml(spec: DesignSpec, comment: string): string {
  const doc = new Document(spec);
  // Flow when every child is a scalar or flow and it is short; the top-level sections stay in block style.
  const decide = (node: unknown, value: unknown, depth: number): boolean => {
    if (isScalar(node)) return true;
    const short = (): boolean => JSON.stringify(value).length <= 100;
    if (isMap(node)) {
      const v = value as Record<string, unknown>;
      const kids = node.items.map((p) => decide(p.value, v[String(isScalar(p.key) ? p.key.value : p.key)], depth + 1));
      node.flow = depth > 1 && kids.every(Boolean) && short();
      return node.flow;
    }
    if (isSeq(node)) {
      const v = value as unknown[];
      const kids = node.items.map((x, i) => decide(x, v[i], depth + 1));
      node.flow = kids.every(Boolean) && short();
      return node.flow;
    }
    return false;
  };
  decide(doc.contents, spec, 0);
  doc.commentBefore = comment;
  return doc.toString({ lineWidth: 0 });
}
