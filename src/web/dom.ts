/**
 * @file A few DOM helpers for the explorer page: build elements from a tag, attributes and children;
 * replace an element's children. No framework: the page is a handful of views over plain data.
 */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** `h('td', { class: 'num' }, '3')`: attributes starting with `on` are event listeners. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** Replace the children of `el`. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A table with a header row and body rows; `numeric` columns are right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly Child[]>, attrs: Attrs = {}, numeric: readonly number[] = []): HTMLTableElement {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, ...headers.map((x, i) => h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : undefined }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((x, i) => h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : undefined, class: numeric.includes(i) ? 'num' : undefined }, x))))),
  );
}

/** Run `fn` once typing pauses for `ms`. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): (...args: A) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
