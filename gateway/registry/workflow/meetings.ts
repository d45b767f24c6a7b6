/**
 * The meeting a document calls (a giấy mời): read from the document at first (the classify stage's
 * `document.meeting`), set or corrected by a clerk later, and the calendar invitation that follows
 * the document's assignee (docs/act-by-email.md, "Meeting invitations"):
 *
 * - assigned (assigned, in progress or done) with a meeting still to come → the assignee holds an
 *   invitation (REQUEST);
 * - the meeting's time or place changed → the same UID again with SEQUENCE + 1;
 * - given to someone else, no longer assigned, or the meeting removed → CANCEL (SEQUENCE + 1) to
 *   whoever held it (at the next sync: a decline by reply runs none, docs/act-by-email.md "Limits").
 *
 * `syncMeetingInvites` compares what each officer was last sent (`meeting_invites`) with what
 * should hold now and mails the difference; the follow-up worker's assignment job and the meeting
 * route call it. A claim (conditional write of the new SEQUENCE) comes before the mail, so two
 * runs never send the same change twice; a failed send puts the row back and throws (the job retries).
 */
import { and, eq } from 'drizzle-orm';
import { zonedIso } from '../../clock.ts';
import { messageStages } from '../../store/schema.ts';
import type { MeetingFields } from '../../documents/types.ts';
import { authorizeDocument, canSeeDocument, type Principal } from '../access/policy.ts';
import { appendAudit } from '../audit.ts';
import type { DocumentRow } from '../books/register.ts';
import { RegistryError, notFound } from '../errors.ts';
import type { Mailer } from '../ports.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents, users } from '../schema.ts';
import { documentMeetings, meetingInvites } from './schema.ts';
import { actorOf } from './workflow.ts';

export interface MeetingView {
  start: string;
  end: string | null;
  place: string | null;
  /** 'document': read from its text; 'manual': set by a clerk. */
  source: string;
}

type MeetingRow = typeof documentMeetings.$inferSelect;
type InviteRow = typeof meetingInvites.$inferSelect;

