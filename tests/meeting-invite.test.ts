/**
 * Meeting invitations (docs/act-by-email.md, "Meeting invitations"): the real giấy mời of the corpus
 * gives its meeting time and place; registered and assigned, the officer receives an iCalendar
 * REQUEST over real SMTP (parsed here with ical.js); a clerk's change of the time sends the same UID
 * with a higher SEQUENCE; a reassignment cancels the first officer's and invites the second. Real
 * gateway, the injected clock.
 */
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { classifyFile } from '../gateway/documents/index.ts';
import type { MeetingFields } from '../gateway/documents/types.ts';
import { auditLog, users } from '../gateway/registry/schema.ts';
import { meetingInvites } from '../gateway/registry/workflow/schema.ts';
import { loadLabels } from './corpus/real/score.ts';
import { DOMAIN, keyOf, OFFICER, OTHER, startActGateway, UNIT, type ActGateway } from './helpers/act-mail.ts';
import { BACKENDS } from './helpers/databases.ts';
import { waitFor } from './helpers/gateway.ts';
import type { SunkMail } from './helpers/mail-sink.ts';

const REAL = path.resolve(import.meta.dirname, 'corpus/real');
const PLACE = 'Hội trường 100 chỗ (Tầng 3) - Trung tâm Hành chính tỉnh, Số 36 đường Trần Phú, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng';

describe('the meeting of a real giấy mời', () => {
  it('is read from the signed PDF and from the same file mailed', async () => {
    const now = new Date('2026-01-19T02:00:00Z');
    // The corpus's mail of it (make-derived.ts picks the way of sending: cover note, forward or webmail).
    const mailed = loadLabels().find((l) => l.derivedFrom === 'docs/gm-ubnd-lamdong-85.pdf' && l.format.startsWith('eml-'));
    expect(mailed?.file).toMatch(/^eml\/gm-ubnd-lamdong-85-/);
    for (const file of ['docs/gm-ubnd-lamdong-85.pdf', mailed?.file ?? '']) {
      const c = await classifyFile(path.join(REAL, file), { now });
      expect(c.document?.typeCode, file).toBe('GM');
      expect(c.document?.meeting, file).toEqual({ start: '2026-01-22T14:00:00+07:00', end: null, place: PLACE });
    }
    // Documents that call no meeting say so with null (the classify contract: absent is null, not missing).
    const cv = await classifyFile(path.join(REAL, 'docs/cv-bnv-11902.pdf'), { now });
    expect(cv.document && 'meeting' in cv.document && cv.document.meeting).toBeNull();
  });
});

interface Event {
  method: string;
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  tzid: string | null;
  location: string;
  organizer: string;
  attendees: string[];
  status: string;
}

