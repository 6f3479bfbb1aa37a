/**
 * @file The `fusemax` commands: each listed with its name, arguments and one-line summary; its module
 * (options and action) is loaded only when that command runs, so that `fusemax --help` and a quick
 * command do not pay for the heavy ones (vega, resvg, the experiments).
 */
import { Command } from 'commander';

/** A command as the top-level help lists it; `load` brings its module, whose `configure` adds the rest. */
export interface CommandEntry {
  readonly name: string;
  /** The positional arguments as commander writes them ('<file>'); the module adds their descriptions. */
  readonly args: string;
  readonly summary: string;
  readonly load: () => Promise<{ configure(command: Command): void }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'check', args: '<file>', summary: 'parse and check a cascade; print its tensors, ranks, shapes and Einsums', load: () => import('./check.ts') },
  { name: 'print', args: '<file>', summary: 'print a cascade: canonical text (default), EDGE Unicode (--unicode) or LaTeX (--latex)', load: () => import('./print.ts') },
  { name: 'run', args: '<file>', summary: 'run a cascade on .npy inputs or seeded random normal data (reference executor, exact EDGE semantics)', load: () => import('./run.ts') },
  { name: 'passes', args: '<file>', summary: 'pass analysis: passes over every rank, the dependency chains that force them, and what tensors live across passes cost', load: () => import('./passes.ts') },
  { name: 'demo', args: '', summary: 'check, analyse and run the built-in attention cascades against a float64 textbook attention', load: () => import('./demo.ts') },
  { name: 'model', args: '', summary: "count accesses, cycles and energy of an Einsum's mapping on an architecture (Timeloop-compatible)", load: () => import('./model.ts') },
  { name: 'optimize', args: '<file>', summary: 'rewrite a cascade to make fewer passes over a rank, down to its lower bound (defer, expand, split, partition, online normalization), verified on random data', load: () => import('./optimize.ts') },
  { name: 'tradeoff', args: '<file>', summary: 'keep on chip, re-read, or recompute: the costs of every tensor live across passes and the Pareto frontier for the cascade', load: () => import('./tradeoff.ts') },
  { name: 'reproduce', args: '', summary: 'reproduce the FuseMax evaluation (CSVs, Figures 6a–12 as SVG and PNG, summary.md) from the declarative designs', load: () => import('./reproduce.ts') },
  { name: 'evaluate', args: '', summary: 'evaluate one design (specs/designs/NAME.yaml or a file) on one model at one sequence length', load: () => import('./evaluate.ts') },
  { name: 'map', args: '', summary: 'find the best mapping of a Timeloop problem on its architecture under its constraints (exact branch and bound)', load: () => import('./map.ts') },
  { name: 'design', args: '<cascade>', summary: 'derive a design of a cascade on a hardware description: fusion, binding, mappings and schedule, in the specs/designs format', load: () => import('./design.ts') },
  { name: 'explore', args: '', summary: 'the explorer page in the browser: editor, passes, optimize, run, designs and the paper figures, all computed in the page', load: () => import('./explore.ts') },
];

/** The command a command line asks for: the first word that is not an option (after `help`, the next one). */
export function invokedCommand(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** The program for a command line, with only the invoked command's module loaded. */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command();
  program
    .name('fusemax')
    .description('Cascades of extended Einsums: check, print, run, analyse passes, model accelerators, reproduce FuseMax.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const wanted = invokedCommand(argv);
  for (const entry of COMMANDS) {
    const command = program.command(entry.name).description(entry.summary).exitOverride();
    if (entry.name === wanted) (await entry.load()).configure(command);
    else if (entry.args) command.arguments(entry.args);
  }
  return program;
}

