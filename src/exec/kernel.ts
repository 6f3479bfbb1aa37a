/**
 * @file The kernel that evaluates one Einsum over its iteration space (or the slice of it where some
 * variables are fixed: one generation of an iterative rank, one step of a fused traversal). It walks a
 * loop nest; a loop whose variable indexes a compressed fiber of a required operand co-iterates the
 * stored coordinates of those fibers (intersection), other loops walk the whole rank. At each point it
 * evaluates the expression (src/exec/expression.ts) and reduces into the output with the reduction's
 * merge and operator, seeded by the operator's identity (EDGE reduce semantics).
 */
import type { Einsum, Filter, Index, TensorInfo, ValueExpr } from '../ir/cascade.ts';
import { accessesOf, compare, varsIn } from '../ir/cascade.ts';
import type { RankExprAst } from '../notation/ast.ts';
import type { Shapes } from '../ir/shapes.ts';
import { fiberLength, fiberCoordAt, fiberPosition, type Fiber } from '../tensor/index.ts';
import { compiledFunction, compileExpression, expressionCode, inlineBinary, mergeTest, numberLiteral, requiredAccesses, type OperandSlots } from './expression.ts';
import type { DenseState, TensorState } from './state.ts';

type AccessNode = Extract<ValueExpr, { kind: 'access' }>;
type Coord = (vals: Int32Array) => number;

/** Compile an integer rank expression over variable slots and known shapes. */
function compileRank(x: RankExprAst, slotOf: ReadonlyMap<string, number>, shapes: Shapes): Coord {
  switch (x.kind) {
    case 'int': { const v = x.value; return () => v; }
    case 'shape': { const v = shapes.get(x.name) as number; return () => v; }
    case 'var': { const s = slotOf.get(x.name) as number; return (vals) => vals[s] as number; }
    case 'neg': { const f = compileRank(x.operand, slotOf, shapes); return (vals) => -f(vals); }
    case 'binop': {
      const l = compileRank(x.left, slotOf, shapes);
      const r = compileRank(x.right, slotOf, shapes);
      switch (x.op) {
        case '+': return (v) => l(v) + r(v);
        case '-': return (v) => l(v) - r(v);
        case '*': return (v) => l(v) * r(v);
        case '/': return (v) => Math.floor(l(v) / r(v));
        case '%': return (v) => { const b = r(v); return ((l(v) % b) + b) % b; };
        default: { const never: never = x.op; return never; }
      }
    }
    default: { const never: never = x; return never; }
  }
}

function isPlainVar(ix: Index): boolean {
  return ix.kind === 'filter' || ix.expr.kind === 'var';
}

function indexVars(ix: Index): Set<string> {
  return ix.kind === 'filter' ? new Set([ix.variable]) : varsIn(ix.expr);
}

interface IndexStep {
  readonly coord: Coord;
  readonly stride: number;
  readonly extent: number;
  /** Set when the coordinate is the loop variable itself (then it never leaves the extent). */
  readonly plainVar: boolean;
}

/** A row-major offset maintained level by level; arrays indexed by level + 1 (entry 0: before the loops). */
interface OffsetTrack {
  readonly steps: IndexStep[][];
  readonly offset: Float64Array;
  readonly valid: Uint8Array;
}

/** Advance an offset by the index steps that become known at `level`; false when a coordinate leaves its extent. */
function advanceOffset(t: OffsetTrack, level: number, vals: Int32Array): boolean {
  const k = level + 1;
  let off = level >= 0 ? (t.offset[k - 1] as number) : 0;
  let ok = level >= 0 ? t.valid[k - 1] === 1 : true;
  for (const s of t.steps[k] as IndexStep[]) {
    const c = s.coord(vals);
    if (c < 0 || c >= s.extent) ok = false;
    off += c * s.stride;
  }
  t.offset[k] = off;
  t.valid[k] = ok ? 1 : 0;
  return ok;
}

/** Per-access bookkeeping of a dense operand. */
interface DenseAccess extends OffsetTrack {
  readonly kind: 'dense';
  readonly state: DenseState;
}

