/**
 * "Việc của tôi" (the person's open items by deadline, overdue first, with quick status buttons
 * and comments) and the clerk's review queue. Opening an item shows its card in place.
 */
import { button, h, replace } from '../dom.ts';
import { nextStatuses, sortMyWork, daysLeft } from '../state.ts';
import type { DocumentInfo } from '../types.ts';
import { dueBadge, formatDateTime, infoBar, loading, problemBar, statusBadge, urgencyBadge, type ViewContext } from './common.ts';
import { documentCard } from './document.ts';
import { registerForm } from './register.ts';

export function myWorkView(ctx: ViewContext): HTMLElement {
  const { t } = ctx;
  const root = h('main', { id: 'mywork-view', 'aria-labelledby': 'mywork-title' });
  const notice = h('div', { 'aria-live': 'polite' });

  async function load(message: string | null = null): Promise<void> {
    replace(notice, message ? infoBar('success', message) : null);
    await fillList(
      ctx,
      root,
      { id: 'mywork-title', title: t('tabMyWork'), empty: t('myWorkEmpty'), notice, retry: () => void load() },
      async () => sortMyWork(await ctx.registry.myWork(), ctx.today),
      workItem,
    );
  }

  function workItem(d: DocumentInfo): HTMLElement {
    const overdue = (daysLeft(d.dueDate, ctx.today) ?? 0) < 0;
    const commentBox = h('div', {});
    const quick = nextStatuses(d.status, ctx.session.user.role).map((s) =>
      button(t(`status_${s}` as never), async () => {
        const r = await ctx.call(() => ctx.registry.setStatus(d.id, s, null));
        if (r.ok) await load(t('statusSaved'));
        else if (r.problem) replace(notice, problemBar(t, r.problem));
      }),
    );
    const toggleComment = button(t('addComment'), () => {
      if (commentBox.firstChild) return replace(commentBox);
      const text = h('textarea', { rows: 2, 'aria-label': t('addComment'), placeholder: t('commentPlaceholder') });
      const form = h('form', {}, text, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('send'))));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (!text.value.trim()) return text.focus();
        const r = await ctx.call(() => ctx.registry.comment(d.id, text.value));
        if (r.ok) await load(t('commentSaved'));
        else if (r.problem) replace(notice, problemBar(t, r.problem));
      });
      replace(commentBox, form);
      text.focus();
    });
    return h(
      'li',
      { class: overdue ? 'overdue' : '', 'data-document': d.id },
      itemHead(ctx, d, () => openCard(d)),
      h(
        'div',
        { class: 'item-meta' },
        `${t('incomingNumber')} ${d.bookNumber ?? '—'}`,
        statusBadge(t, d.status),
        dueBadge(t, d.dueDate, ctx.today),
        urgencyBadge(t, d.urgency),
      ),
      h('div', { class: 'quick' }, quick, toggleComment),
      commentBox,
    );
  }

  function openCard(d: DocumentInfo): void {
    replace(root, documentCard(ctx, d.id, { onBack: () => void load() }));
  }

  void load();
  return root;
}

export function reviewView(ctx: ViewContext): HTMLElement {
  const { t } = ctx;
  const root = h('main', { id: 'review-view', 'aria-labelledby': 'review-title' });

  async function load(message: string | null = null): Promise<void> {
    const notice = message ? infoBar('success', message) : null;
    await fillList(
      ctx,
      root,
      { id: 'review-title', title: t('tabReview'), empty: t('reviewEmpty'), notice, retry: () => void load() },
      () => ctx.registry.reviewQueue(),
      (d) =>
        h(
          'li',
          { 'data-document': d.id },
          itemHead(ctx, d, () => void open(d)),
          h('div', { class: 'item-meta' }, `${t('received')} ${formatDateTime(d.arrivalAt)}`, statusBadge(t, d.status), urgencyBadge(t, d.urgency)),
          d.reasons.length ? h('p', { class: 'muted' }, d.reasons.slice(0, 2).join(' · ')) : null,
        ),
    );
  }

  async function open(d: DocumentInfo): Promise<void> {
    const back = h(
      'div',
      { class: 'actions back' },
      button(`← ${t('close')}`, () => void load()),
    );
    replace(root, back, loading(t));
    // List rows carry a summary; the form needs every field the classifier filled in.
    const r = await ctx.call(() => ctx.registry.detail(d.id));
    if (!r.ok)
      return void (
        r.problem &&
        replace(
          root,
          back,
          problemBar(t, r.problem, () => void open(d)),
        )
      );
    replace(
      root,
      back,
      registerForm(ctx, r.value.document, null, (done) => void load(done.bookNumber ? t('registered', { n: done.bookNumber }) : null)),
    );
  }

  void load();
  return root;
}

interface ListFrame {
  id: string;
  title: string;
  empty: string;
  notice: HTMLElement | null;
  retry: () => void;
}

/** Heading, then the items (or what went wrong, or that there are none). */
async function fillList(
  ctx: ViewContext,
  root: HTMLElement,
  f: ListFrame,
  fetch: () => Promise<DocumentInfo[]>,
  row: (d: DocumentInfo) => HTMLElement,
): Promise<void> {
  const heading = (count?: number) => h('h2', { id: f.id }, f.title, count === undefined ? null : [' ', h('span', { class: 'muted' }, `(${count})`)]);
  replace(root, heading(), loading(ctx.t));
  const r = await ctx.call(fetch);
  if (!r.ok) return void (r.problem && replace(root, heading(), problemBar(ctx.t, r.problem, f.retry)));
  replace(root, heading(r.value.length), f.notice, r.value.length ? h('ul', { class: 'items' }, r.value.map(row)) : h('p', { class: 'muted' }, f.empty));
}

function itemHead(_ctx: ViewContext, d: DocumentInfo, open: () => void): HTMLElement {
  const title = [d.notation, d.subject].filter(Boolean).join(' — ') || d.senderAddress || d.id;
  const link = h('a', { href: '#', on: { click: (ev: Event) => (ev.preventDefault(), open()) } }, title);
  return h('div', { class: 'item-head' }, h('div', { class: 'item-title' }, link), d.issuer ? h('div', { class: 'muted' }, d.issuer) : null);
}
