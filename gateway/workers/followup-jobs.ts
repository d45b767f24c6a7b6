/**
 * The follow-up worker: sends receipts, returns and quarantine alerts, assignments, reminders and
 * escalations, and the daily digest; what an officer or leader receives carries a reply address
 * to act on it by mail (docs/act-by-email.md). Every job re-reads the document and does nothing
 * when the reason for it has gone (done, deadline moved); every mail is sent at most once
 * (outbound_mail keys).
 */
import { DelayedError, Worker, type Job } from 'bullmq';
import { and, eq, inArray } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { appendAudit } from '../registry/audit.ts';
import { localDate } from '../clock.ts';
import type { Mailer } from '../registry/ports.ts';
import { isDuplicateAlert } from '../registry/intake/integrity.ts';
import {
  actFooter,
  alertNotice,
  assignmentNotice,
  digestNotice,
  duplicateAlertNotice,
  doneNotice,
  escalationNotice,
  receiptNotice,
  reminderNotice,
  returnNotice,
  type Notice,
} from '../registry/workflow/notices.ts';
import type { DocumentRow } from '../registry/books/register.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { documents, users } from '../registry/schema.ts';
import { inboundMessages } from '../store/schema.ts';
import { OPEN_STATUSES } from '../registry/books/search.ts';
import type { BlobStore } from '../store/blobs.ts';
import { edxmlStatusFor } from '../registry/intake/edxml-status.ts';
import { deadlineEvent } from '../registry/workflow/ical.ts';
import { syncMeetingInvites } from '../registry/workflow/meetings.ts';
import { replyAddress } from '../registry/replies/address.ts';
import { ASSIGNEE_ACTIONS, DIGEST_ACTIONS, OVERSEER_ACTIONS } from '../registry/replies/token.ts';
import { renewDueTimestamps, type RenewalSweep } from '../outgoing/renewal.ts';
import { FOLLOWUP_QUEUE, type FollowupJob } from './followup.ts';

export interface FollowupDeps {
  rt: RegistryRuntime;
  mailer: Mailer;
  blobs: BlobStore | null;
}

const SYSTEM = 'system:followup';

async function loadDoc(rt: RegistryRuntime, id: string): Promise<DocumentRow | null> {
  const [d] = await rt.db.select().from(documents).where(eq(documents.id, id));
  return d ?? null;
}

async function unitUsers(rt: RegistryRuntime, unitId: string, roles: string[]): Promise<string[]> {
  const rows = await rt.db
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.unitId, unitId), inArray(users.role, roles), eq(users.active, true)));
  return rows.map((r) => r.email);
}

interface Person {
  id: string;
  email: string;
  name: string;
}

async function unitPeople(rt: RegistryRuntime, unitId: string, roles: string[]): Promise<Person[]> {
  return rt.db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.unitId, unitId), inArray(users.role, roles), eq(users.active, true)));
}

async function person(rt: RegistryRuntime, id: string | null): Promise<Person | null> {
  if (!id) return null;
  const [u] = await rt.db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, id));
  return u ?? null;
}

async function record(rt: RegistryRuntime, action: string, doc: DocumentRow, data: Record<string, unknown>): Promise<void> {
  // The entry's statement is the transaction's last: the commit goes with it (store/db.ts commitWithNext).
  await rt.db.transaction((tx) =>
    appendAudit(tx, { actor: SYSTEM, action, entity: 'document', entityId: doc.id, data }, rt.clock.now(), undefined, { last: true }),
  );
}

const unitName = (rt: RegistryRuntime, unitId: string) => rt.config.units.find((u) => u.id === unitId)?.name ?? unitId;

/**
 * The unit's address the document arrived at (its envelope recipients that are the unit's), so
 * what the unit answers the sender — receipt, return, done — comes from there, envelope sender
 * included (docs/issuance.md, "Receipts from the unit's address"); null (the gateway's `mail.from`) for a
 * document that did not come to one of the unit's addresses (an upload, say).
 */
async function unitSender(rt: RegistryRuntime, doc: DocumentRow): Promise<{ name: string; address: string } | null> {
  const unit = rt.config.units.find((u) => u.id === doc.unitId);
  if (!unit || !doc.inboundId) return null;
  const [inbound] = await rt.db.select({ rcptTo: inboundMessages.rcptTo }).from(inboundMessages).where(eq(inboundMessages.id, doc.inboundId));
  const own = new Map(unit.addresses.map((a) => [a.toLowerCase(), a]));
  const address = inbound?.rcptTo.map((r) => own.get(r.toLowerCase())).find(Boolean);
  return address ? { name: unit.name, address } : null;
}