interface TreeAccess {
  readonly kind: 'tree';
  readonly nRanks: number;
  readonly root: Fiber | null;
  readonly scalar: number;
  readonly empty: number;
  /** Index coordinates, in rank order, and the level at which each can be descended. */
  readonly coords: Coord[];
  readonly descendLevel: number[];
  readonly fiber: (Fiber | null)[];
  readonly depth: Int32Array;
  readonly pos: Int32Array;
}

type AccessState = DenseAccess | TreeAccess;

interface Driver {
  readonly access: number;
  /** The rank depth the driver's fiber is at when its variable's loop starts. */
  readonly depth: number;
}

export class EinsumKernel {
  /** Points evaluated (after pruning by required operands). */
  visits = 0;
  private readonly nLevels: number;
  private readonly vals: Int32Array;
  private readonly levelSlot: number[];
  private readonly levelExtent: number[];
  private readonly filtersAt: Array<Array<{ v: Coord; op: Index & { kind: 'filter' }; bound: Coord }>>;
  /** Upper bounds (exclusive) on a level's coordinate, from filters `v < b` whose bound is known before v's loop. */
  private readonly capsAt: Coord[][];
  private readonly drivers: Driver[][];
  private readonly accesses: AccessState[];
  private readonly required: number[];
  private readonly slots: OperandSlots;
  private readonly evaluate: () => number;
  private readonly presence: () => boolean;
  private readonly output: OffsetTrack;
  private readonly fixedSlots: number[];
  private out: DenseState | null = null;
  private stamps: Uint32Array | null = null;
  private runId = 0;
  private readonly reduceApply: ((a: number, b: number) => number) | null;
  private readonly reduceIdentity: number;
  private readonly reduceTable: readonly boolean[];
  private readonly canSkipAbsent: boolean;
  /** The extent of a rank used as a value in the expression. */
  private readonly shapeOf: (name: string) => number;

