/**
 * @file The Optimize tab: the rewrite search on the editor's cascade (`fusemax optimize`), its result
 * beside the original with the rules applied and the conditions they rely on, passes and operations
 * before and after, and the verification error on random data; then the keep / re-read / recompute
 * trade-off of the tensors live across passes as an interactive plot of its Pareto frontier with a
 * buffer-budget slider that picks the best plan within the budget.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { View as VegaView } from 'vega';
import { bestWithin, type Plan, type Tradeoff } from '../analysis/tradeoff.ts';
import { ranksOf } from '../ir/cascade.ts';
import { ALL_RULES, type RuleName } from '../rewrite/search.ts';
import { latest, Superseded } from './compute-client.ts';
import type { Context, View } from './context.ts';
import { errorView } from './diagnostics-view.ts';
import { debounce, fill, h, table } from './dom.ts';
import { bytes, relError } from './format.ts';
import type { OptimizeOutcome } from './protocol.ts';
import { drawChart } from './vega-chart.ts';

const MIB = 1024 * 1024;
/** Bytes per element of the trade-off (as `fusemax tradeoff --word-bytes` defaults to). */
const WORD_BYTES = 2;

function planLabel(p: Plan): string {
  return Object.entries(p.choices).map(([t, o]) => `${t}:${o}`).join(' ');
}

function passesText(m: ReadonlyArray<readonly [string, number]>): string {
  return m.map(([r, n]) => `${r}:${n}`).join(' ');
}

function tradeoffSpec(t: Tradeoff, budgetMiB: number, best: string): TopLevelSpec {
  const values = t.pareto.map((p) => ({ onChip: p.onChipBytes / MIB, dram: p.dramBytes / MIB, ops: p.extraOps / 1e9, plan: planLabel(p) }));
  const maxX = Math.max(1e-3, ...values.map((v) => v.onChip)) * 1.05;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 460,
    height: 280,
    params: [{ name: 'budget', value: budgetMiB }, { name: 'best', value: best }],
    data: { values },
    encoding: { x: { type: 'quantitative', scale: { domain: [0, maxX] }, title: 'on-chip buffer (MiB)' } },
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 4], color: '#555', clip: true }, encoding: { x: { datum: { expr: 'budget' }, type: 'quantitative' } } },
      {
        mark: { type: 'point', filled: true },
        encoding: {
          x: { field: 'onChip', type: 'quantitative' },
          y: { field: 'dram', type: 'quantitative', title: 'extra DRAM traffic (MiB)' },
          color: { condition: { test: 'datum.onChip <= budget', field: 'ops', type: 'quantitative', title: 'extra operations (G)', scale: { scheme: 'viridis' } }, value: '#cfcfcf' },
          size: { condition: { test: 'datum.plan === best', value: 280 }, value: 90 },
          stroke: { condition: { test: 'datum.plan === best', value: '#000' }, value: null },
          tooltip: [{ field: 'plan' }, { field: 'onChip', title: 'on chip (MiB)', format: '.3f' }, { field: 'dram', title: 'DRAM (MiB)', format: '.3f' }, { field: 'ops', title: 'extra ops (G)', format: '.3f' }],
        },
      },
    ],
    config: { font: 'sans-serif' },
  } as TopLevelSpec;
}

/** Default trade-off shapes: attention-sized (E, F = 64; others 4096), partition parts left to the file's defaults. */
function defaultShapes(ctx: Context): string {
  const c = ctx.checked();
  if (!c.ok) return 'M=4096,P=4096,E=64,F=64';
  const parts = new Set(c.cascade.partitions.flatMap((p) => [p.outer, p.inner]));
  return ranksOf(c.cascade).filter((r) => !parts.has(r)).map((r) => `${r}=${r === 'E' || r === 'F' ? 64 : 4096}`).join(',');
}

