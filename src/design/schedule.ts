/**
 * @file The schedule of a fused group: its Einsums as epochs of parallel lanes (one lane per array), in
 * the design format's latency model: an epoch lasts as long as its longest lane, a lane as long as the
 * sum of its Einsums, the group as long as the sum of its epochs (times are totals over the group's
 * traversal, so an epoch describes the steady state of every step). +Binding's "waterfall" is one such
 * schedule.
 *
 * Steps are software-pipelined two deep: an Einsum may run one step late (stage 1), overlapping the
 * next step's early Einsums, as +Binding's running sums do. Stages form an up-set of the dependency
 * graph (what depends on a late Einsum is late too). Within one step an Einsum waits for its operands
 * (an earlier epoch, or earlier in its own lane); across steps, a late Einsum that feeds the next step
 * (the previous generation of a recurrence) must come before its reader in the epochs. For each stage
 * assignment, a dynamic program over the sets of Einsums already run finds the epochs of least total
 * time; the search stops at the lower bound (the busiest array's total).
 */

export interface ScheduleNode {
  readonly name: string;
  readonly array: string;
  readonly seconds: number;
}

export interface ScheduleInput {
  readonly nodes: readonly ScheduleNode[];
  /** Dependencies within a step: [producer, reader] indices. */
  readonly within: readonly (readonly [number, number])[];
  /** A step's result read by the next step (a previous generation): [producer, reader] indices. */
  readonly carried: readonly (readonly [number, number])[];
}

export interface Schedule {
  /** Epochs of lanes of Einsum names. */
  readonly epochs: readonly (readonly (readonly string[])[])[];
  readonly seconds: number;
  /** Einsums that run one step late. */
  readonly late: readonly string[];
  /** The busiest array's total: no schedule is shorter. */
  readonly lowerBound: number;
  /** Stage assignments tried. */
  readonly tried: number;
}

const MAX_STAGE_SETS = 400;
const MAX_STATES = 50_000;

export function scheduleEpochs(input: ScheduleInput): Schedule {
  const n = input.nodes.length;
  const arrays = [...new Set(input.nodes.map((x) => x.array))];
  const arrayMask = arrays.map((a) => input.nodes.reduce((m, x, i) => (x.array === a ? m | (1 << i) : m), 0));
  const total = new Map<string, number>();
  for (const x of input.nodes) total.set(x.array, (total.get(x.array) ?? 0) + x.seconds);
  const lowerBound = Math.max(0, ...total.values());
  const succ = new Array<number>(n).fill(0);
  for (const [a, b] of input.within) if (a !== b) succ[a]! |= 1 << b;

  let best: { seconds: number; epochs: number[][][]; late: number } | undefined;
  let tried = 0;
  for (const late of upSets(n, succ)) {
    tried++;
    const pred = new Array<number>(n).fill(0);
    for (const [a, b] of input.within) if (a !== b && ((late >> a) & 1) === ((late >> b) & 1)) pred[b]! |= 1 << a;
    for (const [a, b] of input.carried) if (a !== b && (late >> a) & 1 && !((late >> b) & 1)) pred[b]! |= 1 << a;
    const r = bestEpochs(input, pred, arrayMask);
    if (r && (!best || r.seconds < best.seconds * (1 - 1e-12))) best = { ...r, late };
    if (best && best.seconds <= lowerBound * (1 + 1e-12)) break;
  }
  // Beyond the dynamic program's budget (very large groups): one Einsum per epoch, in cascade order
  // (dependencies go forward in a cascade, so this is always a schedule).
  const b = best ?? { seconds: input.nodes.reduce((t, x) => t + x.seconds, 0), epochs: input.nodes.map((_, i) => [[i]]), late: 0 };
  return {
    epochs: b.epochs.map((e) => e.filter((l) => l.length > 0).map((l) => l.map((i) => input.nodes[i]!.name))),
    seconds: b.seconds,
    late: input.nodes.filter((_, i) => (b.late >> i) & 1).map((x) => x.name),
    lowerBound,
    tried,
  };
}

