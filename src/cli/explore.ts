/**
 * @file `fusemax explore [--port 4173] [--host 127.0.0.1] [--open]`: the explorer page (src/web/) on a
 * local web server that only serves its files (everything is computed in the browser); `fusemax
 * explore --build DIR` writes the page as a static site instead. The page is bundled by esbuild
 * (explore-build.ts) when it is missing or older than its sources.
 */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { fail } from '../diagnostics/diagnostic.ts';
import { action } from './run-command.ts';
import type { SiteFile } from './explore-build.ts';

interface ExploreOptions {
  port: string;
  host: string;
  open?: boolean;
  build?: string;
}

function parsePort(text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > 65535) fail('FM950', `--port must be an integer from 0 to 65535, not '${text}'`, undefined, '0 picks a free port');
  return Number(text);
}

/** Open a URL in the desktop's browser; a machine without one only misses the convenience. */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`could not open a browser (${cmd}); open ${url} yourself\n`));
  child.unref();
}

function kib(n: number): string {
  return `${(n / 1024).toFixed(0)} KiB`;
}

/** The command's options and action (commands.ts gives it its name and summary). */
export function configure(command: Command): void {
  command
    .option('--port <n>', 'port to listen on (0: any free port)', '4173')
    .option('--host <address>', 'address to listen on (the default serves this machine only)', '127.0.0.1')
    .option('--open', 'open the page in the default browser')
    .option('--build <dir>', 'write the page as a static site into DIR (works from any static host, and offline once loaded) instead of serving it')
    .addHelpText('after', '\nExamples:\n  fusemax explore --open\n  fusemax explore --port 8080\n  fusemax explore --build site/')
    .action(action(async (opts: ExploreOptions) => {
      const { buildSite, ensureDefaultSite } = await import('./explore-build.ts');
      if (opts.build !== undefined) {
        const site = await buildSite(opts.build);
        const sum = (files: readonly SiteFile[]) => ({ raw: files.reduce((a, f) => a + f.bytes, 0), gzip: files.reduce((a, f) => a + f.gzipBytes, 0) });
        const all = sum(site.files);
        const first = sum(site.files.filter((f) => site.initial.includes(f.path)));
        process.stdout.write(`wrote ${site.files.length} files to ${opts.build} (${kib(all.raw)}, ${kib(all.gzip)} gzip; the first view loads ${kib(first.raw)}, ${kib(first.gzip)} gzip)\n`);
        return;
      }
      const port = parsePort(opts.port);
      const { serveSite } = await import('./explore-server.ts');
      const { dir, rebuilt } = await ensureDefaultSite();
      if (rebuilt) process.stderr.write(`built the page into ${dir}\n`);
      const { url } = await serveSite(dir, opts.host, port);
      process.stdout.write(`FuseMax explorer at ${url} (Ctrl+C to stop)\n`);
      if (!['127.0.0.1', 'localhost', '::1'].includes(opts.host)) process.stderr.write(`note: listening on ${opts.host}, so other machines can load the page\n`);
      if (opts.open) openBrowser(url);
    }));
}
