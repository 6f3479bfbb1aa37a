// Prints the mutation score of every report in mutation/ (a folder's, or the per-file reports of a large
// folder added up, then each file), as in docs/testing.md. Score = detected / (detected + survived + no
// coverage), detected = killed + timed out; ignored mutants and mutants that crash module loading are
// left out.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function count(files) {
  const n = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, RuntimeError: 0, CompileError: 0, Ignored: 0 };
  for (const f of files) for (const file of Object.values(JSON.parse(readFileSync(f, 'utf8')).files)) for (const m of file.mutants) n[m.status] = (n[m.status] ?? 0) + 1;
  return n;
}

function row(label, n) {
  const detected = n.Killed + n.Timeout;
  const scored = detected + n.Survived + n.NoCoverage;
  return `| ${label} | ${scored ? `${((100 * detected) / scored).toFixed(1)}%` : '—'} | ${n.Killed} | ${n.Timeout} | ${n.Survived} | ${n.NoCoverage} | ${n.RuntimeError + n.CompileError} | ${n.Ignored} |`;
}

console.log('| folder | score | killed | timed out | survived | no coverage | errors | ignored |');
console.log('|---|---|---|---|---|---|---|---|');
for (const entry of readdirSync('mutation').sort()) {
  const path = join('mutation', entry);
  if (!statSync(path).isDirectory()) {
    console.log(row(`src/${entry.replace(/\.json$/, '')}`, count([path])));
    continue;
  }
  // A folder measured file by file: the files added up, then each file.
  const files = readdirSync(path).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f));
  console.log(row(`src/${entry} (${files.length} files)`, count(files)));
  for (const f of files) console.log(row(`  src/${entry}/${f.replace(/^.*\//, '').replace(/\.json$/, '.ts')}`, count([f])));
}
