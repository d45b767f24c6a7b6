/**
 * "Văn bản đi": the unit's outgoing documents, newest first (GET /api/outgoing/trail), each with
 * its trail per recipient — numbered, signed, sent, delivered, receipt — as the outgoing side
 * records it (delivery states, DSNs, receipts and status notices from the recipients). Paged on
 * the server (50 at a time).
 */
import { button, field, h, replace } from '../../addin/src/dom.ts';
import type { Ctx } from './app.ts';
import { resetCharts } from './charts.ts';
import { day, instant, today } from './format.ts';

interface Step {
  done: boolean;
  at: string | null;
}
interface RecipientTrail {
  recipient: string;
  name: string | null;
  state: string;
  attempts: number;
  lastError: string | null;
  sent: Step;
  delivered: Step;
  receipt: Step & { handled: boolean };
  failed: boolean;
}
interface OutgoingTrail {
  entryId: string;
  number: number;
  notation: string;
  issuedDate: string;
  typeName: string | null;
  subject: string | null;
  signer: string | null;
  numberedAt: string;
  outgoingId: string | null;
  signing: { document: boolean | null; dkim: boolean; smime: boolean; edxml: boolean } | null;
  recipients: RecipientTrail[];
}

const PAGE = 50;

/** `focus`: an outgoing document's id (#/outgoing/<id>, the link after issuing) — its entry is marked and scrolled to. */
export async function outgoingPage(ctx: Ctx, focus?: string): Promise<void> {
  const { api, t, me, main } = ctx;
  resetCharts();
  let units: Array<{ id: string; name: string }> = [];
  if (me.role === 'admin') units = (await api.request<{ units: Array<{ id: string; name: string }> }>('/api/units').catch(() => ({ units }))).units;
  const unit = h('select', { name: 'unit' }, h('option', { value: '' }, t('allUnits')), ...units.map((u) => h('option', { value: u.id }, u.name)));
  const year = h('input', { name: 'year', type: 'number', min: '1900', max: '9999', value: today(api.now()).slice(0, 4) });
  const list = h('div', { class: 'trails' });
  const more = h('div', { class: 'actions' });
  let offset = 0;

  const mark = (s: Step, label: string, bad = false) =>
    h(
      'td',
      { class: s.done ? 'ok' : bad ? 'bad' : 'pending', 'data-step': label, 'data-done': String(s.done) },
      s.done ? `✓ ${s.at ? instant(s.at) : ''}` : bad ? t('trailFailed') : '—',
    );
  const signed = (o: OutgoingTrail) => {
    if (!o.signing) return '—';
    const parts = [o.signing.document === true ? t('trailDocSigned') : o.signing.document === false ? t('trailDocUnsigned') : null];
    if (o.signing.dkim) parts.push('DKIM');
    if (o.signing.smime) parts.push('S/MIME');
    if (o.signing.edxml) parts.push('edXML');
    return parts.filter(Boolean).join(', ') || '—';
  };

  const entry = (o: OutgoingTrail) =>
    h(
      'article',
      {
        class: focus && o.outgoingId === focus ? 'trail focus' : 'trail',
        'data-outgoing': o.entryId,
        'data-outgoing-id': o.outgoingId,
        'aria-label': focus && o.outgoingId === focus ? t('outgoingFocus') : null,
      },
      h('h3', {}, `${o.notation} — ${[o.typeName, o.subject].filter(Boolean).join(': ')}`),
      h(
        'p',
        { class: 'meta' },
        `${t('trailNumbered')}: ${instant(o.numberedAt)} · ${t('issuedDate')}: ${day(o.issuedDate)}${o.signer ? ` · ${t('signer')}: ${o.signer}` : ''}`,
      ),
      o.recipients.length
        ? h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...(['trailRecipient', 'trailNumbered', 'trailSigned', 'trailSent', 'trailDelivered', 'trailReceipt'] as const).map((k) =>
                  h('th', { scope: 'col' }, t(k)),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              ...o.recipients.map((r) =>
                h(
                  'tr',
                  { 'data-recipient': r.recipient, 'data-state': r.state },
                  h(
                    'th',
                    { scope: 'row' },
                    r.name ? `${r.name} <${r.recipient}>` : r.recipient,
                    r.failed && r.lastError ? h('span', { class: 'meta error' }, r.lastError) : null,
                  ),
                  mark({ done: true, at: o.numberedAt }, 'numbered'),
                  h('td', { 'data-step': 'signed', class: o.signing?.document === false ? 'bad' : '' }, signed(o)),
                  mark(r.sent, 'sent', r.failed && !r.sent.done),
                  mark(r.delivered, 'delivered', r.failed),
                  h(
                    'td',
                    { class: r.receipt.done ? 'ok' : 'pending', 'data-step': 'receipt', 'data-done': String(r.receipt.done) },
                    r.receipt.done ? `✓ ${r.receipt.at ? instant(r.receipt.at) : ''}${r.receipt.handled ? ` (${t('trailHandled')})` : ''}` : '—',
                  ),
                ),
              ),
            ),
          )
        : h('p', { class: 'hint' }, t('trailNotSent')),
    );

  const load = async (append: boolean) => {
    let res: { total: number; items: OutgoingTrail[] };
    try {
      res = await api.request('/api/outgoing/trail', {
        query: { unit: unit.value || undefined, year: year.value || undefined, limit: String(PAGE), offset: String(offset) },
      });
    } catch (err) {
      return ctx.fail(err);
    }
    if (!append) replace(list);
    if (!res.items.length && !append) list.append(h('p', { class: 'empty' }, t('trailEmpty')));
    list.append(...res.items.map(entry));
    if (!append) list.querySelector('article.focus')?.scrollIntoView({ block: 'start' });
    offset += res.items.length;
    replace(
      more,
      h('span', { class: 'hint', 'data-total': res.total }, t('listCount', { n: res.total })),
      offset < res.total ? button(t('showMore'), () => void load(true)) : null,
    );
  };
  const reload = () => {
    offset = 0;
    void load(false);
  };
  for (const el of [unit, year]) el.addEventListener('change', reload);
  replace(
    main,
    h('h2', {}, t('outgoingTitle')),
    h(
      'form',
      {
        class: 'filters',
        on: {
          submit: (ev) => {
            ev.preventDefault();
            reload();
          },
        },
      },
      units.length > 1 ? field(t('unit'), unit) : null,
      field(t('year'), year),
    ),
    list,
    more,
  );
  await load(false);
}
