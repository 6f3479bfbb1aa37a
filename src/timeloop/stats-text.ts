/**
 * @file `timeloop-model.stats.txt` in Timeloop v0.4's layout, from one evaluation of a Timeloop input:
 * the arithmetic level, then each storage level that keeps a tensor or leaks (innermost first, numbered
 * as Timeloop numbers the topology, fan-out stages included) with its specs, loop nest and per-tensor
 * stats, the (empty) networks, the operational-intensity stats and the summary with energy per compute.
 *
 * Every number is ours; the derived ones follow Timeloop's definitions (address generations = reads
 * (outputs: updates) + fills; temporal reductions = an output's reads; bandwidths = accesses / cycles;
 * vector access energy = the largest of read, write and update; summary area 0.00 mm², as v0.4 prints
 * it). Not modelled, printed as Timeloop prints them for these inputs: bandwidth throttling 1.00,
 * temporal-reduction and address-generation energies 0.00, no power gating.
 */
import { countNumber, type Count } from '../model/analysis.ts';
import type { Evaluation } from '../model/evaluate.ts';
import type { Architecture, StorageLevel } from '../model/types.ts';
import { exponential, fixed } from './printf.ts';
import type { LoadedTimeloop, TimeloopComponent } from './reader.ts';

export interface StatsTextOptions {
  /** The architecture with the ERT (and ART) applied. */
  readonly arch: Architecture;
}

