/**
 * "Việc của tôi": the open items assigned to me (GET /api/my/items), by deadline with the overdue
 * first, deadlines counted on Hà Nội's calendar by the gateway's clock; done (POST …/status),
 * comments (POST …/comments) and, for officers, asking for a later deadline (POST
 * /api/deadline-requests), with the request shown while it waits for a leader, and giving an item
 * back to the leaders with a reason (POST …/decline).
 */
import { ApiError } from '../../addin/src/api.ts';
import { button, field, h, replace } from '../../addin/src/dom.ts';
import type { DocumentInfo } from '../../addin/src/types.ts';
import type { Ctx } from './app.ts';
import type { ExtensionRequest } from './extensions.ts';
import { day, today } from './format.ts';

export async function myWorkPage(ctx: Ctx): Promise<void> {
  const { api, t, main } = ctx;
  let items: DocumentInfo[];
  // Officers ask leaders for more time; leaders and admins set deadlines themselves.
  const asks = ctx.me.role === 'officer';
  const waiting = new Map<string, ExtensionRequest>();
  try {
    items = (await api.request<{ items: DocumentInfo[] }>('/api/my/items', { query: { limit: '500' } })).items;
    if (asks)
      for (const r of (await api.request<{ items: ExtensionRequest[] }>('/api/deadline-requests', { query: { status: 'pending' } })).items)
        waiting.set(r.document.id, r);
  } catch (err) {
    return ctx.fail(err);
  }
  const now = today(api.now());
  items.sort((a, b) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.arrivalAt.localeCompare(b.arrivalAt));
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      await myWorkPage(ctx);
      ctx.notice(done);
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'invalid') ctx.notice(err.message);
      else ctx.fail(err);
    }
  };
  const extension = (d: DocumentInfo) => {
    if (!asks) return null;
    const pending = waiting.get(d.id);
    if (pending) return h('p', { class: 'hint', 'data-extension': pending.requestedDue }, t('extWaiting', { date: day(pending.requestedDue) }));
    const date = h('input', { name: 'extendTo', type: 'date', min: d.dueDate ?? now, required: true });
    const reason = h('input', { name: 'extendReason', type: 'text', maxlength: '2000' });
    return h(
      'form',
      {
        class: 'extend',
        on: {
          submit: (ev) => {
            ev.preventDefault();
            if (date.value)
              void act(
                () => api.request('/api/deadline-requests', { json: { document: d.id, dueDate: date.value, reason: reason.value.trim() || undefined } }),
                t('extAsked', { date: day(date.value) }),
              );
          },
        },
      },
      field(t('extAskTo'), date),
      field(t('extReason'), reason),
      h('button', { type: 'submit', class: 'btn' }, t('extAsk')),
    );
  };
  // The assignee gives an item back, as by replying "từ chối: …" (POST /api/documents/{id}/decline; the leaders are mailed).
  const giveBack = (d: DocumentInfo) => {
    if (!asks || d.assigneeId !== ctx.me.id || !['assigned', 'in_progress'].includes(d.status)) return null;
    const reason = h('input', { name: 'declineReason', type: 'text', maxlength: '2000', required: true });
    return h(
      'form',
      {
        class: 'decline',
        on: {
          submit: (ev) => {
            ev.preventDefault();
            const why = reason.value.normalize('NFC').trim();
            if (why) void act(() => api.request(`/api/documents/${d.id}/decline`, { json: { reason: why } }), t('declined'));
          },
        },
      },
      field(t('declineReason'), reason),
      h('button', { type: 'submit', class: 'btn' }, t('decline')),
    );
  };
  const row = (d: DocumentInfo) => {
    const overdue = !!d.dueDate && d.dueDate < now;
    const comment = h('textarea', { name: 'comment', rows: 2 });
    return h(
      'li',
      { 'data-document': d.id, class: overdue ? 'overdue' : '' },
      h('strong', {}, d.bookNumber ? `${d.bookNumber} · ` : '', d.subject || d.notation || d.id),
      h(
        'span',
        { class: 'meta' },
        d.notation ?? '',
        d.issuer ? ` · ${d.issuer}` : '',
        ' · ',
        h('span', { 'data-due': d.dueDate ?? '' }, d.dueDate ? `${t('due')}: ${day(d.dueDate)}${overdue ? ` (${t('overdue')})` : ''}` : t('noDue')),
        ` · ${t(`status_${d.status}`)}`,
      ),
      // What the leader said with the assignment, and why the deadline moved (kept with them by the API).
      d.assignmentNote ? h('p', { class: 'instructions', 'data-assignment-note': '' }, `${t('asNote')}: ${d.assignmentNote}`) : null,
      d.dueReason ? h('p', { class: 'hint', 'data-due-reason': '' }, `${t('dlReason')}: ${d.dueReason}`) : null,
      h(
        'div',
        { class: 'actions' },
        button(t('markDone'), () => void act(() => api.request(`/api/documents/${d.id}/status`, { json: { status: 'done' } }), t('doneSaved'))),
      ),
      h(
        'form',
        {
          class: 'comment',
          on: {
            submit: (ev) => {
              ev.preventDefault();
              if (comment.value.trim())
                void act(() => api.request(`/api/documents/${d.id}/comments`, { json: { body: comment.value.trim() } }), t('commentSaved'));
            },
          },
        },
        field(t('comment'), comment),
        h('button', { type: 'submit', class: 'btn' }, t('addComment')),
      ),
      extension(d),
      giveBack(d),
    );
  };
  replace(
    main,
    h('h2', {}, t('myWorkTitle')),
    h('p', { class: 'hint' }, `${t('due')}: ${t('hanoiTime')}`),
    items.length ? h('ul', { class: 'items' }, ...items.map(row)) : h('p', { class: 'empty' }, t('myWorkEmpty')),
  );
}
