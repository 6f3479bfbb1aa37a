/**
 * @file summary.md of a reproduction: the headline ratios of the paper (FuseMax vs FLAT and vs Unfused,
 * speedup and energy, attention and end to end, per model and means), the utilizations, and how much
 * each artifact quirk moved the published results. Pure text; deterministic (no dates, no timings).
 */
import { QUIRK_TEXT } from '../experiments/artifact-quirks.ts';
import type { Headlines, QuirkEffect, Ratio, Stat } from '../experiments/headlines.ts';
import { ATTENTION } from '../experiments/paper.ts';
import type { MapperGap } from '../experiments/mapper-hook.ts';
import type { Fidelity } from '../model/types.ts';
import type { VersusRow } from '../design/versus-hand.ts';

const LABEL: Record<string, string> = { unfused: 'Unfused', flat: 'FLAT', cascade: '+Cascade', arch: '+Architecture', binding: '+Binding (FuseMax)' };

function f(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function ratioRows(name: string, r: Ratio, unit: string): string[] {
  const per = [...r.perModel].map(([m, s]) => `${m} ${f(s.geo, 2)}${unit}`).join(', ');
  return [`| ${name} | ${f(r.all.geo, 3)}${unit} | ${f(r.all.arith, 3)}${unit} | ${f(r.all.min, 3)}–${f(r.all.max, 3)} | ${per} |`];
}

function table(h: Headlines['attention']): string[] {
  return [
    '| ratio | geometric mean | arithmetic mean | range | per model (geometric mean) |',
    '|---|---|---|---|---|',
    ...ratioRows('speedup, FuseMax vs FLAT', h.speedupVsFlat, '×'),
    ...ratioRows('speedup, FuseMax vs Unfused', h.speedupVsUnfused, '×'),
    ...ratioRows('energy, FuseMax / FLAT', h.energyVsFlat, ''),
    ...ratioRows('energy, FuseMax / Unfused', h.energyVsUnfused, ''),
  ];
}

function statText(s: Stat): string {
  return `${f(s.arith)} [${f(s.min)}–${f(s.max)}]`;
}

export interface SummaryInput {
  readonly fidelity: Fidelity;
  readonly models: readonly string[];
  readonly seqs: readonly string[];
  readonly headlines: Headlines;
  /** Present for the artifact fidelity: each quirk's effect. */
  readonly quirks?: readonly QuirkEffect[];
  /** Present with `--auto-designs`: automatic vs hand-made designs at every point. */
  readonly auto?: readonly VersusRow[];
}

function geo(xs: readonly number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

/** One row per configuration and model, one cell per length: latency and energy, automatic / hand-made. */
function autoSection(rows: readonly VersusRow[] | undefined, seqs: readonly string[]): string[] {
  const out = ['', '## Automatic vs hand-made designs', ''];
  if (!rows) {
    out.push("Not computed (about half a minute for the paper's 120 points): run `fusemax reproduce --auto-designs` for the table of `fusemax design`'s automatic design of each configuration's cascade on its hardware beside the hand-made design ([docs/design.md](../docs/design.md)).");
    return out;
  }
  out.push(
    "`fusemax design` derives each configuration's cascade on that configuration's hardware (objective latency, then energy; fusion, binding, mappings and schedule searched). Each cell is automatic / hand-made: latency, energy (below 1: the automatic design is better). +Architecture's hardware is +Binding's, so its automatic design is +Binding's: the hand-made one stalls.",
    '',
    `| configuration | cascade | model | ${seqs.join(' | ')} |`,
    `|---|---|---|${seqs.map(() => '---|').join('')}`,
  );
  const keys = [...new Set(rows.map((r) => `${r.config}|${r.model}`))];
  for (const k of keys) {
    const rs = rows.filter((r) => `${r.config}|${r.model}` === k);
    const cell = (seq: string): string => {
      const r = rs.find((x) => x.seq === seq);
      return r ? `${f(r.auto.latency / r.hand.latency)} / ${f(r.auto.energy / r.hand.energy)}` : '';
    };
    out.push(`| ${LABEL[rs[0]!.config] ?? rs[0]!.config} | ${rs[0]!.cascade} | ${rs[0]!.model} | ${seqs.map(cell).join(' | ')} |`);
  }
  out.push('', '| configuration | latency, geometric mean [range] | energy, geometric mean [range] |', '|---|---|---|');
  for (const config of [...new Set(rows.map((r) => r.config))]) {
    const rs = rows.filter((r) => r.config === config);
    const lat = rs.map((r) => r.auto.latency / r.hand.latency);
    const en = rs.map((r) => r.auto.energy / r.hand.energy);
    out.push(`| ${LABEL[config] ?? config} | ${f(geo(lat))} [${f(Math.min(...lat))}–${f(Math.max(...lat))}] | ${f(geo(en))} [${f(Math.min(...en))}–${f(Math.max(...en))}] |`);
  }
  return out;
}

/** How far the recorded (stochastic) mappings are from the exact mapper's optima. */
function mapperGapText(g: MapperGap): string {
  const worst = g.worst.value > 0 ? `; the largest excess is +${(g.worst.value * 100).toFixed(3)}% (${g.worst.where})` : '';
  return (
    `**Mapper.** Without \`mapper-mappings\`, Unfused's QK and AV and the end-to-end linear layers run with the optimum of the mapspace the artifact's mapper searched (\`fusemax map\`, exhaustive; metrics ${g.metrics.join(', ')}, physical counts). ` +
    `The recorded mappings reach that optimum at ${g.optimal} of ${g.points} Einsum points${worst}. ` +
    `(XLM's FFN layers: the artifact's mapping is known only by its traffic; its fitting stand-in is compared.)`
  );
}

export function summaryMarkdown(s: SummaryInput): string {
  const h = s.headlines;
  const out: string[] = [
    '# FuseMax reproduction',
    '',
    `Fidelity: **${s.fidelity}** (${s.fidelity === 'artifact' ? "the published tool chain's quirks reproduced" : 'quirks of the published tool chain corrected'}). Models: ${s.models.join(', ')}; sequence lengths: ${s.seqs.join(', ')}.`,
    'FuseMax is +Binding. Paper (MICRO 2024): attention 6.7× faster than FLAT at 79% of the energy; end to end 5.3× at 83% (arithmetic means over the 24 points).',
    '',
    '## Attention',
    '',
    ...table(h.attention),
    '',
    '## End to end (attention + linear layers)',
    '',
    ...table(h.endToEnd),
    '',
    '## Utilization (attention, mean [min–max] over all points)',
    '',
    '| configuration | 2D array | 1D array |',
    '|---|---|---|',
    ...ATTENTION.filter((a) => h.utilization.has(a.key)).map((a) => {
      const u = h.utilization.get(a.key)!;
      return `| ${LABEL[a.key] ?? a.key} | ${statText(u.util2d)} | ${statText(u.util1d)} |`;
    }),
  ];
  out.push(...autoSection(s.auto, s.seqs));
  if (s.quirks && s.quirks.length > 0) {
    out.push(
      '',
      '## How much each quirk of the published tool chain moves the results',
      '',
      'Each row removes one quirk and keeps the others. "Largest change" is over every attention and end-to-end traffic, latency and energy value; the ratios are arithmetic means (as published: attention speedup and energy vs FLAT, end-to-end speedup and energy vs FLAT).',
      '',
      '| quirk | largest change | where | attn speedup vs FLAT | attn energy / FLAT | e2e speedup vs FLAT | e2e energy / FLAT |',
      '|---|---|---|---|---|---|---|',
      `| (none removed: artifact) | | | ${f(h.attention.speedupVsFlat.all.arith)}× | ${f(h.attention.energyVsFlat.all.arith)} | ${f(h.endToEnd.speedupVsFlat.all.arith)}× | ${f(h.endToEnd.energyVsFlat.all.arith)} |`,
      ...s.quirks.map((q) => {
        const qh = q.headlines;
        const change = q.maxChange.value === 0 ? '0' : `${q.maxChange.value > 0 ? '+' : ''}${(q.maxChange.value * 100).toFixed(3)}%`;
        return `| ${q.quirk} | ${change} | ${q.maxChange.value === 0 ? '—' : q.maxChange.where} | ${f(qh.attention.speedupVsFlat.all.arith)}× | ${f(qh.attention.energyVsFlat.all.arith)} | ${f(qh.endToEnd.speedupVsFlat.all.arith)}× | ${f(qh.endToEnd.energyVsFlat.all.arith)} |`;
      }),
      '',
      ...s.quirks.map((q) => `* **${q.quirk}**: ${QUIRK_TEXT[q.quirk]}.`),
    );
    const gap = s.quirks.find((q) => q.mapperGap)?.mapperGap;
    if (gap) out.push('', mapperGapText(gap));
  }
  return out.join('\n') + '\n';
}