export function timeloopStatsText(loaded: LoadedTimeloop, ev: Evaluation, options: StatsTextOptions): string {
  const arch = options.arch;
  const { stats, energy } = ev;
  const out: string[] = [];
  const line = (s = ''): void => {
    out.push(s);
  };
  const cycles = countNumber(stats.cycles);
  const computes = countNumber(stats.computes);
  const component = (name: string): TimeloopComponent | undefined => loaded.components.find((c) => c.name === name);
  const computeComponent = component(arch.compute.name);
  const computeUnit = arch.compute.units[0];
  const L = arch.levels.length;
  const first = ev.nest.tensors[0]?.name;
  const firstKeeper = stats.levels.findIndex((l) => l.tensors.some((t) => t.tensor === first));
  const printed = (i: number): boolean => (stats.levels[i]?.tensors.length ?? 0) > 0 || (energy.levels[i]?.leak ?? 0) > 0;

  line('Buffer and Arithmetic Levels');
  line('----------------------------');
  line('Level 0');
  line('-------');
  line(`=== ${arch.compute.name} ===`);
  line();
  line('    SPECS');
  line('    -----');
  line(`    Word bits             : ${computeComponent?.attributes['datawidth'] ?? 16}`);
  line(`    Instances             : ${stats.computeInstances} (${computeComponent?.meshX ?? stats.computeInstances}*${computeComponent?.meshY ?? 1})`);
  line(`    Compute energy        : ${f2(computeUnit?.energy ?? 0)} pJ`);
  line();
  line('    STATS');
  line('    -----');
  line(`    Utilized instances      : ${stats.utilizedInstances}`);
  line(`    Computes (total)        : ${String(stats.computes)}`);
  line(`    Cycles                  : ${String(stats.cycles)}`);
  line(`    Energy (total)          : ${f2(energy.compute)} pJ`);
  line(`    Area (total)            : ${f2(stats.computeInstances * Math.fround(computeUnit?.area ?? 0))} um^2`);
  line();

  for (let i = L - 1; i >= 0; i--) {
    if (!printed(i)) continue;
    const spec = arch.levels[i]!;
    const ls = stats.levels[i]!;
    const le = energy.levels[i]!;
    const c = component(spec.name);
    const a = c?.attributes ?? {};
    const block = blockSize(spec);
    const wordBits = a['datawidth'] ?? arch.wordBits;
    const dram = spec.kind === 'dram';
    const size = spec.kind === 'buffer' ? String(spec.depth * block) : '-';
    const buffering = a['multiple_buffering'] ?? 1;
    const e = spec.kind === 'spatial' ? { read: 0, write: 0, update: 0, leak: 0 } : spec.energy;
    line(`Level ${L - i}`);
    line('-------');
    line(`=== ${spec.name} ===`);
    line();
    line('    SPECS');
    line('    -----');
    const specLine = (k: string, v: string): void => line(`        ${k.padEnd(32)}: ${v}`);
    specLine('Technology', dram ? 'DRAM' : 'SRAM');
    specLine('Size', size);
    specLine('Word bits', String(wordBits));
    specLine('Block size', String(block));
    specLine('Cluster size', String(a['cluster_size'] ?? 1));
    specLine('Instances', `${ls.instances} (${c?.meshX ?? ls.instances}*${c?.meshY ?? 1})`);
    specLine('Shared bandwidth', bandwidth(a['shared_bandwidth']));
    specLine('Read bandwidth', bandwidth(a['read_bandwidth']));
    specLine('Write bandwidth', bandwidth(a['write_bandwidth']));
    specLine('Multiple buffering', f2(buffering));
    specLine('Effective size', spec.kind === 'buffer' ? String(Math.floor((spec.depth * block) / buffering)) : '-');
    specLine('Min utilization', f2(a['min_utilization'] ?? 0));
    specLine('Vector access energy', `${f2(Math.max(e.read, e.write, e.update))} pJ`);
    specLine('Vector access energy source', 'ERT');
    specLine('Per-instance-cycle leakage', `${f2(e.leak)} pJ`);
    specLine('Instances sharing power gating', '1.00');
    specLine('Non-power-gated utilization', '100.00%');
    specLine('Leakage energy (total)', `${f2(le.leak)} pJ`);
    // Timeloop keeps areas as floats.
    specLine('Area', `${f2(Math.fround(spec.area))} um^2`);
    line();
    line('    MAPPING');
    line('    -------');
    line('    Loop nest:');
    // Timeloop prints the loop nest of the first data space's tile, which is empty above the outermost
    // level that keeps it.
    if (i >= firstKeeper) loopNest(loaded, spec.name).forEach((l, depth) => line(`      ${'  '.repeat(depth)}${l}`));
    line();
    line('    STATS');
    line('    -----');
    line(`    Cycles               : ${String(stats.cycles)}`);
    line('    Bandwidth throttling : 1.00');
    ls.tensors.forEach((t, j) => {
      const energyTotal = le.tensors[j]?.energy ?? 0;
      const n = t.utilizedInstances;
      const reads = countNumber(t.reads);
      const fills = countNumber(t.fills);
      const updates = countNumber(t.updates);
      const accesses = reads + fills + updates;
      const isOutput = ev.nest.tensors.find((x) => x.name === t.tensor)?.isOutput ?? false;
      const cluster = a['cluster_size'] ?? 1;
      const stat = (k: string, v: string): void => line(`        ${k.padEnd(41)}: ${v}`);
      line(`    ${t.tensor}:`);
      stat('Partition size', String(t.partitionSize));
      stat('Utilized capacity', String(t.utilizedCapacity));
      stat('Utilized instances (max)', String(n));
      stat('Utilized clusters (max)', String(Math.ceil(n / cluster)));
      stat('Scalar reads (per-instance)', String(t.reads));
      stat('Scalar fills (per-instance)', String(t.fills));
      stat('Scalar updates (per-instance)', String(t.updates));
      stat('Temporal reductions (per-instance)', isOutput ? String(t.reads) : '0');
      stat('Address generations (per-cluster)', String(sum(isOutput ? t.updates : t.reads, t.fills)));
      stat('Energy (per-scalar-access)', `${f2(accesses > 0 ? energyTotal / n / accesses : 0)} pJ`);
      stat('Energy (per-instance)', `${f2(energyTotal / n)} pJ`);
      stat('Energy (total)', `${f2(energyTotal)} pJ`);
      stat('Temporal Reduction Energy (per-instance)', '0.00 pJ');
      stat('Temporal Reduction Energy (total)', '0.00 pJ');
      stat('Address Generation Energy (per-cluster)', '0.00 pJ');
      stat('Address Generation Energy (total)', '0.00 pJ');
      stat('Bandwidth Consumption Scale', '1.00');
      stat('Shared Bandwidth (per-instance)', `${f2(accesses / cycles)} words/cycle`);
      stat('Shared Bandwidth (total)', `${f2((accesses / cycles) * n)} words/cycle`);
      stat('Read Bandwidth (per-instance)', `${f2(reads / cycles)} words/cycle`);
      stat('Read Bandwidth (total)', `${f2((reads / cycles) * n)} words/cycle`);
      stat('Write Bandwidth (per-instance)', `${f2((fills + updates) / cycles)} words/cycle`);
      stat('Write Bandwidth (total)', `${f2(((fills + updates) / cycles) * n)} words/cycle`);
    });
    line();
  }

  line('Networks');
  line('--------');
  line();

  // Operational intensity: the algorithmic minimum of memory traffic is every tensor once.
  const outputSize = ev.nest.tensors.reduce((n, t, ti) => (t.isOutput ? n + tensorSize(ev, ti) : n), 0);
  const reductionOps = computes - outputSize;
  const totalOps = computes + reductionOps;
  const required = ev.nest.tensors.reduce((n, _t, ti) => n + tensorSize(ev, ti), 0);
  const intensity = (k: string, v: string): void => line(`    ${k.padEnd(40)}: ${v}`);
  line('Operational Intensity Stats');
  line('---------------------------');
  intensity('Total elementwise ops', String(stats.computes));
  intensity('Total reduction ops', String(reductionOps));
  intensity('Total ops', String(totalOps));
  intensity('Total memory accesses required', String(required));
  // Timeloop computes the intensities in single precision.
  intensity('Optimal Op per Byte', f2(Math.fround(totalOps / ((required * arch.wordBits) / 8))));
  line();
  for (let i = L - 1; i >= 0; i--) {
    const spec = arch.levels[i]!;
    const ls = stats.levels[i]!;
    line(`=== ${spec.name} ===`);
    if (ls.tensors.length === 0) continue;
    const wordBits = component(spec.name)?.attributes['datawidth'] ?? arch.wordBits;
    let accesses = 0;
    for (const t of ls.tensors) accesses += (countNumber(t.reads) + countNumber(t.fills) + countNumber(t.updates)) * t.utilizedInstances;
    intensity('Total scalar accesses', String(accesses));
    intensity('Op per Byte', f2(Math.fround(totalOps / ((accesses * wordBits) / 8))));
  }
  line();
  line();

  line('Summary Stats');
  line('-------------');
  line(`GFLOPs (@1GHz): ${f2(totalOps / cycles)}`);
  line(`Utilization: ${f2((stats.utilizedInstances / stats.computeInstances) * 100)}%`);
  line(`Cycles: ${String(stats.cycles)}`);
  line(`Energy: ${f2(energy.total / 1e6)} uJ`);
  line(`EDP(J*cycle): ${exponential(energy.total * 1e-12 * cycles, 2)}`);
  line('Area: 0.00 mm^2');
  line();
  line(`Computes = ${String(stats.computes)}`);
  line('fJ/Compute');
  // Timeloop pads names to the longest component or network name ("outer <==> inner") plus one.
  const names = [...arch.levels.map((l) => l.name), arch.compute.name];
  let width = 0;
  names.forEach((n, i) => {
    width = Math.max(width, n.length);
    if (i + 1 < names.length) width = Math.max(width, n.length + 6 + names[i + 1]!.length);
  });
  const perCompute = (name: string, pJ: number): void => line(`    ${name.padEnd(width + 1)}= ${f2((pJ / computes) * 1000)}`);
  perCompute(arch.compute.name, energy.compute);
  // Levels that spend no energy are left out of this list.
  for (let i = L - 1; i >= 0; i--) if (printed(i) && energy.levels[i]!.total > 0) perCompute(arch.levels[i]!.name, energy.levels[i]!.total);
  perCompute('Total', energy.total);
  line();
  return out.join('\n') + '\n';
}

