/**
 * Type heading ("CHỈ THỊ", "QUYẾT ĐỊNH", …) and the summary (trích yếu) under it or under the
 * notation of a công văn ("V/v …"). The summary is returned without its "Về việc"/"V/v"/"Về" prefix,
 * its broken lines joined.
 */
import { docFromLines, type Doc } from '../prepare.ts';
import { foldSameLength, isUpperLine, letterWords, modernToneMarks } from '../text.ts';
import { isBodyOpener, isNationalTitle, isPreambleAuthority } from './layout.ts';
import { FOLDED_TYPE_NAMES, typeByName, type DocType } from './type-codes.ts';

export interface Heading {
  index: number;
  type: DocType;
  /** Where the summary starts on the heading's own line ("CHỈ THỊ VỀ VIỆC …" in flattened copies), or null. */
  inline: number | null;
}

/**
 * "QUYẾT ĐỊNH Về việc …": a heading in capitals with the summary run onto the same line; and a
 * biên bản's heading, which names the kind of record ("BIÊN BẢN LÀM VIỆC", "BIÊN BẢN KIỂM TRA").
 */
function inlineHeading(line: string, folded: string): { type: DocType; at: number } | undefined {
  for (const key of FOLDED_TYPE_NAMES) {
    if (!folded.startsWith(key + ' ') || !isUpperLine(line.slice(0, key.length))) continue;
    const rest = folded.slice(key.length + 1);
    // A biên bản names what was recorded on its heading line: "BIÊN BẢN KIỂM TRA THỰC ĐỊA".
    const record = key === 'bien ban' && isUpperLine(line) && /^\p{L}/u.test(line.slice(key.length + 1));
    if (!record && !/^(ve viec|v\/v|ve)\s/.test(rest)) continue;
    const type = typeByName(key);
    if (type) return { type, at: key.length + 1 };
  }
  return undefined;
}

const TYPE_NAME_SET = new Set(FOLDED_TYPE_NAMES);

/** A line that is exactly a type name (not "QUYẾT ĐỊNH:", the enacting word before Điều 1). */
export function headingType(line: string, folded: string): DocType | undefined {
  if (/:\s*$/.test(line)) return undefined;
  const key = letterWords(folded);
  if (!TYPE_NAME_SET.has(key)) return undefined;
  // Headings are in capitals; a mixed-case "Chỉ thị" is a table cell or a sentence, not a heading.
  return isUpperLine(line) ? typeByName(key) : undefined;
}

export function findHeading(doc: Doc, from = 0, limit = 60): Heading | null {
  const end = Math.min(doc.lines.length, from + limit);
  for (let i = from; i < end; i++) {
    const type = headingType(doc.lines[i], doc.folded[i]);
    if (type) return { index: i, type, inline: null };
    const inline = inlineHeading(doc.lines[i], doc.folded[i]);
    if (inline) return { index: i, type: inline.type, inline: inline.at };
  }
  return null;
}

/**
 * The heading of a line the layout placed at the top of the title block (layout/title.ts): any
 * heading findHeading knows, or a line in capitals that is a type name with the summary run on in
 * capitals ("QUYẾT ĐỊNH CHẤP THUẬN CHỦ TRƯƠNG ĐẦU TƯ", the form the investment law prescribes).
 * The latter only there, never in flattened text, where such a line may be a sentence of the body.
 */
export function findTitleHeading(line: string): Heading | null {
  const h = findHeading(docFromLines([line]));
  if (h || !isUpperLine(line) || /:\s*$/.test(line)) return h;
  const folded = foldSameLength(line);
  for (const key of FOLDED_TYPE_NAMES) {
    if (!folded.startsWith(key + ' ') || !/^\p{Lu}/u.test(line.slice(key.length + 1))) continue;
    const type = typeByName(key);
    // "HƯỚNG DẪN LIÊN NGÀNH", "NGHỊ QUYẾT LIÊN TỊCH": a joint document's heading, nothing run on.
    if (type) return { index: 0, type, inline: JOINT.test(folded.slice(key.length + 1)) ? null : key.length + 1 };
  }
  return null;
}