export function mount(panel: HTMLElement, ctx: Context): View {
  const askOptimize = latest('optimize');
  const askTradeoff = latest('tradeoff');

  const rankSelect = h('select', { id: 'opt-rank' });
  const ruleBoxes = ALL_RULES.map((r) => h('input', { type: 'checkbox', id: `opt-rule-${r}`, value: r, checked: true }));
  const chunk = h('input', { id: 'opt-chunk', type: 'number', min: 2, value: 256 });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const result = h('div', { 'data-testid': 'optimize-result' });
  const go = h('button', { type: 'button', class: 'primary', 'data-testid': 'optimize-button' }, 'Optimize');

  const shapes = h('input', { id: 'tradeoff-shapes', type: 'text', size: 32, spellcheck: 'false' });
  const budget = h('input', { id: 'tradeoff-budget', type: 'range', min: 10, max: 34, step: 0.5, value: 25, 'data-testid': 'budget-slider' });
  const budgetText = h('output', { for: 'tradeoff-budget' });
  const best = h('div', { 'data-testid': 'best-plan' });
  const tradeoffTables = h('div');
  const plot = h('div', { class: 'chart', 'data-testid': 'tradeoff-plot' });
  const tradeoffStatus = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });

  fill(panel,
    h('h2', {}, 'Optimize: fewer passes'),
    h('p', { class: 'controls' },
      h('label', { for: 'opt-rank' }, 'Rank '), rankSelect, ' ',
      h('span', { role: 'group', 'aria-label': 'rules' }, 'Rules ', ...ALL_RULES.flatMap((r, i) => [ruleBoxes[i]!, h('label', { for: `opt-rule-${r}` }, r), ' '])),
      h('label', { for: 'opt-chunk' }, 'Chunk '), chunk, ' ', go),
    status, result,
    h('h2', {}, 'Keep, re-read or recompute'),
    h('p', { class: 'controls' },
      h('label', { for: 'tradeoff-shapes' }, 'Shapes '), shapes, ' ',
      h('label', { for: 'tradeoff-budget' }, 'Buffer budget '), budget, ' ', budgetText),
    tradeoffStatus, best, plot, tradeoffTables,
  );

  const fillRanks = (): void => {
    const c = ctx.checked();
    const keep = rankSelect.value;
    const ranks = c.ok ? ranksOf(c.cascade) : [];
    fill(rankSelect, h('option', { value: '' }, 'the one with the most passes'), ...ranks.map((r) => h('option', { value: r }, r)));
    if (ranks.includes(keep)) rankSelect.value = keep;
  };

  const showOptimize = (o: OptimizeOutcome): void => {
    const verified = o.verification.maxRelError <= o.verification.tolerance;
    const extra = o.compute.after - o.compute.before;
    const useIt = h('button', { type: 'button', onclick: () => ctx.edit(o.rewritten) }, 'Edit the rewritten cascade');
    fill(result,
      h('div', { class: 'row' },
        h('div', {}, h('h3', {}, 'Original'), h('pre', { class: 'code', 'data-testid': 'optimize-original' }, o.original)),
        h('div', {}, h('h3', {}, 'Rewritten'), h('pre', { class: 'code', 'data-testid': 'optimize-rewritten' }, o.rewritten))),
      table(['', 'passes', 'operations'], [
        ['before', passesText(o.passesBefore), o.compute.before.toLocaleString('en-US')],
        ['after', passesText(o.passesAfter), `${o.compute.after.toLocaleString('en-US')} (${extra >= 0 ? '+' : ''}${((100 * extra) / Math.max(1, o.compute.before)).toFixed(2)}%)`],
      ], { 'data-testid': 'optimize-passes' }),
      h('p', { class: 'note' }, `operations counted at ${passesText(o.compute.shapes).replace(/:/g, '=')}`),
      o.rules.length > 0
        ? h('ol', { class: 'rules' }, ...o.rules.map((r) => h('li', {}, h('strong', {}, r.rule), `: ${r.description}`, h('br'), h('span', { class: 'note' }, `relies on: ${r.condition}`))))
        : h('div', {}, h('p', {}, `No rule reduces the passes over ${o.rank}.`), h('ul', {}, ...o.refusals.map((r) => h('li', {}, `${r.rule} on ${r.target}: ${r.reason}`)))),
      h('p', { 'data-testid': 'verification', class: verified ? 'ok' : 'error' },
        `Verified on random data (normal and ×30) at ${passesText(o.verification.shapes).replace(/:/g, '=')}: max relative error ${relError(o.verification.maxRelError)} `,
        verified ? `(within ${o.verification.tolerance})` : `— exceeds ${o.verification.tolerance}: the rewrite is wrong, please report it`),
      o.rules.length > 0 ? useIt : null,
    );
  };

  const runOptimize = async (): Promise<void> => {
    const rules = ruleBoxes.filter((b) => b.checked).map((b) => b.value as RuleName);
    status.textContent = 'optimizing…';
    try {
      const o = await askOptimize({ text: ctx.text(), ...(rankSelect.value ? { rank: rankSelect.value } : {}), rules, chunk: Number(chunk.value) });
      status.textContent = '';
      showOptimize(o);
    } catch (err) {
      if (err instanceof Superseded) return;
      status.textContent = '';
      fill(result, errorView(err));
    }
  };
  go.addEventListener('click', () => void runOptimize());

  let current: Tradeoff | undefined;
  let chart: VegaView | undefined;
  let chartToken = 0;

  const showBudget = (): void => {
    const budgetBytes = 2 ** Number(budget.value);
    budgetText.textContent = bytes(budgetBytes);
    if (!current) return;
    const plan = bestWithin(current, budgetBytes);
    fill(best, plan
      ? h('p', {}, h('strong', {}, 'Best plan within the budget: '), planLabel(plan) || '(nothing lives across passes)', ` — ${bytes(plan.onChipBytes)} on chip, ${bytes(plan.dramBytes)} extra DRAM traffic, ${(plan.extraOps / 1e9).toFixed(3)} G extra operations`)
      : h('p', {}, 'No plan fits this budget.'));
    if (chart) void chart.signal('budget', budgetBytes / MIB).signal('best', plan ? planLabel(plan) : '').runAsync();
  };

  const showTradeoff = async (t: Tradeoff): Promise<void> => {
    current = t;
    fill(tradeoffTables, t.tensors.length === 0
      ? h('p', {}, 'No tensor lives across passes: nothing to trade.')
      : table(['tensor', 'over', 'option', 'on chip', 'DRAM', 'extra ops', 'meaning'],
        t.tensors.flatMap((x) => x.options.map((o) => [x.tensor, x.rank, o.option, bytes(o.onChipBytes), bytes(o.dramBytes), (o.extraOps / 1e9).toFixed(3) + ' G', o.detail]))));
    chart?.finalize();
    chart = undefined;
    fill(plot);
    showBudget();
    if (t.tensors.length === 0) return;
    const token = ++chartToken;
    const plan = bestWithin(t, 2 ** Number(budget.value));
    const view = await drawChart(plot, tradeoffSpec(t, 2 ** Number(budget.value) / MIB, plan ? planLabel(plan) : ''));
    if (token !== chartToken) { view.finalize(); return; }
    chart = view;
  };

  const runTradeoff = async (): Promise<void> => {
    tradeoffStatus.textContent = 'computing the trade-off…';
    try {
      const r = await askTradeoff({ text: ctx.text(), shapes: shapes.value, wordBytes: WORD_BYTES });
      tradeoffStatus.textContent = `${r.tradeoff.pareto.length} of ${r.tradeoff.plans.length} plans on the Pareto frontier (${WORD_BYTES} B per element)`;
      await showTradeoff(r.tradeoff);
    } catch (err) {
      if (err instanceof Superseded) return;
      tradeoffStatus.textContent = '';
      current = undefined;
      fill(best);
      fill(tradeoffTables, errorView(err));
      fill(plot);
    }
  };
  const laterTradeoff = debounce(() => void runTradeoff(), 300);
  shapes.addEventListener('input', laterTradeoff);
  budget.addEventListener('input', showBudget);

  let seen = '';
  return {
    shown() {
      fillRanks();
      if (seen === ctx.text()) return;
      seen = ctx.text();
      shapes.value = defaultShapes(ctx);
      fill(result);
      void runTradeoff();
    },
  };
}
