/**
 * Fields of the header band, each anchored where Decree 30 puts it (Appendix I): the number and
 * notation on the "Số:" line of the left column — its value may follow on the next line — and
 * nowhere else (a notation quoted in the body is another document's); the issuer above it, minus
 * the motto; the place and date in the right column, read across line breaks.
 */
import { foldSameLength, isUpperLine } from '../text.ts';
import { isNumberLine, isPlaceDateStart, mottoAt, mottoAtFolded } from '../layout/header.ts';
import type { BlockLine } from '../layout/types.ts';
import { parsePlaceDate, type PlaceDate } from '../rules/date.ts';
import { composeIssuer } from '../rules/issuer.ts';
import { isNationalTitle, isWebNoise } from '../rules/layout.ts';
import { isMarkLine } from '../rules/marks.ts';
import { findNotation, type Notation } from '../rules/notation.ts';

const DECORATIVE = /^[\s*_\-=–—.~•·#+]+$/;

export interface NumberLine {
  /** Line of the left block that holds "Số:". */
  index: number;
  notation: Notation | null;
  /** What follows the notation on its line (a place and date run into it). */
  rest: string;
  /** The line said "Số:" but no number was written or stamped in its blank. */
  blank: boolean;
  /** The notation ends in a hyphen whose continuation could not be read: it is not whole. */
  cut?: boolean;
}

/** The value after "Số", "Số:", "SỐ." at the start of a line. */
function afterSo(text: string): string {
  const m = /^so\s*[:.]?\s*/.exec(foldSameLength(text));
  return m ? text.slice(m[0].length) : text;
}

/**
 * The number line of the header: "Số: 05/QĐ-UBND", or "Số:" with the value on the next line(s)
 * ("Số:" / "05/QĐ-UBND", "Số: 05" / "/QĐ-UBND"). Null when the header has no "Số".
 */
export function readNumber(left: BlockLine[]): NumberLine | null {
  const index = left.findIndex((l) => isNumberLine(l.text));
  if (index < 0) return null;
  let value = afterSo(left[index].text);
  let used = index;
  // The value on the next line: only what looks like (the rest of) a notation, never a V/v line.
  while (!/\/\s*\S/.test(value) && used + 1 < left.length && used < index + 2) {
    const next = left[used + 1].text;
    if (!/^[\d.…_ ]*\s*\//.test(next) && !/^\d{1,6}$/.test(next.trim())) break;
    value = `${value} ${next}`.trim();
    used++;
  }
  // A notation broken after a hyphen goes on on the next line ("24/HDLN-BCA-BQP-BYT-" /
  // "BCT-BTC-VKSNDTC-TANDTC", the codes of every co-issuer): read whole, or the identity is cut short.
  while (/\/\S*[-‐–]\s*$/.test(value) && used + 1 < left.length && CODES.test(latinLetters(left[used + 1].text.trim()))) {
    value = value.replace(/\s+$/, '') + latinLetters(left[used + 1].text.trim());
    used++;
  }
  value = latinLetters(value);
  // A stamp that landed after the slash ("/2003CĐ-VPCP"): its digits are the number.
  const stamp = left[index].stamped?.find((s) => /^\d{1,6}$/.test(s));
  const first = findNotation(value);
  if (first && first.notation.number === null && stamp && value.includes(stamp)) {
    value = `${stamp}/${value.replace(stamp, '').replace(/^[\s/]+/, '')}`;
  }
  const found = first && first.notation.number === null && stamp ? (findNotation(value) ?? first) : first;
  const notation = found?.notation ?? null;
  const rest = found ? value.slice(found.end).trim() : '';
  // Still ending in a hyphen: the rest of the notation could not be read, what was is not all of it.
  const cut = notation !== null && /[-‐–]\s*$/.test(value) && /^[-‐–]?$/.test(rest);
  return { index, notation, rest, blank: notation === null || notation.number === null, ...(cut ? { cut } : {}) };
}

/** The codes of a notation: capitals, Đ, digits, "&", brackets, joined by hyphens. */
const CODES = /^[A-ZĐ\d&()]+(?:-[A-ZĐ\d&()]+)*$/;

/** Cyrillic capitals that look like Latin ones, which OCR layers put into notations ("ВСТ" for "BCT"). */
const CYRILLIC: Record<string, string> = { А: 'A', В: 'B', С: 'C', Е: 'E', Н: 'H', І: 'I', К: 'K', М: 'M', О: 'O', Р: 'P', Ѕ: 'S', Т: 'T', Х: 'X' };

function latinLetters(text: string): string {
  return /[\u0400-\u04ff]/.test(text) ? text.replace(/[АВСЕНІКМОРЅТХ]/g, (c) => CYRILLIC[c] ?? c) : text;
}

function isIssuerLine(line: BlockLine): boolean {
  const t = line.text;
  const f = foldSameLength(t);
  return (
    isUpperLine(t) &&
    t.length <= 90 &&
    !/[:\d]/.test(t) &&
    !isNationalTitle(f) &&
    mottoAtFolded(f) < 0 &&
    !isMarkLine(t) &&
    !DECORATIVE.test(t) &&
    !isWebNoise(f)
  );
}

/** The issuer: the capital lines of the left column above "Số:" (parent agency over unit). */
export function readIssuer(left: BlockLine[], numberAt: number): string | null {
  const above = numberAt >= 0 ? left.slice(0, numberAt) : left;
  // The block just above the number: lines before a gap of other text belong to something else.
  const lines: string[] = [];
  for (let i = above.length - 1; i >= 0; i--) {
    if (isIssuerLine(above[i])) lines.unshift(above[i].text);
    else if (lines.length && !DECORATIVE.test(above[i].text) && !isMarkLine(above[i].text)) break;
  }
  return composeIssuer(lines);
}

/**
 * Place and date from the right column: the lines under the motto joined, so "Lâm Đồng, ngày" /
 * "05 tháng 3 năm 2024" reads as one; the rest of the number line when the two ran together.
 */
export function readPlaceDate(right: BlockLine[], numberRest: string): Omit<PlaceDate, 'index'> | null {
  const kept = right.filter((l) => !DECORATIVE.test(l.text) && mottoAt(l.text) < 0);
  const lines = kept.map((l) => l.text);
  for (let i = 0; i < lines.length; i++) {
    if (!isPlaceDateStart(lines[i])) continue;
    const joined = lines
      .slice(i, i + 3)
      .join(' ')
      .replace(/\s+/g, ' ');
    const found = parsePlaceDate(joined, foldSameLength(joined)) ?? stampedOver(joined, kept.slice(i, i + 3));
    if (found) return found;
  }
  return numberRest ? parsePlaceDate(numberRest, foldSameLength(numberRest)) : null;
}

/** "ngày"/"tháng" followed by two numbers, one stamped and one printed: "tháng 5 4". */
const TWO_NUMBERS = /(ngay|thang)(\s*)(\d{1,2}) (\d{1,2})(?= (thang|nam)\b)/g;

/**
 * The signing tool stamped a day or month over the one typed in the template ("ngày15 tháng 5̶4",
 * the 5 drawn over the 4): both read in the row. The clerk reads the stamp, so the stamped number
 * is kept and the printed one under it dropped — only when exactly one of the two was stamped.
 */
function stampedOver(joined: string, lines: BlockLine[]): Omit<PlaceDate, 'index'> | null {
  const stamps = new Set(lines.flatMap((l) => l.stamped ?? []).flatMap((s) => s.match(/\d{1,2}/g) ?? []));
  if (stamps.size === 0) return null;
  const folded = foldSameLength(joined);
  let changed = false;
  let out = '';
  let last = 0;
  for (const m of folded.matchAll(TWO_NUMBERS)) {
    const [whole, , , a, b] = m;
    if (stamps.has(a) === stamps.has(b)) continue;
    const at = m.index ?? 0;
    const keep = stamps.has(a) ? a : b;
    out += joined.slice(last, at) + joined.slice(at, at + whole.length - a.length - b.length - 1) + keep;
    last = at + whole.length;
    changed = true;
  }
  if (!changed) return null;
  out += joined.slice(last);
  return parsePlaceDate(out, foldSameLength(out));
}
