/**
 * @file The compute-versus-storage trade-off of a cascade: every tensor that lives across passes can be
 * kept on chip, spilled and re-read, or recomputed. For each tensor the three options with their cost
 * in on-chip bytes, DRAM bytes and extra operations; for the whole cascade every combination, its
 * totals, the Pareto frontier of (on-chip bytes, DRAM bytes, operations), and the best choice under
 * given buffer budgets.
 */
import { accessesOf, type Cascade } from '../ir/cascade.ts';
import type { Shapes } from '../ir/shapes.ts';
import { analysePasses } from './passes.ts';
import { liveFootprint, type FootprintEntry } from './footprint.ts';

export type Option = 'keep' | 'reread' | 'recompute';

export interface OptionCost {
  readonly option: Option;
  readonly onChipBytes: number;
  /** Extra DRAM traffic: the reads of the later passes plus the one write that spills it. */
  readonly dramBytes: number;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  readonly extraOps: number;
  /** What the option means for this tensor, in words. */
  readonly detail: string;
}

export interface TensorOptions {
  readonly tensor: string;
  /** Tensors of this table that recomputing it reads (their choice decides what that costs). */
  readonly recomputeReads: readonly string[];
  readonly rank: string;
  readonly passes: readonly number[];
  readonly options: readonly OptionCost[];
}

export interface Plan {
  readonly choices: Readonly<Record<string, Option>>;
  readonly onChipBytes: number;
  readonly dramBytes: number;
  readonly extraOps: number;
}

export interface Tradeoff {
  readonly tensors: readonly TensorOptions[];
  /** Every combination of options (capped), with totals. */
  readonly plans: readonly Plan[];
  /** Plans no other plan beats on all three costs. */
  readonly pareto: readonly Plan[];
}

const MAX_PLANS = 3 ** 9;

function optionsOf(c: Cascade, f: FootprintEntry, wordBytes: number, inTable: ReadonlySet<string>): TensorOptions {
  const extra = f.passes.length - 1;
  const reads = (f.reread.value ?? 0) * wordBytes;
  // A spilled input is already in DRAM; an intermediate is written once when it is produced.
  // Stryker disable next-line OptionalChaining: the footprint lists only tensors of the cascade
  const writes = c.tensors.get(f.tensor)?.role === 'input' ? 0 : (reads / extra);
  const options: OptionCost[] = [
    { option: 'keep', onChipBytes: (f.buffer.value ?? 0) * wordBytes, dramBytes: 0, dramReadBytes: 0, dramWriteBytes: 0, extraOps: 0, detail: `keep ${f.buffer.symbolic} elements on chip across the pass boundary` },
    { option: 'reread', onChipBytes: 0, dramBytes: reads + writes, dramReadBytes: reads, dramWriteBytes: writes, extraOps: 0, detail: `${writes ? 'write it once, ' : ''}read ${f.reread.symbolic} elements back from DRAM` },
  ];
  if (f.recompute) options.push({ option: 'recompute', onChipBytes: 0, dramBytes: 0, dramReadBytes: 0, dramWriteBytes: 0, extraOps: f.recompute.value ?? 0, detail: `recompute it with ${f.producer} (${f.recompute.symbolic} operations)` });
  const producer = c.einsums.find((e) => e.output.tensor === f.tensor && !e.initializes);
  // A recurrence reads its own previous generation: that is part of recomputing it, not a second cost.
  const recomputeReads = producer ? [...new Set(accessesOf(producer.expr).map((a) => a.tensor))].filter((t) => inTable.has(t) && t !== f.tensor) : [];
  return { tensor: f.tensor, recomputeReads, rank: f.rank, passes: f.passes, options };
}

function dominates(a: Plan, b: Plan): boolean {
  return a.onChipBytes <= b.onChipBytes && a.dramBytes <= b.dramBytes && a.extraOps <= b.extraOps
    && (a.onChipBytes < b.onChipBytes || a.dramBytes < b.dramBytes || a.extraOps < b.extraOps);
}

export function tradeoff(c: Cascade, shapes: Shapes, wordBytes = 2): Tradeoff {
  const footprint = liveFootprint(c, analysePasses(c), shapes);
  // One decision per tensor: take its rank with the most passes.
  const byTensor = new Map<string, FootprintEntry>();
  for (const f of footprint) {
    const prev = byTensor.get(f.tensor);
    if (!prev || f.passes.length > prev.passes.length) byTensor.set(f.tensor, f);
  }
  const tensors = [...byTensor.values()].map((f) => optionsOf(c, f, wordBytes, new Set(byTensor.keys())));
  const byName = new Map(tensors.map((t) => [t.tensor, t]));
  const plans: Plan[] = [];
  const walk = (i: number, choices: Record<string, Option>, on: number, dram: number, ops: number): void => {
    if (plans.length >= MAX_PLANS) return;
    const t = tensors[i];
    if (!t) {
      // Recomputing a tensor re-reads its operands: one more read of a spilled one, a recomputation of a recomputed one.
      let extraDram = 0;
      let extraOps = 0;
      for (const [name, choice] of Object.entries(choices)) {
        if (choice !== 'recompute') continue;
        // Stryker disable next-line OptionalChaining,ArrayDeclaration: byName holds every tensor of the table, and recomputeReads names only those
        for (const dep of byName.get(name)?.recomputeReads ?? []) {
          // Stryker disable next-line OptionalChaining: byName holds every tensor of the table, and every choice is one of its options
          const opt = byName.get(dep)?.options.find((o) => o.option === choices[dep]);
          // Stryker disable next-line OptionalChaining: byName holds every tensor of the table, and every choice is one of its options
          if (choices[dep] === 'reread') extraDram += (opt?.dramReadBytes ?? 0) / Math.max(1, (byName.get(dep)?.passes.length ?? 2) - 1);
          // Stryker disable next-line OptionalChaining: every choice is one of the tensor's options
          if (choices[dep] === 'recompute') extraOps += opt?.extraOps ?? 0;
        }
      }
      plans.push({ choices: { ...choices }, onChipBytes: on, dramBytes: dram + extraDram, extraOps: ops + extraOps });
      return;
    }
    for (const o of t.options) walk(i + 1, { ...choices, [t.tensor]: o.option }, on + o.onChipBytes, dram + o.dramBytes, ops + o.extraOps);
  };
  walk(0, {}, 0, 0, 0);
  const pareto = plans.filter((p) => !plans.some((q) => dominates(q, p)));
  pareto.sort((a, b) => a.onChipBytes - b.onChipBytes || a.dramBytes - b.dramBytes || a.extraOps - b.extraOps);
  return { tensors, plans, pareto };
}

/** The plan that fits a buffer budget with the least DRAM traffic, then the fewest extra operations. */
export function bestWithin(t: Tradeoff, budgetBytes: number): Plan | undefined {
  return t.plans.filter((p) => p.onChipBytes <= budgetBytes).sort((a, b) => a.dramBytes - b.dramBytes || a.extraOps - b.extraOps || a.onChipBytes - b.onChipBytes)[0];
}
