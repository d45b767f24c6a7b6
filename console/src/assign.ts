/**
 * "Giao việc" (docs/console.md, "Assignments and deadlines"): a leader gives a registered document
 * to a department and/or an officer with a deadline and instructions, and changes a deadline with a
 * reason — on a document's page (#/item/<id>, reached from the overview's lists, the officer lists
 * and the book) and on the list of documents waiting to be assigned (#/assign).
 *
 * The calls are the add-in's: POST /api/documents/{id}/assign (department, officer, and the
 * instructions as `note`, kept with the assignment and put in the officer's notice) and POST
 * …/deadline (dueDate and its `reason`; the officers' pending extension requests it covers are
 * closed and they are mailed). Whether the controls show is the policy's
 * own answer (console/src/permissions.ts: `documents.assign` in gateway/registry/access/policy.ts,
 * the matrix the API's route check reads), and a refusal of the API is said in the form.
 */
import { ApiError } from '../../addin/src/api.ts';
import { field, h, replace } from '../../addin/src/dom.ts';
import type { DocumentInfo, UserInfo } from '../../addin/src/types.ts';
import type { Ctx } from './app.ts';
import { day, instant, today } from './format.ts';
import { mayAssign } from './permissions.ts';

/** Statuses an assignment or a deadline may still change (workflow.ts: OPEN). */
export const OPEN_STATUSES = ['received', 'assigned', 'in_progress'];

interface Person extends UserInfo {
  active: boolean;
}
export interface Choices {
  departments: Array<{ id: string; name: string }>;
  people: Person[];
}

const ORDER: Record<string, number> = { officer: 0, leader: 1, clerk: 2 };

/** The unit's departments (GET /api/routing-rules, as the configuration names them) and its active people (GET /api/users). */
export async function choicesFor(ctx: Ctx, unitId: string): Promise<Choices> {
  const [rules, users] = await Promise.all([
    ctx.api
      .request<{ units: Array<{ unitId: string; departments: Array<{ id: string; name: string }> }> }>('/api/routing-rules', { query: { unit: unitId } })
      .catch(() => ({ units: [] })),
    ctx.api.request<{ items: Person[] }>('/api/users', { query: { unit: unitId } }),
  ]);
  const people = users.items
    .filter((u) => u.active !== false && u.role !== 'admin')
    .sort((a, b) => (ORDER[a.role] ?? 9) - (ORDER[b.role] ?? 9) || a.name.localeCompare(b.name, 'vi'));
  let departments = rules.units.find((u) => u.unitId === unitId)?.departments ?? [];
  // Without the rules (a role that may not read them), the departments the unit's people are in.
  if (!departments.length) departments = [...new Set(people.map((p) => p.department).filter((d): d is string => !!d))].map((id) => ({ id, name: id }));
  return { departments, people };
}

/** The API's refusal as the leader should read it, shown in the form (role=alert). */
function explain(ctx: Ctx, err: unknown, box: HTMLElement, partly: boolean): void {
  const { t } = ctx;
  if (err instanceof ApiError && err.kind === 'unauthenticated') return ctx.fail(err);
  const text =
    err instanceof ApiError && err.kind === 'forbidden'
      ? t('asRefused')
      : err instanceof ApiError && err.kind === 'not-found'
        ? t('asGone')
        : err instanceof ApiError && err.kind === 'unreachable'
          ? t('unreachable')
          : (err as Error).message;
  box.dataset.refused = err instanceof ApiError ? String(err.status) : 'error';
  replace(box, text, partly ? ` ${t('asPartly')}` : '');
}

/**
 * The assignment form: department, officer (choosing an officer picks their department), deadline
 * and instructions. Only what changed is sent; `done` runs after, with the notice to show.
 */
