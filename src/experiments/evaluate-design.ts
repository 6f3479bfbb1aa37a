/**
 * @file One design at one workload point: every Einsum through the model's nest analysis (src/model),
 * then the design-level machinery of fusemax-model.md §4.0: DRAM traffic (with global-buffer spill),
 * energy from per-action charges, compute time from the binding, and latency from the schedule:
 *
 *   Einsum compute time  c = cycles × binding cost / clock
 *   lane                 = Σ c of its steps (a `{einsum, times}` step waits times × c)
 *   epoch                = max over its parallel lanes
 *   phase latency        = max(memory time of its Einsums' traffic, Σ epochs)
 *   latency              = Σ phases
 *   utilization of array = Σ over its Einsums of c × (utilized PEs / PEs) / latency
 *
 * Model issues (a mapping that does not fit) keep their FM5xx codes, located in the design file.
 */
import { UserError, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { countNumber, type NestStats } from '../model/analysis.ts';
import { evaluateNest } from '../model/evaluate.ts';
import type { NestRef } from '../model/issues.ts';
import { diagnosticAt, type YamlPath } from '../readers/yaml-source.ts';
import { chargedCount, countedReads, nestFidelity } from './artifact-quirks.ts';
import type { DesignInstance, EinsumInstance } from './instantiate.ts';
import { searchedMapping, type SearchedMapping } from './mapper-hook.ts';
import type { Mapping } from '../model/types.ts';

export interface EinsumResult {
  readonly name: string;
  readonly array: string;
  readonly stats: NestStats;
  readonly cycles: number;
  /** Compute time in seconds (cycles × binding cost / clock). */
  readonly computeSeconds: number;
  /** Utilized compute instances over the array's instances. */
  readonly utilizedFraction: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  /** pJ by component (level names, then `compute`). */
  readonly energy: ReadonlyMap<string, number>;
  readonly energyTotal: number;
  /** The mapping it ran with (a design's evaluation): the recorded one, or the mapper's optimum (`searched`). */
  readonly mapping?: Mapping;
  readonly searched?: SearchedMapping;
}

export interface PhaseResult {
  readonly name: string;
  readonly memorySeconds: number;
  readonly computeSeconds: number;
  readonly latency: number;
}

export interface DesignResult {
  readonly instance: DesignInstance;
  readonly einsums: readonly EinsumResult[];
  readonly phases: readonly PhaseResult[];
  /** DRAM bytes. */
  readonly traffic: number;
  /** Seconds. */
  readonly latency: number;
  /** pJ. */
  readonly energy: number;
  /** Per array: Σ busy share. */
  readonly utilization: ReadonlyMap<string, number>;
  /** Per Einsum: its busy share of the latency. */
  readonly einsumUtilization: ReadonlyMap<string, number>;
  /** Σ compute seconds per array. */
  readonly arrayComputeSeconds: ReadonlyMap<string, number>;
}

export function evaluateDesign(inst: DesignInstance): DesignResult {
  const byName = new Map<string, EinsumResult>();
  for (const e of inst.einsums) if (e.copyOf === undefined) byName.set(e.name, evaluateEinsum(inst, e));
  for (const e of inst.einsums) {
    if (e.copyOf === undefined) continue;
    const src = byName.get(e.copyOf) ?? evaluateEinsum(inst, inst.einsums.find((x) => x.name === e.copyOf)!);
    byName.set(e.name, { ...src, name: e.name });
  }
  const einsums = inst.einsums.map((e) => byName.get(e.name)!);

  const phases: PhaseResult[] = [];
  let latency = 0;
  let traffic = 0;
  for (const ph of inst.phases) {
    let bytes = 0;
    for (const n of ph.einsums) {
      const r = byName.get(n)!;
      bytes += r.readBytes + r.writeBytes;
    }
    traffic += bytes;
    let compute = 0;
    for (const epoch of ph.epochs) {
      let longest = 0;
      for (const lane of epoch) {
        let t = 0;
        for (const step of lane) t += byName.get(step.einsum)!.computeSeconds * step.times;
        if (t > longest) longest = t;
      }
      compute += longest;
    }
    const memorySeconds = bytes / inst.bandwidth;
    const phaseLatency = Math.max(memorySeconds, compute);
    phases.push({ name: ph.name, memorySeconds, computeSeconds: compute, latency: phaseLatency });
    latency += phaseLatency;
  }

  let energy = 0;
  for (const r of einsums) energy += r.energyTotal;

  const utilization = new Map<string, number>();
  const arrayComputeSeconds = new Map<string, number>();
  const einsumUtilization = new Map<string, number>();
  for (const r of einsums) {
    const u = (r.computeSeconds * r.utilizedFraction) / latency;
    einsumUtilization.set(r.name, u);
    utilization.set(r.array, (utilization.get(r.array) ?? 0) + u);
    arrayComputeSeconds.set(r.array, (arrayComputeSeconds.get(r.array) ?? 0) + r.computeSeconds);
  }
  return { instance: inst, einsums, phases, traffic, latency, energy, utilization, einsumUtilization, arrayComputeSeconds };
}

function evaluateEinsum(inst: DesignInstance, e: EinsumInstance): EinsumResult {
  const q = inst.quirks;
  // The recorded mapping, or (without the mapper-mappings quirk) the optimum of the mapper block.
  const searched = e.search && !q.has('mapper-mappings') ? searchedMapping(inst, e) : undefined;
  const mapping = searched?.mapping ?? e.mapping;
  const result = evaluateNest(e.arch, e.problem, mapping, { fidelity: nestFidelity(q) });
  if (!result.ok) throw new UserError(result.issues.map((i) => locateIssue(inst, e, i.code, i.message, i.ref, i.hint)));
  return { ...einsumResult(inst, e, result.stats), mapping, ...(searched ? { searched } : {}) };
}

/** What `einsumResult` needs of a design instance (an automatic design's search has no design yet). */
export type EinsumContext = Pick<DesignInstance, 'quirks' | 'spill' | 'wordBytes' | 'clockHz'>;

/** Traffic, energy and time of one Einsum from its nest's counts (fusemax-model.md §4.0). */
export function einsumResult(inst: EinsumContext, e: EinsumInstance, stats: NestStats): EinsumResult {
  const q = inst.quirks;
  const levels = stats.levels;
  const dram = levels.findIndex((l) => l.kind === 'dram');
  // The spillable buffer is the outermost on-chip buffer (the artifact's "L3").
  const llb = levels.findIndex((l) => l.kind === 'buffer');
  const p = inst.spill;

  // DRAM traffic, collect_mem_traffic (fusemax-model.md §4.0).
  let memRd = 0;
  let memWr = 0;
  let bufRd = 0;
  let bufWr = 0;
  const spilled = new Set<string>();
  if (llb >= 0) {
    for (const t of levels[llb]!.tensors) {
      if (!e.spill.includes(t.tensor)) continue;
      spilled.add(t.tensor);
      const rb = countNumber(t.reads);
      const wb = countNumber(t.updates);
      bufRd += countedReads(rb, wb, q);
      bufWr += wb;
    }
  }
  if (dram >= 0) {
    for (const t of levels[dram]!.tensors) {
      const s = spilled.has(t.tensor) ? 1 - p : 1;
      const rm = s * countNumber(t.reads);
      const wm = s * countNumber(t.updates);
      memRd += countedReads(rm, wm, q);
      memWr += wm;
    }
  }
  const writeBytes = (memWr + bufWr * p) * inst.wordBytes;
  const readBytes = e.trafficOverride === undefined ? (memRd + bufRd * p) * inst.wordBytes : e.trafficOverride - writeBytes;

  // Energy: DRAM from the traffic (64-bit accesses), other levels from their counts.
  const energy = new Map<string, number>();
  let total = 0;
  levels.forEach((l, i) => {
    const charge = e.charges.get(l.name);
    if (!charge) return;
    let pj = 0;
    if (i === dram) {
      const perAccess = charge.words * inst.wordBytes;
      pj = (readBytes / perAccess) * charge.read + (writeBytes / perAccess) * charge.write;
    } else {
      let reads = 0;
      let writes = 0;
      for (const t of l.tensors) {
        reads += chargedCount(countNumber(t.reads), t.utilizedInstances, q);
        writes += chargedCount(countNumber(t.updates) + countNumber(t.fills), t.utilizedInstances, q);
      }
      pj = (reads / charge.words) * charge.read + (writes / charge.words) * charge.write;
    }
    energy.set(l.name, (energy.get(l.name) ?? 0) + pj);
    total += pj;
  });
  const computes = countNumber(stats.computes);
  let computePj = 0;
  for (const op of e.ops) computePj += computes * op.count * op.energy;
  energy.set('compute', computePj);
  total += computePj;

  const cycles = countNumber(stats.cycles);
  return {
    name: e.name,
    array: e.array,
    stats,
    cycles,
    computeSeconds: (cycles * e.cyclesPerStep) / inst.clockHz,
    utilizedFraction: stats.utilizedInstances / stats.computeInstances,
    readBytes,
    writeBytes,
    energy,
    energyTotal: total,
  };
}

function locateIssue(inst: DesignInstance, e: EinsumInstance, code: string, message: string, ref: NestRef, hint?: string): Diagnostic {
  const base: YamlPath = ['einsums', e.name];
  let path: YamlPath;
  let target: 'key' | 'value' = 'value';
  switch (ref.kind) {
    case 'loop':
      path = [...e.mappingPath, ref.level, ref.space === 'temporal' ? 'temporal' : 'spatial', ref.dim];
      target = 'key';
      break;
    case 'keep':
    case 'mappingLevel':
      path = [...e.mappingPath, ref.level];
      target = 'key';
      break;
    case 'dimension':
      path = [...base, 'dims', ref.dim];
      target = 'key';
      break;
    case 'dataSpace':
      path = [...base, 'tensors', ref.tensor];
      target = 'key';
      break;
    case 'computeCost':
      path = [...base, 'ops'];
      break;
    case 'archLevel':
    case 'mapping':
      path = e.mappingPath;
      break;
    default:
      path = base;
  }
  const where = `Einsum '${e.name}' at ${inst.workload.label}: `;
  return diagnosticAt(inst.design.source, path, code, where + message, { target, ...(hint ? { hint } : {}) });
}
