/**
 * "Đề nghị gia hạn": the deadline-extension requests officers made by replying "gia hạn đến …"
 * (GET /api/deadline-requests, oldest first), for a leader to grant — with the date asked for or
 * another — or refuse with a reason (POST …/grant, …/refuse); the officer is told by mail. Below,
 * the requests decided lately.
 */
import { ApiError } from '../../addin/src/api.ts';
import { field, h, replace } from '../../addin/src/dom.ts';
import type { Ctx } from './app.ts';
import { day, instant, today } from './format.ts';

export interface ExtensionRequest {
  id: string;
  status: 'pending' | 'granted' | 'refused';
  requestedDue: string;
  currentDue: string | null;
  reason: string | null;
  messageId: string | null;
  createdAt: string;
  requestedBy: { id: string; email: string; name: string } | null;
  document: {
    id: string;
    notation: string | null;
    subject: string | null;
    issuer: string | null;
    bookNumber: number | null;
    status: string;
    dueDate: string | null;
  };
  decision: { by: string; at: string; dueDate: string | null; note: string | null } | null;
}

export async function extensionsPage(ctx: Ctx): Promise<void> {
  const { api, t, main } = ctx;
  let pending: ExtensionRequest[];
  let decided: ExtensionRequest[];
  try {
    pending = (await api.request<{ items: ExtensionRequest[] }>('/api/deadline-requests', { query: { status: 'pending' } })).items;
    decided = (await api.request<{ items: ExtensionRequest[] }>('/api/deadline-requests', { query: { status: 'all', limit: '50' } })).items.filter(
      (r) => r.status !== 'pending',
    );
  } catch (err) {
    return ctx.fail(err);
  }
  const now = today(api.now());
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      await extensionsPage(ctx);
      ctx.notice(done);
    } catch (err) {
      // 400 (a past date, no reason) and 409 (decided meanwhile, document closed): say it and stay.
      if (err instanceof ApiError && (err.kind === 'invalid' || err.kind === 'conflict')) ctx.notice(err.message);
      else ctx.fail(err);
    }
  };
  const label = (r: ExtensionRequest) => r.document.subject || r.document.notation || r.document.id;
  const who = (r: ExtensionRequest) => (r.requestedBy ? `${r.requestedBy.name} <${r.requestedBy.email}>` : '—');

  const card = (r: ExtensionRequest) => {
    const date = h('input', { name: 'dueDate', type: 'date', min: now, value: r.requestedDue, required: true });
    const reason = h('textarea', { name: 'reason', rows: 2 });
    return h(
      'li',
      { 'data-request': r.id, 'data-document': r.document.id },
      h('strong', {}, r.document.bookNumber ? `${r.document.bookNumber} · ` : '', label(r)),
      h('span', { class: 'meta' }, r.document.notation ?? '', r.document.issuer ? ` · ${r.document.issuer}` : '', ` · ${t(`status_${r.document.status}`)}`),
      h(
        'dl',
        {},
        h('dt', {}, t('extAskedBy')),
        h('dd', { 'data-asked-by': '' }, who(r)),
        h('dt', {}, t('extAskedAt')),
        h('dd', {}, instant(r.createdAt), r.messageId ? ` · ${t('extByMail')}` : ''),
        h('dt', {}, t('extCurrentDue')),
        h('dd', { 'data-current-due': r.document.dueDate ?? '' }, day(r.document.dueDate) || t('noDue')),
        h('dt', {}, t('extRequestedDue')),
        h('dd', { 'data-requested-due': r.requestedDue }, day(r.requestedDue)),
        h('dt', {}, t('extReason')),
        h('dd', {}, r.reason ?? '—'),
      ),
      h(
        'form',
        {
          class: 'grant',
          on: {
            submit: (ev) => {
              ev.preventDefault();
              void act(
                () => api.request(`/api/deadline-requests/${r.id}/grant`, { json: { dueDate: date.value || r.requestedDue } }),
                t('extGranted', { date: day(date.value || r.requestedDue) }),
              );
            },
          },
        },
        field(t('extNewDue'), date),
        h('button', { type: 'submit', class: 'btn primary' }, t('extGrant')),
      ),
      h(
        'form',
        {
          class: 'refuse',
          on: {
            submit: (ev) => {
              ev.preventDefault();
              if (!reason.value.trim()) return ctx.notice(t('extReasonNeeded'));
              void act(() => api.request(`/api/deadline-requests/${r.id}/refuse`, { json: { reason: reason.value.trim() } }), t('extRefused'));
            },
          },
        },
        field(t('extRefuseReason'), reason),
        h('button', { type: 'submit', class: 'btn' }, t('extRefuse')),
      ),
    );
  };

  const history = decided.length
    ? h(
        'table',
        { class: 'decided' },
        h(
          'thead',
          {},
          h('tr', {}, ...(['subject', 'extAskedBy', 'extRequestedDue', 'state', 'extDecidedBy', 'extNote'] as const).map((k) => h('th', {}, t(k)))),
        ),
        h(
          'tbody',
          {},
          ...decided.map((r) =>
            h(
              'tr',
              { 'data-request': r.id },
              h('td', {}, label(r)),
              h('td', {}, who(r)),
              h('td', {}, day(r.requestedDue)),
              h('td', { 'data-status': r.status }, r.status === 'granted' ? t('extStatusGranted', { date: day(r.decision?.dueDate) }) : t('extStatusRefused')),
              h('td', {}, r.decision ? `${r.decision.by} · ${instant(r.decision.at)}` : ''),
              h('td', {}, r.decision?.note ?? ''),
            ),
          ),
        ),
      )
    : h('p', { class: 'empty' }, t('extNoneDecided'));

  replace(
    main,
    h('h2', {}, t('extTitle')),
    h('p', { class: 'hint' }, t('extIntro')),
    pending.length ? h('ul', { class: 'items requests' }, ...pending.map(card)) : h('p', { class: 'empty' }, t('extEmpty')),
    h('h3', {}, t('extDecidedTitle')),
    history,
  );
}
