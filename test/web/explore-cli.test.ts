/**
 * `fusemax explore` without a browser: the server serves the site's files and nothing else (no path
 * reaches the file system), with gzip, ETags and cache headers; `--build DIR` never writes over what it
 * did not build; bad options and busy ports are user errors (exit status 2).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { buildSite, SITE_MARKER } from '../../src/cli/explore-build.ts';
import { loadSite, serveSite } from '../../src/cli/explore-server.ts';
import { replaceDirectory } from '../../src/cli/io.ts';
import { runProcess, BIN } from '../helpers/cli.ts';


interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function get(url: string, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

let work: string;
let server: Server;
let url: string;
const INDEX = '<!doctype html><title>site</title>';
const CHUNK = 'export const x = 1;\n'.repeat(50);

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'fusemax-explore-cli-'));
  const site = join(work, 'site');
  mkdirSync(join(site, 'chunks'), { recursive: true });
  writeFileSync(join(site, 'index.html'), INDEX);
  writeFileSync(join(site, 'chunks', 'a-HASH.js'), CHUNK);
  writeFileSync(join(site, SITE_MARKER), 'marker');
  writeFileSync(join(work, 'secret.txt'), 'not for the web');
  ({ server, url } = await serveSite(site, '127.0.0.1', 0));
});

after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(work, { recursive: true, force: true });
});

test('serves the site: index at /, types, revalidated pages and immutable chunks, gzip, ETag, HEAD', async () => {
  const index = await get(url, '/');
  assert.equal(index.status, 200);
  assert.equal(index.body.toString(), INDEX);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.equal(index.headers['x-content-type-options'], 'nosniff');

  const zipped = await get(url, '/chunks/a-HASH.js', { headers: { 'accept-encoding': 'gzip, br' } });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(zipped.body).toString(), CHUNK);
  assert.ok(zipped.body.length < CHUNK.length / 5);
  assert.equal(zipped.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(zipped.headers['content-type'], 'text/javascript; charset=utf-8');

  const again = await get(url, '/chunks/a-HASH.js', { headers: { 'if-none-match': String(zipped.headers['etag']) } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);

  const head = await get(url, '/index.html', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(INDEX.length));
  assert.equal(head.body.length, 0);
});

test('nothing but the site: no traversal, no marker, no other methods, malformed paths refused', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/chunks/../../secret.txt', `/${SITE_MARKER}`, '/nothing.js']) {
    const r = await get(url, path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body.toString(), /not for the web/);
  }
  assert.equal((await get(url, '/%E0%A4%A')).status, 400);
  const post = await get(url, '/', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers['allow'], 'GET, HEAD');
});

test('a busy port and a folder that is no site are user errors (FM952, FM954)', async () => {
  const port = new URL(url).port;
  await assert.rejects(serveSite(join(work, 'site'), '127.0.0.1', Number(port)), (err: unknown) => err instanceof UserError && err.diagnostics[0]?.code === 'FM952' && /port \d+ is in use/.test(err.message));
  assert.throws(() => loadSite(work), (err: unknown) => err instanceof UserError && err.diagnostics[0]?.code === 'FM954');
});

test('explore --build refuses a folder it did not build, and a file, leaving both as they were (FM953)', async () => {
  // The successful build is what `npm ci` runs (prepare → build:web) and what test/web/explore.test.ts serves.
  const foreign = join(work, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'keep.txt'), 'mine');
  const refused = runProcess('explore', '--build', foreign);
  assert.equal(refused.status, 2);
  assert.match(refused.err, /error FM953: refusing to build into .*: the folder is not empty and was not built by fusemax explore/);
  assert.equal(refused.out, '');
  assert.deepEqual(readdirSync(foreign), ['keep.txt']);
  await assert.rejects(buildSite(join(work, 'secret.txt')), (err: unknown) => err instanceof UserError && /FM953: cannot build the site into .*: it is a file/.test(err.message));
  assert.equal(readFileSync(join(work, 'secret.txt'), 'utf8'), 'not for the web');
  assert.deepEqual(readdirSync(work).filter((f) => f.endsWith('.tmp')), []);
});

test('the site is written all or nothing: a tree replaces the old one whole; an unwritable place is FM910', () => {
  const dir = join(work, 'tree');
  replaceDirectory(dir, [{ name: 'index.html', data: 'one' }, { name: 'chunks/a.js', data: 'a' }]);
  replaceDirectory(dir, [{ name: 'index.html', data: 'two' }, { name: 'chunks/b.js', data: 'b' }]);
  assert.deepEqual(readdirSync(dir, { recursive: true }).sort(), ['chunks', 'chunks/b.js', 'index.html']);
  assert.equal(readFileSync(join(dir, 'index.html'), 'utf8'), 'two');
  assert.throws(() => replaceDirectory(join(work, 'secret.txt', 'site'), [{ name: 'index.html', data: 'x' }]), (err: unknown) => err instanceof UserError && err.diagnostics[0]?.code === 'FM910');
  assert.equal(readFileSync(join(work, 'secret.txt'), 'utf8'), 'not for the web');
  assert.deepEqual(readdirSync(work).filter((f) => f.includes('.tmp')), []);
});

test('explore --port must be a port (FM950)', () => {
  const r = runProcess('explore', '--port', 'http');
  assert.equal(r.status, 2);
  assert.match(r.err, /^error FM950: --port must be an integer from 0 to 65535, not 'http'/);
  assert.doesNotMatch(r.err, /at .*\.ts:\d+/);
});

test('explore serves the page on 127.0.0.1 and says where', async () => {
  const child = spawn(process.execPath, [BIN, 'explore', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /FuseMax explorer at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`explore exited with ${code}`)));
    });
    const page = await get(address, '/');
    assert.equal(page.status, 200);
    assert.match(page.body.toString(), /<script type="module" src="\.\/main\.js"><\/script>/);
    assert.equal((await get(address, '/main.js')).status, 200);
  } finally {
    child.kill();
  }
});
