// Prints the mutation score of every report in mutation/ (a folder's, or the per-file reports of a large
// folder added up), as in docs/testing.md. Score = detected / (detected + survived + no coverage),
// detected = killed + timed out; ignored mutants and mutants that crash module loading are left out.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const reports = new Map();
for (const entry of readdirSync('mutation')) {
  const path = join('mutation', entry);
  const files = statSync(path).isDirectory() ? readdirSync(path).filter((f) => f.endsWith('.json')).map((f) => join(path, f)) : [path];
  // A folder measured file by file is labelled with the files it has reports for.
  const label = statSync(path).isDirectory() ? `${entry}: ${files.map((f) => f.replace(/^.*\//, '').replace(/\.json$/, '')).join(', ')}` : entry.replace(/\.json$/, '');
  reports.set(label, files);
}
console.log('| folder | score | killed | timed out | survived | no coverage | errors | ignored |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [folder, files] of [...reports].sort()) {
  const n = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, RuntimeError: 0, CompileError: 0, Ignored: 0 };
  for (const f of files) for (const file of Object.values(JSON.parse(readFileSync(f, 'utf8')).files)) for (const m of file.mutants) n[m.status] = (n[m.status] ?? 0) + 1;
  const detected = n.Killed + n.Timeout;
  const score = (100 * detected) / (detected + n.Survived + n.NoCoverage);
  console.log(`| src/${folder} | ${score.toFixed(1)}% | ${n.Killed} | ${n.Timeout} | ${n.Survived} | ${n.NoCoverage} | ${n.RuntimeError + n.CompileError} | ${n.Ignored} |`);
}
