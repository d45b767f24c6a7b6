/**
 * The deadline of an assigned document as an iCalendar event (RFC 5545), attached to the
 * assignment and reminder mails (docs/act-by-email.md, "Calendar"): an all-day event on the due
 * date, Hà Nội time, one UID per document, so a moved deadline updates the same calendar entry.
 * METHOD:PUBLISH — nothing to accept, so no iTIP reply ever comes back to the gateway.
 */
import type { DocumentRow } from '../books/register.ts';

const text = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** Lines of at most 75 octets, continued with a space (RFC 5545 §3.1), never splitting a UTF-8 sequence. */
function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    if (octets + n > (out.length ? 74 : 75)) {
      out.push(cur);
      cur = '';
      octets = 0;
    }
    cur += ch;
    octets += n;
  }
  out.push(cur);
  return out.join('\r\n ');
}

const stamp = (d: Date) => `${d.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
const day = (iso: string) => iso.replace(/-/g, '');

function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** null when the document has no deadline. `organizer`: the unit's published address (its domain holds the UID). */
export function deadlineEvent(
  d: DocumentRow,
  opts: { unitName: string; organizer: string; now: Date; description: string },
): { filename: string; content: string; contentType: string } | null {
  if (!d.dueDate) return null;
  const what = d.notation ?? d.subject ?? d.id;
  const host = opts.organizer.slice(opts.organizer.lastIndexOf('@') + 1);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//vanthu//act-by-email//VI',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:deadline-${d.id}@${host}`,
    // A later mail about the same document replaces the entry: its sequence is its time, in minutes since 2020.
    `SEQUENCE:${Math.max(0, Math.floor((opts.now.getTime() - Date.UTC(2020, 0, 1)) / 60_000))}`,
    `DTSTAMP:${stamp(opts.now)}`,
    `DTSTART;VALUE=DATE:${day(d.dueDate)}`,
    `DTEND;VALUE=DATE:${day(nextDay(d.dueDate))}`,
    `SUMMARY:${text(`Hạn xử lý: ${what}`.normalize('NFC'))}`,
    `DESCRIPTION:${text(opts.description.normalize('NFC'))}`,
    `ORGANIZER;CN="${opts.unitName.replace(/["\r\n]/g, '')}":mailto:${opts.organizer}`,
    'TRANSP:TRANSPARENT',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${text(`Hạn xử lý: ${what}`)}`,
    'TRIGGER:-PT16H',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return { filename: 'han-xu-ly.ics', content: `${lines.map(fold).join('\r\n')}\r\n`, contentType: 'text/calendar; charset=utf-8; method=PUBLISH' };
}