  /**
   * @param fixedVars variables whose values `run` receives (an iterative variable, a fused rank)
   * @param states the storage of every tensor the Einsum reads (looked up once: dense states are updated in place)
   * @param extraFilters restrictions of the iteration space besides the Einsum's own (the partial last tile of a ragged partition)
   */
  constructor(
    readonly einsum: Einsum, outInfo: TensorInfo, states: ReadonlyMap<string, TensorState>, shapes: Shapes, readonly fixedVars: readonly string[],
    extraFilters: readonly Filter[] = [],
  ) {
    this.shapeOf = (name) => shapes.get(name) as number;
    const allVars = [...einsum.vars.keys()];
    const free = allVars.filter((v) => !fixedVars.includes(v));
    const nodes = accessesOf(einsum.expr);
    const requiredNodes = requiredAccesses(einsum.expr);
    const order = this.loopOrder(free, nodes, requiredNodes, states);
    this.nLevels = order.length;
    const slotOf = new Map<string, number>();
    [...fixedVars, ...order].forEach((v, i) => slotOf.set(v, i));
    this.fixedSlots = fixedVars.map((v) => slotOf.get(v) as number);
    this.vals = new Int32Array(slotOf.size);
    this.levelSlot = order.map((v) => slotOf.get(v) as number);
    this.levelExtent = order.map((v) => shapes.get(einsum.vars.get(v) as string) as number);
    const levelOfVar = (v: string): number => order.indexOf(v); // -1 for fixed variables
    const readyLevel = (ix: Index): number => Math.max(-1, ...[...indexVars(ix)].map(levelOfVar), ...(ix.kind === 'filter' ? [...varsIn(ix.bound)].map(levelOfVar) : []));

    this.filtersAt = order.map(() => []);
    this.capsAt = order.map(() => []);
    const preFilters: typeof this.filtersAt[number] = [];
    for (const f of [...einsum.filters, ...extraFilters]) {
      const level = Math.max(levelOfVar(f.variable), ...[...varsIn(f.bound)].map(levelOfVar));
      const bound = compileRank(f.bound, slotOf, shapes);
      // `v < b` or `v <= b` known at v's own level ends v's loop early instead of testing every point.
      if (level >= 0 && level === levelOfVar(f.variable) && (f.op === '<' || f.op === '<=')) {
        (this.capsAt[level] as Coord[]).push(f.op === '<' ? bound : (vals) => bound(vals) + 1);
        continue;
      }
      const entry = { v: compileRank({ kind: 'var', name: f.variable, span: { start: 0, end: 0 } }, slotOf, shapes), op: { kind: 'filter' as const, ...f }, bound };
      (level < 0 ? preFilters : (this.filtersAt[level] as typeof preFilters)).push(entry);
    }
    this.preFilters = preFilters;

    const coordOf = (ix: Index): Coord => (ix.kind === 'filter' ? compileRank({ kind: 'var', name: ix.variable, span: { start: 0, end: 0 } }, slotOf, shapes) : compileRank(ix.expr, slotOf, shapes));
    this.accesses = nodes.map((node) => {
      const state = states.get(node.tensor);
      if (!state) throw new Error(`no storage for tensor ${node.tensor}`);
      if (state.kind === 'dense') {
        const steps: IndexStep[][] = Array.from({ length: this.nLevels + 1 }, () => []);
        node.indices.forEach((ix, i) => {
          (steps[readyLevel(ix) + 1] as IndexStep[]).push({ coord: coordOf(ix), stride: state.strides[i] as number, extent: state.shape[i] as number, plainVar: isPlainVar(ix) });
        });
        return { kind: 'dense', state, steps, offset: new Float64Array(this.nLevels + 1), valid: new Uint8Array(this.nLevels + 1) };
      }
      const t = state.tensor;
      let level = -1;
      const descendLevel = node.indices.map((ix) => (level = Math.max(level, readyLevel(ix))));
      return {
        kind: 'tree', nRanks: t.rankIds.length, root: t.root, scalar: t.scalarValue, empty: t.emptyValue, coords: node.indices.map(coordOf), descendLevel,
        fiber: new Array<Fiber | null>(this.nLevels + 1).fill(null), depth: new Int32Array(this.nLevels + 1), pos: new Int32Array(this.nLevels + 1),
      };
    });
    this.required = nodes.map((n, i) => (requiredNodes.has(n) ? i : -1)).filter((i) => i >= 0);
    // A required compressed operand whose next rank is this loop's variable drives the loop.
    this.drivers = order.map((v, level) => {
      const list: Driver[] = [];
      for (const i of this.required) {
        const a = this.accesses[i] as AccessState;
        if (a.kind !== 'tree') continue;
        const node = nodes[i] as AccessNode;
        const d = node.indices.findIndex((ix, k) => a.descendLevel[k] === level && (k === 0 || (a.descendLevel[k - 1] as number) < level));
        const ix = node.indices[d];
        if (d >= 0 && ix && ((ix.kind === 'expr' && ix.expr.kind === 'var' && ix.expr.name === v) || (ix.kind === 'filter' && ix.variable === v))) list.push({ access: i, depth: d });
      }
      return list;
    });

    this.slots = { values: new Float64Array(nodes.length), present: new Uint8Array(nodes.length) };
    const slotIndex = new Map(nodes.map((n, i) => [n, i]));
    const compiled = compileExpression(einsum.expr, (n) => slotIndex.get(n) as number, (n) => {
      const s = states.get(n.tensor) as TensorState;
      return s.kind === 'dense' ? s.emptyValue : s.tensor.emptyValue;
    }, this.slots, this.shapeOf);
    this.evaluate = compiled.evaluate;
    this.presence = compiled.presence;

    const outShape = outInfo.ranks.map((r, i) => (shapes.get(r) as number) + (outInfo.generational[i] ? 1 : 0));
    let stride = 1;
    const outStrides = outShape.map(() => 0);
    for (let i = outShape.length - 1; i >= 0; i--) { outStrides[i] = stride; stride *= outShape[i] as number; }
    const outSteps: IndexStep[][] = Array.from({ length: this.nLevels + 1 }, () => []);
    einsum.output.indices.forEach((ix, i) => {
      (outSteps[readyLevel(ix) + 1] as IndexStep[]).push({ coord: coordOf(ix), stride: outStrides[i] as number, extent: outShape[i] as number, plainVar: isPlainVar(ix) });
    });
    this.output = { steps: outSteps, offset: new Float64Array(this.nLevels + 1), valid: new Uint8Array(this.nLevels + 1) };

    const r = einsum.reduction;
    this.reduceApply = r ? r.op.apply : null;
    this.reduceIdentity = r?.op.identity ?? 0;
    this.reduceTable = r ? r.merge.table : [false, false, false, true];
    // Skipping an absent point is sound when the reduction ignores it: (state, absent) keeps the state.
    this.canSkipAbsent = !r || (!this.reduceTable[0] && this.reduceTable[2] === true);
    if (!this.canSkipAbsent) this.required.length = 0;
    this.innermost = this.innermostPlan();
    this.walkBases = new Float64Array(Math.max(1, nodes.length));
    this.walk = this.innermost ? this.compileWalk(this.innermost, nodes, slotIndex, states, outInfo) : null;
  }

