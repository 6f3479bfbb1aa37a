/**
 * @file The explorer page: the cascade editor with the built-in cascades in a picker and live
 * diagnostics, and five tabs (Cascade: the pass analysis, always loaded; Optimize, Run, Design and
 * Figures: loaded when first opened). Tabs follow the ARIA tabs pattern (arrow keys move between
 * them) and the location hash (#figures opens the figures). Everything runs in this page: the
 * analysis on the main thread as one types, anything longer in the compute worker.
 */
import './style.css';
import cascades from 'fusemax:cascades';
import { createAnalysisView, check, type Checked } from './analysis-view.ts';
import type { Context, View } from './context.ts';
import { diagnosticsList } from './diagnostics-view.ts';
import { debounce, fill, h } from './dom.ts';
import { createEditor } from './editor.ts';

interface Tab {
  readonly id: string;
  readonly label: string;
  /** Whether the editor stays beside the tab's panel. */
  readonly withEditor: boolean;
  readonly load?: () => Promise<{ mount(panel: HTMLElement, ctx: Context): View }>;
}

const TABS: readonly Tab[] = [
  { id: 'cascade', label: 'Cascade', withEditor: true },
  { id: 'optimize', label: 'Optimize', withEditor: true, load: () => import('./optimize-view.ts') },
  { id: 'run', label: 'Run', withEditor: true, load: () => import('./run-view.ts') },
  { id: 'design', label: 'Design', withEditor: false, load: () => import('./design-view.ts') },
  { id: 'figures', label: 'Figures', withEditor: false, load: () => import('./figures-view.ts') },
];

const FIRST = 'attention-3pass';
const initial = cascades.find((c) => c.name === FIRST) ?? cascades[0];

// The editor pane: picker, editor, diagnostics.
const picker = h('select', { id: 'picker', 'data-testid': 'cascade-picker' },
  h('option', { value: '' }, '(your cascade)'),
  ...cascades.map((c) => h('option', { value: c.name }, c.name)));
const editorHost = h('div', { class: 'editor', 'data-testid': 'cascade-editor' });
const diagnostics = h('div', { class: 'diagnostics', 'data-testid': 'diagnostics', role: 'status', 'aria-live': 'polite' });
const editorPane = h('section', { id: 'editor-pane', 'aria-label': 'cascade editor' },
  h('p', { class: 'controls' }, h('label', { for: 'picker' }, 'Built-in cascade '), picker),
  editorHost, diagnostics);

// Tabs and their panels.
const tabButtons = TABS.map((t) => h('button', { type: 'button', role: 'tab', id: `tab-${t.id}`, 'aria-controls': `panel-${t.id}`, 'data-testid': t.id === 'figures' ? 'figures' : `tab-${t.id}` }, t.label));
const panels = TABS.map((t) => h('section', { role: 'tabpanel', id: `panel-${t.id}`, 'aria-labelledby': `tab-${t.id}`, tabindex: 0, hidden: true }));
const analysis = createAnalysisView();
panels[0]!.append(analysis.element);

document.body.append(
  h('header', {},
    h('h1', {}, 'FuseMax explorer'),
    h('nav', { role: 'tablist', 'aria-label': 'views' }, ...tabButtons),
    h('span', { class: 'note' }, 'runs entirely in this page: nothing is sent anywhere')),
  h('main', {}, editorPane, h('div', { class: 'views' }, ...panels)),
);

// The cascade: checked on every pause in typing, shown in the diagnostics and the analysis.
let checked: Checked = check(initial?.text ?? '');
const listeners: Array<(c: Checked) => void> = [];
const editor = createEditor(editorHost, initial?.text ?? '', debounce((text: string) => update(text), 120));

function update(text: string): void {
  checked = check(text);
  picker.value = cascades.find((c) => c.text === text)?.name ?? '';
  editor.showDiagnostics(checked.ok ? [] : checked.diagnostics);
  fill(diagnostics, checked.ok ? h('p', { class: 'ok' }, 'No errors.') : diagnosticsList(checked.diagnostics, editor.goTo));
  analysis.update(checked);
  for (const l of listeners) l(checked);
}

const ctx: Context = {
  text: () => editor.text(),
  checked: () => checked,
  onCascade: (l) => listeners.push(l),
  edit: (text) => { editor.setText(text); update(text); select('cascade'); },
  goTo: editor.goTo,
};

picker.addEventListener('change', () => {
  const c = cascades.find((x) => x.name === picker.value);
  if (c) { editor.setText(c.text); update(c.text); }
});

// Tab switching, lazy views.
const views = new Map<string, Promise<View | undefined>>();

function select(id: string, focus = false): void {
  const index = Math.max(0, TABS.findIndex((t) => t.id === id));
  const tab = TABS[index]!;
  tabButtons.forEach((b, i) => {
    b.setAttribute('aria-selected', String(i === index));
    b.tabIndex = i === index ? 0 : -1;
  });
  panels.forEach((p, i) => { p.hidden = i !== index; });
  document.body.classList.toggle('no-editor', !tab.withEditor);
  if (focus) tabButtons[index]!.focus();
  if (location.hash.slice(1) !== tab.id) history.replaceState(null, '', `#${tab.id}`);
  if (!tab.load) return;
  let view = views.get(tab.id);
  if (!view) {
    const panel = panels[index]!;
    panel.append(h('p', { class: 'status' }, 'loading…'));
    view = tab.load().then((m) => m.mount(panel, ctx));
    views.set(tab.id, view);
  }
  void view.then((v) => v?.shown());
}

tabButtons.forEach((b, i) => {
  b.addEventListener('click', () => select(TABS[i]!.id));
  b.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (e.key === 'Home' || e.key === 'End') select(TABS[e.key === 'Home' ? 0 : TABS.length - 1]!.id, true);
    else if (step) select(TABS[(i + step + TABS.length) % TABS.length]!.id, true);
    else return;
    e.preventDefault();
  });
});
window.addEventListener('hashchange', () => select(location.hash.slice(1)));

update(editor.text());
select(location.hash.slice(1) || 'cascade');
document.body.dataset['ready'] = 'true';
performance.mark('fusemax-ready');

// Offline once loaded: a service worker keeps every file of the site (not on file:// or insecure origins).
if ('serviceWorker' in navigator && (location.protocol === 'https:' || location.hostname === 'localhost' || location.hostname === '127.0.0.1')) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('./sw.js').catch((err: unknown) => console.warn('offline cache unavailable:', err));
  });
}
