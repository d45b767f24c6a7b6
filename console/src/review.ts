/**
 * The clerk's review queue (GET /api/review, oldest first, with the reasons the registry gave) and
 * one item beside its document: the fields to correct, the PDF drawn by pdf.js (fetched with the
 * token) where clicking a field boxes the lines it was read from (console/src/sources.ts), the mail
 * headers and the signature verdicts. "Vào sổ" and "Trả lại" are the add-in's and the CLI's calls
 * (approve with corrections, reject with a reason); "Chuyển" forwards it (console/src/forward.ts).
 * Keys: j/k select, Enter open; in an item Ctrl+Enter registers, Alt+C forwards, Alt+T returns,
 * Esc goes back.
 */
import { ApiError } from '../../addin/src/api.ts';
import { button, field, h, replace } from '../../addin/src/dom.ts';
import type { DocumentInfo, SignatureInfo } from '../../addin/src/types.ts';
import type { Ctx } from './app.ts';
import { instant } from './format.ts';
import { forwardForm } from './forward.ts';
import { showDocument, type Highlight } from './sources.ts';

interface MessageDetail {
  id: string;
  messageId: string;
  subject: string | null;
  fromAddr: string | null;
  rcptTo: string[] | null;
  receivedAt: string;
  stages: Record<string, { result: unknown } | undefined>;
  attachments: Array<{ idx: number; filename: string | null; contentType: string; size: number }>;
}

type Verification = { verdict?: string; signatures?: Array<SignatureInfo & { reasons?: string[] }> } | null;

export const EDITABLE = ['notation', 'issuer', 'issuedDate', 'typeName', 'subject', 'signer', 'dueDate'] as const;

export async function reviewPage(ctx: Ctx, id: string | undefined): Promise<void> {
  if (id) return reviewItem(ctx, id);
  const { api, t, main } = ctx;
  let items: DocumentInfo[];
  try {
    items = (await api.request<{ items: DocumentInfo[] }>('/api/review', { query: { limit: '500' } })).items;
  } catch (err) {
    return ctx.fail(err);
  }
  items.sort((a, b) => a.arrivalAt.localeCompare(b.arrivalAt) || a.id.localeCompare(b.id));
  const rows = items.map((d) =>
    h(
      'li',
      { 'data-document': d.id, tabindex: '-1' },
      h('a', { href: `#/review/${d.id}` }, d.subject || d.notation || d.id),
      h('span', { class: 'meta' }, `${t('arrived')}: ${instant(d.arrivalAt)}`, d.issuer ? ` · ${d.issuer}` : '', ` · ${t(`status_${d.status}`)}`),
      h('ul', { class: 'reasons', 'aria-label': t('reasons') }, ...(d.reasons ?? []).map((r) => h('li', { class: 'reason' }, r))),
    ),
  );
  replace(
    main,
    h('h2', {}, t('reviewTitle')),
    h('p', { class: 'hint' }, t('reviewIntro')),
    rows.length ? h('ol', { class: 'queue' }, ...rows) : h('p', { class: 'empty' }, t('reviewEmpty')),
  );
  let at = 0;
  const select = (i: number) => {
    if (!rows.length) return;
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, n) => r.classList.toggle('selected', n === at));
    rows[at].setAttribute('aria-current', 'true');
    rows[at].focus();
  };
  select(0);
  ctx.keys((ev) => {
    if (ev.key === 'j' || ev.key === 'ArrowDown') select(at + 1);
    else if (ev.key === 'k' || ev.key === 'ArrowUp') select(at - 1);
    else if (ev.key === 'Enter' && rows[at] && !ev.ctrlKey) ctx.go(`#/review/${items[at].id}`);
    else return;
    ev.preventDefault();
  });
}

