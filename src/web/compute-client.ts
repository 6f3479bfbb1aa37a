/**
 * @file The page's side of the compute worker: typed requests that resolve with the result or reject
 * with the diagnostics. The worker starts on the first request (the cascade view never needs it). A
 * `latest` channel drops answers that a newer request of the same channel has superseded, so a slider
 * dragged quickly shows only its last position.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Kind, Request, Requests, Response } from './protocol.ts';

/** A user error found by the worker: the diagnostics to show. */
export class ComputeError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  }
}

/** An answer superseded by a newer request of its channel. */
export class Superseded extends Error {}

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

function ensureWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./worker.js', document.baseURI), { type: 'module', name: 'fusemax-compute' });
  worker.onmessage = (e: MessageEvent<Response>) => {
    const r = e.data;
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (r.ok) p.resolve(r.result);
    else if ('diagnostics' in r) p.reject(new ComputeError(r.diagnostics));
    else p.reject(new Error(`internal error in the compute worker (please report): ${r.internal}`));
  };
  // A worker that cannot start (its file unreachable) or dies answers nothing: fail what waits on it.
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    const err = new Error(`the compute worker failed: ${e.message || 'it could not be loaded'}`);
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker?.terminate();
    worker = undefined;
  };
  return worker;
}

export function request<K extends Kind>(kind: K, args: Requests[K]['req']): Promise<Requests[K]['res']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    ensureWorker().postMessage({ id, kind, args } as Request);
  });
}

/** A channel whose older answers are dropped (rejected with Superseded) once a newer one is asked. */
export function latest<K extends Kind>(kind: K): (args: Requests[K]['req']) => Promise<Requests[K]['res']> {
  let generation = 0;
  return async (args) => {
    const mine = ++generation;
    const settled = await request(kind, args).then((value) => ({ value }), (error: unknown) => ({ error }));
    if (mine !== generation) throw new Superseded();
    if ('error' in settled) throw settled.error;
    return settled.value;
  };
}