/** Up-sets of the dependency graph (closed under successors), smallest first, at most MAX_STAGE_SETS. */
function* upSets(n: number, succ: readonly number[]): Generator<number> {
  const seen = new Set<number>([0]);
  let frontier = [0];
  yield 0;
  let count = 1;
  while (frontier.length > 0 && count < MAX_STAGE_SETS) {
    const next: number[] = [];
    for (const u of frontier) {
      for (let i = 0; i < n; i++) {
        if ((u >> i) & 1 || (succ[i]! & ~u) !== 0) continue;
        const v = u | (1 << i);
        if (seen.has(v)) continue;
        seen.add(v);
        next.push(v);
        yield v;
        if (++count >= MAX_STAGE_SETS) return;
      }
    }
    frontier = next;
  }
}

/** Least total time over epoch sequences for fixed in-step precedences, or undefined when cyclic. */
function bestEpochs(input: ScheduleInput, pred: readonly number[], arrayMask: readonly number[]): { seconds: number; epochs: number[][][] } | undefined {
  const n = input.nodes.length;
  const all = (1 << n) - 1;
  const memo = new Map<number, { cost: number; lanes: number[] } | null>();
  const seconds = input.nodes.map((x) => x.seconds);
  let states = 0;

  const solve = (done: number): number => {
    if (done === all) return 0;
    const hit = memo.get(done);
    if (hit !== undefined) return hit === null ? Infinity : hit.cost;
    if (++states > MAX_STATES) return Infinity;
    // Per array: every set of its runnable Einsums closed under its own in-lane precedences.
    const laneSets = arrayMask.map((mask) => {
      let avail = 0;
      for (let i = 0; i < n; i++) if ((mask >> i) & 1 && !((done >> i) & 1) && (pred[i]! & ~done & ~mask) === 0) avail |= 1 << i;
      const out: { set: number; time: number }[] = [{ set: 0, time: 0 }];
      for (let sub = avail; sub > 0; sub = (sub - 1) & avail) {
        let ok = true;
        let time = 0;
        for (let i = 0; i < n && ok; i++) {
          if (!((sub >> i) & 1)) continue;
          if ((pred[i]! & mask & ~done & ~sub) !== 0) ok = false;
          time += seconds[i]!;
        }
        if (ok) out.push({ set: sub, time });
      }
      return out;
    });
    let bestCost = Infinity;
    let bestLanes: number[] = [];
    // The lanes picked so far (one per array), overwritten as the choice moves on; copied when best.
    const lanes = new Array<number>(laneSets.length).fill(0);
    const pick = (k: number, set: number, time: number): void => {
      if (k === laneSets.length) {
        if (set === 0 || time >= bestCost) return;
        const c = time + solve(done | set);
        if (c < bestCost) {
          bestCost = c;
          bestLanes = [...lanes];
        }
        return;
      }
      for (const l of laneSets[k]!) {
        lanes[k] = l.set;
        pick(k + 1, set | l.set, Math.max(time, l.time));
      }
    };
    pick(0, 0, 0);
    memo.set(done, Number.isFinite(bestCost) ? { cost: bestCost, lanes: bestLanes } : null);
    return bestCost;
  };

  const cost = solve(0);
  if (!Number.isFinite(cost)) return undefined;
  const epochs: number[][][] = [];
  for (let done = 0; done !== all; ) {
    const step = memo.get(done);
    if (!step) return undefined;
    epochs.push(step.lanes.map((set) => laneOrder(set, pred, done)));
    for (const s of step.lanes) done |= s;
  }
  return { seconds: cost, epochs };
}

/** A lane's Einsums in an order that respects their precedences (cascade order among ready ones). */
function laneOrder(set: number, pred: readonly number[], done: number): number[] {
  const out: number[] = [];
  let placed = done;
  let left = set;
  while (left !== 0) {
    let progressed = false;
    for (let i = 0; i < pred.length; i++) {
      if (!((left >> i) & 1) || (pred[i]! & ~placed) !== 0) continue;
      out.push(i);
      placed |= 1 << i;
      left &= ~(1 << i);
      progressed = true;
      break;
    }
    if (!progressed) throw new Error('a lane whose Einsums wait for each other');
  }
  return out;
}
