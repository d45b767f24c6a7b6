/**
 * The meeting a giấy mời (invitation) calls: when it starts (and ends, when the text says), and
 * where. "4. Thời gian: từ 14h00 ngày 22/01/2026 (Chiều thứ Năm).", "Thời gian: 08 giờ 00 phút, thứ
 * Ba, ngày 15/12/2026", "… tổ chức họp vào lúc 14h00 ngày 15 tháng 12 năm 2026 …", "từ 8 giờ đến
 * 11 giờ 30", "2 giờ chiều"; "Địa điểm: …" up to the next numbered item or the end of its sentence.
 * Text broken across lines is read as one paragraph. Times are Hà Nội time (UTC+7, no daylight
 * saving), written with their offset.
 */
import type { Doc } from '../prepare.ts';
import { isoDate } from '../rules/date.ts';

export interface MeetingFields {
  /** ISO 8601 with the Hà Nội offset: "2026-01-22T14:00:00+07:00". */
  start: string;
  /** Same form; null when the text gives no end time. */
  end: string | null;
  /** The place as written (NFC, single spaces, no trailing punctuation); null when not given. */
  place: string | null;
}

const INVITATION =
  /\b(?:giay moi|kinh moi|tran trong (?:kinh )?moi|moi (?:[^.;]{0,60})?(?:du|tham du|tham gia) (?:hop|hoi nghi|hoi thao|buoi|cuoc|le|toa dam|tap huan))/;
const TIME_LABEL = /(?:^|[\s.;(])(?:\d+\s*[.)/]\s*)?thoi gian(?:\s*(?:hop|to chuc|bat dau|khai mac))?\s*:/g;
const PLACE_LABEL = /(?:^|[\s.;(])(?:\d+\s*[.)/]\s*)?dia diem(?:\s*(?:hop|to chuc))?\s*:/;
/** "vào lúc 14h00 ngày …", "tổ chức họp từ 8 giờ ngày …", without a label. */
const INLINE = /(?:vao luc|vao hoi|luc|bat dau tu|tu)\s+\d{1,2}\s*(?:gio|h(?![a-z])|:\d)/g;
const CLOCK = /(?<![\d/.:])(\d{1,2})\s*(?:(?:gio|h(?![a-z]))\s*(?:(\d{2})\b\s*(?:phut|')?)?|:(\d{2})\b)(?:\s*(?:,|-)?\s*\(?(sang|trua|chieu)\b)?/g;
const LONG_DATE = /ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*(?:nam|,)\s*(\d{4})/;
const SHORT_DATE = /(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/])/;
const END_WORD = /(?:\bden|\btoi|[-–])\s*$/;
/** How far after a label the time and date may be (a few lines of text). */
const WINDOW = 220;

interface Clock {
  hour: number;
  minute: number;
  at: number;
  endOfMatch: number;
}

function clocks(folded: string): Clock[] {
  const out: Clock[] = [];
  for (const m of folded.matchAll(CLOCK)) {
    let hour = Number(m[1]);
    const minute = Number(m[2] ?? m[3] ?? 0);
    const part = m[4];
    if (part === 'chieu' && hour < 12) hour += 12;
    if (part === 'trua' && hour < 6) hour += 12;
    if (hour > 23 || minute > 59) continue;
    out.push({ hour, minute, at: m.index ?? 0, endOfMatch: (m.index ?? 0) + m[0].length });
  }
  return out;
}

function dateIn(folded: string, issuedDate: string | null): string | null {
  const long = LONG_DATE.exec(folded);
  const short = SHORT_DATE.exec(folded);
  const first = [long, short].filter((m): m is RegExpExecArray => m !== null).sort((a, b) => a.index - b.index)[0];
  if (!first) return null;
  const year = first[3] ? Number(first[3]) : issuedDate ? Number(issuedDate.slice(0, 4)) : null;
  if (year === null) return null;
  let iso = isoDate(year, Number(first[2]), Number(first[1]));
  // "ngày 05/01" in a December invitation is January of the next year.
  if (iso && !first[3] && issuedDate && iso < issuedDate) iso = isoDate(year + 1, Number(first[2]), Number(first[1]));
  return iso;
}

const at = (date: string, c: Clock) => `${date}T${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')}:00+07:00`;

/** Start and end in one stretch of text that begins at the time. */
function readWhen(folded: string, issuedDate: string | null): { start: string; end: string | null } | null {
  const window = folded.slice(0, WINDOW);
  const date = dateIn(window, issuedDate);
  if (!date) return null;
  const [first, second] = clocks(window);
  if (!first) return null;
  // "từ 8 giờ đến 11 giờ 30": the second time is the end only when "đến" (or a dash) joins them.
  const isEnd = second && END_WORD.test(window.slice(first.endOfMatch, second.at));
  const end = isEnd && (second.hour > first.hour || (second.hour === first.hour && second.minute > first.minute)) ? at(date, second) : null;
  return { start: at(date, first), end };
}

function readPlace(text: string, folded: string): string | null {
  const m = PLACE_LABEL.exec(folded);
  if (!m) return null;
  const from = m.index + m[0].length;
  const rest = text.slice(from, from + 400);
  const restFolded = folded.slice(from, from + 400);
  // Up to the next numbered item ("6. Phân công"), the next label, or the end of the sentence.
  const stops = [
    /\s\d{1,2}\s*\.\s+\p{Lu}/u.exec(rest)?.index,
    /\s(?:thoi gian|thanh phan|noi dung|chu tri|de nghi|phan cong)\b/.exec(restFolded)?.index,
    // Not after an abbreviation of one or two letters ("TP. Đà Lạt", "P. 2").
    /(?<!(?:^|\s)\p{L}{1,2})[.;](?:\s|$)/u.exec(rest)?.index,
  ].filter((x): x is number => x !== undefined);
  const place = rest
    .slice(0, stops.length ? Math.min(...stops) : rest.length)
    .replace(/\s+/g, ' ')
    .replace(/^[\s:,-]+|[\s.,;:-]+$/g, '')
    .trim();
  return place ? place.normalize('NFC') : null;
}

/**
 * The meeting of an invitation, or null: only for a giấy mời (type GM) or a text that invites
 * ("kính mời", "mời … dự họp"), and only with both a day and a time of day.
 */
export function readMeeting(doc: Doc, opts: { typeCode: string | null; issuedDate: string | null }): MeetingFields | null {
  const text = doc.lines.join(' ');
  const folded = doc.folded.join(' ');
  if (opts.typeCode !== 'GM' && !INVITATION.test(folded)) return null;
  let when: { start: string; end: string | null } | null = null;
  for (const m of folded.matchAll(TIME_LABEL)) {
    when = readWhen(folded.slice(m.index + m[0].length), opts.issuedDate);
    if (when) break;
  }
  if (!when) {
    for (const m of folded.matchAll(INLINE)) {
      when = readWhen(folded.slice(m.index), opts.issuedDate);
      if (when) break;
    }
  }
  if (!when) return null;
  return { ...when, place: readPlace(text, folded) };
}
