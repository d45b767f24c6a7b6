/**
 * The incoming book of a unit and year (GET /api/documents?book=incoming, newest number first, 50
 * rows a page, "Xem thêm" for the next) with filters by type, issuer, urgency and state and the registry's
 * diacritics-insensitive search (q), all applied by the server, and the
 * book as the API prints it (GET /api/books/{unit}/{year}?format=pdf|csv|xlsx, with the same filters:
 * the printout is what the screen shows), downloaded with the token.
 */
import { button, field, h, replace } from '../../addin/src/dom.ts';
import type { DocumentInfo } from '../../addin/src/types.ts';
import { TOKEN_KEY, type Ctx } from './app.ts';
import { filterForm } from './filters.ts';
import { day, download, today } from './format.ts';

const STATES = ['received', 'assigned', 'in_progress', 'done', 'returned', 'forwarded'] as const;
/** Độ khẩn (gateway/registry/intake/fields.ts). */
const URGENCIES = ['normal', 'khan', 'thuong_khan', 'hoa_toc'] as const;
/** Rows per page: the first page of a book of thousands draws at once, the rest on "Xem thêm". */
const PAGE = 50;

export async function booksPage(ctx: Ctx): Promise<void> {
  const { api, t, me, main } = ctx;
  let units: Array<{ id: string; name: string }> = me.unitId ? [{ id: me.unitId, name: me.unitName ?? me.unitId }] : [];
  if (me.role === 'admin') units = (await api.request<{ units: Array<{ id: string; name: string }> }>('/api/units').catch(() => ({ units }))).units;
  const unit = h('select', { name: 'unit' }, ...units.map((u) => h('option', { value: u.id }, u.name)));
  const year = h('input', { name: 'year', type: 'number', min: '1900', max: '9999', value: today(api.now()).slice(0, 4) });
  const q = h('input', { name: 'q', type: 'search' });
  const type = h('select', { name: 'type' }, h('option', { value: '' }, t('all')));
  const issuer = h('input', { name: 'issuer', type: 'search' });
  const state = h('select', { name: 'state' }, h('option', { value: '' }, t('all')), ...STATES.map((s) => h('option', { value: s }, t(`status_${s}`))));
  const urgency = h('select', { name: 'urgency' }, h('option', { value: '' }, t('all')), ...URGENCIES.map((u) => h('option', { value: u }, t(`urgency_${u}`))));
  const table = h('div', { class: 'book' });
  const more = h('p', { class: 'more' });
  let rows: DocumentInfo[] = [];
  let total = 0;

  const draw = () => {
    if (!rows.length) {
      replace(more);
      return replace(table, h('p', { class: 'empty' }, t('bookEmpty')));
    }
    replace(
      table,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h('tr', {}, ...(['number', 'arrived', 'notation', 'issuedDate', 'issuer', 'subject', 'dueDate', 'state'] as const).map((k) => h('th', {}, t(k)))),
        ),
        h(
          'tbody',
          {},
          ...rows.map((d) =>
            h(
              'tr',
              { 'data-document': d.id },
              h('td', { class: 'number' }, d.bookNumber ?? ''),
              h('td', {}, day(d.registeredAt ?? d.arrivalAt)),
              h('td', {}, h('a', { href: `#/item/${d.id}` }, d.notation || t('noNotation'))),
              h('td', {}, day(d.issuedDate)),
              h('td', {}, d.issuer ?? ''),
              h('td', {}, d.subject ?? ''),
              h('td', {}, day(d.dueDate)),
              h('td', { 'data-status': d.status }, t(`status_${d.status}`)),
            ),
          ),
        ),
      ),
    );
    replace(
      more,
      h('span', { class: 'hint', 'data-total': total }, t('bookShown', { n: rows.length, total })),
      rows.length < total ? button(t('showMore'), () => void load(true)) : null,
    );
  };

  // The filters on screen: the list and the printed book (GET /api/books/{unit}/{year}) take the same.
  const filters = () => ({
    q: q.value.trim() || undefined,
    status: state.value || undefined,
    typeCode: type.value || undefined,
    issuer: issuer.value.trim() || undefined,
    urgency: urgency.value || undefined,
  });

  // The server filters and pages (PAGE rows at a time, newest number first); a later load wins over one still on its way.
  let loads = 0;
  const load = async (append = false) => {
    const mine = ++loads;
    let res: { total: number; items: DocumentInfo[]; types?: Array<{ code: string; name: string | null }> };
    try {
      res = await api.request('/api/documents', {
        query: {
          book: 'incoming',
          unit: unit.value || undefined,
          year: year.value || undefined,
          ...filters(),
          facets: append ? undefined : 'true',
          limit: String(PAGE),
          offset: append ? String(rows.length) : undefined,
        },
      });
    } catch (err) {
      return ctx.fail(err);
    }
    if (mine !== loads) return;
    rows = append ? [...rows, ...res.items] : res.items;
    total = res.total;
    if (res.types) {
      const keep = type.value;
      replace(type, h('option', { value: '' }, t('all')), ...res.types.map((c) => h('option', { value: c.code }, c.name ?? c.code)));
      type.value = res.types.some((c) => c.code === keep) ? keep : '';
    }
    draw();
  };

  const exportAs = (format: 'pdf' | 'csv' | 'xlsx') => () => {
    const query = new URLSearchParams({ kind: 'incoming', format });
    for (const [k, v] of Object.entries(filters())) if (v) query.set(k, v);

    void download(
      new URL(`api/books/${encodeURIComponent(unit.value)}/${year.value}?${query}`, new URL('./', location.href)).href,
      sessionStorage.getItem(TOKEN_KEY),
      `so-den-${unit.value}-${year.value}.${format}`,
    ).catch((err) => ctx.notice((err as Error).message));
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 250);
  };
  for (const el of [unit, year, state, type, urgency]) el.addEventListener('change', () => void load());
  q.addEventListener('input', later);
  issuer.addEventListener('input', later);

  replace(
    main,
    h('h2', {}, t('booksTitle')),
    filterForm(
      load,
      units.length > 1 ? field(t('unit'), unit) : null,
      field(t('year'), year),
      field(t('search'), q, t('searchHint')),
      field(t('type'), type),
      field(t('issuer'), issuer),
      field(t('urgency'), urgency),
      field(t('state'), state),
    ),
    h(
      'div',
      { class: 'actions exports' },
      button(t('printPdf'), exportAs('pdf')),
      button(t('exportCsv'), exportAs('csv')),
      button(t('exportXlsx'), exportAs('xlsx')),
    ),
    table,
    more,
  );
  await load();
}