  /** The innermost loop compiled to one function (see compileWalk); null when the generic walk is needed. */
  private readonly walkBases: Float64Array;
  private readonly walk: ((n: number, bases: Float64Array, outBase: number, out: Float64Array | Float32Array, stamps: Uint32Array, runId: number) => number) | null;

  /**
   * Generate the innermost loop: strided loads of the varying operands, the required-operand test, the
   * expression, and the reduction (kept in locals when the output element does not change in the loop).
   * The operations and their order are exactly those of the generic walk.
   */
  private compileWalk(plan: NonNullable<EinsumKernel['innermost']>, nodes: AccessNode[], slotIndex: Map<AccessNode, number>, states: ReadonlyMap<string, TensorState>, outInfo: TensorInfo): EinsumKernel['walk'] {
    const varying = [...plan.varying];
    const datas = varying.map((i) => (this.accesses[i] as DenseAccess).state.data);
    const emptyOf = (n: AccessNode): number => { const st = states.get(n.tensor) as TensorState; return st.kind === 'dense' ? st.emptyValue : st.tensor.emptyValue; };
    const code = expressionCode(this.einsum.expr, (n) => slotIndex.get(n) as number, emptyOf, (slot) => {
      const j = varying.indexOf(slot);
      return j >= 0 ? { value: `x${j}`, present: `q${j}` } : { value: `c${slot}`, present: `cp${slot}` };
    }, this.shapeOf);
    const lines: string[] = [];
    lines.push('return function walk(n, B, outBase, out, stamps, runId) {');
    for (let i = 0; i < nodes.length; i++) if (!varying.includes(i)) lines.push(`const c${i} = values[${i}]; const cp${i} = present[${i}] === 1;`);
    lines.push('let visits = 0;');
    const r = this.einsum.reduction;
    const red = r ? inlineBinary(r.op.name) : undefined;
    const reduce = (a: string, b: string): string => (red ? red(a, b) : `reduceApply(${a}, ${b})`);
    const ident = numberLiteral(this.reduceIdentity);
    const emptyOut = '0';
    void outInfo;
    const oneElement = plan.outStride === 0 && r !== null;
    if (oneElement) lines.push(`let sp = stamps[outBase] === runId; let acc = sp ? out[outBase] : ${ident};`);
    lines.push('for (let c = 0; c < n; c++) {');
    varying.forEach((slot, j) => {
      lines.push(`const x${j} = D${j}[B[${j}] + c * ${plan.strides[slot]}]; const q${j} = x${j} !== ${numberLiteral(emptyOf(nodes[slot] as AccessNode))};`);
      if (this.required.includes(slot)) lines.push(`if (!q${j}) continue;`);
    });
    lines.push('visits++;', ...code.lines);
    const v = code.value;
    const p = code.present;
    if (!r) {
      lines.push(`if (${p}) out[outBase + c * ${plan.outStride}] = ${v};`);
    } else if (oneElement) {
      lines.push(`if (!(${mergeTest(this.reduceTable, 'sp', p)})) { sp = false; acc = ${ident}; continue; }`);
      lines.push(`acc = ${reduce(`(sp ? acc : ${ident})`, `(${p} ? ${v} : ${ident})`)}; sp = true;`);
    } else {
      lines.push(`const off = outBase + c * ${plan.outStride}; const s = stamps[off] === runId;`);
      lines.push(`if (!(${mergeTest(this.reduceTable, 's', p)})) { if (s) { stamps[off] = 0; out[off] = ${emptyOut}; } continue; }`);
      lines.push(`out[off] = ${reduce(`(s ? out[off] : ${ident})`, `(${p} ? ${v} : ${ident})`)}; stamps[off] = runId;`);
    }
    lines.push('}');
    if (oneElement) lines.push(`if (sp) { out[outBase] = acc; stamps[outBase] = runId; } else if (stamps[outBase] === runId) { stamps[outBase] = 0; out[outBase] = ${emptyOut}; }`);
    lines.push('return visits;', '};');
    const params = ['values', 'present', 'fns', 'reduceApply', ...datas.map((_, j) => `D${j}`)];
    const factory = compiledFunction(params, lines.join('\n')) as (...args: unknown[]) => NonNullable<EinsumKernel['walk']>;
    return factory(this.slots.values, this.slots.present, code.fns, this.reduceApply, ...datas);
  }

