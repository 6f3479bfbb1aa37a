/**
 * @file `fusemax design CASCADE --arch HW (--model M --seq N | --shape R=n,...) [--fidelity ...]
 * [--objective latency|energy|edp] [--fusion auto|none] [--optimize] [--set PATH=VALUE]... [--json]
 * [--out design.yaml]`: derive a complete design of a cascade on a hardware description (the fusion,
 * binding, mappings and schedule), explain it, and write it in the specs/designs format so that
 * `fusemax evaluate --design FILE` gives the same numbers. The search lives in src/design (docs/design.md).
 */
import type { Command } from 'commander';
import { basename } from 'node:path';
import { designCascadeOn } from '../design/design.ts';
import { designJson, explainDesign } from '../design/explain.ts';
import { fail } from '../diagnostics/diagnostic.ts';
import { loadCascadeArg } from './cascade-file.ts';
import { resultText, workloadArgs } from './evaluate.ts';
import { writeFileAtomic } from './io.ts';
import { loadDesignArg, loadLibrary, parseFidelityArg } from './library.ts';
import { action } from './run-command.ts';

interface DesignOptions {
  arch: string;
  model?: string;
  seq?: string;
  shape?: string;
  fidelity: string;
  objective: string;
  fusion: string;
  optimize?: boolean;
  set: string[];
  json?: boolean;
  out?: string;
}

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  return fail('FM855', `${flag} must be ${allowed.join(', ').replace(/, ([^,]*)$/, ' or $1')}, not '${value}'`);
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .argument('<cascade>', 'a .cascade file or a built-in cascade name (e.g. attention-1pass)')
    .requiredOption('--arch <design>', 'the design whose hardware to use (binding, cascade, flat, unfused, ... or a design file); its Einsums, binding and schedule are ignored')
    .option('--model <name>', 'BERT, TrXL, T5 or XLM (with --seq): the ranks E, F, M, P and the batch ranks B, H')
    .option('--seq <length>', 'sequence length, e.g. 4K or 1M')
    .option('--shape <list>', 'or the rank sizes, e.g. M=4096,P=4096 (no batch ranks)')
    .option('--fidelity <mode>', 'physical, or artifact (the published tool chain\'s quirks)', 'physical')
    .option('--objective <what>', 'latency, energy or edp (energy × delay)', 'latency')
    .option('--fusion <mode>', 'auto, or none (every Einsum alone, every intermediate through DRAM)', 'auto')
    .option('--optimize', 'rewrite the cascade to make fewer passes first (as fusemax optimize)')
    .option('--set <path=value>', 'override a field of the hardware design (repeatable), e.g. params.L3_bytes=8388608', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print latency_s, energy_pJ, traffic_bytes, utilization, design (YAML), searched, seconds and the groups as JSON')
    .option('--out <file>', 'write the design (YAML) to this file')
    .addHelpText('after', '\nExamples:\n  fusemax design attention-1pass --arch binding --model BERT --seq 64K\n  fusemax design attention-3pass --optimize --arch binding --model XLM --seq 1M --out xlm-1m.yaml\n  fusemax design softmax.cascade --arch binding --shape M=4096,P=4096 --fusion none\n  fusemax evaluate --design xlm-1m.yaml --model XLM --seq 1M   # the same numbers')
    .action(
      action((cascadeArg: string, opts: DesignOptions) => {
        const fidelity = parseFidelityArg(opts.fidelity);
        const objective = choice('--objective', opts.objective, ['latency', 'energy', 'edp'] as const);
        const fusion = choice('--fusion', opts.fusion, ['auto', 'none'] as const);
        const point = workloadArgs(opts);
        const { cascade, path } = loadCascadeArg(cascadeArg);
        const hardware = loadDesignArg(opts.arch, opts.set);
        const start = performance.now();
        const outcome = designCascadeOn({
          cascade,
          cascadeName: basename(path).replace(/\.cascade$/, ''),
          hardware,
          point: point.kind === 'model' ? { kind: 'model', spec: loadLibrary().workloads, model: point.model, seq: point.seq } : { kind: 'shape', shapes: point.shapes },
          fidelity,
          objective,
          fusion,
          optimize: opts.optimize ?? false,
        });
        const seconds = (performance.now() - start) / 1000;
        if (opts.out !== undefined) writeFileAtomic(opts.out, outcome.yaml);
        if (opts.json) {
          process.stdout.write(JSON.stringify(designJson(outcome, seconds), null, 2) + '\n');
          return;
        }
        const title = `automatic design of ${basename(path)}${opts.optimize ? ' (optimized)' : ''} on the hardware of ${hardware.spec.label} (${hardware.spec.name}) at ${outcome.workload.label} — fidelity ${fidelity}, objective ${objective}, fusion ${fusion}, ${seconds.toFixed(2)} s`;
        process.stdout.write(explainDesign(outcome, title) + '\n' + resultText(outcome.result, fidelity).split('\n').slice(2).join('\n') + (opts.out !== undefined ? `\nwritten to ${opts.out}\n` : ''));
      }),
    );
}