async function mailAbout(
  deps: FollowupDeps,
  doc: DocumentRow,
  key: string,
  to: string[],
  notice: Notice,
  extra: {
    cc?: string[];
    replyTo?: string | null;
    attachments?: Array<{ filename: string; content: string; contentType: string }>;
    from?: { name: string; address: string } | null;
  } = {},
): Promise<string> {
  const [inbound] = doc.internetMessageId ? [doc.internetMessageId] : [];
  // An actionable notice says how to act on it by replying (docs/act-by-email.md).
  const text = extra.replyTo ? [notice.text, ...actFooter(extra.replyTo)].join('\n') : notice.text;
  const r = await deps.mailer.send({ key, to, subject: notice.subject, text, inReplyTo: inbound ?? null, ...extra });
  if (r === 'sent') await record(deps.rt, `mail.${key.split(':')[0]}`, doc, { key, to, cc: extra.cc ?? [] });
  return r;
}

async function senderMail(deps: FollowupDeps, job: { kind: 'receipt' | 'alert' | 'return' | 'done'; docId: string }): Promise<string> {
  const { rt } = deps;
  const doc = await loadDoc(rt, job.docId);
  if (!doc) return 'gone';
  const name = unitName(rt, doc.unitId);
  // Answers to the sender come from the unit's address the document arrived at.
  const from = () => unitSender(rt, doc);
  if (job.kind === 'receipt') {
    if (doc.bookNumber === null || !doc.senderAddress) return 'not-registered';
    const status = doc.viaEdxml && deps.blobs ? await edxmlStatusFor(rt, deps.blobs, doc, 'received') : null;
    return mailAbout(deps, doc, `receipt:${doc.id}`, [doc.senderAddress], receiptNotice(doc, name), {
      from: await from(),
      ...(status ? { attachments: [status] } : {}),
    });
  }
  if (job.kind === 'done') {
    if (doc.status !== 'done' || !doc.senderAddress) return 'not-done';
    const status = doc.viaEdxml && deps.blobs ? await edxmlStatusFor(rt, deps.blobs, doc, 'completed') : null;
    return mailAbout(deps, doc, `done:${doc.id}`, [doc.senderAddress], doneNotice(doc, name), {
      from: await from(),
      ...(status ? { attachments: [status] } : {}),
    });
  }
  if (job.kind === 'return') {
    if (doc.status !== 'returned' || !doc.senderAddress) return 'not-returned';
    return mailAbout(deps, doc, `return:${doc.id}`, [doc.senderAddress], returnNotice(doc, name, doc.remarks ?? ''), { from: await from() });
  }
  if (doc.status !== 'quarantined' && isDuplicateAlert(doc.reasons)) {
    const clerks = await unitUsers(rt, doc.unitId, ['clerk']);
    const to = clerks.length ? [...clerks, ...rt.config.mail.alertTo] : [...rt.config.mail.alertTo, ...(await unitUsers(rt, doc.unitId, ['leader', 'admin']))];
    if (!to.length) return 'no-recipient';
    return mailAbout(deps, doc, `dupalert:${doc.id}`, to, duplicateAlertNotice(doc, name));
  }
  if (doc.status !== 'quarantined') return 'not-quarantined';
  const to = [...(await unitUsers(rt, doc.unitId, ['clerk'])), ...rt.config.mail.alertTo];
  const admins = (
    await rt.db
      .select({ email: users.email })
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.active, true)))
  ).map((u) => u.email);
  return mailAbout(deps, doc, `alert:${doc.id}`, to.length ? to : admins, alertNotice(doc, name), { cc: admins });
}

async function deadlineJob(
  deps: FollowupDeps,
  job: Job<FollowupJob>,
  data: { kind: 'reminder' | 'escalate'; docId: string; dueDate: string; fireAt: number },
  token?: string,
): Promise<string> {
  const { rt } = deps;
  const doc = await loadDoc(rt, data.docId);
  if (!doc || !OPEN_STATUSES.includes(doc.status) || doc.dueDate !== data.dueDate) return 'stale';
  const now = rt.clock.now().getTime();
  if (now < data.fireAt && token) {
    // Woken early (clock skew between Redis and the clock): wait the rest.
    await job.moveToDelayed(Date.now() + (data.fireAt - now), token);
    throw new DelayedError();
  }
  const assignee = await person(rt, doc.assigneeId);
  const leaders = await unitPeople(rt, doc.unitId, ['leader']);
  if (data.kind === 'reminder')
    return actionable(deps, doc, `reminder:${doc.id}:${doc.dueDate}`, assignee ? [assignee] : leaders, reminderNotice(doc), null, calendar(rt, doc));
  const overseers = leaders.length ? leaders : await unitPeople(rt, doc.unitId, ['clerk', 'admin']);
  return actionable(deps, doc, `escalate:${doc.id}:${doc.dueDate}`, overseers, escalationNotice(doc, assignee?.email ?? null), assignee?.email);
}

/**
 * A notice one can act on by replying: a reply address is bound to one person, so each person
 * gets their own mail (the first under `key`, the others under `key:<user id>`); `cc` goes on the
 * first only, so nobody gets two copies.
 */
