/**
 * @file Entry point of the `fusemax` command: builds the program (commands.ts), runs it, and maps
 * commander's usage errors to exit status 2 and anything thrown to a reported error.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './commands.ts';
import { EXIT_USER, reportError } from './run-command.ts';

try {
  const argv = process.argv.slice(2);
  await (await buildProgram(argv)).parseAsync(argv, { from: 'user' });
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are successes; every other commander error is a usage error.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USER;
  } else {
    process.exitCode = reportError(err);
  }
}
