/**
 * Number and code notation (số, ký hiệu), in the three forms of Decree 30:
 *   administrative  25/CT-UBND, 2309/QĐ-UBND-VX
 *   công văn        1234/UBND-VX (no type code)
 *   legal           11/2005/CT-UBND, 30/2020/NĐ-CP (with the year)
 */
import type { Doc } from '../prepare.ts';
import { typeByCode, type DocType } from './type-codes.ts';

export interface Notation {
  number: string | null;
  year: string | null;
  /** The type from the code; Công văn when the first code segment is not a type code. */
  type: DocType | undefined;
  /** Normalised notation: "11/2005/CT-UBND". */
  notation: string;
}

const SEGMENT = String.raw`[\p{L}&][\p{L}\d&.]*`;
const NOTATION = new RegExp(
  String.raw`(?<![\p{L}\d/])(\d{1,6}|[.…_ ]{0,8})\s*\/\s*(?:((?:19|20)\d{2})\s*\/\s*)?(${SEGMENT}(?:\s*[-–—]\s*${SEGMENT})*)`,
  'u',
);

/** Parses the first notation in `text`. */
export function parseNotation(text: string): Notation | null {
  const m = NOTATION.exec(text);
  if (!m) return null;
  const digits = /\d/.test(m[1]) ? m[1] : null;
  const year = m[2] ?? null;
  const code = m[3].replace(/\s*[-–—]\s*/g, '-').replace(/\.+$/, '');
  const segments = code.split('-');
  if (segments.length < 2 && !year && !typeByCode(segments[0])) {
    // "15/6" style fractions and lone words are not notations; a công văn needs issuer-unit.
    if (!/^\p{Lu}{2,}/u.test(segments[0])) return null;
  }
  const first = typeByCode(segments[0]);
  const isTypeCode = first !== undefined && segments.length >= 2;
  const type = isTypeCode ? first : typeByCode('CV');
  if (isTypeCode) segments[0] = first.code;
  // The notation keeps the number as written ("05/CĐ-UBND"); the number itself drops leading zeros.
  const notation = [digits ?? '', year, segments.join('-')].filter((p) => p !== null).join('/');
  return { number: digits === null ? null : digits.replace(/^0+(?=\d)/, ''), year, type, notation };
}

/** "Số: 25/CT-UBND", "Số 11/2005/CT-UBND", "SỐ: 1234/UBND-VX". Returns the line index too. */
export function findNotationLine(doc: Doc, limit = 80): { index: number; notation: Notation; rest: string } | null {
  const end = Math.min(doc.lines.length, limit);
  for (let i = 0; i < end; i++) {
    const m = /^so\s*[:.]?\s*(?=[\d.…_ ]*\/)/.exec(doc.folded[i]);
    if (!m) continue;
    const tail = doc.lines[i].slice(m[0].length);
    const notation = parseNotation(tail);
    if (!notation) continue;
    const used = NOTATION.exec(tail);
    const rest = used ? tail.slice((used.index ?? 0) + used[0].length).trim() : '';
    return { index: i, notation, rest };
  }
  return null;
}
