/**
 * @file Building the explorer page (src/web/) into a static site: esbuild bundles the page, its compute
 * worker and its service worker for the browser, with the built-in library of specs/ (cascades,
 * designs, workloads) embedded as generated modules (`fusemax:cascades`, ...), so the page reads the
 * same files the CLI reads from disk. The result is a plain folder (index.html, main.js, worker.js, sw.js,
 * hashed chunks) that works from any static host and, once loaded, offline.
 *
 * A browser bundle must not pull in any `node:*` module: the build runs for the browser platform, where
 * such an import cannot resolve, so a core module that starts doing I/O fails the build (an internal
 * error: it is a bug).
 */
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fail } from '../diagnostics/diagnostic.ts';
import { replaceDirectory, type OutputFile } from './io.ts';
import { PACKAGE_ROOT, SPECS_DIR } from './package-root.ts';

const ROOT = PACKAGE_ROOT;
const WEB = join(ROOT, 'src', 'web');
const SPECS = SPECS_DIR;
/** Where `npm run build:web` puts the site and where `fusemax explore` serves it from (beside dist/, which the CLI's build replaces whole). */
export const DEFAULT_SITE_DIR = join(ROOT, 'dist-web');
/** A file every built site carries, so that a rebuild may replace a folder it made and nothing else. */
export const SITE_MARKER = '.fusemax-explore';

export interface SiteFile {
  /** Path inside the site, with forward slashes (e.g. `chunks/vega-AB12.js`). */
  readonly path: string;
  readonly bytes: number;
  /** Its size gzip-compressed (level 9), as the server sends it. */
  readonly gzipBytes: number;
}

export interface BuiltSite {
  readonly dir: string;
  readonly files: readonly SiteFile[];
  /** What the first view loads: index.html and the static imports of main.js (lazy chunks excluded). */
  readonly initial: readonly string[];
  /** Hash of every file's content: the service worker's cache version. */
  readonly version: string;
}