async function reviewItem(ctx: Ctx, id: string): Promise<void> {
  const { api, t, main } = ctx;
  let doc: DocumentInfo;
  try {
    doc = await api.request<DocumentInfo>(`/api/documents/${encodeURIComponent(id)}`);
  } catch (err) {
    return ctx.fail(err);
  }
  const [message, units] = await Promise.all([
    doc.inboundId ? api.request<MessageDetail>(`/api/messages/${doc.inboundId}`).catch(() => null) : null,
    api
      .request<{ units: Array<{ id: string; name: string }> }>('/api/units')
      .then((r) => r.units)
      .catch(() => []),
  ]);
  // Clicking (or tabbing into) a field boxes where it was read, once the document is shown.
  let highlight: Highlight | null = null;
  const where = h('p', { class: 'hint source-note', role: 'status', 'aria-live': 'polite' }, t('sourceHint'));
  const inputs = Object.fromEntries(
    EDITABLE.map((k) => {
      const value = (doc as unknown as Record<string, string | null>)[k] ?? '';
      const el = k === 'subject' ? h('textarea', { name: k, rows: 3 }) : h('input', { name: k, type: k === 'issuedDate' || k === 'dueDate' ? 'date' : 'text' });
      el.value = value;
      el.addEventListener('focus', () => {
        if (highlight) where.textContent = highlight(k, t(k));
      });
      return [k, el];
    }),
  ) as Record<(typeof EDITABLE)[number], HTMLInputElement | HTMLTextAreaElement>;
  const reason = h('input', { name: 'returnReason', type: 'text' });
  const register = async () => {
    const corrections: Record<string, string | null> = {};
    for (const k of EDITABLE) {
      const now = inputs[k].value.trim();
      if (now !== ((doc as unknown as Record<string, string | null>)[k] ?? '')) corrections[k] = now || null;
    }
    try {
      const done = await api.request<DocumentInfo>(`/api/documents/${doc.id}/approve`, { json: { corrections } });
      ctx.go('#/review', t('registered', { n: done.bookNumber ?? '' }));
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'invalid') ctx.notice(err.message);
      else ctx.fail(err);
    }
  };
  const giveBack = async () => {
    if (!reason.value.trim()) return reason.focus();
    try {
      await api.request(`/api/documents/${doc.id}/reject`, { json: { reason: reason.value.trim() } });
      ctx.go('#/review', t('returned'));
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'invalid') ctx.notice(err.message);
      else ctx.fail(err);
    }
  };
  // A region that scrolls on its own: reachable with the keyboard (Tab, then arrows).
  const viewer = h('div', { class: 'viewer', tabindex: '0', role: 'region', 'aria-label': t('viewerTitle') }, h('p', { class: 'hint' }, t('loading')));
  const forward = forwardForm(ctx, doc.id, doc.unitId, units);
  replace(
    main,
    h('p', {}, h('a', { href: '#/review' }, `← ${t('back')}`)),
    h('h2', {}, doc.subject || doc.notation || doc.id),
    h('ul', { class: 'reasons', 'aria-label': t('reasons') }, ...(doc.reasons ?? []).map((r) => h('li', { class: 'reason' }, r))),
    h(
      'div',
      { class: 'split' },
      h(
        'div',
        { class: 'work' },
        h(
          'form',
          {
            class: 'fields',
            'data-document': doc.id,
            on: {
              submit: (ev) => {
                ev.preventDefault();
                void register();
              },
            },
          },
          h('h3', {}, t('fieldsTitle')),
          where,
          ...EDITABLE.map((k) => field(t(k), inputs[k])),
          h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('register'))),
          h('p', { class: 'hint' }, t('shortcutsHintFull')),
          field(t('returnReason'), reason),
          h(
            'div',
            { class: 'actions' },
            button(t('returnDoc'), () => void giveBack()),
          ),
        ),
        forward.el,
      ),
      h('div', { class: 'document' }, viewer, message ? headers(ctx, message) : null, message ? signatures(ctx, message, doc) : null),
    ),
  );
  inputs.notation.focus();
  ctx.keys((ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) void register();
    else if (ev.altKey && ev.code === 'KeyC') void forward.send();
    else if (ev.altKey && ev.code === 'KeyT') void giveBack();
    else if (ev.key === 'Escape') ctx.go('#/review');
    else return;
    ev.preventDefault();
  });
  highlight = await showDocument(ctx, doc.id, message, viewer);
  // The field that has the focus by now (the number, at first) is shown at once.
  const focused = EDITABLE.find((k) => document.activeElement === inputs[k]);
  if (focused) where.textContent = highlight(focused, t(focused));
}

function headers(ctx: Ctx, m: MessageDetail): HTMLElement {
  const { t } = ctx;
  const row = (k: Parameters<typeof t>[0], v: string | null | undefined) => [h('dt', {}, t(k)), h('dd', {}, v ?? '')];
  return h(
    'section',
    { class: 'headers' },
    h('h3', {}, t('headersTitle')),
    h(
      'dl',
      {},
      row('from', m.fromAddr),
      row('to', (m.rcptTo ?? []).join(', ')),
      row('mailSubject', m.subject),
      row('messageId', m.messageId),
      row('received', instant(m.receivedAt)),
    ),
  );
}

function signatures(ctx: Ctx, m: MessageDetail, doc: DocumentInfo): HTMLElement {
  const { t } = ctx;
  const v = (m.stages.verify?.result ?? null) as Verification;
  const sigs = v?.signatures ?? [];
  const overall = v?.verdict ?? doc.verdict ?? 'unknown';
  return h(
    'section',
    { class: 'signatures', 'data-verdict': overall },
    h('h3', {}, `${t('signaturesTitle')}: ${t(`verdict_${overall}`)}`),
    sigs.length
      ? h(
          'ul',
          {},
          ...sigs.map((s) =>
            h(
              'li',
              { 'data-verdict': s.verdict },
              `${s.layer}: ${t(`verdict_${s.verdict}`)}`,
              s.signer?.commonName ? ` — ${s.signer.commonName}` : '',
              s.attachment ? ` (${s.attachment})` : '',
              s.reasons?.length ? h('div', { class: 'hint' }, s.reasons.join('; ')) : null,
            ),
          ),
        )
      : h('p', { class: 'hint' }, t('noSignatures')),
  );
}