export function assignForm(ctx: Ctx, doc: DocumentInfo, choices: Choices, done: (notice: string) => Promise<void>): HTMLFormElement {
  const { api, t } = ctx;
  const none = () => h('option', { value: '' }, t('asNoneChosen'));
  const dept = h(
    'select',
    { name: 'department' },
    none(),
    ...choices.departments.map((d) => h('option', { value: d.id, selected: d.id === doc.department }, d.name)),
  );
  const officer = h(
    'select',
    { name: 'officer' },
    none(),
    ...choices.people.map((p) =>
      h(
        'option',
        { value: p.id, selected: p.id === doc.assigneeId },
        [p.name, choices.departments.find((d) => d.id === p.department)?.name ?? p.department, t(`role_${p.role}`)].filter(Boolean).join(' — '),
      ),
    ),
  );
  officer.addEventListener('change', () => {
    const p = choices.people.find((x) => x.id === officer.value);
    if (p?.department && choices.departments.some((d) => d.id === p.department)) dept.value = p.department;
  });
  const due = h('input', { name: 'dueDate', type: 'date', min: today(api.now()), value: doc.dueDate ?? '' });
  const note = h('textarea', { name: 'note', rows: 2, maxlength: '4000' });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, doc.assigneeId ? t('asReassign') : t('asAssign'));
  const form = h(
    'form',
    { class: 'assign', 'data-document': doc.id },
    field(t('department'), dept),
    field(t('asOfficer'), officer),
    field(t('asDue'), due, t('asDueHint')),
    field(t('asNote'), note, t('asNoteHint')),
    error,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    replace(error);
    delete error.dataset.refused;
    if (!dept.value && !officer.value) return replace(error, t('asNeedWho'));
    const who = officer.value !== (doc.assigneeId ?? '') || (dept.value || null) !== doc.department;
    const newDue = due.value && due.value !== doc.dueDate ? due.value : null;
    const text = note.value.normalize('NFC').trim();
    if (!who && !newDue && !text) return replace(error, t('asNothingChanged'));
    let steps = 0;
    submit.disabled = true;
    void (async () => {
      const path = `/api/documents/${encodeURIComponent(doc.id)}`;
      if (who || text) {
        // Instructions alone, to the same people: the department only, so the item's progress stays as it is.
        const to = who
          ? { department: dept.value || undefined, officer: officer.value || undefined }
          : { department: dept.value || doc.department || undefined };
        await api.request(`${path}/assign`, { json: { ...to, note: text || undefined } });
        steps++;
      }
      if (newDue) {
        await api.request(`${path}/deadline`, { json: { dueDate: newDue } });
        steps++;
      }
      const person = choices.people.find((p) => p.id === officer.value)?.name;
      const place = choices.departments.find((d) => d.id === dept.value)?.name;
      const said = [[person, place].filter(Boolean).join(', '), newDue ? `${t('due')} ${day(newDue)}` : ''].filter(Boolean).join(' · ');
      await done(t('asAssigned', { who: said || (doc.subject ?? doc.id) }));
    })().catch((err) => {
      submit.disabled = false;
      explain(ctx, err, error, steps > 0);
    });
  });
  return form;
}

/** "Đổi hạn": a new deadline and the reason for it (kept with the deadline: the document's `dueReason` and its history). */
export function deadlineForm(ctx: Ctx, doc: DocumentInfo, done: (notice: string) => Promise<void>): HTMLFormElement {
  const { api, t } = ctx;
  const due = h('input', { name: 'newDue', type: 'date', min: today(api.now()), required: true });
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: '2000', required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn' }, t('dlSubmit'));
  const form = h(
    'form',
    { class: 'deadline', 'data-document': doc.id },
    h('p', { class: 'meta' }, `${t('asCurrentDue')}: `, h('span', { 'data-current-due': doc.dueDate ?? '' }, day(doc.dueDate) || t('noDue'))),
    field(t('dlNew'), due),
    field(t('dlReason'), reason),
    error,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    replace(error);
    delete error.dataset.refused;
    const why = reason.value.normalize('NFC').trim();
    if (!due.value) return; // required: the browser says so
    if (due.value === doc.dueDate) return replace(error, t('dlSame'));
    if (!why) return replace(error, t('dlReasonNeeded'));
    let steps = 0;
    submit.disabled = true;
    void (async () => {
      const path = `/api/documents/${encodeURIComponent(doc.id)}`;
      const r = await api.request<{ closedRequests?: string[] }>(`${path}/deadline`, { json: { dueDate: due.value, reason: why } });
      steps++;
      const closed = r.closedRequests?.length ?? 0;
      await done([t('dlChanged', { date: day(due.value) }), closed ? t('dlClosedRequests', { n: closed }) : ''].filter(Boolean).join(' '));
    })().catch((err) => {
      submit.disabled = false;
      explain(ctx, err, error, steps > 0);
    });
  });
  return form;
}

