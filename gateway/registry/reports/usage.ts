/**
 * The report on the use of electronic documents the provinces ask of each unit ("báo cáo tình
 * hình sử dụng văn bản điện tử", e.g. Bình Thuận 25/CT-UBND), per unit and month, against the
 * targets of `registry.reports.targets` (gateway/config/reports.ts). What each figure counts:
 *
 * - received: documents that arrived in the month (not ordinary mail kept, not copies linked to an
 *   original); electronically: by mail at a unit address (SMTP, Haraka, IMAP), from another unit
 *   of this gateway (local delivery) or as edXML;
 *   entered by hand: put in at the desk through the upload API or the CLI (a scan of paper, as a
 *   rule) or with no message at all; scans: a message whose attachment needed OCR; signed: the
 *   document's signature verdict is `valid`;
 * - sent: numbers taken in the outgoing book in the month; electronically: sent through vanthu
 *   (an outgoing message exists); signed: sent without the clerk confirming an unsigned document
 *   (audit `outgoing.send_unsigned`) — known only while `outgoing.requireSigned` is on, else null;
 * - officers: people with an item assigned and open during the month; acting electronically: at
 *   least one action on an item in the month (progress, done, comment, extension, decline,
 *   results) in the add-in or the console (the API) or by a reply to a notice (audit `via.channel`
 *   = mail); none: items but no such action;
 * - channels: every action people took on the unit's documents in the month (not the pipeline's),
 *   by where they took it — the audit entry's `via.channel`: console, addin (Outlook), mail (a reply
 *   to a notice), cli, api (another client of the API); `unknown` for entries written before
 *   channels were recorded — counted as actions and as the people who took them;
 * - times: arrival → registration (hours) of the documents registered in the month, arrival → done
 *   (days) of those done in the month; median and 90th percentile.
 *
 * It reads the outgoing side's tables by name (raw SQL): the domain folders may not import each other.
 */
import { sql } from 'drizzle-orm';
import type { ReportTargets } from '../../config/reports.ts';
import { rows } from '../db.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { monthOf, quantile } from './period.ts';

/** Actions on an item that count as working on it electronically. */
export const OFFICER_ACTIONS = [
  'document.in_progress',
  'document.done',
  'document.comment',
  'document.extension_request',
  'document.decline',
  'document.results',
  'document.sent_by_mail',
];

/** Where an action was taken (audit `data.via.channel`, set by gateway/http/channel.ts, the CLI and replies). */
export const CHANNELS = ['console', 'addin', 'mail', 'cli', 'api', 'unknown'] as const;
export type ChannelKey = (typeof CHANNELS)[number];
/**
 * Channels the gateway records itself (a reply to a notice, taken in by mail). The others come from
 * the client's own header (gateway/http/channel.ts) — or its absence, `api` — and are not proven:
 * the report marks them unverified.
 */
export const VERIFIED_CHANNELS: readonly ChannelKey[] = ['mail'];

export interface Spread {
  n: number;
  median: number | null;
  p90: number | null;
}

export interface UnitUsage {
  unitId: string;
  unitName: string;
  received: { total: number; electronic: number; paper: number; scans: number; signed: number };
  sent: { numbered: number; electronic: number; signed: number | null };
  officers: { withItems: number; app: number; mail: number; electronic: number; none: number };
  /** Actions on the unit's documents in the month by people (not the pipeline), and how many people, per channel. */
  channels: Record<ChannelKey, { actions: number; people: number; verified: boolean }>;
  times: { registerHours: Spread; doneDays: Spread };
  indicators: Indicator[];
}

export type IndicatorKey =
  | 'receivedElectronic'
  | 'receivedSigned'
  | 'receivedScans'
  | 'receivedPaper'
  | 'sentElectronic'
  | 'sentSigned'
  | 'officersElectronic'
  | 'registerHours'
  | 'doneDays';

export interface Indicator {
  key: IndicatorKey;
  /** pct: share in %; hours/days: the 90th percentile. */
  unit: 'pct' | 'hours' | 'days';
  value: number | null;
  /** For shares: count of total. */
  count: number | null;
  total: number | null;
  target: number | null;
  /** pct targets are minimums, times maximums; null without a target or a value. */
  met: boolean | null;
}

export interface UsageReport {
  month: string;
  generatedAt: string;
  targets: ReportTargets;
  units: UnitUsage[];
}

type Num = number | string | null;
const num = (v: Num) => Number(v ?? 0);
const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const pct = (count: number, total: number) => (total ? round1((100 * count) / total) : null);

