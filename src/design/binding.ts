/**
 * @file The binding of a fused group: which array runs each member. Every assignment of members to
 * arrays that can execute them, by branch and bound (members in cascade order; the partial bound is
 * the busiest array and the DRAM time so far, crossings only add); a complete binding adds the cost of
 * the tensors it passes between arrays (each member's mapper estimates it) and must fit the outer
 * buffers. The best few are then mapped exactly, all crossings at once. And the comparison of two
 * results under an objective.
 */
import type { Mapping } from '../model/types.ts';
import type { GroupNest, Mapped, SearchContext } from './group.ts';
import type { Objective } from './mapper.ts';

export interface BindingEval {
  readonly binding: Map<string, string>;
  readonly crossing: Map<string, string[]>;
  readonly energy: number;
  readonly traffic: number;
  readonly seconds: Map<string, number>;
  readonly lowerBound: number;
  readonly buffer: Map<string, { used: number; capacity: number }>;
}

export function better(objective: Objective, a: { latency: number; energy: number }, b: { latency: number; energy: number }): boolean {
  return betterValues(objective, a.latency, a.energy, b.latency, b.energy);
}

/** `better` on plain numbers (the binding search's inner loop allocates nothing). */
function betterValues(objective: Objective, aLatency: number, aEnergy: number, bLatency: number, bEnergy: number): boolean {
  const eps = 1e-12;
  switch (objective) {
    case 'latency':
      return aLatency < bLatency * (1 - eps) || (aLatency <= bLatency * (1 + eps) && aEnergy < bEnergy * (1 - eps));
    case 'energy':
      return aEnergy < bEnergy * (1 - eps) || (aEnergy <= bEnergy * (1 + eps) && aLatency < bLatency * (1 - eps));
    case 'edp':
      return aLatency * aEnergy < bLatency * bEnergy * (1 - eps);
    default: {
      const never: never = objective;
      return never;
    }
  }
}

/** One member on one array, in numbers. */
interface Option {
  readonly array: number;
  readonly seconds: number;
  readonly energy: number;
  readonly traffic: number;
  /** Per operand: the buffer and tensor it occupies and its words there, base and crossing. */
  readonly operands: readonly { readonly name: string; readonly others: readonly number[]; readonly tensor: number; readonly words: number; readonly cross?: { readonly energy: number; readonly traffic: number; readonly words: number } }[];
  readonly buffer: number;
}

/**
 * Bindings by branch and bound over the members (cascade order): the partial bound is the busiest
 * array and the traffic so far (crossings only add); complete bindings add their crossings and must fit
 * the outer buffers. Keeps the `keep` best, best first.
 */
