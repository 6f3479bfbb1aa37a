/**
 * @file Entry point of the `fusemax` command: builds the commander program from one module per
 * command and maps commander's own usage errors to exit status 2.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_USER } from './run-command.ts';
import { registerCheckCommand } from './check.ts';
import { registerPrintCommand } from './print.ts';
import { registerRunCommand } from './run.ts';
import { registerPassesCommand } from './passes.ts';
import { registerDemoCommand } from './demo.ts';
import { registerModelCommand } from './model.ts';
import { registerOptimizeCommand } from './optimize.ts';
import { registerTradeoffCommand } from './tradeoff.ts';
import { registerReproduceCommand } from './reproduce.ts';
import { registerEvaluateCommand } from './evaluate.ts';
import { registerDesignCommand } from './design.ts';

const program = new Command();
program
  .name('fusemax')
  .description('Cascades of extended Einsums: check, print, run, analyse passes, model accelerators, reproduce FuseMax.')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const commands: Array<(p: Command) => void> = [registerCheckCommand, registerPrintCommand, registerRunCommand, registerPassesCommand, registerDemoCommand, registerModelCommand, registerOptimizeCommand, registerTradeoffCommand, registerReproduceCommand, registerEvaluateCommand, registerDesignCommand];
for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are successes; every other commander error is a usage error.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USER;
  } else {
    throw err;
  }
}