/**
 * The leader's controls on a document's page: nothing for a role the policy does not let assign,
 * nor for a document no longer open; else the assignment form and "Đổi hạn".
 */
export async function leaderControls(ctx: Ctx, doc: DocumentInfo, reload: () => Promise<void>): Promise<HTMLElement | null> {
  const { t } = ctx;
  if (!mayAssign(ctx.me) || !OPEN_STATUSES.includes(doc.status)) return null;
  const done = async (notice: string) => {
    await reload();
    ctx.notice(notice);
  };
  let choices: Choices;
  try {
    choices = await choicesFor(ctx, doc.unitId);
  } catch (err) {
    return h('p', { class: 'error', role: 'alert' }, t('asChoicesFailed', { error: (err as Error).message }));
  }
  return h(
    'section',
    { class: 'leader-controls', 'aria-labelledby': `assign-${doc.id}` },
    h('h3', { id: `assign-${doc.id}` }, t('asSection')),
    h('div', { class: 'assign-forms' }, assignForm(ctx, doc, choices, done), h('div', {}, h('h4', {}, t('dlTitle')), deadlineForm(ctx, doc, done))),
  );
}

/** #/assign: the registered documents no one handles yet (status received), oldest first, each with the assignment form. */
export async function assignPage(ctx: Ctx): Promise<void> {
  const { api, t, me, main } = ctx;
  if (!mayAssign(me)) return ctx.fail(new ApiError('forbidden', 403, t('asRefused')));
  let items: DocumentInfo[];
  let waiting = 0;
  let choices: Choices | null = null;
  try {
    const [list, requests] = await Promise.all([
      api.request<{ items: DocumentInfo[] }>('/api/documents', { query: { book: 'incoming', status: 'received', limit: '200' } }),
      api.request<{ items: unknown[] }>('/api/deadline-requests', { query: { status: 'pending' } }),
    ]);
    items = list.items.sort((a, b) => a.arrivalAt.localeCompare(b.arrivalAt));
    waiting = requests.items.length;
    // An admin's list spans units: each unit's people are read when one of its items is opened.
    if (me.unitId) choices = await choicesFor(ctx, me.unitId);
  } catch (err) {
    return ctx.fail(err);
  }
  const again = async (notice: string) => {
    await assignPage(ctx);
    ctx.notice(notice);
  };
  const row = (d: DocumentInfo) => {
    const slot = h('div', { class: 'assign-slot' });
    const details = h('details', {}, h('summary', {}, t('asAssign')), slot);
    details.addEventListener('toggle', () => {
      if (!details.open || slot.firstChild) return;
      void (async () => {
        try {
          const c = choices && d.unitId === me.unitId ? choices : await choicesFor(ctx, d.unitId);
          replace(slot, assignForm(ctx, d, c, again));
          slot.querySelector<HTMLElement>('select')?.focus();
        } catch (err) {
          replace(slot, h('p', { class: 'error', role: 'alert' }, t('asChoicesFailed', { error: (err as Error).message })));
        }
      })();
    });
    return h(
      'li',
      { 'data-document': d.id },
      h('a', { href: `#/item/${d.id}` }, h('strong', {}, d.bookNumber ? `${d.bookNumber} · ` : '', d.subject || d.notation || d.id)),
      h(
        'span',
        { class: 'meta' },
        [d.notation, d.issuer, `${t('arrived')} ${instant(d.arrivalAt)}`, d.department ? `${t('department')}: ${d.departmentName ?? d.department}` : '']
          .filter(Boolean)
          .join(' · '),
        ' · ',
        h('span', { 'data-due': d.dueDate ?? '' }, d.dueDate ? `${t('due')}: ${day(d.dueDate)}` : t('noDue')),
      ),
      details,
    );
  };
  replace(
    main,
    h('h2', {}, t('asTitle')),
    h('p', { class: 'hint' }, t('asIntro')),
    waiting ? h('p', {}, h('a', { href: '#/extensions', 'data-requests': waiting }, t('asRequestsWaiting', { n: waiting }))) : null,
    items.length ? h('ul', { class: 'items assign-list' }, ...items.map(row)) : h('p', { class: 'empty' }, t('asEmpty')),
  );
}
