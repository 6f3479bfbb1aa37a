/**
 * @file The Design tab: one design of specs/designs at one workload point (`fusemax evaluate`), with
 * sliders for the PE array side, the global buffer and the DRAM bandwidth overriding the design's
 * parameters; latency, energy, traffic, utilization and the per-Einsum breakdown follow the sliders.
 */
import { latest, request, Superseded } from './compute-client.ts';
import type { View } from './context.ts';
import { errorView } from './diagnostics-view.ts';
import { debounce, fill, h, table } from './dom.ts';
import { bytes, percent, si } from './format.ts';
import type { Catalog, DesignEntry, DesignOutcome } from './protocol.ts';

const GIB = 1024 ** 3;

interface Slider {
  readonly input: HTMLInputElement;
  readonly label: HTMLLabelElement;
  readonly output: HTMLOutputElement;
  /** The parameter value at a slider position. */
  value(): number;
  set(value: number): void;
}

/** A slider over powers of two: `base · 2^k` for k in [lo, hi]. */
function powerSlider(id: string, title: string, base: number, lo: number, hi: number, show: (v: number) => string): Slider {
  const input = h('input', { id, type: 'range', min: lo, max: hi, step: 1, value: lo, 'data-testid': id });
  const output = h('output', { for: id });
  const value = (): number => base * 2 ** Number(input.value);
  const update = (): void => { output.textContent = show(value()); input.setAttribute('aria-valuetext', show(value())); };
  input.addEventListener('input', update);
  return {
    input, output, label: h('label', { for: id }, title), value,
    set(v) { input.value = String(Math.round(Math.log2(v / base))); update(); },
  };
}

function showDesign(r: DesignOutcome): HTMLElement {
  const maxBusy = Math.max(1e-12, ...r.einsums.map((e) => e.busy));
  return h('div', {},
    h('dl', { class: 'metrics' },
      h('div', {}, h('dt', {}, 'latency'), h('dd', { 'data-testid': 'latency' }, si(r.latency, 's', 4))),
      h('div', {}, h('dt', {}, 'energy'), h('dd', { 'data-testid': 'energy' }, si(r.energy * 1e-12, 'J', 4))),
      h('div', {}, h('dt', {}, 'DRAM traffic'), h('dd', {}, si(r.traffic, 'B', 4))),
      ...r.utilization.map(([a, u]) => h('div', {}, h('dt', {}, `${a} array utilization`), h('dd', { 'data-testid': `utilization-${a}` }, percent(u))))),
    h('h3', {}, 'Phases: latency is the larger of memory and compute'),
    table(['phase', 'memory', 'compute', 'latency'], r.phases.map((p) => [p.name, si(p.memorySeconds, 's'), si(p.computeSeconds, 's'), si(p.latency, 's')]), {}, [1, 2, 3]),
    h('h3', {}, 'Per Einsum'),
    table(['Einsum', 'array', 'cycles', 'compute', 'busy', '', 'DRAM traffic', 'energy'],
      r.einsums.map((e) => [e.name, e.array, e.cycles.toLocaleString('en-US'), si(e.computeSeconds, 's'), percent(e.busy),
        h('span', { class: 'bar', style: `width:${(100 * e.busy) / maxBusy}%`, 'aria-hidden': 'true' }), si(e.dramBytes, 'B'), si(e.energy * 1e-12, 'J')]),
      { 'data-testid': 'einsum-breakdown' }, [2, 3, 4, 6, 7]),
  );
}

export function mount(panel: HTMLElement): View {
  const ask = latest('design');
  const design = h('select', { id: 'design-name' });
  const model = h('select', { id: 'design-model' });
  const seq = h('select', { id: 'design-seq' });
  const fidelity = h('select', { id: 'design-fidelity' }, h('option', { value: 'physical' }, 'physical'), h('option', { value: 'artifact' }, 'artifact (published tool chain)'));
  const pe = powerSlider('design-pe', 'PE array side', 1, 4, 10, (v) => `${v} × ${v}`);
  const buffer = powerSlider('design-buffer', 'Global buffer', 1024 * 1024, 0, 8, bytes);
  const bandwidth = powerSlider('design-bandwidth', 'DRAM bandwidth', 50 * GIB, 0, 6, (v) => `${v / GIB} GiB/s`);
  const reset = h('button', { type: 'button' }, 'Design defaults');
  const description = h('p', { class: 'note' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const result = h('div', { 'data-testid': 'design-result' });
  const sliders = [pe, buffer, bandwidth];

  fill(panel,
    h('h2', {}, 'Design space'),
    h('p', { class: 'controls' },
      h('label', { for: 'design-name' }, 'Design '), design, ' ',
      h('label', { for: 'design-model' }, 'Model '), model, ' ',
      h('label', { for: 'design-seq' }, 'Sequence length '), seq, ' ',
      h('label', { for: 'design-fidelity' }, 'Fidelity '), fidelity),
    description,
    h('div', { class: 'sliders' }, ...sliders.map((s) => h('div', {}, s.label, s.input, s.output)), reset),
    status, result);

  let catalog: Catalog | undefined;
  const entry = (): DesignEntry | undefined => catalog?.designs.find((d) => d.name === design.value);

  const evaluate = async (): Promise<void> => {
    const e = entry();
    if (!e) return;
    status.textContent = 'evaluating…';
    try {
      const r = await ask({
        design: e.name, model: model.value, seq: seq.value, fidelity: fidelity.value as 'physical' | 'artifact',
        ...(e.knobs.pe ? { pe: pe.value() } : {}),
        ...(e.knobs.buffer ? { bufferBytes: buffer.value() } : {}),
        ...(e.knobs.bandwidth ? { bandwidth: bandwidth.value() } : {}),
      });
      status.textContent = `${r.label} on ${r.model} at ${r.seq}`;
      fill(result, showDesign(r));
    } catch (err) {
      if (err instanceof Superseded) return;
      status.textContent = '';
      fill(result, errorView(err));
    }
  };
  const later = debounce(() => void evaluate(), 60);

  const useDefaults = (): void => {
    const e = entry();
    if (!e) return;
    description.textContent = e.description;
    pe.set(e.defaults.pe ?? 256);
    buffer.set(e.defaults.bufferBytes ?? 16 * 1024 * 1024);
    bandwidth.set(e.defaults.bandwidth ?? 400 * GIB);
    pe.input.disabled = !e.knobs.pe;
    buffer.input.disabled = !e.knobs.buffer;
    bandwidth.input.disabled = !e.knobs.bandwidth;
  };

  design.addEventListener('change', () => { useDefaults(); void evaluate(); });
  for (const s of [model, seq, fidelity]) s.addEventListener('change', () => void evaluate());
  for (const s of sliders) s.input.addEventListener('input', later);
  reset.addEventListener('click', () => { useDefaults(); void evaluate(); });

  return {
    shown() {
      if (catalog) return;
      status.textContent = 'loading the designs…';
      void request('catalog', {}).then((c) => {
        catalog = c;
        fill(design, ...c.designs.map((d) => h('option', { value: d.name }, `${d.label} (${d.name})`)));
        fill(model, ...c.models.map((m) => h('option', { value: m }, m)));
        fill(seq, ...c.seqs.map((s) => h('option', { value: s }, s)));
        design.value = c.designs.some((d) => d.name === 'binding') ? 'binding' : (c.designs[0]?.name ?? '');
        seq.value = c.seqs.includes('64K') ? '64K' : (c.seqs[0] ?? '');
        useDefaults();
        void evaluate();
      }, (err: unknown) => { status.textContent = ''; fill(result, errorView(err)); });
    },
  };
}