export function rankBindings(ctx: SearchContext, nest: GroupNest, mapped: ReadonlyMap<string, ReadonlyMap<string, Mapped>>, keep: number): BindingEval[] {
  const members = nest.members;
  const arrayNames = [...ctx.arrays.keys()];
  const bufferNames = [...new Set([...ctx.arrays.values()].map((a) => a.levels.outer))];
  const capacity = bufferNames.map((name) => outerCapacity(ctx, name));
  const tensors = [...new Set(members.flatMap((m) => [...m.reads, m.output].map((o) => o.tensor)))];
  const index = new Map(members.map((m, i) => [m.name, i]));
  const options: Option[][] = members.map((m) => [...mapped.get(m.name)!].map(([array, mp]) => {
    const r = mp.result;
    return {
      array: arrayNames.indexOf(array),
      seconds: r.result.computeSeconds,
      energy: r.result.energyTotal,
      traffic: r.result.readBytes + r.result.writeBytes,
      buffer: bufferNames.indexOf(ctx.arrays.get(array)!.levels.outer),
      operands: [...m.reads, m.output].map((o) => {
        const others = o === m.output
          ? members.filter((x) => x !== m && x.reads.some((y) => y.tensor === o.tensor)).map((x) => index.get(x.name)!)
          : index.has(o.tensor) && o.tensor !== m.name ? [index.get(o.tensor)!] : [];
        const c = r.cross.get(o.name);
        return { name: o.name, others, tensor: tensors.indexOf(o.tensor), words: r.outerWords.get(o.name) ?? 0, ...(c ? { cross: { energy: c.delta.energy, traffic: c.delta.traffic, words: c.delta.outerWords } } : {}) };
      }),
    };
  }));
  const n = members.length;
  const choice = new Array<number>(n).fill(0);
  const busy = new Array<number>(arrayNames.length).fill(0);
  const best: BindingEval[] = [];
  /** Whether a binding (or every completion of a partial one) could enter the `keep` best. */
  const admissible = (lowerBound: number, energy: number): boolean => {
    if (best.length < keep) return true;
    const w = best[best.length - 1]!;
    return betterValues(ctx.objective, lowerBound, energy, w.lowerBound, w.energy);
  };
  /** max(memory time, busiest array). */
  const boundOf = (traffic: number): number => {
    let m = traffic / ctx.bandwidth;
    for (const b of busy) if (b > m) m = b;
    return m;
  };

  // Words per (buffer, tensor), reused by every leaf.
  const words = new Float64Array(bufferNames.length * tensors.length);
  const crossed = (i: number, op: Option['operands'][number]): boolean => {
    const a = options[i]![choice[i]!]!.array;
    return op.cross !== undefined && op.others.some((j) => options[j]![choice[j]!]!.array !== a);
  };
  const leaf = (energy0: number, traffic0: number): void => {
    let energy = energy0;
    let traffic = traffic0;
    words.fill(0);
    for (let i = 0; i < n; i++) {
      const o = options[i]![choice[i]!]!;
      for (const op of o.operands) {
        let w = op.words;
        if (crossed(i, op)) {
          energy += op.cross!.energy;
          traffic += op.cross!.traffic;
          w = op.cross!.words;
        }
        const at = o.buffer * tensors.length + op.tensor;
        if (w > words[at]!) words[at] = w;
      }
    }
    const used = bufferNames.map((_, b) => {
      let u = 0;
      for (let t = b * tensors.length; t < (b + 1) * tensors.length; t++) u += words[t]!;
      return u;
    });
    if (used.some((u, b) => u > capacity[b]!)) return;
    const lowerBound = boundOf(traffic);
    if (!admissible(lowerBound, energy)) return;
    const e: BindingEval = {
      binding: new Map(members.map((m, i) => [m.name, arrayNames[options[i]![choice[i]!]!.array]!])),
      crossing: new Map(members.map((m, i) => [m.name, options[i]![choice[i]!]!.operands.filter((op) => crossed(i, op)).map((op) => op.name)])),
      energy,
      traffic,
      seconds: new Map(members.map((m, i) => [m.name, options[i]![choice[i]!]!.seconds])),
      lowerBound,
      buffer: new Map(bufferNames.map((name, b) => [name, { used: used[b]!, capacity: capacity[b]! }] as const).filter(([, u]) => u.used > 0)),
    };
    let at = best.length;
    while (at > 0 && betterValues(ctx.objective, lowerBound, energy, best[at - 1]!.lowerBound, best[at - 1]!.energy)) at--;
    best.splice(at, 0, e);
    if (best.length > keep) best.pop();
  };

  const walk = (i: number, energy: number, traffic: number): void => {
    if (!admissible(boundOf(traffic), energy)) return;
    if (i === n) return leaf(energy, traffic);
    const opts = options[i]!;
    for (let k = 0; k < opts.length; k++) {
      const o = opts[k]!;
      choice[i] = k;
      busy[o.array]! += o.seconds;
      walk(i + 1, energy + o.energy, traffic + o.traffic);
      busy[o.array]! -= o.seconds;
    }
  };
  walk(0, 0, 0);
  return best;
}

export interface ExactBinding {
  readonly mappings: Map<string, Mapping>;
  readonly energy: number;
  readonly traffic: number;
  readonly buffer: Map<string, { used: number; capacity: number }>;
}

/** A binding's members mapped with all their crossings at once; undefined when a buffer overflows. */
export function exactBinding(ctx: SearchContext, nest: GroupNest, mapped: ReadonlyMap<string, ReadonlyMap<string, Mapped>>, b: BindingEval): ExactBinding | undefined {
  const mappings = new Map<string, Mapping>();
  let energy = 0;
  let traffic = 0;
  const words = new Map<string, Map<string, number>>();
  for (const m of nest.members) {
    const array = b.binding.get(m.name)!;
    const x = mapped.get(m.name)!.get(array)!.result.withCrossings(b.crossing.get(m.name)!);
    if (!x) return undefined;
    mappings.set(m.name, x.mapping);
    energy += x.result.energyTotal;
    traffic += x.result.readBytes + x.result.writeBytes;
    const buffer = ctx.arrays.get(array)!.levels.outer;
    const per = words.get(buffer) ?? new Map<string, number>();
    for (const o of [...m.reads, m.output]) per.set(o.tensor, Math.max(per.get(o.tensor) ?? 0, x.outerWords.get(o.name) ?? 0));
    words.set(buffer, per);
  }
  const buffer = new Map<string, { used: number; capacity: number }>();
  for (const [name, per] of words) {
    let used = 0;
    per.forEach((w) => (used += w));
    const capacity = b.buffer.get(name)?.capacity ?? outerCapacity(ctx, name);
    if (used > capacity) return undefined;
    if (used > 0) buffer.set(name, { used, capacity });
  }
  return { mappings, energy, traffic, buffer };
}

function outerCapacity(ctx: SearchContext, name: string): number {
  const arr = [...ctx.arrays.values()].find((a) => a.levels.outer === name)!;
  const lvl = arr.inst.arch.levels.find((l) => l.name === name)!;
  return (arr.inst.usableDepth.get(name) ?? Infinity) * (lvl.kind === 'buffer' ? lvl.blockSize : 1);
}

