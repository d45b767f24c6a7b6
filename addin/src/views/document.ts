/**
 * One registered document: incoming number and book, status, assignee, deadline, signature
 * verdict, history; and what the person may do to it (status, comment, assign).
 */
import { button, field, h, replace, uid } from '../dom.ts';
import { hasKey, type Translate } from '../i18n.ts';
import type { DocumentDetail } from '../registry.ts';
import { canAssign, nextStatuses } from '../state.ts';
import type { DocumentInfo, LookupResult } from '../types.ts';
import {
  dueBadge,
  facts,
  formatDate,
  formatDateTime,
  infoBar,
  loading,
  problemBar,
  statusBadge,
  urgencyBadge,
  verdictBadge,
  type ViewContext,
} from './common.ts';

export interface CardOptions {
  verification?: LookupResult['verification'];
  /** Shown as a "back" button above the card (when opened from a list). */
  onBack?: () => void;
  /** A success note to show first (e.g. "registered as number 12"). */
  message?: string | null;
}

export function documentCard(ctx: ViewContext, id: string, opts: CardOptions = {}): HTMLElement {
  const root = h('div', { class: 'document', 'data-document': id });
  const notice = h('div', { 'aria-live': 'polite' });

  async function load(message?: string): Promise<void> {
    replace(root, loading(ctx.t));
    const r = await ctx.call(() => ctx.registry.detail(id));
    if (!r.ok) {
      if (r.problem)
        replace(
          root,
          problemBar(ctx.t, r.problem, () => void load()),
        );
      return;
    }
    replace(notice, message ? infoBar('success', message) : null);
    replace(
      root,
      opts.onBack ? h('div', { class: 'actions back' }, button(`← ${ctx.t('close')}`, opts.onBack)) : null,
      notice,
      summary(ctx, r.value, opts.verification ?? null),
      actions(ctx, r.value.document, load, notice),
      historyCard(ctx.t, r.value),
    );
  }
  void load(opts.message ?? undefined);
  return root;
}

function summary(ctx: ViewContext, d: DocumentDetail, verification: LookupResult['verification']): HTMLElement {
  const { t } = ctx;
  const doc = d.document;
  const sigs = verification?.signatures?.filter((s) => ['smime', 'pdf', 'xml'].includes(s.layer)) ?? [];
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'doc-title' },
    h('h2', { id: 'doc-title', class: 'sr-only' }, doc.notation ?? doc.subject ?? t('appName')),
    h(
      'div',
      { class: 'number-row' },
      h(
        'div',
        {},
        h('span', { class: 'number-label' }, t('incomingNumber')),
        h('span', { class: 'number', 'data-testid': 'incoming-number' }, doc.bookNumber ?? '—'),
      ),
      h('div', {}, h('span', { class: 'number-label' }, t('book')), h('span', {}, doc.bookYear ? t('bookName', { year: doc.bookYear }) : '—')),
      statusBadge(t, doc.status),
      urgencyBadge(t, doc.urgency),
    ),
    h('p', { class: 'subject' }, doc.subject ?? '—'),
    facts([
      [t('notation'), doc.notation],
      [t('issuer'), doc.issuer],
      [t('issuedDate'), formatDate(doc.issuedDate)],
      [t('assignee'), d.assignee ? d.assignee.name : t('unassigned')],
      [t('department'), doc.departmentName ?? doc.department],
      [t('deadline'), doc.dueDate ? h('span', {}, formatDate(doc.dueDate), ' ', dueBadge(t, doc.dueDate, ctx.today)) : t('noDeadline')],
      [t('signature'), verdictBadge(t, verification?.verdict ?? doc.verdict)],
    ]),
    sigs.length
      ? h(
          'ul',
          { class: 'sigs' },
          sigs.map((s) =>
            h(
              'li',
              {},
              `${s.layer.toUpperCase()}${s.attachment ? ` (${s.attachment})` : ''}: `,
              verdictBadge(t, s.verdict),
              s.signer?.commonName ? ` ${s.signer.commonName}` : '',
            ),
          ),
        )
      : null,
  );
}