/** "08:00 thứ Ba, 15/12/2026" in the unit's time zone. */
export function vnDateTime(at: Date, tz: string): string {
  const f = new Intl.DateTimeFormat('vi-VN', {
    timeZone: tz,
    hourCycle: 'h23',
    weekday: 'long',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const weekday = p.weekday.replace(/^Thứ/, 'thứ').replace(/^Chủ Nhật$/, 'Chủ nhật');
  return `${p.hour}:${p.minute} ${weekday}, ${p.day}/${p.month}/${p.year}`;
}

const view = (m: MeetingRow, tz: string): MeetingView => ({
  start: zonedIso(m.startsAt, tz),
  end: m.endsAt ? zonedIso(m.endsAt, tz) : null,
  place: m.place,
  source: m.source,
});

/** The meeting of a document: the stored row, else what the classify stage read from the document (then stored). */
export async function meetingOf(rt: RegistryRuntime, doc: DocumentRow): Promise<MeetingRow | null> {
  const [row] = await rt.db.select().from(documentMeetings).where(eq(documentMeetings.documentId, doc.id));
  if (row) return row;
  if (!doc.inboundId) return null;
  const [stage] = await rt.db
    .select({ result: messageStages.result })
    .from(messageStages)
    .where(and(eq(messageStages.messageId, doc.inboundId), eq(messageStages.stage, 'classify')));
  const read = (stage?.result as { document?: { meeting?: MeetingFields | null } | null } | undefined)?.document?.meeting;
  if (!read?.start || Number.isNaN(Date.parse(read.start))) return null;
  const values = {
    documentId: doc.id,
    startsAt: new Date(read.start),
    endsAt: read.end ? new Date(read.end) : null,
    place: read.place ?? null,
    source: 'document',
    updatedAt: rt.clock.now(),
  };
  await rt.db.insert(documentMeetings).values(values).onConflictDoNothing();
  const [stored] = await rt.db.select().from(documentMeetings).where(eq(documentMeetings.documentId, doc.id));
  return stored ?? null;
}

async function visibleDocument(rt: RegistryRuntime, p: Principal, id: string): Promise<DocumentRow> {
  const [doc] = await rt.db.select().from(documents).where(eq(documents.id, id));
  if (!doc || !canSeeDocument(p, doc)) throw notFound();
  return doc;
}

export async function getMeeting(rt: RegistryRuntime, p: Principal, id: string): Promise<MeetingView | null> {
  const doc = await visibleDocument(rt, p, id);
  authorizeDocument(p, 'documents.read', doc);
  const m = await meetingOf(rt, doc);
  return m ? view(m, rt.tz) : null;
}

export interface MeetingInput {
  start: string;
  end?: string | null;
  place?: string | null;
}

/** An instant with an explicit offset (or Z): a wall-clock time without one is ambiguous. */
function instant(name: string, v: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.test(v) || Number.isNaN(Date.parse(v)))
    throw new RegistryError(400, `${name}: thời điểm ISO 8601 có múi giờ, ví dụ 2026-12-15T08:00:00+07:00 (expected an ISO 8601 time with offset)`);
  return new Date(v);
}

/** A clerk sets, corrects (input) or removes (null) the meeting; the invitations follow (`syncMeetingInvites`). */
export async function setMeeting(rt: RegistryRuntime, p: Principal, id: string, input: MeetingInput | null): Promise<MeetingView | null> {
  const doc = await visibleDocument(rt, p, id);
  authorizeDocument(p, 'documents.review', doc);
  const startsAt = input ? instant('start', input.start) : null;
  const endsAt = input?.end ? instant('end', input.end) : null;
  if (startsAt && endsAt && endsAt <= startsAt) throw new RegistryError(400, 'end: phải sau giờ bắt đầu (must be after the start)');
  const place = input?.place?.normalize('NFC').replace(/\s+/g, ' ').trim() || null;
  const before = await meetingOf(rt, doc);
  const at = rt.clock.now();
  const row = await rt.db.transaction(async (tx) => {
    await tx.select({ id: documents.id }).from(documents).where(eq(documents.id, id)).for('update');
    if (!startsAt) await tx.delete(documentMeetings).where(eq(documentMeetings.documentId, id));
    const [saved] = startsAt
      ? await tx
          .insert(documentMeetings)
          .values({ documentId: id, startsAt, endsAt, place, source: 'manual', updatedAt: at })
          .onConflictDoUpdate({ target: documentMeetings.documentId, set: { startsAt, endsAt, place, source: 'manual', updatedAt: at } })
          .returning()
      : [null];
    await appendAudit(
      tx,
      {
        actor: actorOf(p),
        action: 'document.meeting',
        entity: 'document',
        entityId: id,
        data: { before: before ? view(before, rt.tz) : null, after: saved ? view(saved, rt.tz) : null },
      },
      at,
    );
    return saved;
  });
  return row ? view(row, rt.tz) : null;
}

/** The assignee keeps the invitation while the item is theirs, finished included (a done item's meeting still takes place). */
const HOLDS = ['assigned', 'in_progress', 'done'];

interface Wanted {
  userId: string;
  meeting: MeetingRow;
}

const same = (i: InviteRow, m: MeetingRow) =>
  i.startsAt.getTime() === m.startsAt.getTime() && (i.endsAt?.getTime() ?? null) === (m.endsAt?.getTime() ?? null) && i.place === m.place;

/**
 * Sends what changed since each officer's last invitation for the document; returns what was sent
 * ("request:<user>:<seq>", "cancel:<user>:<seq>"). Nothing for a document without a meeting that
 * nobody was invited to.
 */
export async function syncMeetingInvites(rt: RegistryRuntime, mailer: Mailer, docId: string): Promise<string[]> {
  const [doc] = await rt.db.select().from(documents).where(eq(documents.id, docId));
  if (!doc) return [];
  const unit = rt.config.units.find((u) => u.id === doc.unitId);
  if (!unit?.addresses[0]) return [];
  const meeting = await meetingOf(rt, doc);
  const held = await rt.db.select().from(meetingInvites).where(eq(meetingInvites.documentId, docId));
  if (!meeting && !held.length) return [];
  // A meeting that is over is nobody's business any more: no invitation, no cancellation.
  const now = rt.clock.now();
  const past = (m: Pick<MeetingRow, 'startsAt' | 'endsAt'>) => (m.endsAt ?? m.startsAt) < now;
  const wanted: Wanted | null = meeting && !past(meeting) && doc.assigneeId && HOLDS.includes(doc.status) ? { userId: doc.assigneeId, meeting } : null;
  const sent: string[] = [];
  for (const i of held) {
    if (i.state !== 'invited' || i.userId === wanted?.userId || past(i)) continue;
    const seq = await send(rt, mailer, doc, unit, i, 'CANCEL', i);
    if (seq !== null) sent.push(`cancel:${i.userId}:${seq}`);
  }
  if (wanted) {
    const current = held.find((i) => i.userId === wanted.userId) ?? null;
    if (!current || current.state === 'cancelled' || !same(current, wanted.meeting)) {
      const seq = await send(rt, mailer, doc, unit, current ?? { documentId: doc.id, userId: wanted.userId, sequence: -1 }, 'REQUEST', wanted.meeting);
      if (seq !== null) sent.push(`request:${wanted.userId}:${seq}`);
    }
  }
  return sent;
}

type Unit = { id: string; name: string; addresses: string[] };

/** Claims the next SEQUENCE for one officer's invitation, mails it, and returns the sequence (null: another run claimed it, or no such user). */
async function send(
  rt: RegistryRuntime,
  mailer: Mailer,
  doc: DocumentRow,
  unit: Unit,
  prev: Pick<InviteRow, 'documentId' | 'userId' | 'sequence'> & Partial<InviteRow>,
  method: 'REQUEST' | 'CANCEL',
  m: Pick<MeetingRow, 'startsAt' | 'endsAt' | 'place'>,
): Promise<number | null> {
  const [officer] = await rt.db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, prev.userId));
  if (!officer) return null;
  // ical-generator and the time zones load with the first invitation, not when the gateway starts (docs/operations.md, "Memory").
  const { meetingCalendar, meetingUid } = await import('./meeting-ical.ts');
  const organizer = unit.addresses[0];
  const uid = prev.uid ?? meetingUid(doc.id, officer.id, organizer);
  const sequence = prev.sequence + 1;
  const now = rt.clock.now();
  const state = method === 'CANCEL' ? 'cancelled' : 'invited';
  const next = { uid, sequence, state, startsAt: m.startsAt, endsAt: m.endsAt, place: m.place, sentAt: now };
  const claimed =
    prev.sequence < 0
      ? await rt.db
          .insert(meetingInvites)
          .values({ documentId: doc.id, userId: officer.id, ...next })
          .onConflictDoNothing()
          .returning()
      : await rt.db
          .update(meetingInvites)
          .set(next)
          .where(and(eq(meetingInvites.documentId, doc.id), eq(meetingInvites.userId, officer.id), eq(meetingInvites.sequence, prev.sequence)))
          .returning();
  if (!claimed.length) return null;
  const what = [doc.typeName ?? 'Văn bản', doc.notation, doc.subject].filter(Boolean).join(' ');
  const when = `${vnDateTime(m.startsAt, rt.tz)}${m.endsAt ? ` – ${vnDateTime(m.endsAt, rt.tz).slice(0, 5)}` : ''}`;
  const ics = meetingCalendar({
    method,
    uid,
    sequence,
    start: m.startsAt,
    end: m.endsAt,
    place: m.place,
    summary: `Họp: ${doc.subject ?? doc.notation ?? doc.id}`,
    description: [what, m.endsAt ? null : 'Giấy mời không ghi giờ kết thúc (no end time given).'].filter(Boolean).join('\n'),
    organizer: { name: unit.name, email: organizer },
    attendee: { name: officer.name, email: officer.email },
    tz: rt.tz,
    now,
  });
  const subject =
    method === 'CANCEL'
      ? `Hủy lịch họp: ${what} (meeting cancelled for you)`
      : sequence === 0
        ? `Lịch họp: ${what} — ${when} (meeting invitation)`
        : `Cập nhật lịch họp: ${what} — ${when} (meeting updated)`;
  const text = [
    method === 'CANCEL' ? `Văn bản ${what} không còn giao cho anh/chị; lịch họp ${when} được hủy khỏi lịch của anh/chị.` : `Cuộc họp theo văn bản ${what}:`,
    method === 'CANCEL' ? 'The document is no longer assigned to you; the meeting is removed from your calendar.' : '',
    method === 'CANCEL' ? null : `Thời gian (time): ${when}`,
    method === 'CANCEL' ? null : `Địa điểm (place): ${m.place ?? '—'}`,
    '',
    'Thư này được gửi tự động (automatic message).',
  ]
    .filter((l) => l !== null)
    .join('\n');
  try {
    await mailer.send({ key: `meeting:${doc.id}:${officer.id}:${sequence}`, to: [officer.email], subject, text, calendar: ics });
  } catch (err) {
    // Put the row back so the next run (the job's retry) sends this change again.
    if (prev.sequence < 0)
      await rt.db
        .delete(meetingInvites)
        .where(and(eq(meetingInvites.documentId, doc.id), eq(meetingInvites.userId, officer.id), eq(meetingInvites.sequence, 0)));
    else
      await rt.db
        .update(meetingInvites)
        .set({
          sequence: prev.sequence,
          state: prev.state ?? 'invited',
          startsAt: prev.startsAt ?? m.startsAt,
          endsAt: prev.endsAt ?? null,
          place: prev.place ?? null,
        })
        .where(and(eq(meetingInvites.documentId, doc.id), eq(meetingInvites.userId, officer.id), eq(meetingInvites.sequence, sequence)));
    throw err;
  }
  return sequence;
}
