/**
 * The "Văn bản đi" tab: the send form (compose.ts), for clerks the drafts waiting for issuance
 * (issue, or return with a reason), and the person's own sent items with how far each got —
 * queued, returned, issued with its number, and per recipient sent, delivered, receipt.
 */
import { ApiError } from '../api.ts';
import { button, h, replace } from '../dom.ts';
import type { StringKey, Translate } from '../i18n.ts';
import { canIssue, receiptOf, recipientStage, refusalOf, sentStage } from '../outgoing.ts';
import type { SentItem } from '../types.ts';
import { formatDateTime, infoBar, loading, problemBar, urgencyBadge, type ViewContext } from './common.ts';
import { sendForm } from './compose.ts';

export function outgoingView(ctx: ViewContext): HTMLElement {
  const mine = h('section', { id: 'sent-list', 'aria-labelledby': 'sent-title' });
  const queue = canIssue(ctx.session.user.role) ? h('section', { id: 'issuance-queue', 'aria-labelledby': 'queue-title' }) : null;
  const reload = () => {
    void loadMine(ctx, mine);
    if (queue) void loadQueue(ctx, queue, reload);
  };
  reload();
  return h(
    'main',
    { id: 'outgoing-view', 'aria-labelledby': 'send-title' },
    sendForm(ctx, () => reload()),
    queue,
    mine,
  );
}

const badge = (tone: string, text: string, attrs: Record<string, string> = {}) =>
  h('span', { class: `badge ${tone === 'neutral' ? '' : tone}`, ...attrs }, text);

function recipientsOf(t: Translate, item: SentItem): HTMLElement {
  const deliveries = item.outgoing?.deliveries;
  if (!deliveries?.length)
    return h(
      'ul',
      { class: 'sigs' },
      item.recipients.map((r) => h('li', { 'data-recipient': r.address }, r.name ?? r.address)),
    );
  return h(
    'ul',
    { class: 'sigs' },
    deliveries.map((d) => {
      const stage = recipientStage(d);
      const receipt = receiptOf(d);
      return h(
        'li',
        { 'data-recipient': d.recipient, 'data-state': d.state },
        `${d.recipientName ?? d.recipient} `,
        badge(stage.tone, t(stage.key)),
        receipt ? h('span', { class: 'receipt', 'data-receipt': receipt.at }, ` ${t('receiptAt', { at: formatDateTime(receipt.at) })}`) : null,
        d.state === 'failed' && d.lastError ? h('span', { class: 'muted' }, ` — ${d.lastError}`) : null,
      );
    }),
  );
}

/** One draft; `actions` (the clerk's buttons) also shows who sent it. */
function sentEntry(t: Translate, item: SentItem, actions: HTMLElement | null = null): HTMLElement {
  const stage = sentStage(item);
  return h(
    'li',
    { 'data-sent': item.id, 'data-stage': stage.key },
    h('div', { class: 'item-head' }, h('div', { class: 'item-title' }, item.subject)),
    h(
      'div',
      { class: 'item-meta' },
      badge(stage.tone, t(stage.key), { 'data-stage': stage.key }),
      urgencyBadge(t, item.urgency ?? 'normal'),
      item.outgoing ? h('span', { 'data-notation': item.outgoing.notation }, `${t('outgoingNumber')} ${item.outgoing.notation}`) : null,
      formatDateTime(item.createdAt),
      actions ? `· ${t('submittedBy')}: ${item.submitterName ?? item.submittedBy}` : null,
    ),
    recipientsOf(t, item),
    item.note ? h('p', { class: 'note' }, t('noteForClerk', { note: item.note })) : null,
    item.files.length ? h('p', { class: 'muted' }, item.files.map((f) => f.filename).join(' · ')) : null,
    item.state === 'returned' && item.returnReason ? h('p', { class: 'returned' }, t('returnedBecause', { reason: item.returnReason })) : null,
    item.unsigned && item.state !== 'issued' ? h('p', { class: 'muted' }, t('unsignedWarning', { why: item.unsigned })) : null,
    item.state === 'pending' && item.lastError ? h('p', { class: 'muted' }, item.lastError) : null,
    actions,
  );
}