  /**
   * The innermost loop runs without the generic machinery when it is a plain walk: no driver, no filter,
   * no tree descent, and every index that changes with its variable is that variable times a stride.
   */
  private readonly innermost: { readonly strides: Float64Array; readonly varying: Int32Array; readonly outStride: number } | null;

  private innermostPlan(): EinsumKernel['innermost'] {
    const level = this.nLevels - 1;
    if (level < 0 || (this.drivers[level] as Driver[]).length > 0 || (this.filtersAt[level] as unknown[]).length > 0) return null;
    const k = level + 1;
    const strides = new Float64Array(this.accesses.length);
    const varying: number[] = [];
    for (let i = 0; i < this.accesses.length; i++) {
      const a = this.accesses[i] as AccessState;
      if (a.kind === 'tree') {
        if (a.descendLevel.includes(level)) return null;
        continue;
      }
      const steps = a.steps[k] as IndexStep[];
      if (steps.length === 0) continue;
      if (steps.length !== 1 || !(steps[0] as IndexStep).plainVar) return null;
      strides[i] = (steps[0] as IndexStep).stride;
      varying.push(i);
    }
    const out = this.output.steps[k] as IndexStep[];
    if (out.length > 1 || (out.length === 1 && !(out[0] as IndexStep).plainVar)) return null;
    return { strides, varying: Int32Array.from(varying), outStride: out.length === 1 ? (out[0] as IndexStep).stride : 0 };
  }

  private readonly preFilters: Array<{ v: Coord; op: Index & { kind: 'filter' }; bound: Coord }>;

  /** Loop order: variables that a required compressed operand can drive come in its rank order; then outputs, then reduced variables. */
  private loopOrder(free: string[], nodes: AccessNode[], required: Set<AccessNode>, states: ReadonlyMap<string, TensorState>): string[] {
    const preferred: string[] = [];
    for (const n of nodes) {
      if (!required.has(n) || states.get(n.tensor)?.kind !== 'tree') continue;
      for (const ix of n.indices) {
        const v = ix.kind === 'filter' ? ix.variable : ix.expr.kind === 'var' ? ix.expr.name : undefined;
        if (v === undefined) break;
        if (free.includes(v) && !preferred.includes(v)) preferred.push(v);
      }
    }
    const rest = [...this.einsum.outputVars, ...this.einsum.reducedVars, ...free].filter((v, i, all) => free.includes(v) && all.indexOf(v) === i && !preferred.includes(v));
    return [...preferred, ...rest];
  }