function actions(ctx: ViewContext, doc: DocumentInfo, reload: (msg?: string) => Promise<void>, notice: HTMLElement): HTMLElement | null {
  const { t } = ctx;
  const role = ctx.session.user.role;
  const parts: HTMLElement[] = [];
  const choices = nextStatuses(doc.status, role);
  const fail = (p: Parameters<typeof problemBar>[1] | null) => p && replace(notice, problemBar(t, p));

  if (choices.length) {
    const select = h(
      'select',
      { name: 'status' },
      choices.map((s) => h('option', { value: s }, t(`status_${s}` as never))),
    );
    const note = h('input', { type: 'text', name: 'note', maxlength: 500 });
    const form = h(
      'form',
      { 'aria-label': t('changeStatus') },
      h('h3', {}, t('changeStatus')),
      h('div', { class: 'row2' }, field(t('newStatus'), select), field(t('statusNote'), note)),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, t('save'))),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const r = await ctx.call(() => ctx.registry.setStatus(doc.id, select.value, note.value.trim() || null));
      if (r.ok) await reload(t('statusSaved'));
      else fail(r.problem);
    });
    parts.push(form);
  }

  if (canAssign(role) && ['received', 'assigned', 'in_progress'].includes(doc.status)) parts.push(assignForm(ctx, doc, reload, fail));

  const comment = h('textarea', { name: 'comment', rows: 2, placeholder: t('commentPlaceholder'), maxlength: 2000 });
  const commentForm = h(
    'form',
    { 'aria-label': t('addComment') },
    h('h3', {}, t('addComment')),
    field(t('comments'), comment),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('send'))),
  );
  commentForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!comment.value.trim()) return comment.focus();
    const r = await ctx.call(() => ctx.registry.comment(doc.id, comment.value));
    if (r.ok) await reload(t('commentSaved'));
    else fail(r.problem);
  });
  parts.push(commentForm);
  return h('section', { class: 'card' }, parts);
}

function assignForm(
  ctx: ViewContext,
  doc: DocumentInfo,
  reload: (msg?: string) => Promise<void>,
  fail: (p: Parameters<typeof problemBar>[1] | null) => unknown,
): HTMLElement {
  const { t } = ctx;
  const select = h('select', { name: 'officer', id: uid('assign') }, h('option', { value: '' }, t('chooseOfficer')));
  void ctx
    .call(() => ctx.registry.officers(doc.unitId))
    .then((r) => {
      if (!r.ok) return fail(r.problem);
      for (const u of r.value.filter((x) => x.role === 'officer' || x.role === 'leader')) {
        select.append(h('option', { value: u.id, selected: u.id === doc.assigneeId }, `${u.name}${u.department ? ` (${u.department})` : ''}`));
      }
    });
  const form = h(
    'form',
    { 'aria-label': t('assign') },
    h('h3', {}, doc.assigneeId ? t('reassign') : t('assign')),
    field(t('assignTo'), select),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn primary' }, doc.assigneeId ? t('reassign') : t('assign'))),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!select.value) return select.focus();
    const name = select.selectedOptions[0]?.textContent ?? '';
    const r = await ctx.call(() => ctx.registry.assign(doc.id, select.value));
    if (r.ok) await reload(t('assigned', { name }));
    else fail(r.problem);
  });
  return form;
}

function actionLabel(t: Translate, action: string): string {
  const key = `act_${action.replace(/^document\./, '')}`;
  return hasKey(key) ? t(key) : action;
}

function historyCard(t: Translate, d: DocumentDetail): HTMLElement {
  type Line = { at: string; who: string; text: string };
  const lines: Line[] = [
    ...d.history.filter((e) => e.action !== 'document.comment').map((e) => ({ at: e.at, who: e.actor, text: actionLabel(t, e.action) })),
    ...d.comments.map((c) => ({ at: c.createdAt, who: c.actor, text: `“${c.body}”` })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'history-title' },
    h('h3', { id: 'history-title' }, t('history')),
    lines.length
      ? h(
          'ol',
          { class: 'history' },
          lines.map((l) => h('li', {}, h('div', { class: 'when' }, `${formatDateTime(l.at)} · ${l.who}`), h('div', {}, l.text))),
        )
      : h('p', { class: 'muted' }, t('noHistory')),
  );
}
