/**
 * @file The explorer's web server: serves the files of a built site and nothing else. The files are
 * read into memory when it starts (a site is a few MB), so only those paths exist: no path from a
 * request ever reaches the file system. GET and HEAD only; gzip when the browser accepts it; ETags;
 * hashed chunks are cached for good, everything else is revalidated. It binds to 127.0.0.1 by default.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fail, UserError } from '../diagnostics/diagnostic.ts';
import { SITE_MARKER } from './explore-build.ts';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Entry {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly immutable: boolean;
}

/** Every file of the site by URL path (`/`, `/main.js`, `/chunks/x-HASH.js`). */
export function loadSite(dir: string): Map<string, Entry> {
  const site = new Map<string, Entry>();
  const walk = (sub: string): void => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) { walk(rel); continue; }
      if (rel === SITE_MARKER) continue;
      const body = readFileSync(join(dir, rel));
      site.set(`/${rel}`, {
        body,
        gzip: gzipSync(body, { level: 9 }),
        type: TYPES[extname(rel)] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: rel.startsWith('chunks/'),
      });
    }
  };
  walk('');
  const index = site.get('/index.html');
  if (!index) fail('FM954', `'${dir}' is not a built explorer site (no index.html)`, undefined, 'build one with `fusemax explore --build DIR`');
  site.set('/', index);
  return site;
}

function respond(site: ReadonlyMap<string, Entry>, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('bad request\n');
    return;
  }
  const entry = site.get(path);
  if (!entry) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  const headers: Record<string, string> = {
    'Content-Type': entry.type,
    ETag: entry.etag,
    'Cache-Control': entry.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    Vary: 'Accept-Encoding',
  };
  if (req.headers['if-none-match'] === entry.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? entry.gzip : entry.body;
  if (gzip) headers['Content-Encoding'] = 'gzip';
  headers['Content-Length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Serve the site in `dir`; resolves once listening, with the page's URL. */
export function serveSite(dir: string, host: string, port: number): Promise<{ server: Server; url: string }> {
  const site = loadSite(dir);
  const server = createServer((req, res) => respond(site, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? `port ${port} is in use` : err.code === 'EACCES' ? `no permission to listen on port ${port}` : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' ? `'${host}' is not an address of this machine` : err.message;
      reject(new UserError({ code: 'FM952', message: `cannot serve the explorer on ${host}:${port}: ${why}`, hint: '--port 0 picks a free port; --host 127.0.0.1 serves this machine only' }));
    });
    server.listen(port, host, () => {
      const addr = server.address();
      const actual = addr && typeof addr === 'object' ? addr.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({ server, url: `http://${shown}:${actual}/` });
    });
  });
}