  /** Start a traversal writing into `out`: reductions accumulate over every `run` until the next `begin`. */
  begin(out: DenseState): void {
    this.out = out;
    if (!this.stamps || this.stamps.length !== out.data.length) this.stamps = new Uint32Array(out.data.length);
    this.runId++;
    if (this.runId === 0xffffffff) { this.stamps.fill(0); this.runId = 1; }
  }

  /** Evaluate the slice where the fixed variables take `fixed` (same order as fixedVars). */
  run(fixed: readonly number[] = []): void {
    if (!this.out) throw new Error('EinsumKernel.run before begin');
    this.fixedSlots.forEach((s, i) => { this.vals[s] = fixed[i] as number; });
    for (const f of this.preFilters) if (!compare(f.op.op, f.v(this.vals), f.bound(this.vals))) return;
    for (const a of this.accesses) {
      if (a.kind === 'dense') { a.offset[0] = 0; a.valid[0] = 1; } else { a.fiber[0] = a.root; a.depth[0] = 0; a.pos[0] = -1; }
    }
    if (!this.advance(-1)) return;
    this.loop(0);
  }

  private loop(level: number): void {
    if (level === this.nLevels) { this.leaf(); return; }
    if (this.innermost && level === this.nLevels - 1) { this.innerWalk(level); return; }
    const slot = this.levelSlot[level] as number;
    const vals = this.vals;
    const drivers = this.drivers[level] as Driver[];
    const n = this.extentAt(level);
    if (drivers.length === 0) {
      for (let c = 0; c < n; c++) {
        vals[slot] = c;
        if (this.advance(level)) this.loop(level + 1);
      }
      return;
    }
    // Co-iterate: walk the shortest driving fiber, the others are probed by the descent in advance().
    let leader: Fiber | null = null;
    let empty = 0;
    for (const d of drivers) {
      const a = this.accesses[d.access] as TreeAccess;
      const f = a.fiber[level];
      if (!f) return;
      if (!leader || fiberLength(f) < fiberLength(leader)) { leader = f; empty = a.empty; }
    }
    const lead = leader as Fiber;
    const len = fiberLength(lead);
    const leafValues = lead.values;
    const children = lead.children;
    for (let p = 0; p < len; p++) {
      // Skip the empty slots of uncompressed fibers too.
      if (leafValues ? leafValues[p] === empty : children ? children[p] === null : false) continue;
      const c = fiberCoordAt(lead, p);
      if (c >= n) break;
      vals[slot] = c;
      if (this.advance(level)) this.loop(level + 1);
    }
  }

  /** How far the loop of `level` runs: the rank's extent, or less where a cap ends it. */
  private extentAt(level: number): number {
    let n = this.levelExtent[level] as number;
    for (const cap of this.capsAt[level] as Coord[]) n = Math.min(n, cap(this.vals));
    return n;
  }

  /** Bind the effects of level `level` (−1: before the loops); false when the point can be skipped. */
  private advance(level: number): boolean {
    const vals = this.vals;
    const k = level + 1;
    if (level >= 0) {
      for (const f of this.filtersAt[level] as typeof this.preFilters) if (!compare(f.op.op, f.v(vals), f.bound(vals))) return false;
    }
    for (const a of this.accesses) {
      if (a.kind === 'dense') {
        advanceOffset(a, level, vals);
      } else {
        let fiber = level >= 0 ? (a.fiber[k - 1] as Fiber | null) : a.root;
        let depth = level >= 0 ? (a.depth[k - 1] as number) : 0;
        let pos = level >= 0 ? (a.pos[k - 1] as number) : -1;
        while (fiber !== null && depth < a.nRanks && (a.descendLevel[depth] as number) <= level) {
          const c = (a.coords[depth] as Coord)(vals);
          const p = c >= 0 && c < fiber.shape ? fiberPosition(fiber, c) : -1;
          if (p < 0) { fiber = null; break; }
          if (depth === a.nRanks - 1) { pos = p; depth++; break; }
          fiber = (fiber.children as readonly (Fiber | null)[])[p] ?? null;
          depth++;
        }
        a.fiber[k] = fiber;
        a.depth[k] = depth;
        a.pos[k] = pos;
      }
    }
    if (!advanceOffset(this.output, level, vals)) return false;
    // Prune as soon as a required compressed operand has no element here.
    for (const i of this.required) {
      const a = this.accesses[i] as AccessState;
      if (a.kind === 'tree' && a.fiber[k] === null && a.nRanks > 0) return false;
      if (a.kind === 'dense' && a.valid[k] === 0) return false;
    }
    return true;
  }