/** The text/calendar part of a mail, parsed with a real iCalendar parser. */
function eventOf(m: SunkMail): Event {
  const part = m.attachments.find((a) => a.content.toString('utf8').startsWith('BEGIN:VCALENDAR'));
  if (!part) throw new Error(`no calendar in "${m.subject}"`);
  const cal = new ICAL.Component(ICAL.parse(part.content.toString('utf8')));
  for (const tz of cal.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const vevent = cal.getFirstSubcomponent('vevent')!;
  const ev = new ICAL.Event(vevent);
  return {
    method: String(cal.getFirstPropertyValue('method')),
    uid: ev.uid,
    sequence: ev.sequence,
    start: ev.startDate.toJSDate(),
    end: ev.endDate.toJSDate(),
    tzid: (vevent.getFirstProperty('dtstart')?.getParameter('tzid') as string | null) ?? null,
    location: ev.location,
    organizer: String(vevent.getFirstPropertyValue('organizer')),
    attendees: vevent.getAllProperties('attendee').map((p) => String(p.getFirstValue())),
    status: String(vevent.getFirstPropertyValue('status')),
  };
}

describe.each(BACKENDS)('meeting invitations on %s', (backend) => {
  let gw: ActGateway;
  // Monday 19 January 2026, 09:00 in Hà Nội: the giấy mời's day; the meeting is on Thursday the 22nd.
  const clock = new ManualClock('2026-01-19T02:00:00Z');
  let meeting: MeetingFields;
  let docId: string;
  let officerId: string;
  let otherId: string;
  let clerkToken: string;
  const admin = () => gw.app.config.http.tokens[0].token;
  const api = (method: string, p: string, token: string, json?: unknown) =>
    fetch(`http://127.0.0.1:${gw.app.httpPort}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  const invite = (userId: string, seq: number) =>
    waitFor(() => gw.sink.mails.find((m) => keyOf(m) === `meeting:${docId}:${userId}:${seq}`), 20_000, `invite ${seq}`);

  beforeAll(async () => {
    const c = await classifyFile(path.join(REAL, 'docs/gm-ubnd-lamdong-85.pdf'), { now: clock.now() });
    meeting = c.document!.meeting!;
    gw = await startActGateway(backend, clock);
    const { db } = gw.app.database;
    officerId = (await db.select().from(users).where(eq(users.email, OFFICER)))[0].id;
    otherId = (await db.select().from(users).where(eq(users.email, OTHER)))[0].id;
    const res = await api('POST', '/api/users', admin(), {
      email: 'clerk@stc.lamdong.gov.vn',
      role: 'clerk',
      name: 'Văn thư',
      unit: 'stc',
      password: 'mật khẩu 2026',
    });
    expect(res.status).toBe(201);
    const login = await fetch(`http://127.0.0.1:${gw.app.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'clerk@stc.lamdong.gov.vn', password: 'mật khẩu 2026' }),
    });
    clerkToken = ((await login.json()) as { token: string }).token;
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('mails the assigned officer a REQUEST with the meeting in Hà Nội time, organised by the unit', async () => {
    // The giấy mời as the classifier read it; the subject (none is printed under GIẤY MỜI) as a clerk wrote it, so routing assigns it.
    docId = await gw.arrive('gm-85', undefined, {
      typeCode: 'GM',
      typeName: 'Giấy mời',
      number: '85',
      notation: '85/GM-UBND',
      subject: 'Họp về dự toán ngân sách và cải cách hành chính',
      issuedDate: '2026-01-19',
      meeting,
    });
    const mail = await invite(officerId, 0);
    expect(mail.to).toEqual([OFFICER]);
    expect(mail.subject).toContain('Lịch họp: Giấy mời 85/GM-UBND');
    expect(mail.text).toContain('14:00 thứ Năm, 22/01/2026');
    expect(mail.text).toContain(PLACE);
    const ev = eventOf(mail);
    expect(ev).toMatchObject({ method: 'REQUEST', uid: `meeting-${docId}-${officerId}@${DOMAIN}`, sequence: 0, location: PLACE, status: 'CONFIRMED' });
    expect(ev.start.toISOString()).toBe('2026-01-22T07:00:00.000Z');
    expect(ev.end.toISOString()).toBe('2026-01-22T08:00:00.000Z'); // no end given: one hour, and the description says so
    expect(ev.tzid).toBe('Asia/Ho_Chi_Minh');
    expect(ev.organizer.toLowerCase()).toBe(`mailto:${UNIT}`);
    expect(ev.attendees.map((a) => a.toLowerCase())).toEqual([`mailto:${OFFICER}`]);
  });

  it('sends the same UID with a higher SEQUENCE when a clerk changes the time, and nothing when nothing changed', async () => {
    const res = await api('POST', `/api/documents/${docId}/meeting`, clerkToken, {
      meeting: { start: '2026-01-22T15:00:00+07:00', end: '2026-01-22T17:00:00+07:00', place: PLACE },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { meeting: { start: string; source: string }; invitations: string[] };
    expect(body.meeting).toMatchObject({ start: '2026-01-22T15:00:00+07:00', source: 'manual' });
    expect(body.invitations).toEqual([`request:${officerId}:1`]);
    const ev = eventOf(await invite(officerId, 1));
    expect(ev).toMatchObject({ method: 'REQUEST', uid: `meeting-${docId}-${officerId}@${DOMAIN}`, sequence: 1 });
    expect([ev.start.toISOString(), ev.end.toISOString()]).toEqual(['2026-01-22T08:00:00.000Z', '2026-01-22T10:00:00.000Z']);
    const [audit] = await gw.app.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, docId), eq(auditLog.action, 'document.meeting')));
    expect(audit.actor).toBe('clerk@stc.lamdong.gov.vn');

    const again = await api('POST', `/api/documents/${docId}/meeting`, clerkToken, {
      meeting: { start: '2026-01-22T15:00:00+07:00', end: '2026-01-22T17:00:00+07:00', place: PLACE },
    });
    expect(((await again.json()) as { invitations: string[] }).invitations).toEqual([]);
    // A time without its offset is ambiguous: refused.
    expect((await api('POST', `/api/documents/${docId}/meeting`, admin(), { meeting: { start: '2026-01-22T15:00:00' } })).status).toBe(400);
  });

  it('cancels the first officer’s invitation and invites the new one when the document is reassigned', async () => {
    const res = await api('POST', `/api/documents/${docId}/assign`, admin(), { officer: OTHER });
    expect(res.status).toBe(200);
    const cancel = eventOf(await invite(officerId, 2));
    expect(cancel).toMatchObject({ method: 'CANCEL', uid: `meeting-${docId}-${officerId}@${DOMAIN}`, sequence: 2, status: 'CANCELLED' });
    const other = eventOf(await invite(otherId, 0));
    expect(other).toMatchObject({ method: 'REQUEST', uid: `meeting-${docId}-${otherId}@${DOMAIN}`, sequence: 0 });
    expect(other.start.toISOString()).toBe('2026-01-22T08:00:00.000Z');
    const rows = await gw.app.database.db.select().from(meetingInvites).where(eq(meetingInvites.documentId, docId));
    expect(rows.map((r) => [r.userId === officerId ? 'officer' : 'other', r.state, r.sequence]).sort()).toEqual([
      ['officer', 'cancelled', 2],
      ['other', 'invited', 0],
    ]);
    const officerMails = gw.sink.to(OFFICER).filter((m) => keyOf(m)?.startsWith(`meeting:${docId}:`));
    expect(officerMails).toHaveLength(3);
  });
});
