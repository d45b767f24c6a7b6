/**
 * Place and date of promulgation: "Bến Tre, ngày 08 tháng 06 năm 2005", "Hà Nội, ngày 8/6/2005",
 * and plain dates (dd/mm/yyyy, "ngày 8 tháng 6 năm 2005") elsewhere.
 */
import type { Doc } from '../prepare.ts';
import { placeCase } from '../casing.ts';
import { foldSameLength } from '../text.ts';

export function isoDate(year: number, month: number, day: number): string | null {
  if (!(year >= 1900 && year <= 2100 && month >= 1 && month <= 12 && day >= 1 && day <= 31)) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const LONG_DATE = /ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*(?:nam|,)\s*(\d{4})/;
const SHORT_DATE = /(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?![\d/])/;

/** The first date in a folded string, as ISO. */
export function parseDate(folded: string): { iso: string | null; index: number; length: number } | null {
  const long = LONG_DATE.exec(folded);
  const short = SHORT_DATE.exec(folded);
  const m = long && (!short || long.index <= short.index) ? long : short;
  if (!m) return null;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { iso: isoDate(year, month, day), index: m.index, length: m[0].length };
}

export interface PlaceDate {
  index: number;
  place: string | null;
  date: string | null;
  /** The date was written but is not a calendar date (e.g. "ngày 31 tháng 6"). */
  invalid: boolean;
}

const PLACE_DATE = /^([^,\d:]{2,48}?)\s*,\s*(?=ngay\b|\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})/;

/** Reads a place-and-date line ("Bến Tre, ngày 08 tháng 06 năm 2005"); the folded twin is passed in. */
export function parsePlaceDate(line: string, folded: string): Omit<PlaceDate, 'index'> | null {
  const m = PLACE_DATE.exec(folded);
  if (!m) return null;
  const rest = folded.slice(m[0].length);
  // A blank day ("ngày    tháng 6 năm 2024") is an unsigned draft: place without date.
  if (/^ngay\s*[.…_ ]*\s*thang/.test(rest) && !/^ngay\s*\d/.test(rest)) {
    return { place: placeCase(line.slice(0, m[1].length)), date: null, invalid: false };
  }
  const date = parseDate(rest.replace(/^ngay\s*(?=\d{1,2}\s*[/.-])/, ''));
  if (!date || date.index !== 0) return null;
  return { place: placeCase(line.slice(0, m[1].length)), date: date.iso, invalid: date.iso === null };
}

/** A place-date phrase broken before it ends ("Lâm Đồng, ngày 05 tháng 3" / "năm 2024"). */
const UNFINISHED = /^[^,\d:]{2,48},\s*ngay\b/;
/** What may continue it on the next line. */
const CONTINUES = /^(ngay|thang|nam|\d{1,4}\b)/;

/**
 * The place-date line in the first `limit` lines (a body sentence "Ngày 10 tháng 6..." has no
 * place); a phrase broken over two or three lines is read joined.
 */
export function findPlaceDate(doc: Doc, from = 0, limit = 80): PlaceDate | null {
  const end = Math.min(doc.lines.length, from + limit);
  for (let i = from; i < end; i++) {
    const found = parsePlaceDate(doc.lines[i], doc.folded[i]);
    if (found) return { index: i, ...found };
    if (!UNFINISHED.test(doc.folded[i])) continue;
    let line = doc.lines[i];
    for (let j = i + 1; j < Math.min(end, i + 3) && CONTINUES.test(doc.folded[j]); j++) {
      line = `${line} ${doc.lines[j]}`;
      const joined = parsePlaceDate(line, foldSameLength(line));
      if (joined?.date) return { index: i, ...joined };
    }
  }
  return null;
}
