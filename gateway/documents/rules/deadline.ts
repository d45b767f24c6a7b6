/**
 * Deadlines stated in the text ("báo cáo trước ngày 30/11/2026", "chậm nhất ngày 15 tháng 3 năm
 * 2025"). The earliest one on or after the issue date wins; a recurring one ("trước ngày 25 hàng
 * tháng") is not a date and is reported instead.
 */
import type { Doc } from '../prepare.ts';
import { isoDate } from './date.ts';

const LEAD = String.raw`(?:truoc|cham nhat(?: la)?(?: vao)?|khong muon hon|han chot(?: la)?|han cuoi(?: cung)?(?: la)?|han nop(?: la)?|hoan thanh trong)`;
const TIME = String.raw`(?:\s*\d{1,2}\s*(?:gio|h)(?:\s*\d{1,2}(?:\s*phut)?)?\s*,?)?`;
const DAY_FIRST = new RegExp(
  String.raw`${LEAD}${TIME}\s*(?:ngay\s*)?(\d{1,2})\s*(?:[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?|thang\s*(\d{1,2})(?:\s*nam\s*(\d{4}))?)`,
  'g',
);
const RECURRING = new RegExp(String.raw`${LEAD}${TIME}\s*ngay\s*\d{1,2}\s*(?:hang|moi)\s*(?:thang|quy|nam)`);

export interface Deadline {
  date: string | null;
  recurring: string | null;
}

export function findDeadline(doc: Doc, from: number, issuedDate: string | null): Deadline {
  const text = doc.folded.slice(from).join(' ');
  const original = doc.lines.slice(from).join(' ');
  const recurring = RECURRING.exec(text);
  const issuedYear = issuedDate ? Number(issuedDate.slice(0, 4)) : null;
  let best: string | null = null;
  for (const m of text.matchAll(DAY_FIRST)) {
    const day = Number(m[1]);
    const month = Number(m[2] ?? m[4]);
    const written = m[3] ?? m[5];
    let year = written ? Number(written) : issuedYear;
    if (year === null) continue;
    let iso = isoDate(year, month, day);
    // "trước ngày 15/01" in a December document means January of the next year.
    if (!written && iso && issuedDate && iso < issuedDate) iso = isoDate(++year, month, day);
    if (!iso || (issuedDate && iso < issuedDate)) continue;
    if (best === null || iso < best) best = iso;
  }
  return {
    date: best,
    recurring: recurring ? original.slice(recurring.index, recurring.index + recurring[0].length) : null,
  };
}
