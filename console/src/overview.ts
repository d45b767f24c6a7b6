/**
 * The leader's overview (GET /api/overview): the month's received, registered and done documents,
 * and today's open and overdue ones, per department and per officer, as charts and tables; the
 * deadlines of this week. Counts of open and overdue items open the list behind them
 * (#/list/<filters>, GET /api/documents with the same filters), and an item opens on its own page
 * (#/item/<id>, GET /api/documents/{id}): fields, assignee, deadline, history, comments.
 */
import { button, field, h, replace } from '../../addin/src/dom.ts';
import type { DocumentInfo } from '../../addin/src/types.ts';
import type { Ctx } from './app.ts';
import { filterForm } from './filters.ts';
import { barChart, COLORS, resetCharts } from './charts.ts';
import { day, instant, today } from './format.ts';
import { latestLoad } from './latest.ts';
import { leaderControls } from './assign.ts';

interface Counts {
  received: number;
  registered: number;
  inProgress: number;
  overdue: number;
  done: number;
}
interface Row extends Counts {
  unitId: string;
  id: string | null;
  name: string;
  email?: string | null;
}
interface DueItem {
  id: string;
  unitId: string;
  bookNumber: number | null;
  notation: string | null;
  subject: string | null;
  status: string;
  dueDate: string;
  department: string | null;
  assigneeName: string | null;
  overdue: boolean;
}
interface Overview {
  unitId: string | null;
  month: string;
  today: string;
  week: { start: string; end: string };
  totals: Counts;
  departments: Row[];
  officers: Row[];
  dueThisWeek: DueItem[];
}

const OPEN = 'received,assigned,in_progress';

/**
 * Today by the registry's clock, as the last overview said (`today`): what its overdue counts were
 * taken against, so the list and item pages opened from it mark the same items overdue. Before any
 * overview, the browser's view of the gateway's time (the Date header).
 */
let serverToday: string | null = null;
const todayOf = (ctx: Ctx) => serverToday ?? today(ctx.api.now());
const COLUMNS = ['received', 'registered', 'inProgress', 'overdue', 'done'] as const;

/** The hash of the list behind a count: the documents API's own filters, plus the heading to show. */
export function listHash(filters: Record<string, string | undefined>, label: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  q.set('label', label);
  return `#/list/${encodeURIComponent(q.toString())}`;
}

