/**
 * @file The reference executor: runs a checked cascade on input tensors with exact EDGE semantics, in
 * the sequential schedule (src/exec/schedule.ts). Unspecified inputs must be supplied by the caller
 * (the CLI draws seeded random ones). Returns every tensor and per-Einsum visit counts.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { accessesOf, compare, evalRankExpr, type Cascade, type Einsum, type TensorInfo } from '../ir/cascade.ts';
import { raggedFilters, type Shapes } from '../ir/shapes.ts';
import type { Tensor, RankFormat } from '../tensor/index.ts';
import { EinsumKernel } from './kernel.ts';
import { sequentialSchedule } from './schedule.ts';
import {
  isCompressed, newDenseState, settle, stateFromTensor, stateToTensor, tensorExtents, type DenseState, type Precision, type TensorState,
} from './state.ts';

export interface RunOptions {
  /** Storage precision (default float64). */
  readonly precision?: Precision;
}

export interface RunResult {
  /** Every tensor of the cascade after the run (inputs included). */
  readonly tensors: ReadonlyMap<string, Tensor>;
  /** The cascade's outputs. */
  readonly outputs: ReadonlyMap<string, Tensor>;
  /** Points evaluated per Einsum (index = Einsum position). */
  readonly visits: readonly number[];
  /** Generations run per iterative variable. */
  readonly generations: ReadonlyMap<string, number>;
}

/** Check that the inputs match the cascade's declared ranks and the resolved shapes (FM30x). */
export function checkInputs(c: Cascade, shapes: Shapes, inputs: ReadonlyMap<string, Tensor>): void {
  for (const t of c.tensors.values()) {
    if (t.role !== 'input') continue;
    const given = inputs.get(t.name);
    if (!given) fail('FM310', `no data for input '${t.name}'`);
    const want = tensorExtents(t, shapes);
    if (given.shape.length !== want.length || given.shape.some((s, i) => s !== want[i])) {
      fail('FM311', `input '${t.name}' has shape [${given.shape.join(', ')}] but the cascade needs [${want.join(', ')}] (${t.ranks.map((r, i) => `${r}=${want[i]}`).join(', ')})`);
    }
  }
  for (const name of inputs.keys()) {
    const t = c.tensors.get(name);
    if (!t || t.role !== 'input') fail('FM312', `'${name}' is not an input of this cascade`, undefined, `inputs: ${[...c.tensors.values()].filter((x) => x.role === 'input').map((x) => x.name).join(', ')}`);
  }
}

/** Mutable run state shared by the schedules (sequential here, fused in src/exec/fused.ts). */
export class Execution {
  readonly states = new Map<string, TensorState>();
  readonly visits: number[];
  readonly generations = new Map<string, number>();
  private readonly kernels = new Map<string, EinsumKernel>();

  readonly precision: Precision;

  constructor(readonly cascade: Cascade, readonly shapes: Shapes, inputs: ReadonlyMap<string, Tensor>, options: RunOptions = {}) {
    checkInputs(cascade, shapes, inputs);
    this.precision = options.precision ?? 'float64';
    for (const [name, t] of inputs) this.states.set(name, stateFromTensor(t, this.precision));
    this.visits = cascade.einsums.map(() => 0);
  }

  info(name: string): TensorInfo {
    return this.cascade.tensors.get(name) as TensorInfo;
  }

  /** The output storage of an Einsum, created on first write (compressed when an operand is compressed). */
  outputState(e: Einsum): DenseState {
    const name = e.output.tensor;
    const existing = this.states.get(name);
    if (existing?.kind === 'dense') return existing;
    const info = this.info(name);
    const sparse = accessesOf(e.expr).some((a) => { const s = this.states.get(a.tensor); return s !== undefined && isCompressed(s); });
    const formats: RankFormat[] = info.ranks.map(() => (sparse ? 'C' : 'U'));
    const state = newDenseState(name, tensorExtents(info, this.shapes), existing?.kind === 'tree' ? existing.tensor.formats : formats, this.precision);
    if (existing?.kind === 'tree') state.data.set(existing.tensor.toDense());
    this.states.set(name, state);
    return state;
  }

  /** The kernel for an Einsum with the given fixed variables (built once, reused across generations or steps). */
  kernel(e: Einsum, fixedVars: readonly string[]): EinsumKernel {
    const key = `${e.index}:${fixedVars.join(',')}`;
    let k = this.kernels.get(key);
    if (!k) {
      this.outputState(e);
      k = new EinsumKernel(e, this.info(e.output.tensor), this.states, this.shapes, fixedVars, raggedFilters(this.cascade, e, this.shapes));
      this.kernels.set(key, k);
    }
    return k;
  }

  /** Run one whole Einsum. */
  runEinsum(e: Einsum): void {
    const k = this.kernel(e, []);
    const before = k.visits;
    k.begin(this.outputState(e));
    k.run();
    this.visits[e.index] = (this.visits[e.index] as number) + k.visits - before;
    this.settle(e.output.tensor);
  }

  /** Run the Einsums of an iterative variable generation by generation until its stopping condition. */
  runLoop(variable: string, einsums: readonly Einsum[]): void {
    const it = this.cascade.iterativeRanks.get(variable);
    if (!it) throw new Error(`no iterative rank ${variable}`);
    const limit = this.shapes.get(it.rank) as number;
    // Outputs first: a kernel must see the storage its operands will have during the loop.
    for (const e of einsums) this.outputState(e);
    const kernels = einsums.map((e) => this.kernel(e, [variable]));
    const before = kernels.map((k) => k.visits);
    kernels.forEach((k, i) => k.begin(this.outputState(einsums[i] as Einsum)));
    const bound = evalRankExpr(it.stop.bound, {}, this.shapes);
    let v = 0;
    for (; !compare(it.stop.op, v, bound); v++) {
      if (v >= limit) {
        fail('FM313', `the stopping condition '${variable} ${it.stop.op} ${bound}' does not hold before ${variable} leaves rank ${it.rank} (0..${limit - 1})`);
      }
      for (const k of kernels) k.run([v]);
    }
    this.generations.set(variable, v);
    einsums.forEach((e, i) => {
      this.visits[e.index] = (this.visits[e.index] as number) + (kernels[i] as EinsumKernel).visits - (before[i] as number);
      this.settle(e.output.tensor);
    });
  }

  /** A finished intermediate meant to be sparse becomes a fibertree, so its readers skip its empties. */
  settle(name: string): void {
    const s = this.states.get(name);
    if (s) this.states.set(name, settle(s, this.info(name)));
  }

  result(): RunResult {
    const tensors = new Map<string, Tensor>();
    for (const [name, s] of this.states) tensors.set(name, stateToTensor(s, this.info(name)));
    const outputs = new Map(this.cascade.outputs.map((o) => [o, tensors.get(o) as Tensor]));
    return { tensors, outputs, visits: this.visits, generations: this.generations };
  }
}

/** Run a cascade in the sequential schedule. */
export function runCascade(c: Cascade, shapes: Shapes, inputs: ReadonlyMap<string, Tensor>, options: RunOptions = {}): RunResult {
  const ex = new Execution(c, shapes, inputs, options);
  for (const step of sequentialSchedule(c)) {
    if (step.kind === 'einsum') ex.runEinsum(step.einsum);
    else ex.runLoop(step.variable, step.einsums);
  }
  return ex.result();
}
