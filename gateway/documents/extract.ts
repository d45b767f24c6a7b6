/**
 * Reads one document and assembles the metadata a clerk writes in the incoming book, with an
 * evidence score (is this a document at all?), a confidence with reasons, and a confidence per
 * field. A laid-out document (PDF, DOCX) is read by its bands (layout/bands.ts, fields/from-blocks.ts);
 * flattened text, or a layout without a header band, by line heuristics (fields/from-lines.ts).
 */
import { fieldConfidences, scoreConfidence, type FieldConfidence } from './confidence.ts';
import { readBlocks } from './fields/from-blocks.ts';
import { readLines } from './fields/from-lines.ts';
import type { Fields } from './fields/common.ts';
import { readMeeting } from './fields/meeting.ts';
import { layoutBlocks } from './layout/bands.ts';
import type { PageLayout } from './layout/types.ts';
import { convertLegacy, type LegacyEncoding } from './legacy-encoding.ts';
import type { Doc } from './prepare.ts';
import { DAMAGED_SUBJECT_REASON, describeDamage, textDamage } from './rules/damage.ts';

export type { Fields } from './fields/common.ts';
export type { FieldConfidence } from './confidence.ts';

export interface Extraction {
  fields: Fields;
  /** Layout evidence that the text is an official document; 4 or more means it is. */
  evidence: number;
  confidence: number;
  reasons: string[];
  /** 0..1 per field: how far a clerk can rely on each value (0 when absent). */
  fieldConfidence: FieldConfidence;
}

export const DOCUMENT_EVIDENCE = 4;

/** A document without a number in its header goes to a clerk, however complete the rest. */
const NO_NUMBER_CAP = 0.6;
/** So does one whose trích yếu shows signs of damage (rules/damage.ts): it would be booked mangled. */
const DAMAGED_SUBJECT_CAP = 0.6;

/** The laid-out pages in Unicode when the document was typed in a legacy encoding (TCVN3, VNI). */
function unicodePages(pages: PageLayout[], encoding: LegacyEncoding | null): PageLayout[] {
  if (!encoding) return pages;
  const convert = (s: string) => convertLegacy(s, encoding);
  return pages.map((p) => ({
    ...p,
    rows: p.rows.map((r) => ({
      ...r,
      cells: r.cells.map((c) => ({ ...c, text: convert(c.text), runs: c.runs.map((run) => ({ ...run, str: convert(run.str) })) })),
    })),
  }));
}

export function extractDocument(doc: Doc, now: Date = new Date(), pages: PageLayout[] = []): Extraction {
  const blocks = pages.length ? layoutBlocks(unicodePages(pages, doc.legacy)) : null;
  const read = blocks ? readBlocks(blocks) : readLines(doc);
  const reasons = [...read.reasons];
  if (doc.legacy) reasons.push(`text converted from the legacy ${doc.legacy === 'tcvn3' ? 'TCVN3 (ABC)' : 'VNI'} encoding`);
  let confidence = scoreConfidence(read.fields, read.notation, reasons, now);
  if (read.numberMissing) confidence = Math.min(confidence, NO_NUMBER_CAP);
  const damage = textDamage(read.fields.subject);
  if (damage.damaged) {
    const signs = describeDamage(damage);
    reasons.push(`trích yếu có dấu hiệu hỏng chữ (${signs}): văn thư đối chiếu với văn bản — ${DAMAGED_SUBJECT_REASON} (${signs}): a clerk checks it`);
    confidence = Math.min(confidence, DAMAGED_SUBJECT_CAP);
  }
  const meeting = readMeeting(doc, { typeCode: read.fields.typeCode, issuedDate: read.fields.issuedDate });
  return {
    fields: meeting ? { ...read.fields, meeting } : read.fields,
    evidence: read.evidence,
    confidence,
    reasons,
    fieldConfidence: fieldConfidences(read, reasons),
  };
}
