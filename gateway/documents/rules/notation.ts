/**
 * Number and code notation (số, ký hiệu), in the three forms of Decree 30:
 *   administrative  25/CT-UBND, 2309/QĐ-UBND-VX, 409/TTr-CAT(PC04) (a unit in brackets)
 *   công văn        1234/UBND-VX (no type code)
 *   legal           11/2005/CT-UBND, 30/2020/NĐ-CP (with the year)
 * a number may carry a letter when one was inserted in the register after the fact (118a/BC-SNV),
 * and the Party's form, which the Youth Union follows too:
 *   156-CV/TĐTN-BCTĐ&TTN (number-type/issuer).
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

const SEGMENT = String.raw`[\p{L}&][\p{L}\d&.]*(?:\([\p{L}\d&.]+\))?`;
const NOTATION = new RegExp(
  String.raw`(?<![\p{L}\d/])(\d{1,6}[a-z]?|[.…_ ]{0,8})\s*\/\s*(?:((?:19|20)\d{2})\s*\/\s*)?(${SEGMENT}(?:\s*[-–—]\s*${SEGMENT})*)`,
  'u',
);

const PARTY = new RegExp(String.raw`(?<![\p{L}\d/-])(\d{1,6})\s*[-–]\s*(\p{L}{1,4})\s*\/\s*(${SEGMENT}(?:\s*[-–—]\s*${SEGMENT})*)`, 'u');

/** "156 -CV/TĐTN-BCTĐ&TTN" → 156-CV/TĐTN-BCTĐ&TTN. */
function parseParty(m: RegExpExecArray): Notation {
  const code = typeByCode(m[2]);
  const issuer = m[3].replace(/\s*[-–—]\s*/g, '-').replace(/\.+$/, '');
  return { number: m[1].replace(/^0+(?=\d)/, ''), year: null, type: code ?? typeByCode('CV'), notation: `${m[1]}-${code?.code ?? m[2]}/${issuer}` };
}

/** Parses the first notation in `text`. */
export function parseNotation(text: string): Notation | null {
  return findNotation(text)?.notation ?? null;
}

/** The first notation in `text` and where it ends (what follows may be a place and date). */
export function findNotation(text: string): { notation: Notation; end: number } | null {
  const m = NOTATION.exec(text);
  const party = PARTY.exec(text);
  if (party && (!m || party.index <= m.index)) return { notation: parseParty(party), end: party.index + party[0].length };
  if (!m) return null;
  const notation = fromMatch(m);
  return notation ? { notation, end: m.index + m[0].length } : null;
}

function fromMatch(m: RegExpExecArray): Notation | null {
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

/** A line that is only the start of a number line: "Số:", "Số", "Số: 05" (the rest below). */
const BARE = /^so\s*[:.]?\s*(\d{1,6}[a-z]?)?\s*$/;
/** A line that continues one: "05/QĐ-UBND", "/QĐ-UBND" (a blank or stamped number). */
const VALUE = /^[\d.…_ ]*[a-z]?\s*\/\s*[\p{L}\d]/u;
/** Lines of the other column that flattened text puts between "Số:" and its value. */
const BESIDE = /^(cong hoa|doc lap|[^,\d:]{2,48},\s*ngay|ngay\b|thang\b)/;

/**
 * "Số: 25/CT-UBND", "Số 11/2005/CT-UBND", "SỐ: 1234/UBND-VX", or "Số:" with its value on one of the
 * next lines (a tab run or the column beside it in between). Only the first `limit` lines are read:
 * the caller passes where the header ends, so a notation quoted in the body is never taken.
 */
export function findNotationLine(doc: Doc, limit = 80): { index: number; notation: Notation; rest: string } | null {
  const end = Math.min(doc.lines.length, limit);
  for (let i = 0; i < end; i++) {
    let tail: string;
    // "Số: 05/QĐ-UBND", and a Party number written number-dash-type ("Số 34 -NQ/TU"). A number
    // written by hand on a scan comes out of OCR as a symbol ("Số: # /CT-UBND"): a blank number.
    const m = /^so\s*[:.]?\s*(?=[\d.…_ #*%&@~'"|!?+]*[a-z]?\s*\/|\d+\s*-\s*[a-z]+\s*\/)/.exec(doc.folded[i]);
    if (m) tail = doc.lines[i].slice(m[0].length);
    else {
      const bare = BARE.exec(doc.folded[i]);
      if (!bare) continue;
      let j = i + 1;
      while (j < Math.min(end, i + 4) && BESIDE.test(doc.folded[j])) j++;
      if (j >= end || !VALUE.test(doc.lines[j])) continue;
      tail = `${bare[1] ?? ''} ${doc.lines[j]}`.trim();
    }
    // The notation and what follows it (a place and date run into the line), Party form included.
    const found = findNotation(tail);
    if (!found) continue;
    return { index: i, notation: found.notation, rest: tail.slice(found.end).trim() };
  }
  return null;
}
