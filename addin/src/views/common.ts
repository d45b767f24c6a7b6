/** Pieces every screen uses: the context a view gets, message bars, badges, loading text. */
import type { ApiError } from '../api.ts';
import { button, h } from '../dom.ts';
import { hasKey, type Translate } from '../i18n.ts';
import type { Registry } from '../registry.ts';
import { dueLabel, problemFor, statusTone, verdictTone, type Problem } from '../state.ts';
import type { Session } from '../types.ts';

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: Problem | null };

export interface ViewContext {
  t: Translate;
  registry: Registry;
  session: Session;
  today: string;
  /** Runs an API call; a lapsed session sends the person to sign-in (problem null), other failures come back as a Problem. */
  call<T>(fn: () => Promise<T>): Promise<Outcome<T>>;
}

export function problemBar(t: Translate, p: Problem, onAction?: () => void): HTMLElement {
  const icon = p.tone === 'danger' ? '!' : p.tone === 'warning' ? '!' : 'i';
  const label = p.action === 'retry' ? t('retry') : p.action === 'sign-in' ? t('signIn') : null;
  return h(
    'div',
    { class: `bar ${p.tone}`, role: p.tone === 'info' ? 'status' : 'alert', 'data-problem': p.kind },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, icon),
    h(
      'div',
      { class: 'body' },
      h('strong', {}, t(p.title)),
      h('p', {}, t(p.help)),
      p.detail ? h('pre', {}, p.detail) : null,
      label && onAction ? h('div', { class: 'actions' }, button(label, onAction, { primary: true })) : null,
    ),
  );
}

export function infoBar(tone: 'info' | 'success' | 'warning' | 'danger', title: string, text?: string | null, ...actions: HTMLElement[]): HTMLElement {
  return h(
    'div',
    { class: `bar ${tone === 'info' ? '' : tone}`, role: tone === 'danger' || tone === 'warning' ? 'alert' : 'status' },
    h('span', { class: 'icon', 'aria-hidden': 'true' }, tone === 'success' ? '✓' : tone === 'info' ? 'i' : '!'),
    h('div', { class: 'body' }, h('strong', {}, title), text ? h('p', {}, text) : null, actions.length ? h('div', { class: 'actions' }, actions) : null),
  );
}

export function errorProblem(err: unknown): Problem {
  const e = err as ApiError;
  return problemFor(e && typeof e.kind === 'string' ? e : { kind: 'server', message: String((err as Error)?.message ?? err) });
}

export function loading(t: Translate): HTMLElement {
  return h('p', { class: 'muted', role: 'status', 'aria-busy': 'true' }, t('loading'));
}

function translated(t: Translate, key: string, fallback: string): string {
  return hasKey(key) ? t(key) : fallback;
}

export function statusBadge(t: Translate, status: string): HTMLElement {
  return h('span', { class: `badge ${statusTone(status)}`, 'data-status': status }, translated(t, `status_${status}`, status));
}

export function urgencyBadge(t: Translate, urgency: string): HTMLElement | null {
  if (!urgency || urgency === 'normal') return null;
  return h('span', { class: 'badge danger' }, translated(t, `urgency_${urgency}`, urgency));
}

export function verdictBadge(t: Translate, verdict: string | null | undefined): HTMLElement {
  const v = verdict ?? 'unknown';
  return h('span', { class: `badge ${verdictTone(verdict)}`, 'data-verdict': v }, translated(t, `verdict_${v}`, v));
}

export function dueBadge(t: Translate, dueDate: string | null, today: string): HTMLElement {
  const d = dueLabel(dueDate, today);
  const tone = d.tone === 'neutral' ? '' : d.tone;
  return h(
    'span',
    { class: `badge ${tone}`, 'data-due': d.key },
    t(d.key, { n: d.n }),
    dueDate ? h('span', { class: 'sr-only' }, ` (${formatDate(dueDate)})`) : null,
  );
}

/** dd/mm/yyyy, the way Vietnamese documents write dates. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())} ${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

export function facts(rows: Array<[string, Node | string | null]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]),
  );
}