function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, median: round1(quantile(s, 0.5)), p90: round1(quantile(s, 0.9)) };
}

/** `unitIds`: the units in the caller's scope, in the order to show them. */
export async function usageReport(rt: RegistryRuntime, unitIds: string[], month?: string): Promise<UsageReport> {
  const now = rt.clock.now();
  const m = monthOf(month, now, rt.tz);
  const from = m.from.toISOString();
  const to = m.to.toISOString();
  const units = sql.join(
    unitIds.map((u) => sql`${u}`),
    sql`, `,
  );
  if (!unitIds.length) return { month: m.month, generatedAt: now.toISOString(), targets: rt.config.registry.reports.targets, units: [] };
  const nextMonth = m.month.endsWith('-12')
    ? `${Number(m.month.slice(0, 4)) + 1}-01`
    : `${m.month.slice(0, 5)}${String(Number(m.month.slice(5)) + 1).padStart(2, '0')}`;

  const received = await rows<{ unit_id: string; total: Num; electronic: Num; paper: Num; scans: Num; signed: Num }>(
    rt.db,
    sql`select d.unit_id, count(*) as total,
          count(*) filter (where d.via_edxml or m.source in ('smtp', 'haraka', 'imap', 'local')) as electronic,
          count(*) filter (where not d.via_edxml and (m.id is null or m.source in ('api', 'cli'))) as paper,
          count(*) filter (where exists (select 1 from message_ocr o where o.message_id = d.inbound_id)) as scans,
          count(*) filter (where d.verdict = 'valid') as signed
        from documents d left join inbound_messages m on m.id = d.inbound_id
        where d.unit_id in (${units}) and d.status not in ('not_document', 'linked')
          and d.arrival_at >= ${from}::timestamptz and d.arrival_at < ${to}::timestamptz
        group by d.unit_id`,
  );
  const sent = await rows<{ unit_id: string; numbered: Num; electronic: Num; signed: Num }>(
    rt.db,
    sql`select e.unit_id, count(*) as numbered,
          count(*) filter (where exists (select 1 from outgoing_messages o where o.entry_id = e.id)) as electronic,
          count(*) filter (where exists (select 1 from outgoing_messages o where o.entry_id = e.id
            and not exists (select 1 from audit_log a where a.entity = 'outgoing' and a.entity_id = o.id and a.action = 'outgoing.send_unsigned'))) as signed
        from outgoing_entries e
        where e.unit_id in (${units}) and e.issued_date >= ${`${m.month}-01`} and e.issued_date < ${`${nextMonth}-01`}
        group by e.unit_id`,
  );
  const withItems = await rows<{ unit_id: string; email: string }>(
    rt.db,
    sql`select distinct d.unit_id, u.email from documents d join users u on u.id = d.assignee_id
        where d.unit_id in (${units}) and d.book_number is not null and d.status not in ('not_document', 'linked')
          and d.arrival_at < ${to}::timestamptz and (d.done_at is null or d.done_at >= ${from}::timestamptz)`,
  );
  const actions = sql.join(
    OFFICER_ACTIONS.map((a) => sql`${a}`),
    sql`, `,
  );
  const acted = await rows<{ actor: string; by_mail: boolean | null }>(
    rt.db,
    sql`select distinct actor, (data->'via'->>'channel') = 'mail' as by_mail from audit_log
        where entity = 'document' and action in (${actions}) and at >= ${from}::timestamptz and at < ${to}::timestamptz`,
  );
  const channels = await rows<{ unit_id: string; channel: string | null; actions: Num; people: Num }>(
    rt.db,
    sql`select d.unit_id, a.data->'via'->>'channel' as channel, count(*) as actions, count(distinct a.actor) as people
        from audit_log a join documents d on d.id = a.entity_id
        where a.entity = 'document' and a.actor not like 'system:%' and d.unit_id in (${units})
          and a.at >= ${from}::timestamptz and a.at < ${to}::timestamptz
        group by 1, 2`,
  );
  const times = await rows<{ unit_id: string; reg_s: Num; done_s: Num; registered: boolean; done: boolean }>(
    rt.db,
    sql`select unit_id,
          extract(epoch from (registered_at - arrival_at)) as reg_s,
          extract(epoch from (done_at - arrival_at)) as done_s,
          (book_number is not null and registered_at >= ${from}::timestamptz and registered_at < ${to}::timestamptz) as registered,
          (status = 'done' and done_at >= ${from}::timestamptz and done_at < ${to}::timestamptz) as done
        from documents
        where unit_id in (${units}) and status not in ('not_document', 'linked')
          and ((registered_at >= ${from}::timestamptz and registered_at < ${to}::timestamptz) or (done_at >= ${from}::timestamptz and done_at < ${to}::timestamptz))`,
  );

  const byApp = new Set(acted.filter((a) => !a.by_mail).map((a) => a.actor.toLowerCase()));
  const byMail = new Set(acted.filter((a) => a.by_mail).map((a) => a.actor.toLowerCase()));
  const targets = rt.config.registry.reports.targets;
  const signedKnown = rt.config.outgoing.requireSigned;
  const out = unitIds.map((unitId): UnitUsage => {
    const r = received.find((x) => x.unit_id === unitId);
    const s = sent.find((x) => x.unit_id === unitId);
    const people = withItems.filter((x) => x.unit_id === unitId).map((x) => x.email.toLowerCase());
    const app = people.filter((e) => byApp.has(e)).length;
    const mail = people.filter((e) => byMail.has(e)).length;
    const electronic = people.filter((e) => byApp.has(e) || byMail.has(e)).length;
    const t = times.filter((x) => x.unit_id === unitId);
    const usage: Omit<UnitUsage, 'indicators'> = {
      unitId,
      unitName: rt.config.units.find((u) => u.id === unitId)?.name ?? unitId,
      received: {
        total: num(r?.total ?? 0),
        electronic: num(r?.electronic ?? 0),
        paper: num(r?.paper ?? 0),
        scans: num(r?.scans ?? 0),
        signed: num(r?.signed ?? 0),
      },
      sent: { numbered: num(s?.numbered ?? 0), electronic: num(s?.electronic ?? 0), signed: signedKnown ? num(s?.signed ?? 0) : null },
      officers: { withItems: people.length, app, mail, electronic, none: people.length - electronic },
      channels: byChannel(channels.filter((c) => c.unit_id === unitId)),
      times: {
        registerHours: spread(t.filter((x) => x.registered).map((x) => num(x.reg_s) / 3600)),
        doneDays: spread(t.filter((x) => x.done).map((x) => num(x.done_s) / 86_400)),
      },
    };
    return { ...usage, indicators: indicators(usage, targets) };
  });
  return { month: m.month, generatedAt: now.toISOString(), targets, units: out };
}

