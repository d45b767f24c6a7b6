/** Urgency (độ khẩn) and secrecy (độ mật) marks, stamped as standalone words near the notation. */
import type { Doc } from '../prepare.ts';
import type { Secrecy, Urgency } from '../types.ts';
import { foldSameLength, modernToneMarks } from '../text.ts';

const URGENCY: Array<[string, Urgency]> = [
  ['hỏa tốc hẹn giờ', 'hoa_toc'],
  ['hỏa tốc', 'hoa_toc'],
  ['thượng khẩn', 'thuong_khan'],
  ['khẩn', 'khan'],
];
const SECRECY: Array<[string, Secrecy]> = [
  ['tuyệt mật', 'tuyet_mat'],
  ['tối mật', 'toi_mat'],
  ['mật', 'mat'],
];

function key(line: string): string {
  // Marks are often boxed or bracketed: "[KHẨN]", "(MẬT)", "Độ khẩn: Khẩn".
  return modernToneMarks(line)
    .toLowerCase()
    .replace(/^(độ khẩn|độ mật)\s*:\s*/, '')
    .replace(/[[\]()|*:.\s]+/g, ' ')
    .trim();
}

/** Every mark holds one of these (folded): a line without them is not a mark, whatever its brackets. */
const MARK_WORD = /khan|mat|hoa[^a-z0-9]*toc/;

/** `folded`: the line's foldSameLength, which a Doc holds already (prepare.ts): not folded again. */
function lookup<T>(line: string, folded: string, table: Array<[string, T]>): T | undefined {
  if (!MARK_WORD.test(folded)) return undefined;
  const k = key(line);
  return table.find(([mark]) => k === mark)?.[1];
}

export function isMarkLine(line: string): boolean {
  const folded = foldSameLength(line);
  return lookup(line, folded, URGENCY) !== undefined || lookup(line, folded, SECRECY) !== undefined;
}

/** Marks as whole lines within the header (first `limit` lines); body words like "khẩn trương" never count. */
export function findMarks(doc: Doc, limit = 40): { urgency: Urgency; secrecy: Secrecy } {
  let urgency: Urgency = 'normal';
  let secrecy: Secrecy = 'normal';
  for (let i = 0; i < Math.min(limit, doc.lines.length); i++) {
    const line = doc.lines[i];
    if (line.length > 24) continue;
    urgency = urgency === 'normal' ? (lookup(line, doc.folded[i], URGENCY) ?? urgency) : urgency;
    secrecy = secrecy === 'normal' ? (lookup(line, doc.folded[i], SECRECY) ?? secrecy) : secrecy;
  }
  return { urgency, secrecy };
}

/** A mark at the start of a subject: in lower case and delimited, or in capitals (subjectMarks); compiled once. */
type SubjectMark = [RegExp, RegExp];
const subjectMark = (m: string): SubjectMark => [new RegExp(`^[\\[(]?\\s*${m}\\s*([\\])\\-:–]|$)`, 'u'), new RegExp(`^[\\[(]?\\s*${m.toUpperCase()}\\s`, 'u')];
const SUBJECT_URGENCY = URGENCY.map(([m, u]) => [u, subjectMark(m)] as const);
const SUBJECT_SECRECY = SECRECY.map(([m, v]) => [v, subjectMark(m)] as const);

/**
 * Marks at the start of a mail subject: "[KHẨN] …", "HỎA TỐC: …", "MẬT - …". A delimiter or capitals
 * are required so "Khẩn trương triển khai…" is not urgent.
 */
export function subjectMarks(subject: string): { urgency: Urgency; secrecy: Secrecy } {
  const text = modernToneMarks(subject.trim());
  const head = text.toLowerCase();
  const marked = ([re, caps]: SubjectMark) => re.test(head) || caps.test(text);
  const urgency = SUBJECT_URGENCY.find(([, mark]) => marked(mark))?.[0] ?? 'normal';
  const secrecy = SUBJECT_SECRECY.find(([, mark]) => marked(mark))?.[0] ?? 'normal';
  return { urgency, secrecy };
}

/** The marks as Decree 30 prints them on a document; '' for none. */
export const URGENCY_MARK: Record<Urgency, string> = { normal: '', khan: 'KHẨN', thuong_khan: 'THƯỢNG KHẨN', hoa_toc: 'HỎA TỐC' };
export const SECRECY_MARK: Record<Secrecy, string> = { normal: '', mat: 'MẬT', toi_mat: 'TỐI MẬT', tuyet_mat: 'TUYỆT MẬT' };

/** "Độ khẩn: Hỏa tốc; Độ mật: Mật" (a book's remarks), '' when both are normal or unknown. */
export function marksText(urgency: string, secrecy: string): string {
  const cap = (s: string) => s.charAt(0) + s.slice(1).toLowerCase();
  const u = URGENCY_MARK[urgency as Urgency];
  const s = SECRECY_MARK[secrecy as Secrecy];
  return [u ? `Độ khẩn: ${cap(u)}` : null, s ? `Độ mật: ${cap(s)}` : null].filter(Boolean).join('; ');
}
