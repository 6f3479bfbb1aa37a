/**
 * @file The hardware `fusemax design` takes from a design (`--arch`): the parameters its components,
 * clock and bandwidth need, the components and units with their energies, the arrays with their level
 * chains, and what each array can execute (its `operators`: units used and cycles per element). The
 * design's Einsums, binding, schedule, areas and dataflow parameters are not read. Also: the hardware
 * part of an emitted design, and the artifact quirks that belong to the hardware (dropped levels,
 * unmatched unit names).
 *
 * Codes: FM851 an array that declares no operators.
 */
import { UserError } from '../diagnostics/diagnostic.ts';
import type { ComponentSpec, DesignSpec, ExprValue, LoadedDesign } from '../experiments/design-spec.ts';
import { namesIn, parseExpr } from '../experiments/expr.ts';
import { diagnosticAt } from '../readers/yaml-source.ts';

/** One operation on an array: units used (energy) and cycles per element. */
export interface OperatorCost {
  readonly units: Readonly<Record<string, number>>;
  readonly cycles: number;
}

export interface HardwareArray {
  readonly name: string;
  readonly levels: readonly string[];
  readonly operators: ReadonlyMap<string, OperatorCost>;
}

export interface Hardware {
  /** The design the hardware comes from. */
  readonly design: LoadedDesign;
  /** The parameters the hardware needs, in the design's order. */
  readonly params: readonly string[];
  readonly arrays: readonly HardwareArray[];
}

/** The names an expression reads (none for a number). */
function exprNames(v: ExprValue | undefined): Set<string> {
  return typeof v === 'string' ? namesIn(parseExpr(v)) : new Set();
}

function componentNames(c: ComponentSpec): Set<string> {
  const out = new Set<string>();
  const add = (v: ExprValue | undefined): void => exprNames(v).forEach((n) => out.add(n));
  switch (c.kind) {
    case 'dram':
      add(c.width);
      add(c.energy.words);
      break;
    case 'buffer':
      add(c.depth);
      add(c.width);
      add(c.energy.words);
      add(c.usable_depth);
      break;
    case 'spatial':
      add(c.fanout.x);
      add(c.fanout.y);
      break;
    default: {
      const never: never = c;
      return never;
    }
  }
  return out;
}

export function hardwareOf(design: LoadedDesign): Hardware {
  const spec = design.spec;
  // The parameters the components, clock and bandwidth read, closed over the parameters they read.
  const needed = new Set<string>(['clock_hz', 'bandwidth']);
  for (const name of new Set(Object.values(spec.arrays).flatMap((a) => a.levels))) {
    const c = spec.arch.components[name];
    if (c) componentNames(c).forEach((n) => needed.add(n));
  }
  const names = Object.keys(spec.params);
  for (let i = names.length - 1; i >= 0; i--) {
    const n = names[i]!;
    if (needed.has(n)) exprNames(spec.params[n]).forEach((x) => needed.add(x));
  }
  const arrays = Object.entries(spec.arrays).map(([name, a]) => {
    if (!a.operators || Object.keys(a.operators).length === 0) {
      throw new UserError(diagnosticAt(design.source, ['arrays', name], 'FM851', `array '${name}' of design '${spec.name}' declares no operators, so no Einsum can be bound to it`, {
        target: 'key',
        hint: "add `operators: { mac: { units: { mac: 1 } }, add: { units: { add: 1 } }, ... }` (the units each operation uses), as in specs/designs/binding.yaml",
      }));
    }
    const operators = new Map<string, OperatorCost>();
    for (const [op, c] of Object.entries(a.operators)) {
      operators.set(op, { units: c.units, cycles: c.cycles ?? Object.values(c.units).reduce((s, x) => s + x, 0) });
    }
    return { name, levels: a.levels, operators };
  });
  return { design, params: names.filter((n) => needed.has(n)), arrays };
}

/** The hardware part of a design spec: parameters, tables they read, components, units, arrays, hardware quirks. */
export function hardwareSpec(hw: Hardware): Pick<DesignSpec, 'params' | 'arch' | 'arrays'> & Partial<Pick<DesignSpec, 'tables' | 'artifact'>> {
  const spec = hw.design.spec;
  const params: Record<string, ExprValue> = {};
  for (const n of hw.params) params[n] = spec.params[n]!;
  const usedComponents = new Set(Object.values(spec.arrays).flatMap((a) => a.levels));
  const components = Object.fromEntries(Object.entries(spec.arch.components).filter(([n]) => usedComponents.has(n)));
  const usesTables = hw.params.some((n) => [...exprNames(spec.params[n])].length > 0 && String(spec.params[n]).includes('lookup'));
  const artifact = {
    ...(spec.artifact?.unmatched_units ? { unmatched_units: spec.artifact.unmatched_units } : {}),
    ...(spec.artifact?.dropped_levels ? { dropped_levels: spec.artifact.dropped_levels } : {}),
  };
  return {
    params,
    ...(usesTables && spec.tables ? { tables: spec.tables } : {}),
    arch: { ...(spec.arch.wordBits !== undefined ? { wordBits: spec.arch.wordBits } : {}), components, units: spec.arch.units },
    arrays: spec.arrays,
    ...(Object.keys(artifact).length > 0 ? { artifact } : {}),
  };
}
