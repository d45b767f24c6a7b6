/**
 * A meeting invitation as iCalendar (RFC 5545, iTIP RFC 5546) made with ical-generator: METHOD
 * REQUEST (a new or changed meeting) or CANCEL (the officer no longer goes: the document was given
 * to someone else), one UID per document and officer, a SEQUENCE that grows with each change, times
 * in the unit's time zone (Asia/Ho_Chi_Minh, with its VTIMEZONE), the unit's address as organizer.
 * The officer is the one attendee, RSVP=FALSE: the gateway reads no iTIP replies.
 */
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';

export interface MeetingInvite {
  method: 'REQUEST' | 'CANCEL';
  uid: string;
  sequence: number;
  start: Date;
  end: Date | null;
  place: string | null;
  summary: string;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
  tz: string;
  now: Date;
}

/** Without an end time in the invitation, the entry lasts this long (the description says so). */
export const DEFAULT_MEETING_MS = 60 * 60_000;

/** UID of the invitation of one officer to one document's meeting: stable, so updates and cancels replace it. */
export function meetingUid(documentId: string, userId: string, organizer: string): string {
  return `meeting-${documentId}-${userId}@${organizer.slice(organizer.lastIndexOf('@') + 1)}`;
}

export function meetingCalendar(m: MeetingInvite): { content: string; method: 'REQUEST' | 'CANCEL'; filename: string } {
  // No calendar-wide time zone: ical-generator would then write DTSTAMP as local time, and RFC 5545
  // wants it in UTC. The event's times carry TZID (luxon DateTimes in the zone), and the zone's
  // VTIMEZONE goes in before the event.
  const cal = ical({
    prodId: { company: 'vanthu', product: 'meeting-invitation', language: 'VI' },
    method: m.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const zoned = (d: Date) => DateTime.fromJSDate(d).setZone(m.tz);
  cal.createEvent({
    id: m.uid,
    sequence: m.sequence,
    stamp: m.now,
    start: zoned(m.start),
    end: zoned(m.end ?? new Date(m.start.getTime() + DEFAULT_MEETING_MS)),
    timezone: m.tz,
    summary: m.summary.normalize('NFC'),
    description: m.description.normalize('NFC'),
    location: m.place?.normalize('NFC') ?? null,
    organizer: { name: m.organizer.name, email: m.organizer.email },
    attendees: [
      {
        name: m.attendee.name,
        email: m.attendee.email,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
        rsvp: false,
      },
    ],
    status: m.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  const vtimezone = getVtimezoneComponent(m.tz);
  if (!vtimezone) throw new Error(`unknown time zone ${m.tz}`);
  const content = cal.toString().replace('BEGIN:VEVENT', `${vtimezone.trim().replace(/\r?\n/g, '\r\n')}\r\nBEGIN:VEVENT`);
  return { content, method: m.method, filename: m.method === 'CANCEL' ? 'huy-lich-hop.ics' : 'lich-hop.ics' };
}
