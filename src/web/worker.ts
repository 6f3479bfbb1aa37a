/**
 * @file The page's compute worker: answers one request at a time with the pure functions of
 * compute.ts, so optimizing, running, evaluating designs and reproducing the paper never block typing.
 * The built-in library is loaded once, on the first request that needs it.
 */
import { UserError } from '../diagnostics/diagnostic.ts';
import type { Library } from '../experiments/paper.ts';
import { compute } from './compute.ts';
import { builtinLibrary } from './library.ts';
import type { Request, Response } from './protocol.ts';

/** The dedicated worker's global scope, as far as this module uses it. */
const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<Request>) => void) | null; postMessage(message: Response): void };

let library: Library | undefined;

scope.onmessage = (e) => {
  const req = e.data;
  try {
    library ??= builtinLibrary();
    const handler = compute[req.kind] as (args: typeof req.args, lib: Library) => unknown;
    scope.postMessage({ id: req.id, ok: true, result: handler(req.args, library) });
  } catch (err) {
    if (err instanceof UserError) scope.postMessage({ id: req.id, ok: false, diagnostics: err.diagnostics });
    else scope.postMessage({ id: req.id, ok: false, internal: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
};
