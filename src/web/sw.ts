/**
 * @file The explorer's service worker: on install it stores every file of the site (the list and the
 * version are written into it by the build); when the server cannot be reached it answers the site's
 * requests from that store, so the page and its lazily loaded parts (charts, worker) work with the
 * network off once loaded. A new build
 * has a new version: its worker takes over, and drops the old store, once no page of the old version is
 * open (a page keeps the files it started with, so its lazy parts never mix two builds).
 */

declare const __PRECACHE__: readonly string[];
declare const __VERSION__: string;

/** The parts of the service worker global scope used here. */
interface ExtendableEvent extends Event { waitUntil(p: Promise<unknown>): void }
interface FetchEvent extends ExtendableEvent { readonly request: Request; respondWith(r: Promise<Response>): void }
const sw = globalThis as unknown as {
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  clients: { claim(): Promise<void> };
  registration: { scope: string };
};

const CACHE = `fusemax-explore-${__VERSION__}`;

sw.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll([...__PRECACHE__])));
});

sw.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('fusemax-explore-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => sw.clients.claim()));
});

/** The stored copy of a request, else `otherwise` (the server's own answer), else a network error. */
async function stored(request: Request, otherwise?: Response): Promise<Response> {
  const hit = await (await caches.open(CACHE)).match(request, { ignoreSearch: true });
  return hit ?? otherwise ?? Response.error();
}

// Network first (a rebuilt site shows on the next reload), the store when the server cannot be reached.
sw.addEventListener('fetch', (e) => {
  if (e.request.method !== 'GET' || !e.request.url.startsWith(sw.registration.scope)) return;
  e.respondWith(fetch(e.request).then((r) => (r.ok || r.status === 304 ? r : stored(e.request, r)), () => stored(e.request)));
});