/** The loops of one level as Timeloop's stats list them (bound above 1, outermost first). */
function loopNest(loaded: LoadedTimeloop, level: string): string[] {
  const lm = loaded.mapping.levels.find((m) => m.level === level);
  if (!lm) return [];
  const out: string[] = [];
  for (const l of lm.temporal) if (l.bound > 1) out.push(`for ${l.dim} in [0:${l.bound})`);
  for (const l of lm.spatialY) if (l.bound > 1) out.push(`for ${l.dim} in [0:${l.bound}) (Spatial-Y)`);
  for (const l of lm.spatialX) if (l.bound > 1) out.push(`for ${l.dim} in [0:${l.bound}) (Spatial-X)`);
  return out;
}

/** Words of a whole tensor: its utilized capacity at the outermost level that keeps it. */
function tensorSize(ev: Evaluation, tensorIndex: number): number {
  const name = ev.nest.tensors[tensorIndex]!.name;
  for (const l of ev.stats.levels) {
    const t = l.tensors.find((x) => x.tensor === name);
    if (t) return countNumber(t.utilizedCapacity);
  }
  return 0;
}

function blockSize(spec: StorageLevel): number {
  return spec.kind === 'spatial' ? 1 : spec.blockSize;
}

function bandwidth(v: number | undefined): string {
  return v === undefined ? '-' : f2(v);
}

function sum(a: Count, b: Count): string {
  return typeof a === 'bigint' || typeof b === 'bigint' ? String(BigInt(a) + BigInt(b)) : String(a + b);
}

function f2(x: number): string {
  return fixed(x, 2);
}
