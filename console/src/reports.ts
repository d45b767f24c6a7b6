/**
 * "Báo cáo": the report on the use of electronic documents the province asks for (GET
 * /api/reports/usage), per unit and month, each indicator against the target set in the
 * configuration (registry.reports.targets), as a chart and a table; the same report downloaded as
 * XLSX or PDF (the API renders both), fetched with the token.
 */
import { button, field, h, replace } from '../../addin/src/dom.ts';
import { TOKEN_KEY, type Ctx } from './app.ts';
import { filterForm } from './filters.ts';
import { barChart, COLORS, resetCharts } from './charts.ts';
import { download, instant, today } from './format.ts';
import { latestLoad } from './latest.ts';

type IndicatorKey =
  | 'receivedElectronic'
  | 'receivedSigned'
  | 'receivedScans'
  | 'receivedPaper'
  | 'sentElectronic'
  | 'sentSigned'
  | 'officersElectronic'
  | 'registerHours'
  | 'doneDays';

interface Indicator {
  key: IndicatorKey;
  unit: 'pct' | 'hours' | 'days';
  value: number | null;
  count: number | null;
  total: number | null;
  target: number | null;
  met: boolean | null;
}
interface Spread {
  n: number;
  median: number | null;
  p90: number | null;
}
interface UnitUsage {
  unitId: string;
  unitName: string;
  received: { total: number; electronic: number; paper: number; scans: number; signed: number };
  sent: { numbered: number; electronic: number; signed: number | null };
  officers: { withItems: number; app: number; mail: number; electronic: number; none: number };
  channels: Record<Channel, { actions: number; people: number; verified?: boolean }>;
  times: { registerHours: Spread; doneDays: Spread };
  indicators: Indicator[];
}
/** Where people acted (the audit entries' channel), in the order the table shows them. */
const CHANNELS = ['console', 'addin', 'mail', 'cli', 'api', 'unknown'] as const;
type Channel = (typeof CHANNELS)[number];

interface UsageReport {
  month: string;
  generatedAt: string;
  units: UnitUsage[];
}

