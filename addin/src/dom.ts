/** A tiny element builder: the pane is a handful of forms and lists, not worth a framework. */
export type Child = Node | string | number | null | undefined | false | Child[];

type Handler = (ev: Event) => void;
export interface Attrs {
  class?: string;
  on?: Record<string, Handler>;
  [attr: string]: string | number | boolean | null | undefined | Record<string, Handler>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'on') for (const [ev, fn] of Object.entries(v as Record<string, Handler>)) el.addEventListener(ev, fn);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let seq = 0;
/** Unique ids for label/field pairs. */
export function uid(prefix: string): string {
  return `${prefix}-${++seq}`;
}

/** A labelled form field (label above input, Fluent style). */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string | null): HTMLElement {
  control.id ||= uid('f');
  const hintEl = hint ? h('span', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

export function button(
  label: string,
  onClick: () => void,
  opts: { primary?: boolean; disabled?: boolean; type?: 'button' | 'submit'; id?: string; describedBy?: string } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type: opts.type ?? 'button',
      class: opts.primary ? 'btn primary' : 'btn',
      disabled: opts.disabled ?? false,
      id: opts.id,
      'aria-describedby': opts.describedBy,
      on: { click: () => onClick() },
    },
    label,
  );
}

/** Moves focus to the first heading of a freshly rendered view, for keyboard and screen-reader users. */
export function focusHeading(root: Element): void {
  const heading = root.querySelector<HTMLElement>('h2, h1');
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus({ preventScroll: true });
}
