/**
 * Runs the layout rules over one text and assembles the metadata a clerk writes in the incoming
 * book, with an evidence score (is this a document at all?) and a confidence with reasons.
 */
import { sentenceCase } from './casing.ts';
import { scoreConfidence } from './confidence.ts';
import { CITIES, PROVINCES } from './gazetteer.ts';
import type { Doc } from './prepare.ts';
import { findPlaceDate, parseDate, parsePlaceDate } from './rules/date.ts';
import { findDeadline } from './rules/deadline.ts';
import { findHeading, findPrefixedSummary, readSummary, type Summary } from './rules/heading.ts';
import { completeIssuer, composeIssuer, issuerLines } from './rules/issuer.ts';
import { isNationalTitle } from './rules/layout.ts';
import { findMarks } from './rules/marks.ts';
import { findNotationLine, parseNotation, type Notation } from './rules/notation.ts';
import { findRecipientsLine, readRecipients } from './rules/recipients.ts';
import { findSigner, signerWindow } from './rules/signer.ts';
import { typeByCode, typeByName, type DocType } from './rules/type-codes.ts';
import { localityOf, readWebMeta, type WebMeta } from './rules/webmeta.ts';
import { foldSameLength } from './text.ts';
import type { DocumentMetadata } from './types.ts';

export type Fields = Omit<DocumentMetadata, 'source'>;

export interface Extraction {
  fields: Fields;
  /** Layout evidence that the text is an official document; 4 or more means it is. */
  evidence: number;
  confidence: number;
  reasons: string[];
}

export const DOCUMENT_EVIDENCE = 4;

function firstIndex(doc: Doc, test: (folded: string) => boolean, limit = 80): number | null {
  for (let i = 0; i < Math.min(limit, doc.lines.length); i++) if (test(doc.folded[i])) return i;
  return null;
}

/** "Bình Thuận" → "tỉnh Bình Thuận", "Hà Nội" → "thành phố Hà Nội"; null for other places. */
function localityFromPlace(place: string | null): string | null {
  if (!place) return null;
  const key = foldSameLength(place);
  const city = CITIES.find((c) => foldSameLength(c) === key);
  if (city) return `thành phố ${city}`;
  const province = PROVINCES.find((p) => foldSameLength(p) === key);
  return province ? `tỉnh ${province}` : null;
}

function resolveType(heading: DocType | undefined, notation: Notation | null, summary: Summary | null, web: WebMeta, reasons: string[]) {
  const fromNotation = notation?.type;
  if (heading && fromNotation && heading.code !== fromNotation.code) {
    reasons.push(`type heading "${heading.name}" does not match notation ${notation?.notation} (${fromNotation.code})`);
  }
  if (heading) return heading;
  if (fromNotation) return fromNotation;
  if (summary?.vv) return typeByCode('CV');
  const webType = web.typeName ? typeByName(web.typeName) : undefined;
  if (webType) reasons.push('type taken from the website attribute table');
  return webType;
}

export function extractDocument(doc: Doc, now: Date = new Date()): Extraction {
  const reasons: string[] = [];
  const web = readWebMeta(doc);
  const notationLine = findNotationLine(doc);
  const titleAt = firstIndex(doc, isNationalTitle);
  const placeDate =
    (notationLine && notationLine.rest ? withIndex(parsePlaceDate(notationLine.rest, foldSameLength(notationLine.rest)), notationLine.index) : null) ??
    findPlaceDate(doc);
  const anchors = [notationLine?.index, titleAt, placeDate?.index].filter((x): x is number => x !== null && x !== undefined);
  const headerEnd = anchors.length ? Math.max(...anchors) + 1 : 0;
  const heading = findHeading(doc, headerEnd);
  const summary = heading
    ? heading.inline !== null
      ? readSummary(doc, heading.index, true, heading.inline)
      : readSummary(doc, heading.index + 1, false)
    : findPrefixedSummary(doc, anchors.length ? Math.min(...anchors) : 0, headerEnd + 15);
  const bodyStart = summary?.end ?? (heading ? heading.index + 1 : headerEnd);

  let notation = notationLine?.notation ?? null;
  if (!notation && web.notation) {
    notation = parseNotation(web.notation);
    if (notation) reasons.push('notation taken from the website attribute table');
  }
  const type = resolveType(heading?.type, notation, summary, web, reasons);

  let issuedDate = placeDate?.date ?? null;
  if (placeDate?.invalid) reasons.push('the date of promulgation is not a calendar date');
  if (!issuedDate && web.date) {
    issuedDate = parseDate(foldSameLength(web.date))?.iso ?? null;
    if (issuedDate) reasons.push('date taken from the website attribute table');
  }
  const place = placeDate?.place ?? null;

  const anchor = notationLine?.index ?? titleAt ?? heading?.index ?? null;
  let issuer = anchor !== null ? composeIssuer(issuerLines(doc, anchor)) : null;
  if (issuer) {
    const completed = completeIssuer(issuer, localityOf(web.issuer) ?? localityFromPlace(place));
    if (completed !== issuer) reasons.push('locality of the issuer completed from the place or website attributes');
    issuer = completed;
  }

  const recipientsAt = findRecipientsLine(doc, bodyStart);
  const [from, to] = signerWindow(doc, recipientsAt, bodyStart);
  let signer = findSigner(doc, from, to)?.signer ?? null;
  if (!signer && web.signer) {
    signer = { name: web.signer, title: null, authority: null };
    reasons.push('signer name taken from the website attribute table');
  }
  const recipients = recipientsAt !== null ? readRecipients(doc, recipientsAt) : [];
  const marks = findMarks(doc, Math.max(bodyStart + 2, 12));
  const deadline = findDeadline(doc, bodyStart, issuedDate);
  if (deadline.recurring) reasons.push(`recurring deadline stated: "${deadline.recurring}"`);

  const fields: Fields = {
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
  if (doc.legacy) reasons.push(`text converted from the legacy ${doc.legacy === 'tcvn3' ? 'TCVN3 (ABC)' : 'VNI'} encoding`);
  const confidence = scoreConfidence(fields, notation, reasons, now);
  return { fields, evidence, confidence, reasons };
}

function withIndex<T extends object>(found: T | null, index: number): (T & { index: number }) | null {
  return found ? { ...found, index } : null;
}
