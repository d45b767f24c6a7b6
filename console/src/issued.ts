/**
 * What the issuance queue (issuance.ts) and the compose form (compose.ts) share: the result of
 * issuing — the number given, each recipient with how far it got, the link to the document's trail
 * on "Văn bản đi" — and the unsigned refusal with its explicit confirmation (docs/issuance.md,
 * "Sending without a signature": the gateway refuses with reason "unsigned" and audits a confirmed
 * send). Files picked in the browser are read as base64 for the JSON API.
 */
import { ApiError } from '../../addin/src/api.ts';
import { button, h } from '../../addin/src/dom.ts';
import { refusalOf } from '../../addin/src/outgoing.ts';
import type { SentItem } from '../../addin/src/types.ts';
import type { Ctx } from './app.ts';
import { instant } from './format.ts';

/** A file chosen in the browser as base64 (the API takes files in JSON). */
export function fileBase64(f: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(f);
  });
}

/** The refusal of an issue call: unsigned (with the gateway's words and the queued draft), or null for any other failure. */
export function unsignedRefusal(err: unknown): { message: string; draftId: string | null } | null {
  if (!(err instanceof ApiError)) return null;
  const why = refusalOf(err.body);
  return why.unsigned ? { message: err.message, draftId: why.draftId } : null;
}

/**
 * The unsigned refusal said plainly, and the clerk's explicit decision: a checkbox to tick before
 * "Xác nhận và ban hành" does anything. `confirm` issues with confirmUnsigned (audited server-side).
 */
export function unsignedPanel(ctx: Ctx, message: string, confirm: () => Promise<void>): HTMLElement {
  const { t } = ctx;
  const tick = h('input', { type: 'checkbox', name: 'confirmUnsigned', id: 'confirm-unsigned' });
  const hint = h('p', { class: 'error', 'aria-live': 'polite' });
  const go = button(
    t('unsignedConfirm'),
    () => {
      if (!tick.checked) {
        hint.textContent = t('unsignedNeedCheck');
        tick.focus();
        return;
      }
      go.disabled = true;
      void confirm().finally(() => {
        go.disabled = false;
      });
    },
    { primary: true },
  );
  const panel = h(
    'section',
    { class: 'unsigned', role: 'alert', 'data-unsigned': 'true', 'aria-labelledby': 'unsigned-title' },
    h('h3', { id: 'unsigned-title' }, t('unsignedTitle')),
    h('p', { class: 'server' }, message),
    h('p', {}, t('unsignedHelp')),
    h('div', { class: 'check' }, tick, h('label', { for: 'confirm-unsigned' }, t('unsignedCheck'))),
    hint,
    h('div', { class: 'actions' }, go),
  );
  return panel;
}

/** One recipient's state in the console's words (the add-in's states: queued → sent → delivered | failed → received → handled). */
const STATE_KEYS = {
  queued: 'recipientState_queued',
  sent: 'recipientState_sent',
  delivered: 'recipientState_delivered',
  failed: 'recipientState_failed',
  received: 'recipientState_received',
  handled: 'recipientState_handled',
} as const;
const stateKey = (state: string) => STATE_KEYS[state as keyof typeof STATE_KEYS] ?? STATE_KEYS.queued;

/** The outcome: issued with its number, recipients and trail link; or queued with the clerk. */
export function issuedView(ctx: Ctx, item: SentItem): HTMLElement {
  const { t } = ctx;
  const out = item.outgoing;
  if (!out)
    return h(
      'section',
      { class: 'issued', role: 'status', 'data-issued': 'queued', 'data-draft': item.id },
      h('h3', {}, t('queuedTitle')),
      h('p', {}, t('queuedHelp')),
    );
  return h(
    'section',
    { class: 'issued', role: 'status', 'data-issued': 'issued', 'data-notation': out.notation, 'data-outgoing-id': out.id },
    h('h3', {}, t('issuedTitle', { notation: out.notation })),
    h('p', { class: 'meta' }, `${t('issuedDate')}: ${instant(out.createdAt)}`),
    h('p', {}, t('issuedRecipients', { n: out.deliveries.length })),
    h(
      'ul',
      { class: 'recipients' },
      ...out.deliveries.map((d) =>
        h(
          'li',
          { 'data-recipient': d.recipient, 'data-state': d.state },
          d.recipientName ? `${d.recipientName} <${d.recipient}>` : d.recipient,
          ` — ${t(stateKey(d.state))}`,
        ),
      ),
    ),
    item.warnings?.length
      ? h('div', { class: 'warnings' }, h('strong', {}, `${t('issuedWarnings')}: `), h('ul', {}, ...item.warnings.map((w) => h('li', {}, w))))
      : null,
    h('p', {}, h('a', { href: `#/outgoing/${encodeURIComponent(out.id)}`, 'data-trail': out.id }, t('issuedTrail'))),
  );
}