export async function overviewPage(ctx: Ctx): Promise<void> {
  const { api, t, me, main } = ctx;
  resetCharts();
  let units: Array<{ id: string; name: string }> = [];
  if (me.role === 'admin') units = (await api.request<{ units: Array<{ id: string; name: string }> }>('/api/units').catch(() => ({ units }))).units;
  const unit = h('select', { name: 'unit' }, h('option', { value: '' }, t('allUnits')), ...units.map((u) => h('option', { value: u.id }, u.name)));
  const month = h('input', { name: 'month', type: 'month', value: today(api.now()).slice(0, 7), required: true });
  const body = h('div', { class: 'overview' });
  const unitName = (id: string) => units.find((u) => u.id === id)?.name ?? id;

  // A later load (the filters changed) wins over an earlier one still on its way.
  const overview = () => api.request<Overview>('/api/overview', { query: { unit: unit.value || undefined, month: month.value || undefined } });
  const load = latestLoad(ctx, overview, (o) => {
    resetCharts();
    serverToday = o.today;
    const several = o.unitId === null && units.length > 1;
    const deptName = (r: Row) => (r.id === null ? t('noDepartment') : r.name) + (several ? ` (${unitName(r.unitId)})` : '');
    const personName = (r: Row) => (r.id === null ? t('notAssigned') : r.name || r.email || r.id) + (several ? ` (${unitName(r.unitId)})` : '');
    const base = (r: Row, by: 'department' | 'assignee') => ({ unit: me.role === 'admin' ? r.unitId : undefined, [by]: r.id ?? undefined });
    const cell = (r: Row, k: (typeof COLUMNS)[number], by: 'department' | 'assignee', name: string) => {
      const n = r[k];
      // Open and overdue are lists the documents API can show; the month's counts are figures.
      if (!n || r.id === null || (k !== 'inProgress' && k !== 'overdue')) return h('td', { class: 'number', 'data-count': k }, n);
      const filters = { ...base(r, by), status: OPEN, book: 'incoming', overdue: k === 'overdue' ? 'true' : undefined };
      return h(
        'td',
        { class: `number${k === 'overdue' ? ' bad' : ''}`, 'data-count': k },
        h('a', { href: listHash(filters, `${t(`ov_${k}`)} — ${name}`), 'data-drill': k }, n),
      );
    };
    const table = (rows: Row[], by: 'department' | 'assignee', caption: string, nameOf: (r: Row) => string) =>
      h(
        'table',
        { class: 'counts', 'data-table': by },
        h('caption', {}, caption),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, by === 'department' ? t('department') : t('officer')),
            ...COLUMNS.map((k) => h('th', { scope: 'col' }, t(`ov_${k}`))),
          ),
        ),
        h(
          'tbody',
          {},
          ...rows.map((r) => h('tr', { 'data-row': r.id ?? '' }, h('th', { scope: 'row' }, nameOf(r)), ...COLUMNS.map((k) => cell(r, k, by, nameOf(r))))),
        ),
      );
    const chartOf = (rows: Row[], title: string, nameOf: (r: Row) => string, by: 'department' | 'assignee') =>
      rows.length
        ? barChart(
            title,
            rows.map(nameOf),
            (['received', 'inProgress', 'overdue'] as const).map((k) => ({ label: t(`ov_${k}`), data: rows.map((r) => r[k]), color: COLORS[k] })),
            {
              horizontal: true,
              onClick: (i) => {
                const r = rows[i];
                if (r.id !== null) ctx.go(listHash({ ...base(r, by), status: OPEN, book: 'incoming' }, `${t('ov_inProgress')} — ${nameOf(r)}`));
              },
            },
          )
        : null;
    const card = (k: (typeof COLUMNS)[number], href: string | null) =>
      h(
        'li',
        { class: `card${k === 'overdue' && o.totals.overdue ? ' bad' : ''}`, 'data-total': k },
        h('span', { class: 'label' }, t(`ov_${k}`)),
        href ? h('a', { class: 'value', href }, o.totals[k]) : h('span', { class: 'value' }, o.totals[k]),
      );
    const scope = { unit: unit.value || undefined, status: OPEN, book: 'incoming' };
    const officers = o.officers.filter((r) => r.id !== null || r.inProgress || r.received);
    replace(
      body,
      h(
        'ul',
        { class: 'cards', 'aria-label': t('ovTotals') },
        card('received', null),
        card('registered', null),
        card('inProgress', listHash(scope, t('ov_inProgress'))),
        card('overdue', listHash({ ...scope, overdue: 'true' }, t('ov_overdue'))),
        card('done', null),
      ),
      h('p', { class: 'hint' }, t('ovHint', { month: o.month.split('-').reverse().join('/'), today: day(o.today) })),
      h(
        'div',
        { class: 'charts' },
        chartOf(o.departments, t('ovByDepartment'), deptName, 'department'),
        chartOf(officers, t('ovByOfficer'), personName, 'assignee'),
      ),
      table(o.departments, 'department', t('ovByDepartment'), deptName),
      table(officers, 'assignee', t('ovByOfficer'), personName),
      h('h3', {}, t('ovDueThisWeek', { from: day(o.week.start), to: day(o.week.end) })),
      o.dueThisWeek.length
        ? h(
            'ul',
            { class: 'items due-week' },
            ...o.dueThisWeek.map((d) =>
              h(
                'li',
                { class: d.overdue ? 'overdue' : '', 'data-document': d.id },
                h('a', { href: `#/item/${d.id}` }, [d.bookNumber ? `${d.bookNumber} · ` : '', d.notation ?? '', ' — ', d.subject ?? ''].join('')),
                h(
                  'span',
                  { class: 'meta' },
                  h('span', { 'data-due': d.dueDate }, `${t('due')}: ${day(d.dueDate)}${d.overdue ? ` (${t('overdue')})` : ''}`),
                  ` · ${d.assigneeName ?? t('notAssigned')} · ${t(`status_${d.status}`)}`,
                ),
              ),
            ),
          )
        : h('p', { class: 'empty' }, t('ovNoDeadlines')),
    );
  });

  for (const el of [unit, month]) el.addEventListener('change', () => void load());
  replace(main, h('h2', {}, t('overviewTitle')), filterForm(load, units.length > 1 ? field(t('unit'), unit) : null, field(t('month'), month)), body);
  await load();
}