/** What a heading adds for a document issued by several bodies together. */
const JOINT = /^lien (nganh|tich)\s*$/;

const PREFIX = /^(ve viec|v\/v|v\.v|ve)\s*[:.]?\s+/;

export interface Summary {
  index: number;
  end: number;
  text: string;
  /** The summary began with "V/v" (công văn style). */
  vv: boolean;
}

function stops(doc: Doc, i: number, upper: boolean): boolean {
  const line = doc.lines[i];
  const f = doc.folded[i];
  if (isNationalTitle(f) || isBodyOpener(f) || headingType(line, f)) return true;
  if (isUpperLine(line) && isPreambleAuthority(f)) return true;
  if (/^(so|noi nhan|kinh gui)\s*[:.]/.test(f) || /:\s*$/.test(line)) return true;
  // An upper-case summary ends where mixed-case body text starts, and vice versa.
  if (upper !== isUpperLine(line)) return true;
  if (upper) return false;
  // In a PDF, a paragraph break (font change, wider gap) ends the summary and anything else
  // continues it. In plain text, a broken line begins in lower case or a digit, or follows a line
  // ending in a word that needs what follows ("của", "và", "tỉnh").
  if (doc.breakBefore[i]) return true;
  if (doc.layout) return false;
  if (/^[\p{Ll}\d(“"]/u.test(line)) return false;
  return !DANGLING.test(modernToneMarks(doc.lines[i - 1]).toLowerCase());
}

/** Words a summary line cannot end on: the summary goes on below. */
const DANGLING = /(?:^|\s)(của|và|về|tại|cho|với|trên|trong|thuộc|các|những|tỉnh|thành phố|huyện|xã|phường|giữa|đối với|theo|đến|nhằm|-|–|,)$/u;

/**
 * Reads the summary starting at line `start` (from character `offset` of it); `prefixed` requires
 * a "Về việc"/"V/v" opening.
 */
export function readSummary(doc: Doc, start: number, prefixed: boolean, offset = 0): Summary | null {
  if (start >= doc.lines.length) return null;
  const first = doc.folded[start].slice(offset);
  const m = PREFIX.exec(first);
  if (prefixed && !m) return null;
  // Right under a heading any line is the summary ("Thực hiện nhiệm vụ…"), except the opening of
  // the body itself.
  if (!m && (/^(can cu|kinh gui|dieu \d)/.test(first) || isNationalTitle(first))) return null;
  if (!m && isUpperLine(doc.lines[start].slice(offset)) && isPreambleAuthority(first)) return null;
  const upper = isUpperLine(doc.lines[start].slice(offset));
  const parts = [doc.lines[start].slice(offset + (m ? m[0].length : 0))];
  let i = start + 1;
  while (i < doc.lines.length && i < start + 6 && !stops(doc, i, upper)) parts.push(doc.lines[i++]);
  let text = parts
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/[\s.;:,]+$/, '')
    .trim();
  // The old form names the issuer, number and date before the summary:
  // "CỦA THỦ TƯỚNG CHÍNH PHỦ SỐ 112/2001/QĐ-TTG NGÀY 25 THÁNG 7 NĂM 2001 VỀ VIỆC PHÊ DUYỆT …".
  const old = /^cua .*? (ve viec|v\/v) /.exec(foldSameLength(text));
  if (old) text = text.slice(old[0].length);
  if (!text) return null;
  return { index: start, end: i, text, vv: m ? m[1] !== 've' && m[1] !== 've viec' : false };
}

/** A "V/v …" or "Về việc …" line anywhere in the header (công văn, or a web copy that lost its heading). */
export function findPrefixedSummary(doc: Doc, from: number, to: number): Summary | null {
  for (let i = from; i < Math.min(to, doc.lines.length); i++) {
    if (/^(ve viec|v\/v|v\.v)\b/.test(doc.folded[i])) return readSummary(doc, i, true);
  }
  return null;
}