export async function reportsPage(ctx: Ctx): Promise<void> {
  const { api, t, me, main } = ctx;
  resetCharts();
  let units: Array<{ id: string; name: string }> = [];
  if (me.role === 'admin') units = (await api.request<{ units: Array<{ id: string; name: string }> }>('/api/units').catch(() => ({ units }))).units;
  const unit = h('select', { name: 'unit' }, h('option', { value: '' }, t('allUnits')), ...units.map((u) => h('option', { value: u.id }, u.name)));
  const month = h('input', { name: 'month', type: 'month', value: today(api.now()).slice(0, 7), required: true });
  const body = h('div', { class: 'report' });
  const num = (v: number | null, unitOf: Indicator['unit']) =>
    v === null
      ? '—'
      : `${v.toLocaleString(document.documentElement.lang || 'vi', { maximumFractionDigits: 1 })}${unitOf === 'pct' ? ' %' : ` ${t(unitOf === 'hours' ? 'hoursShort' : 'daysShort')}`}`;

  const section = (u: UnitUsage) => {
    const shares = u.indicators.filter((i) => i.unit === 'pct' && i.value !== null);
    return h(
      'section',
      { class: 'unit-report', 'data-unit': u.unitId },
      h('h3', {}, u.unitName),
      shares.length
        ? barChart(
            t('reportChart', { unit: u.unitName }),
            shares.map((i) => t(`ind_${i.key}`)),
            [
              { label: t('reportValue'), data: shares.map((i) => i.value), color: COLORS.received },
              { label: t('reportTarget'), data: shares.map((i) => i.target), color: COLORS.target },
            ],
            { horizontal: true, max: 100 },
          )
        : null,
      h(
        'table',
        { class: 'indicators' },
        h('caption', {}, t('reportTableCaption', { unit: u.unitName })),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...(['reportIndicator', 'reportFigures', 'reportValue', 'reportTarget', 'reportMet'] as const).map((k) => h('th', { scope: 'col' }, t(k))),
          ),
        ),
        h(
          'tbody',
          {},
          ...u.indicators.map((i) =>
            h(
              'tr',
              { 'data-indicator': i.key, 'data-met': i.met === null ? '' : String(i.met) },
              h('th', { scope: 'row' }, t(`ind_${i.key}`)),
              h('td', { class: 'number' }, i.unit === 'pct' ? (i.count === null ? '' : `${i.count} / ${i.total}`) : t('reportOver', { n: i.total ?? 0 })),
              h('td', { class: 'number', 'data-value': i.value ?? '' }, num(i.value, i.unit)),
              h('td', { class: 'number' }, i.target === null ? '' : `${i.unit === 'pct' ? '≥' : '≤'} ${num(i.target, i.unit)}`),
              h('td', { class: i.met === false ? 'bad' : i.met ? 'ok' : '' }, i.met === null ? '' : t(i.met ? 'reportMetYes' : 'reportMetNo')),
            ),
          ),
        ),
      ),
      channelTable(ctx, u),
      h(
        'p',
        { class: 'hint' },
        t('reportOfficers', { n: u.officers.withItems, app: u.officers.app, mail: u.officers.mail, none: u.officers.none }),
        ' ',
        t('reportTimes', {
          regMedian: num(u.times.registerHours.median, 'hours'),
          regP90: num(u.times.registerHours.p90, 'hours'),
          doneMedian: num(u.times.doneDays.median, 'days'),
          doneP90: num(u.times.doneDays.p90, 'days'),
        }),
      ),
    );
  };

  // A later load (the filters changed) wins over an earlier one still on its way.
  const load = latestLoad(
    ctx,
    () => api.request<UsageReport>('/api/reports/usage', { query: { unit: unit.value || undefined, month: month.value || undefined } }),
    (r) => {
      resetCharts();
      replace(body, h('p', { class: 'hint' }, t('reportMade', { at: instant(r.generatedAt) })), ...r.units.map(section));
    },
  );

  const exportAs = (format: 'xlsx' | 'pdf') => () => {
    const q = new URLSearchParams({ format, month: month.value });
    if (unit.value) q.set('unit', unit.value);
    void download(
      new URL(`api/reports/usage?${q}`, new URL('./', location.href)).href,
      sessionStorage.getItem(TOKEN_KEY),
      `bao-cao-vbdt-${unit.value || me.unitId || 'all'}-${month.value}.${format}`,
    ).catch((err) => ctx.notice((err as Error).message));
  };

  for (const el of [unit, month]) el.addEventListener('change', () => void load());
  replace(
    main,
    h('h2', {}, t('reportsTitle')),
    h('p', { class: 'hint' }, t('reportsIntro')),
    filterForm(load, units.length > 1 ? field(t('unit'), unit) : null, field(t('month'), month)),
    h('div', { class: 'actions exports' }, button(t('exportXlsx'), exportAs('xlsx')), button(t('printReport'), exportAs('pdf'))),
    body,
  );
  await load();
}

/** Actions on the unit's documents in the month per channel: console, Outlook add-in, mail, CLI, other API clients. */
function channelTable(ctx: Ctx, u: UnitUsage): HTMLElement | null {
  const { t } = ctx;
  if (!u.channels) return null;
  const shown = CHANNELS.filter((c) => c !== 'unknown' || u.channels[c].actions > 0);
  return h(
    'table',
    { class: 'channels', 'data-unit': u.unitId },
    h('caption', {}, t('channelsCaption', { unit: u.unitName })),
    h('thead', {}, h('tr', {}, ...(['channelName', 'channelActions', 'channelPeople', 'channelSource'] as const).map((k) => h('th', { scope: 'col' }, t(k))))),
    h(
      'tbody',
      {},
      ...shown.map((c) =>
        h(
          'tr',
          { 'data-channel': c },
          h('th', { scope: 'row' }, t(`channel_${c}`)),
          h('td', { class: 'number' }, String(u.channels[c].actions)),
          h('td', { class: 'number' }, String(u.channels[c].people)),
          h('td', { class: u.channels[c].verified ? 'verified' : 'claimed' }, t(u.channels[c].verified ? 'channelVerified' : 'channelClaimed')),
        ),
      ),
    ),
    h('tfoot', {}, h('tr', {}, h('td', { colspan: '4', class: 'hint' }, t('channelNote')))),
  );
}