/** #/list/<filters>: the documents behind a count, each opening its own page. */
export async function itemListPage(ctx: Ctx, arg: string | undefined): Promise<void> {
  const { api, t, main } = ctx;
  resetCharts();
  const params = new URLSearchParams(arg ?? '');
  const label = params.get('label') ?? t('documents');
  params.delete('label');
  let res: { total: number; items: Array<DocumentInfo & { assigneeEmail: string | null }> };
  try {
    res = await api.request('/api/documents', { query: { ...Object.fromEntries(params), limit: '200' } });
  } catch (err) {
    return ctx.fail(err);
  }
  const now = todayOf(ctx);
  const open = new Set(OPEN.split(','));
  const rows = [...res.items].sort((a, b) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999'));
  replace(
    main,
    h('p', {}, h('a', { href: '#/overview' }, `← ${t('overviewTitle')}`)),
    h('h2', {}, label),
    h('p', { class: 'hint', 'data-total': res.total }, t('listCount', { n: res.total })),
    rows.length
      ? h(
          'table',
          { class: 'drill' },
          h(
            'thead',
            {},
            h('tr', {}, ...(['number', 'notation', 'subject', 'officer', 'dueDate', 'state'] as const).map((k) => h('th', { scope: 'col' }, t(k)))),
          ),
          h(
            'tbody',
            {},
            ...rows.map((d) => {
              const late = !!d.dueDate && d.dueDate < now && open.has(d.status);
              return h(
                'tr',
                { 'data-document': d.id, class: late ? 'overdue' : '' },
                h('td', { class: 'number' }, d.bookNumber ?? ''),
                h('td', {}, h('a', { href: `#/item/${d.id}` }, d.notation || t('noNotation'))),
                h('td', {}, d.subject ?? ''),
                h('td', {}, d.assigneeEmail ?? ''),
                h('td', { 'data-due': d.dueDate ?? '' }, `${day(d.dueDate)}${late ? ` (${t('overdue')})` : ''}`),
                h('td', { 'data-status': d.status }, t(`status_${d.status}`)),
              );
            }),
          ),
        )
      : h('p', { class: 'empty' }, t('bookEmpty')),
  );
}

interface Detail extends DocumentInfo {
  assignee: { name: string; email: string } | null;
  comments: Array<{ actor: string; body: string; createdAt: string }>;
  history: Array<{ at: string; actor: string; action: string }>;
}

/** #/item/<id>: one document as a leader reads it, with the assignment and deadline forms for who may use them. */
export async function itemPage(ctx: Ctx, id: string | undefined): Promise<void> {
  const { api, t, main } = ctx;
  resetCharts();
  let d: Detail;
  try {
    d = await api.request<Detail>(`/api/documents/${encodeURIComponent(id ?? '')}`);
  } catch (err) {
    return ctx.fail(err);
  }
  const late = !!d.dueDate && d.dueDate < todayOf(ctx) && OPEN.split(',').includes(d.status);
  // Giao việc, Đổi hạn: for whom the policy lets assign, while the document is open (console/src/assign.ts).
  const controls = await leaderControls(ctx, d, () => itemPage(ctx, id));
  const pair = (k: Parameters<typeof t>[0], v: string | number | null | undefined, attrs: Record<string, string> = {}) =>
    v === null || v === undefined || v === '' ? null : [h('dt', {}, t(k)), h('dd', attrs, v)];
  replace(
    main,
    h(
      'p',
      {},
      button(`← ${t('backTo')}`, () => history.back()),
    ),
    h('h2', {}, [d.notation, d.subject].filter(Boolean).join(' — ') || t('documents')),
    late ? h('p', { class: 'error', role: 'status', 'data-overdue': 'true' }, t('itemOverdue', { date: day(d.dueDate) })) : null,
    h(
      'dl',
      { class: 'item' },
      pair('number', d.bookNumber),
      pair('notation', d.notation),
      pair('issuer', d.issuer),
      pair('issuedDate', day(d.issuedDate)),
      pair('subject', d.subject),
      pair('arrived', instant(d.arrivalAt)),
      pair('state', t(`status_${d.status}`), { 'data-status': d.status }),
      pair('department', d.departmentName ?? d.department),
      pair('officer', d.assignee ? `${d.assignee.name} <${d.assignee.email}>` : t('notAssigned')),
      pair('dueDate', day(d.dueDate), { 'data-due': d.dueDate ?? '' }),
      pair('dlReason', d.dueReason, { 'data-due-reason': '' }),
      pair('asNote', d.assignmentNote, { 'data-assignment-note': '' }),
      pair('handling', d.handlingNotes),
    ),
    controls,
    h('h3', {}, t('comment')),
    d.comments.length
      ? h('ul', { class: 'items' }, ...d.comments.map((c) => h('li', {}, h('span', { class: 'meta' }, `${instant(c.createdAt)} · ${c.actor}`), c.body)))
      : h('p', { class: 'empty' }, t('noComments')),
    h('h3', {}, t('historyTitle')),
    h('ol', { class: 'history' }, ...d.history.map((e) => h('li', {}, h('span', { class: 'meta' }, `${instant(e.at)} · ${e.actor}`), e.action))),
  );
}
