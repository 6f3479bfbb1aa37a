/**
 * @file `fusemax print FILE [--unicode|--latex]`: print a checked cascade in canonical text (the
 * default), the EDGE Unicode form, or LaTeX.
 */
import type { Command } from 'commander';
import { fail } from '../diagnostics/diagnostic.ts';
import { printCascade } from '../notation/print.ts';
import { action } from './run-command.ts';
import { loadCascadeArg } from './cascade-file.ts';

/** The command's arguments, options and action (main.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .argument('<file>', 'a .cascade file or a built-in cascade name')
    .option('--unicode', 'EDGE notation with ⋀ ⋁ × ÷ ∩ ∪ ⋄ and every action spelled out')
    .option('--latex', 'a LaTeX align* environment')
    .action(action((file: string, opts: { unicode?: boolean; latex?: boolean }) => {
      if (opts.unicode && opts.latex) fail('FM902', 'choose one of --unicode and --latex');
      const { cascade } = loadCascadeArg(file);
      process.stdout.write(printCascade(cascade, opts.latex ? 'latex' : opts.unicode ? 'unicode' : 'text'));
    }));
}
