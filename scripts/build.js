// Compiles the CLI to JavaScript in dist/ (run by `npm ci` through the `prepare` script, and by
// `npm test`): src/cli/main.ts bundled with esbuild, one chunk per command so that each command loads
// only its own code; dependencies stay in node_modules. Written to a temporary folder, then swapped in,
// so an interrupted build never leaves a half-written dist/.
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const tmp = join(root, `.dist-${process.pid}.tmp`);

try {
  await build({
    absWorkingDir: root,
    // The mapper's worker threads start from their own entry (dist/map-worker.js).
    entryPoints: ['src/cli/main.ts', 'src/cli/map-worker.ts'],
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies are bundled too (fewer files to load at start-up), except the native PNG renderer
    // and the font package, which are found on disk at run time, and esbuild (`fusemax explore` bundles
    // the page with it), which finds its own binary from where it is installed.
    external: ['@resvg/resvg-js', 'dejavu-fonts-ttf', 'esbuild'],
    // Bundled CommonJS dependencies (yaml) call require(): give the ESM bundle one.
    banner: { js: "import { createRequire as __fusemaxRequire } from 'node:module'; const require = __fusemaxRequire(import.meta.url);" },
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
