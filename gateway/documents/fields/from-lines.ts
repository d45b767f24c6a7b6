/**
 * The metadata read from flattened text (plain text, HTML mail bodies, web copies, and PDFs or
 * DOCX whose layout has no header band) by line heuristics tolerant of the Decree 30 layout run
 * together: the header is everything above the type heading or the opening of the body, and only
 * there is "Số:" read — its value may be on the next line; a notation quoted in the preamble never is.
 */
import { sentenceCase } from '../casing.ts';
import type { Doc } from '../prepare.ts';
import { findPlaceDate, parsePlaceDate } from '../rules/date.ts';
import { findDeadline } from '../rules/deadline.ts';
import { findHeading, findPrefixedSummary, readSummary, type Summary } from '../rules/heading.ts';
import { completeIssuer, composeIssuer, issuerLines } from '../rules/issuer.ts';
import { isBodyOpener, isNationalTitle } from '../rules/layout.ts';
import { findMarks } from '../rules/marks.ts';
import { findNotationLine, parseNotation } from '../rules/notation.ts';
import { findRecipientsLine, readRecipients } from '../rules/recipients.ts';
import { findSigner, signerWindow } from '../rules/signer.ts';
import { parseDate } from '../rules/date.ts';
import { localityOf, readWebMeta } from '../rules/webmeta.ts';
import { foldSameLength, isUpperLine } from '../text.ts';
import { localityFromPlace, resolveType, type FieldName, type Provenance, type Read } from './common.ts';

function firstIndex(doc: Doc, test: (folded: string) => boolean, limit = 80): number | null {
  for (let i = 0; i < Math.min(limit, doc.lines.length); i++) if (test(doc.folded[i])) return i;
  return null;
}

/** Lines that open the body: the header (and its "Số:") is above the first of them. */
const BODY_START = /^(can cu|kinh gui|dieu \d|thuc hien|xet de nghi|theo de nghi|trong thoi gian|ngay \d{1,2}[/ ])/;

/**
 * Where the header ends: the type heading, or the first line of the body after the national motto
 * (a covering note above the document may well start "Kính gửi").
 */
export function headerLimit(doc: Doc): number {
  const from = firstIndex(doc, isNationalTitle) ?? 0;
  const heading = findHeading(doc, from, 80);
  let body: number | null = null;
  for (let i = from; i < Math.min(doc.lines.length, 80) && body === null; i++) if (BODY_START.test(doc.folded[i])) body = i;
  return Math.min(heading?.index ?? 80, body ?? 80, doc.lines.length);
}

/** Where the letter or the body surely opens: a summary never runs into it. */
const HARD_STOP = /^(kinh gui|can cu|xet de nghi|theo de nghi|noi nhan)\b/;

/**
 * Plain text loses the layout that told where a trích yếu ends, and its next line may start with a
 * capital ("Về việc đề nghị công nhận Ban vận động thành lập" / "Hội Thừa phát lại tỉnh Lâm Đồng").
 * When "Kính gửi:" (or the preamble) follows within two lines, the lines before it belong to the
 * summary — unless one of them ends a sentence, is in capitals or opens the body.
 */
function continueSummary(doc: Doc, summary: Summary | null): Summary | null {
  if (!summary || doc.layout) return summary;
  let stop = -1;
  for (let i = summary.end; i < Math.min(doc.lines.length, summary.end + 3); i++) {
    if (HARD_STOP.test(doc.folded[i])) {
      stop = i;
      break;
    }
    const line = doc.lines[i];
    if (/[.;:!?]$/.test(line) || isUpperLine(line) || isBodyOpener(doc.folded[i]) || line.length > 90) return summary;
  }
  if (stop <= summary.end) return summary;
  const text = [summary.text, ...doc.lines.slice(summary.end, stop)]
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/[\s.;:,]+$/, '')
    .trim();
  return { ...summary, end: stop, text };
}

/**
 * Where the summary starts under a heading: Party documents name the body that adopts them on the
 * line below the heading ("NGHỊ QUYẾT" / "CỦA BAN THƯỜNG VỤ TỈNH ỦY" / "về …"); that line is the
 * heading's, the summary follows it.
 */
function summaryStart(doc: Doc, at: number): number {
  const f = doc.folded[at] ?? '';
  // The old form runs the summary on: "CỦA THỦ TƯỚNG CHÍNH PHỦ SỐ 112/2001/QĐ-TTG … VỀ VIỆC …" (heading.ts).
  return at + 1 < doc.lines.length && /^cua\s/.test(f) && !/\s(ve viec|v\/v|ve)\s/.test(f) && isUpperLine(doc.lines[at]) ? at + 1 : at;
}

