/**
 * @file `fusemax reproduce [--out DIR] [--fidelity artifact|physical] [--models ...] [--seq ...]
 * [--auto-designs]`: the FuseMax evaluation from the declarative designs: the published CSVs (same
 * names, columns and row order), Figures 6a–12 as SVG and PNG, and summary.md with the headline ratios
 * (and, under the artifact fidelity, how much each quirk moved them; with `--auto-designs`, the
 * automatic designs of each configuration's cascade beside the hand-made ones: about a quarter of a
 * second a point, half a minute for the paper's points, so not by default). Everything is computed first, then written into a temporary
 * directory and moved into place file by file, so a failure leaves no half-written set. A progress bar
 * on a terminal; silence on stderr when piped.
 */
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { QUIRKS, quirksFor, withoutQuirk } from '../experiments/artifact-quirks.ts';
import { headlines, quirkEffect, type QuirkEffect } from '../experiments/headlines.ts';
import { designOf, reproduce, ATTENTION, PAPER_MODELS, PAPER_SEQS, type Library, type Reproduction } from '../experiments/paper.ts';
import { versusHand } from '../design/versus-hand.ts';
import type { Cascade } from '../ir/cascade.ts';
import { loadCascadeArg } from './cascade-file.ts';
import { parseSeq } from '../experiments/workload.ts';
import { reproductionCsvs } from '../report/csv.ts';
import { paperFigures } from '../report/figures.ts';
import { summaryMarkdown } from '../report/summary.ts';
import { vegaLiteToSvg } from '../report/vega.ts';
import type { Fidelity } from '../model/types.ts';
import { listArg, loadLibrary, parseFidelityArg } from './library.ts';
import { writeFilesAtomic, type OutputFile } from './io.ts';
import { svgToPng } from './png.ts';
import { action } from './run-command.ts';

interface ReproduceOptions {
  out: string;
  fidelity: string;
  models?: string;
  seq?: string;
  figures: boolean;
  png: boolean;
  autoDesigns?: boolean;
}

export interface ReproduceRun {
  readonly files: readonly OutputFile[];
  readonly reproduction: Reproduction;
  /** Seconds spent in the model (all evaluations, including the quirk study) and in rendering. */
  readonly modelSeconds: number;
  readonly renderSeconds: number;
}

/** Everything `fusemax reproduce` writes, computed in memory. */
export async function runReproduction(lib: Library, fidelity: Fidelity, options: { models?: readonly string[]; seqs?: readonly string[]; figures?: boolean; png?: boolean; progress?: (done: number, total: number) => void; autoDesigns?: ReadonlyMap<string, Cascade>; autoProgress?: (done: number, total: number) => void } = {}): Promise<ReproduceRun> {
  const t0 = performance.now();
  const models = options.models ?? PAPER_MODELS;
  const seqs = options.seqs ?? PAPER_SEQS;
  const r = reproduce(lib, quirksFor(fidelity), { models, seqs, ...(options.progress ? { progress: options.progress } : {}) });
  const h = headlines(r);
  let effects: QuirkEffect[] | undefined;
  if (fidelity === 'artifact') {
    effects = QUIRKS.map((q) => quirkEffect(q, r, reproduce(lib, withoutQuirk(q), { models, seqs, pareto: false })));
  }
  const auto = options.autoDesigns ? versusHand(lib, options.autoDesigns, fidelity, models, seqs, options.autoProgress) : undefined;
  const t1 = performance.now();
  const files: OutputFile[] = reproductionCsvs(r).map((c) => ({ name: c.name, data: c.text }));
  files.push({ name: 'summary.md', data: summaryMarkdown({ fidelity, models, seqs, headlines: h, ...(effects ? { quirks: effects } : {}), ...(auto ? { auto } : {}) }) });
  if (options.figures ?? true) {
    for (const fig of paperFigures(r)) {
      const svg = await vegaLiteToSvg(fig.spec);
      files.push({ name: `${fig.name}.svg`, data: svg });
      if (options.png ?? true) files.push({ name: `${fig.name}.png`, data: svgToPng(svg) });
    }
  }
  const t2 = performance.now();
  return { files, reproduction: r, modelSeconds: (t1 - t0) / 1000, renderSeconds: (t2 - t1) / 1000 };
}

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .option('--out <dir>', 'output directory', 'out')
    .option('--fidelity <mode>', "artifact (the published numbers, with the tool chain's quirks) or physical (quirks corrected)", 'artifact')
    .option('--models <list>', `models (default ${PAPER_MODELS.join(',')})`)
    .option('--seq <list>', `sequence lengths (default ${PAPER_SEQS.join(',')})`)
    .option('--no-figures', 'write the CSVs and the summary only')
    .option('--no-png', 'write the figures as SVG only')
    .option('--auto-designs', "add to summary.md the automatic design (fusemax design) of each configuration's cascade on its hardware beside the hand-made one (about half a minute for the paper's 120 points)")
    .addHelpText('after', '\nExamples:\n  fusemax reproduce\n  fusemax reproduce --fidelity physical --out out/physical\n  fusemax reproduce --models BERT,XLM --seq 1K,2K,1M\n  fusemax reproduce --fidelity physical --auto-designs --no-figures')
    .action(
      action(async (opts: ReproduceOptions) => {
        const fidelity = parseFidelityArg(opts.fidelity);
        const lib = loadLibrary();
        const models = listArg(opts.models);
        const seqs = listArg(opts.seq)?.map((s) => parseSeq(s, lib.workloads).label);
        const bar = process.stderr.isTTY ? new SingleBar({ format: 'reproduce [{bar}] {value}/{total} evaluations', hideCursor: true, clearOnComplete: true, stream: process.stderr }) : undefined;
        let started = false;
        const progress = (done: number, total: number): void => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        };
        // The cascades the configurations' designs name (attention-1pass, attention-3pass).
        const autoDesigns = opts.autoDesigns
          ? new Map(ATTENTION.map((a) => designOf(lib, a.design).spec.cascade).filter((c): c is string => c !== undefined).map((c) => [c, loadCascadeArg(c).cascade]))
          : undefined;
        const autoBar = autoDesigns && process.stderr.isTTY ? new SingleBar({ format: 'automatic designs [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: true, stream: process.stderr }) : undefined;
        let autoStarted = false;
        const autoProgress = (done: number, total: number): void => {
          if (!autoBar) return;
          if (!autoStarted) {
            bar?.stop();
            autoBar.start(total, 0);
            autoStarted = true;
          }
          autoBar.update(done);
        };
        let run: ReproduceRun;
        try {
          run = await runReproduction(lib, fidelity, { ...(models ? { models } : {}), ...(seqs ? { seqs } : {}), figures: opts.figures, png: opts.png, progress, ...(autoDesigns ? { autoDesigns, autoProgress } : {}) });
        } finally {
          bar?.stop();
          autoBar?.stop();
        }
        writeFilesAtomic(opts.out, run.files);
        process.stdout.write(`wrote ${run.files.length} files to ${opts.out}/ (fidelity ${fidelity}; model ${run.modelSeconds.toFixed(2)} s, rendering ${run.renderSeconds.toFixed(2)} s)\n`);
      }),
    );
}
