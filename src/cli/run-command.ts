/**
 * @file How every CLI command ends: user errors are printed as diagnostics with exit status 2 (no stack
 * trace), anything else is an internal error with status 1 and its stack.
 */
import { formatDiagnostic, UserError } from '../diagnostics/diagnostic.ts';

/** Exit statuses of the `fusemax` command. */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USER = 2;

/** Print an error the way the CLI reports it and return the exit status it deserves. */
export function reportError(err: unknown): number {
  if (err instanceof UserError) {
    for (const d of err.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    return EXIT_USER;
  }
  process.stderr.write(`internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT_INTERNAL;
}

/** Wrap a command action so that its errors are reported and set the exit status. */
export function action<A extends unknown[]>(fn: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.exitCode = reportError(err);
    }
  };
}
