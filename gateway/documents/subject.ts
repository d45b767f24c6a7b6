/**
 * A mail subject as the last source of metadata: "Số 123/UBND-VX ngày 12/3/2024 V/v …",
 * "Công văn 45/STC-NS về việc …", "[KHẨN] Quyết định số 12/QĐ-UBND …".
 */
import { sentenceCase } from './casing.ts';
import type { Fields } from './extract.ts';
import { parseDate } from './rules/date.ts';
import { subjectMarks } from './rules/marks.ts';
import { parseNotation } from './rules/notation.ts';
import { FOLDED_TYPE_NAMES, typeByName } from './rules/type-codes.ts';
import { foldSameLength, normalizeVietnamese } from './text.ts';

/** Each type name as a word of the subject, longest first: compiled once, not per subject. */
const TYPE_NAME_WORDS = FOLDED_TYPE_NAMES.map((k) => [k, new RegExp(`(^|[\\s\\]:-])${k}\\b`)] as const);

export function extractFromSubject(raw: string): Fields | null {
  const subject = normalizeVietnamese(raw).replace(/^((fw|fwd|chuyển tiếp)\s*:\s*)+/iu, '');
  // A reply talks about a document; it is not one.
  if (/^(re|tl|trả lời)\s*:/iu.test(subject)) return null;
  const folded = foldSameLength(subject);
  // The subject must open with what the document is: "Số …", "Công văn …", "V/v …", a type name.
  const opening = folded.replace(/^[[(]?\s*(khan|thuong khan|hoa toc|mat|toi mat|tuyet mat)\s*[\])\-:–]*\s*/, '');
  if (!/^(so\b|v\/v|ve viec)/.test(opening) && !FOLDED_TYPE_NAMES.some((k) => opening.startsWith(k))) return null;
  const notation = parseNotation(subject);
  const vv = /(?:^|[\s\-–:,])(v\/v|ve viec)\s*[:.]?\s+/.exec(folded);
  const typeKey = TYPE_NAME_WORDS.find(([, re]) => re.test(folded))?.[0];
  if (!notation || (!vv && !typeKey)) return null;
  const type = notation.type?.code !== 'CV' ? notation.type : typeKey ? typeByName(typeKey) : notation.type;
  const afterNotation = folded.slice(folded.indexOf(foldSameLength(notation.notation.split('/').pop() ?? '')));
  const date = parseDate(afterNotation);
  const marks = subjectMarks(subject);
  const summary = vv ? subject.slice(vv.index + vv[0].length).trim() : null;
  return {
    typeCode: type?.code ?? null,
    typeName: type?.name ?? null,
    number: notation.number,
    notation: notation.notation,
    issuer: null,
    place: null,
    issuedDate: date?.iso ?? null,
    subject: summary ? sentenceCase(summary.replace(/[.;]+$/, '')) : null,
    signer: null,
    recipients: [],
    urgency: marks.urgency,
    secrecy: marks.secrecy,
    dueDate: null,
  };
}