function byChannel(found: Array<{ channel: string | null; actions: Num; people: Num }>): UnitUsage['channels'] {
  const out = Object.fromEntries(CHANNELS.map((c) => [c, { actions: 0, people: 0, verified: VERIFIED_CHANNELS.includes(c) }])) as UnitUsage['channels'];
  for (const f of found) {
    const c = (CHANNELS as readonly string[]).includes(f.channel ?? '') ? (f.channel as ChannelKey) : 'unknown';
    out[c] = { ...out[c], actions: out[c].actions + num(f.actions), people: out[c].people + num(f.people) };
  }
  return out;
}

function share(key: IndicatorKey, count: number, total: number, target: number | null): Indicator {
  const value = pct(count, total);
  return { key, unit: 'pct', value, count, total, target, met: target === null || value === null ? null : value >= target };
}

function time(key: IndicatorKey, unit: 'hours' | 'days', s: Spread, target: number): Indicator {
  return { key, unit, value: s.p90, count: null, total: s.n, target, met: s.p90 === null ? null : s.p90 <= target };
}

export function indicators(u: Omit<UnitUsage, 'indicators'>, t: ReportTargets): Indicator[] {
  return [
    share('receivedElectronic', u.received.electronic, u.received.total, t.receivedElectronicPct),
    share('receivedSigned', u.received.signed, u.received.total, t.signedPct),
    share('receivedScans', u.received.scans, u.received.total, null),
    share('receivedPaper', u.received.paper, u.received.total, null),
    share('sentElectronic', u.sent.electronic, u.sent.numbered, t.sentElectronicPct),
    u.sent.signed === null
      ? { key: 'sentSigned', unit: 'pct', value: null, count: null, total: u.sent.electronic, target: null, met: null }
      : share('sentSigned', u.sent.signed, u.sent.electronic, null),
    share('officersElectronic', u.officers.electronic, u.officers.withItems, t.officersElectronicPct),
    time('registerHours', 'hours', u.times.registerHours, t.registerHoursP90),
    time('doneDays', 'days', u.times.doneDays, t.doneDaysP90),
  ];
}
