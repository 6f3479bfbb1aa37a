/**
 * @file `fusemax evaluate --design D (--model M --seq N | --shape R=n,...) [--fidelity physical|artifact]
 * [--set PATH=VALUE]... [--json]`: one design at one workload point: traffic, latency (per phase: memory
 * vs compute), energy, utilizations and every Einsum's cycles, time, traffic and energy. A point is a
 * transformer model at a sequence length, or explicit rank sizes for a design of another cascade (e.g.
 * one written by `fusemax design --shape`). Any field of the design's YAML can be overridden
 * (`--set arch.components.global_buffer.depth=65536`, `--set params.PE=128`). The default fidelity is
 * physical (the published tool chain's quirks corrected).
 */
import type { Command } from 'commander';
import { fail } from '../diagnostics/diagnostic.ts';
import { quirksFor } from '../experiments/artifact-quirks.ts';
import { evaluateDesign, type DesignResult } from '../experiments/evaluate-design.ts';
import { instantiate } from '../experiments/instantiate.ts';
import { evaluatePoint } from '../experiments/paper.ts';
import { shapeWorkload } from '../experiments/workload.ts';
import { parseShapeList } from '../ir/shapes.ts';
import { loadDesignArg, loadLibrary, parseFidelityArg } from './library.ts';
import { action } from './run-command.ts';

interface EvaluateOptions {
  design: string;
  model?: string;
  seq?: string;
  shape?: string;
  fidelity: string;
  set: string[];
  json?: boolean;
}

/** `--model M --seq N` or `--shape R=n,...`, exactly one of the two (FM850 otherwise). */
export function workloadArgs(opts: { model?: string | undefined; seq?: string | undefined; shape?: string | undefined }): { kind: 'model'; model: string; seq: string } | { kind: 'shape'; shapes: Map<string, number> } {
  const hasModel = opts.model !== undefined || opts.seq !== undefined;
  if (hasModel && opts.shape !== undefined) return fail('FM850', 'give either --model and --seq, or --shape, not both');
  if (opts.shape !== undefined) return { kind: 'shape', shapes: parseShapeList(opts.shape) };
  if (opts.model === undefined || opts.seq === undefined) return fail('FM850', 'give a workload point: --model and --seq (e.g. --model BERT --seq 4K), or --shape (e.g. --shape M=4096,P=4096,E=64,F=64)');
  return { kind: 'model', model: opts.model, seq: opts.seq };
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .requiredOption('--design <name>', 'unfused, flat, cascade, arch, binding, linear-flat, linear-proposal, or a design file')
    .option('--model <name>', 'BERT, TrXL, T5 or XLM (with --seq)')
    .option('--seq <length>', 'sequence length, e.g. 4K, 1M or 3000')
    .option('--shape <list>', 'or explicit rank sizes, e.g. M=4096,P=4096,E=64,F=64 (a design of another cascade)')
    .option('--fidelity <mode>', 'physical, or artifact to reproduce the published tool chain', 'physical')
    .option('--set <path=value>', 'override a field of the design YAML (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  fusemax evaluate --design binding --model BERT --seq 64K\n  fusemax evaluate --design binding --model XLM --seq 1M --set params.PE=128 --json\n  fusemax evaluate --design flat --model T5 --seq 16K --set arch.components.global_buffer.energy.read=20000\n  fusemax evaluate --design softmax-design.yaml --shape M=4096,P=4096')
    .action(
      action((opts: EvaluateOptions) => {
        const fidelity = parseFidelityArg(opts.fidelity);
        const point = workloadArgs(opts);
        const design = loadDesignArg(opts.design, opts.set);
        const r = point.kind === 'model'
          ? evaluatePoint(loadLibrary([design]), design.spec.name, point.model, point.seq, quirksFor(fidelity))
          : evaluateDesign(instantiate(design, shapeWorkload(point.shapes), quirksFor(fidelity)));
        process.stdout.write(opts.json ? JSON.stringify(resultJson(r, fidelity), null, 2) + '\n' : resultText(r, fidelity));
      }),
    );
}

export function resultJson(r: DesignResult, fidelity: string): Record<string, unknown> {
  const w = r.instance.workload;
  return {
    design: r.instance.design.spec.name,
    label: r.instance.design.spec.label,
    ...(w.model === '' ? { shape: w.label } : { model: w.model, seq: w.seq }),
    fidelity,
    traffic_bytes: r.traffic,
    latency_s: r.latency,
    energy_pJ: r.energy,
    utilization: Object.fromEntries(r.utilization),
    phases: r.phases.map((p) => ({ name: p.name, memory_s: p.memorySeconds, compute_s: p.computeSeconds, latency_s: p.latency })),
    einsums: r.einsums.map((e) => ({
      name: e.name,
      array: e.array,
      cycles: e.cycles,
      compute_s: e.computeSeconds,
      utilization: r.einsumUtilization.get(e.name) ?? 0,
      read_bytes: e.readBytes,
      write_bytes: e.writeBytes,
      energy_pJ: e.energyTotal,
      energy_by_component_pJ: Object.fromEntries(e.energy),
    })),
    params: Object.fromEntries(r.instance.values),
    ...(r.instance.area.size > 0 ? { area_um2: Object.fromEntries([...r.instance.area].filter(([, v]) => Number.isFinite(v))) } : {}),
  };
}

function si(x: number, unit: string): string {
  const a = Math.abs(x);
  const [scale, prefix] = a >= 1e12 ? [1e12, 'T'] : a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : a >= 1 || a === 0 ? [1, ''] : a >= 1e-3 ? [1e-3, 'm'] : a >= 1e-6 ? [1e-6, 'µ'] : [1e-9, 'n'];
  return `${(x / scale).toFixed(3)} ${prefix}${unit}`;
}

export function resultText(r: DesignResult, fidelity: string): string {
  const w = r.instance.workload;
  const out = [
    `${r.instance.design.spec.label} (${r.instance.design.spec.name}) on ${w.model === '' ? w.label : `${w.model} at ${w.seq}`} — fidelity ${fidelity}`,
    `latency ${si(r.latency, 's')}   traffic ${si(r.traffic, 'B')}   energy ${si(r.energy * 1e-12, 'J')}   utilization ${[...r.utilization].map(([a, u]) => `${a} ${(u * 100).toFixed(1)}%`).join(', ')}`,
    '',
    'phase        memory        compute       latency',
  ];
  for (const p of r.phases) out.push(`${p.name.padEnd(12)} ${si(p.memorySeconds, 's').padStart(12)}  ${si(p.computeSeconds, 's').padStart(12)}  ${si(p.latency, 's').padStart(12)}`);
  out.push('', 'Einsum  array  cycles              compute       busy     DRAM traffic   energy');
  for (const e of r.einsums) {
    out.push(`${e.name.padEnd(7)} ${e.array.padEnd(6)} ${String(e.cycles).padStart(18)}  ${si(e.computeSeconds, 's').padStart(12)}  ${((r.einsumUtilization.get(e.name) ?? 0) * 100).toFixed(1).padStart(6)}%  ${si(e.readBytes + e.writeBytes, 'B').padStart(12)}  ${si(e.energyTotal * 1e-12, 'J').padStart(10)}`);
  }
  return out.join('\n') + '\n';
}