async function actionable(
  deps: FollowupDeps,
  doc: DocumentRow,
  key: string,
  people: Person[],
  notice: Notice,
  cc?: string | null,
  ics?: { filename: string; content: string; contentType: string } | null,
): Promise<string> {
  let result = 'no-recipient';
  for (const [i, who] of people.entries()) {
    const actions = who.id === doc.assigneeId ? ASSIGNEE_ACTIONS : OVERSEER_ACTIONS;
    const replyTo = replyAddress(deps.rt, doc.unitId, { kind: 'document', itemId: doc.id, userId: who.id, actions: [...actions] });
    const extra = { cc: i === 0 && cc ? [cc] : [], replyTo, attachments: ics ? [ics] : undefined };
    const r = await mailAbout(deps, doc, i === 0 ? key : `${key}:${who.id}`, [who.email], notice, extra);
    if (i === 0) result = r;
  }
  return result;
}

/** The assignee is told of a new assignment (a leader's decision, or a routing rule at registration). */
async function assignmentMail(deps: FollowupDeps, job: { docId: string; assigneeId: string }): Promise<string> {
  const doc = await loadDoc(deps.rt, job.docId);
  if (doc?.status !== 'assigned' || doc.assigneeId !== job.assigneeId) return 'stale';
  const officer = await person(deps.rt, doc.assigneeId);
  if (!officer) return 'no-recipient';
  const notice = assignmentNotice(doc, officer.name, unitName(deps.rt, doc.unitId));
  const sent = await actionable(deps, doc, `assign:${doc.id}:${officer.id}`, [officer], notice, null, calendar(deps.rt, doc));
  // A giấy mời's meeting: the new assignee's invitation, a cancellation to the one before (registry/workflow/meetings.ts).
  await syncMeetingInvites(deps.rt, deps.mailer, doc.id);
  return sent;
}

/** The deadline as a calendar entry (gateway/registry/workflow/ical.ts), on assignment and reminder mails. */
function calendar(rt: RegistryRuntime, doc: DocumentRow) {
  const unit = rt.config.units.find((u) => u.id === doc.unitId);
  if (!unit) return null;
  const description = [doc.typeName, doc.notation, doc.issuer, doc.subject].filter(Boolean).join(' · ');
  return deadlineEvent(doc, { unitName: unit.name, organizer: unit.addresses[0], now: rt.clock.now(), description });
}

/** One mail per officer or leader with open items: due today, overdue, newly assigned in the last day. */
export async function sendDigests(deps: FollowupDeps): Promise<number> {
  const { rt } = deps;
  const now = rt.clock.now();
  const today = localDate(now, rt.tz);
  const since = new Date(now.getTime() - 24 * 3600_000);
  const people = await rt.db
    .select()
    .from(users)
    .where(and(eq(users.active, true), inArray(users.role, ['officer', 'leader'])));
  let sent = 0;
  for (const u of people) {
    const open = await rt.db
      .select()
      .from(documents)
      .where(and(eq(documents.assigneeId, u.id), inArray(documents.status, OPEN_STATUSES)));
    const items = {
      dueToday: open.filter((d) => d.dueDate === today),
      overdue: open.filter((d) => d.dueDate !== null && d.dueDate < today),
      fresh: open.filter((d) => d.updatedAt >= since && d.status === 'assigned'),
    };
    if (!items.dueToday.length && !items.overdue.length && !items.fresh.length) continue;
    // Each item has its own reply address; the digest's own Reply-To answers with the commands (docs/act-by-email.md).
    const itemAddress = (d: DocumentRow) =>
      replyAddress(rt, d.unitId, { kind: 'document', itemId: d.id, userId: u.id, actions: [...(d.assigneeId === u.id ? ASSIGNEE_ACTIONS : OVERSEER_ACTIONS)] });
    const n = digestNotice(u.name, today, items, itemAddress);
    const replyTo = replyAddress(rt, u.unitId, { kind: 'digest', itemId: null, userId: u.id, actions: [...DIGEST_ACTIONS] });
    if ((await deps.mailer.send({ key: `digest:${u.id}:${today}`, to: [u.email], subject: n.subject, text: n.text, replyTo })) === 'sent') sent++;
  }
  return sent;
}

export async function processFollowup(deps: FollowupDeps, job: Job<FollowupJob>, token?: string): Promise<string | number | RenewalSweep> {
  const d = job.data;
  if (d.kind === 'digest') return sendDigests(deps);
  // Archive time-stamps due for renewal (docs/issuance.md): on the app's clock, idempotent.
  if (d.kind === 'renew-timestamps') return deps.blobs ? renewDueTimestamps(deps.rt, deps.blobs) : 0;
  if (d.kind === 'assign') return assignmentMail(deps, d);
  if ('dueDate' in d) return deadlineJob(deps, job, d, token);
  return senderMail(deps, d);
}

export function startFollowupWorker(deps: FollowupDeps, connection: Redis, prefix: string): Worker<FollowupJob> {
  const worker = new Worker<FollowupJob>(FOLLOWUP_QUEUE, (job, token) => processFollowup(deps, job, token), { connection, prefix, concurrency: 2 });
  worker.on('failed', (job, err) => deps.rt.log.warn({ job: job?.id, attempts: job?.attemptsMade, err: err.message }, 'follow-up job failed'));
  worker.on('error', (err) => deps.rt.log.error({ err: err.message }, 'follow-up worker error'));
  return worker;
}