function textFiles(dir: string, ext: string): Array<{ name: string; file: string; text: string }> {
  return readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => ({ name: basename(f, ext), file: relative(ROOT, join(dir, f)), text: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * `fusemax:cascades`, `fusemax:designs`, `fusemax:workloads`: the built-in library's texts, read from
 * specs/ at build time (three modules, so the page's first download carries the cascades only).
 */
const specsPlugin: Plugin = {
  name: 'fusemax-specs',
  setup(b) {
    const sources = {
      cascades: () => textFiles(join(SPECS, 'cascades'), '.cascade'),
      designs: () => textFiles(join(SPECS, 'designs'), '.yaml'),
      workloads: () => textFiles(join(SPECS, 'workloads'), '.yaml'),
    };
    b.onResolve({ filter: /^fusemax:(cascades|designs|workloads)$/ }, (args) => ({ path: args.path.slice('fusemax:'.length), namespace: 'fusemax' }));
    b.onLoad({ filter: /.*/, namespace: 'fusemax' }, (args) => {
      const kind = args.path as keyof typeof sources;
      return { contents: `export default ${JSON.stringify(sources[kind]())};`, loader: 'js', watchDirs: [join(SPECS, kind)] };
    });
  },
};

/** The files main.js loads before anything else: itself, its style sheet and its static imports, transitively. */
function initialFiles(meta: Metafile, outRoot: string): string[] {
  const out = new Set<string>();
  const visit = (file: string): void => {
    const key = sitePath(outRoot, file);
    if (out.has(key)) return;
    out.add(key);
    const o = meta.outputs[file];
    if (!o) return;
    if (o.cssBundle) out.add(sitePath(outRoot, o.cssBundle));
    for (const imp of o.imports) if (imp.kind === 'import-statement') visit(imp.path);
  };
  const main = Object.keys(meta.outputs).find((f) => meta.outputs[f]?.entryPoint?.endsWith('src/web/main.ts'));
  if (main) visit(main);
  return [...out];
}

/** A built file's path inside the site, with forward slashes. */
function sitePath(outRoot: string, file: string): string {
  return relative(outRoot, file).split('\\').join('/');
}

function bundleError(err: unknown): Error {
  // A page that does not bundle for the browser is a bug (e.g. a core module doing I/O), not a user error.
  const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors;
  if (!errors) return err as Error;
  return new Error(`the explorer page does not bundle for the browser: ${errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('; ')}`);
}

/**
 * Build the site into `outDir`: bundled in memory, then written all or nothing (io.ts). An existing
 * `outDir` is replaced only if it is empty or a site built here.
 */
export async function buildSite(outDir: string): Promise<BuiltSite> {
  if (existsSync(outDir)) {
    if (!statSync(outDir).isDirectory()) fail('FM953', `cannot build the site into '${outDir}': it is a file`);
    if (readdirSync(outDir).length > 0 && !existsSync(join(outDir, SITE_MARKER))) {
      fail('FM953', `refusing to build into '${outDir}': the folder is not empty and was not built by fusemax explore`, undefined, 'name a new or empty folder');
    }
  }
  const outRoot = resolve(outDir);
  const common: BuildOptions = { bundle: true, format: 'esm', platform: 'browser', target: ['chrome111', 'firefox115', 'safari16.4'], minify: true, legalComments: 'none', logLevel: 'silent' };
  const page = await build({
    ...common,
    entryPoints: { main: join(WEB, 'main.ts'), worker: join(WEB, 'worker.ts') },
    write: false,
    outdir: outRoot,
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    loader: { '.woff2': 'file' },
    plugins: [specsPlugin],
    metafile: true,
  }).catch((err: unknown) => { throw bundleError(err); });

  const files: OutputFile[] = page.outputFiles.map((f) => ({ name: sitePath(outRoot, f.path), data: f.contents }));
  files.push({ name: 'index.html', data: readFileSync(join(WEB, 'index.html')) });
  files.sort((a, b) => (a.name < b.name ? -1 : 1));

  // The service worker precaches every other file; its version is the hash of them all.
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.name).update(f.data);
  const version = hash.digest('hex').slice(0, 16);
  const sw = await build({
    ...common,
    entryPoints: { sw: join(WEB, 'sw.ts') },
    write: false,
    outdir: outRoot,
    entryNames: '[name]',
    define: { __PRECACHE__: JSON.stringify(['./', ...files.map((f) => f.name).filter((n) => n !== 'index.html')]), __VERSION__: JSON.stringify(version) },
  }).catch((err: unknown) => { throw bundleError(err); });
  files.push(...sw.outputFiles.map((f) => ({ name: sitePath(outRoot, f.path), data: f.contents })));

  replaceDirectory(outDir, [...files, { name: SITE_MARKER, data: 'built by fusemax explore --build; safe to delete\n' }]);
  return {
    dir: outDir,
    files: files.map((f) => {
      const data = typeof f.data === 'string' ? Buffer.from(f.data) : f.data;
      return { path: f.name, bytes: data.length, gzipBytes: gzipSync(data, { level: 9 }).length };
    }).sort((a, b) => (a.path < b.path ? -1 : 1)),
    initial: ['index.html', ...initialFiles(page.metafile, outRoot)],
    version,
  };
}

/** Newest modification time of the page's sources (src/, specs/): a site older than this is stale. */
export function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of [join(ROOT, 'src'), SPECS]) if (existsSync(d)) walk(d);
  return newest;
}

/** The default site, rebuilt when missing or older than the sources it comes from. */
export async function ensureDefaultSite(): Promise<{ dir: string; rebuilt: boolean }> {
  const marker = join(DEFAULT_SITE_DIR, SITE_MARKER);
  const fresh = existsSync(marker) && existsSync(join(ROOT, 'src')) ? statSync(marker).mtimeMs >= newestSource() : existsSync(marker);
  if (fresh) return { dir: DEFAULT_SITE_DIR, rebuilt: false };
  await buildSite(DEFAULT_SITE_DIR);
  return { dir: DEFAULT_SITE_DIR, rebuilt: true };
}