export function readLines(doc: Doc): Read {
  const reasons: string[] = [];
  const provenance: Partial<Record<FieldName, Provenance>> = {};
  const web = readWebMeta(doc);
  const notationLine = findNotationLine(doc, headerLimit(doc));
  const titleAt = firstIndex(doc, isNationalTitle);
  const placeDate =
    (notationLine && notationLine.rest ? withIndex(parsePlaceDate(notationLine.rest, foldSameLength(notationLine.rest)), notationLine.index) : null) ??
    findPlaceDate(doc);
  const anchors = [notationLine?.index, titleAt, placeDate?.index].filter((x): x is number => x !== null && x !== undefined);
  const headerEnd = anchors.length ? Math.max(...anchors) + 1 : 0;
  const heading = findHeading(doc, headerEnd);
  const summary = continueSummary(
    doc,
    heading
      ? heading.inline !== null
        ? readSummary(doc, heading.index, true, heading.inline)
        : readSummary(doc, summaryStart(doc, heading.index + 1), false)
      : findPrefixedSummary(doc, anchors.length ? Math.min(...anchors) : 0, headerEnd + 15),
  );
  const bodyStart = summary?.end ?? (heading ? heading.index + 1 : headerEnd);

  let notation = notationLine?.notation ?? null;
  if (notation) provenance.notation = provenance.number = 'text';
  if (!notation && web.notation) {
    notation = parseNotation(web.notation);
    if (notation) {
      reasons.push('notation taken from the website attribute table');
      provenance.notation = provenance.number = 'web';
    }
  }
  const numberMissing = !notation || notation.number === null;
  const type = resolveType(heading?.type, notation, summary, web, reasons);
  if (type) provenance.typeCode = heading || notation ? 'text' : 'web';
  // "Số:      /QĐ-SNV" without its number is not the document's identity: a clerk fills it in.
  if (notation && notation.number === null) {
    reasons.push('the number after "Số:" is blank: left empty for a clerk');
    notation = null;
    delete provenance.notation;
    delete provenance.number;
  } else if (!notation && (titleAt !== null || placeDate)) reasons.push('no "Số:" line in the header: number left empty for a clerk');

  let issuedDate = placeDate?.date ?? null;
  if (issuedDate) provenance.issuedDate = 'text';
  if (placeDate?.invalid) reasons.push('the date of promulgation is not a calendar date');
  if (!issuedDate && web.date) {
    issuedDate = parseDate(foldSameLength(web.date))?.iso ?? null;
    if (issuedDate) {
      reasons.push('date taken from the website attribute table');
      provenance.issuedDate = 'web';
    }
  }
  const place = placeDate?.place ?? null;
  if (place) provenance.place = 'text';

  const anchor = notationLine?.index ?? titleAt ?? heading?.index ?? null;
  let issuer = anchor !== null ? composeIssuer(issuerLines(doc, anchor)) : null;
  if (issuer) {
    provenance.issuer = 'text';
    const completed = completeIssuer(issuer, localityOf(web.issuer) ?? localityFromPlace(place));
    if (completed !== issuer) {
      reasons.push('locality of the issuer completed from the place or website attributes');
      provenance.issuer = 'completed';
    }
    issuer = completed;
  }

  const recipientsAt = findRecipientsLine(doc, bodyStart);
  const [from, to] = signerWindow(doc, recipientsAt, bodyStart);
  let signer = findSigner(doc, from, to)?.signer ?? null;
  if (signer) provenance.signer = 'text';
  if (!signer && web.signer) {
    signer = { name: web.signer, title: null, authority: null };
    reasons.push('signer name taken from the website attribute table');
    provenance.signer = 'web';
  }
  const recipients = recipientsAt !== null ? readRecipients(doc, recipientsAt) : [];
  if (recipients.length) provenance.recipients = 'text';
  const marks = findMarks(doc, Math.max(bodyStart + 2, 12));
  const deadline = findDeadline(doc, bodyStart, issuedDate);
  if (deadline.date) provenance.dueDate = 'text';
  if (deadline.recurring) reasons.push(`recurring deadline stated: "${deadline.recurring}"`);
  if (summary) provenance.subject = 'text';

  const fields = {
    typeCode: type?.code ?? null,
    typeName: type?.name ?? null,
    number: notation?.number ?? null,
    notation: notation?.notation ?? null,
    issuer,
    place,
    issuedDate,
    subject: summary ? sentenceCase(summary.text) : null,
    signer,
    recipients,
    urgency: marks.urgency,
    secrecy: marks.secrecy,
    dueDate: deadline.date,
  };
  let evidence = 0;
  if (notationLine) evidence += 3;
  if (titleAt !== null) evidence += 2;
  if (placeDate) evidence += 2;
  if (heading) evidence += heading.index === 0 ? 3 : 2;
  if (summary) evidence += 1;
  if (signer && signer.authority) evidence += 1;
  if (recipients.length) evidence += 1;
  if (web.notation) evidence += 2;
  return { fields, evidence, reasons, notation, provenance, numberMissing };
}

function withIndex<T extends object>(found: T | null, index: number): (T & { index: number }) | null {
  return found ? { ...found, index } : null;
}
