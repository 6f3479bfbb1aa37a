/**
 * @file The reproduction as CSV text, in the published files' exact column names and row order
 * (fusemax-model.md §7.1): attn-{unfused,flat,cascade,arch,binding}.csv, end2end-{flat,proposal}.csv,
 * pareto.csv. Numbers are printed the way the artifact's Python printed them (shortest round-trip
 * `repr`, e.g. `1.0`, `2.5e-05`, `1.0484918676489974e+16`; traffic as an integer when it is one), so
 * that the files can be compared with the published ones line by line.
 */
import { stringify } from 'csv-stringify/sync';
import { ATTENTION, LINEAR, type Reproduction } from '../experiments/paper.ts';

export interface CsvFile {
  readonly name: string;
  readonly text: string;
}

/** Python's repr() of a float. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** An integer as Python's int prints it when it is one, else the float repr. */
export function pyNumber(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 2 ** 53 ? String(x) : pyFloat(x);
}

function csv(header: readonly string[], rows: readonly (readonly string[])[], trailingComma = false): string {
  return header.join(',') + (trailingComma ? ',' : '') + '\n' + stringify(rows as string[][], { eof: true, record_delimiter: '\n' });
}

export function reproductionCsvs(r: Reproduction): CsvFile[] {
  const out: CsvFile[] = [];
  for (const a of ATTENTION) {
    const rows = (r.attention.get(a.key) ?? []).map(({ model, seq, result }) => [
      model,
      seq,
      pyNumber(result.traffic),
      pyFloat(result.latency),
      pyFloat(result.energy),
      pyFloat(result.utilization.get('2d') ?? 0),
      pyFloat(result.utilization.get('1d') ?? 0),
      ...a.columns.map((c) => pyFloat(result.einsumUtilization.get(c) ?? 0)),
    ]);
    // The published unfused file's header ends in a comma (an empty column name).
    out.push({ name: `attn-${a.key}.csv`, text: csv(['model', 'seq_len', 'traffic', 'latency', 'energy', 'util_2d', 'util_1d', ...a.columns], rows, a.columns.length === 0) });
  }
  for (const l of LINEAR) {
    const rows = (r.linear.get(l.key) ?? []).map(({ model, seq, result }) => [model, seq, pyNumber(result.traffic), pyFloat(result.latency), pyFloat(result.energy)]);
    out.push({ name: `end2end-${l.key}.csv`, text: csv(['model', 'seq_len', 'traffic', 'latency', 'energy'], rows) });
  }
  if (r.pareto.length > 0) {
    const rows = r.pareto.map((p) => ['proposal', p.model, String(p.pe), pyNumber(p.traffic), pyFloat(p.memLatency), pyFloat(p.compute2d), pyFloat(p.compute1d), pyFloat(p.latency), pyFloat(p.array2dArea), pyFloat(p.area)]);
    out.push({ name: 'pareto.csv', text: csv(['accel', 'model', 'PE_dim', 'traffic', 'mem_lat', 'comp_2d_lat', 'comp_1d_lat', 'latency', 'array_2d_area', 'area'], rows) });
  }
  return out;
}