  /** The innermost loop as a strided walk: operands that do not vary are read once. */
  private innerWalk(level: number): void {
    const plan = this.innermost as NonNullable<EinsumKernel['innermost']>;
    const n = this.extentAt(level);
    if (n <= 0) return;
    // Values of the operands as they stand before this loop (the varying ones at coordinate 0).
    (this.vals as Int32Array)[this.levelSlot[level] as number] = 0;
    if (!this.advance(level)) {
      // Coordinate 0 was pruned; fall back to the general walk for this fiber.
      for (let c = 1; c < n; c++) { this.vals[this.levelSlot[level] as number] = c; if (this.advance(level)) this.leaf(); }
      return;
    }
    const k = level + 1;
    this.readOperands(k);
    const present = this.slots.present;
    const varying = plan.varying;
    const base = this.walkBases;
    for (let j = 0; j < varying.length; j++) base[j] = (this.accesses[varying[j] as number] as DenseAccess).offset[k] as number;
    for (const i of this.required) {
      if (!varying.includes(i) && present[i] === 0) return;
    }
    const out = this.out as DenseState;
    this.visits += (this.walk as NonNullable<EinsumKernel['walk']>)(n, base, this.output.offset[k] as number, out.data, this.stamps as Uint32Array, this.runId);
  }

  /** Fill the operand slots from the access states at depth k. */
  private readOperands(k: number): void {
    const { values, present } = this.slots;
    for (let i = 0; i < this.accesses.length; i++) {
      const a = this.accesses[i] as AccessState;
      let v: number;
      let p: boolean;
      if (a.kind === 'dense') {
        if (a.valid[k] === 1) { v = a.state.data[a.offset[k] as number] as number; p = v !== a.state.emptyValue; } else { v = a.state.emptyValue; p = false; }
      } else if (a.nRanks === 0) {
        v = a.scalar; p = v !== a.empty;
      } else {
        const f = a.fiber[k];
        if (f && a.depth[k] === a.nRanks) { v = (f.values as Float64Array)[a.pos[k] as number] as number; p = v !== a.empty; } else { v = a.empty; p = false; }
      }
      values[i] = v;
      present[i] = p ? 1 : 0;
    }
  }

  private leaf(): void {
    const k = this.nLevels;
    this.readOperands(k);
    const present = this.slots.present;
    for (const i of this.required) if (present[i] === 0) return;
    this.accumulate(this.output.offset[k] as number);
  }

  /** Evaluate the expression at the current operands and reduce (or write) it into the output at `off`. */
  private accumulate(off: number): void {
    this.visits++;
    const value = this.evaluate();
    const vp = this.presence();
    const out = this.out as DenseState;
    if (!this.reduceApply) {
      if (vp) out.data[off] = value;
      return;
    }
    const stamps = this.stamps as Uint32Array;
    const sp = stamps[off] === this.runId;
    const t = this.reduceTable;
    if (!t[(sp ? 2 : 0) + (vp ? 1 : 0)]) {
      // The merge says no: the reduction state is reset to empty (EDGE reduce semantics).
      if (sp) { stamps[off] = 0; out.data[off] = out.emptyValue; }
      return;
    }
    out.data[off] = this.reduceApply(sp ? (out.data[off] as number) : this.reduceIdentity, vp ? value : this.reduceIdentity);
    stamps[off] = this.runId;
  }
}