/**
 * Fills `root` with a list of sent items: its heading (with the count once known), "loading" while
 * it is fetched, the problem with a retry when it could not be, else the items or the empty text.
 */
async function showList(
  ctx: ViewContext,
  root: HTMLElement,
  o: {
    titleId: string;
    title: StringKey;
    empty: StringKey;
    fetch: () => Promise<SentItem[]>;
    retry: () => void;
    entry: (item: SentItem) => HTMLElement;
    tools?: HTMLElement;
  },
): Promise<void> {
  const { t } = ctx;
  const heading = (n?: number) => h('h2', { id: o.titleId }, t(o.title), n === undefined ? null : [' ', h('span', { class: 'muted' }, `(${n})`)]);
  replace(root, heading(), loading(t));
  const r = await ctx.call(o.fetch);
  if (!r.ok) return void (r.problem && replace(root, heading(), problemBar(t, r.problem, o.retry)));
  replace(
    root,
    heading(r.value.length),
    o.tools ?? null,
    r.value.length ? h('ul', { class: 'items' }, r.value.map(o.entry)) : h('p', { class: 'muted' }, t(o.empty)),
  );
}

function loadMine(ctx: ViewContext, root: HTMLElement): Promise<void> {
  const retry = () => void loadMine(ctx, root);
  return showList(ctx, root, {
    titleId: 'sent-title',
    title: 'sentTitle',
    empty: 'sentEmpty',
    fetch: () => ctx.registry.sentItems(),
    retry,
    entry: (item) => sentEntry(ctx.t, item),
    tools: h('div', { class: 'actions' }, button(ctx.t('refresh'), retry)),
  });
}

function loadQueue(ctx: ViewContext, root: HTMLElement, changed: () => void): Promise<void> {
  const { t } = ctx;
  const decide = (item: SentItem): HTMLElement => {
    const box = h('div', {});
    const issue = async (confirmUnsigned: boolean) => {
      let unsigned = false;
      const res = await ctx.call(async () => {
        try {
          return await ctx.registry.issueDraft(item.id, confirmUnsigned);
        } catch (err) {
          if (err instanceof ApiError) unsigned = refusalOf(err.body).unsigned;
          throw err;
        }
      });
      if (res.ok) return changed();
      if (unsigned)
        return void replace(
          box,
          infoBar(
            'warning',
            t('sendUnsignedTitle'),
            item.unsigned,
            button(t('sendConfirmUnsigned'), () => void issue(true), { primary: true }),
          ),
        );
      if (res.problem) replace(box, problemBar(t, res.problem));
    };
    const giveBack = () => {
      const reason = h('textarea', { name: 'reason', rows: 2, 'aria-label': t('returnReason'), placeholder: t('returnReason') });
      const form = h('form', {}, reason, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('returnDraft'))));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (!reason.value.trim()) return reason.focus();
        const res = await ctx.call(() => ctx.registry.returnDraft(item.id, reason.value));
        if (res.ok) return replace(actions, infoBar('success', t('draftReturned')));
        if (res.problem) replace(box, problemBar(t, res.problem));
      });
      replace(box, form);
      reason.focus();
    };
    const actions = h(
      'div',
      {},
      h(
        'div',
        { class: 'quick' },
        button(t('issueNow'), () => void issue(false), { primary: true }),
        button(t('returnDraft'), giveBack),
      ),
      box,
    );
    return actions;
  };

  return showList(ctx, root, {
    titleId: 'queue-title',
    title: 'queueTitle',
    empty: 'queueEmpty',
    fetch: () => ctx.registry.issuanceQueue(),
    retry: () => void loadQueue(ctx, root, changed),
    entry: (item) => sentEntry(t, item, decide(item)),
  });
}
