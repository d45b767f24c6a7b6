/**
 * Confidence in a document's metadata: the share of fields found, weighted by how much a clerk
 * relies on them, less penalties for inconsistencies (notation type vs heading type, notation year
 * vs date, dates in the future or before 1945) and for fields taken from second-hand sources.
 */
import type { Notation } from './rules/notation.ts';
import type { DocumentMetadata } from './types.ts';

type Fields = Omit<DocumentMetadata, 'source'>;

const WEIGHTS: Array<[number, (f: Fields) => boolean]> = [
  [0.2, (f) => f.notation !== null],
  [0.15, (f) => f.issuer !== null],
  [0.15, (f) => f.issuedDate !== null],
  [0.1, (f) => f.typeCode !== null],
  [0.15, (f) => f.subject !== null],
  [0.1, (f) => f.signer?.name != null],
  [0.05, (f) => f.recipients.length > 0],
  [0.1, (f) => f.place !== null],
];

function round(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;
}

/** Adds reasons for what is inconsistent and returns a score in 0..1. */
export function scoreConfidence(fields: Fields, notation: Notation | null, reasons: string[], now: Date): number {
  let score = WEIGHTS.reduce((sum, [w, found]) => sum + (found(fields) ? w : 0), 0);
  const missing = WEIGHTS.length - WEIGHTS.filter(([, found]) => found(fields)).length;
  if (missing > 0 && fields.notation === null) reasons.push('no number and notation ("Số:") found');
  if (fields.issuedDate) {
    const today = now.toISOString().slice(0, 10);
    const tomorrow = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
    if (fields.issuedDate > tomorrow) {
      reasons.push(`date of promulgation ${fields.issuedDate} is after ${today}`);
      score -= 0.25;
    } else if (fields.issuedDate < '1945-09-02') {
      reasons.push(`date of promulgation ${fields.issuedDate} is implausibly old`);
      score -= 0.25;
    }
    if (notation?.year && notation.year !== fields.issuedDate.slice(0, 4)) {
      reasons.push(`year ${notation.year} in the notation differs from the date ${fields.issuedDate}`);
      score -= 0.15;
    }
  }
  if (fields.dueDate && fields.issuedDate && fields.dueDate < fields.issuedDate) score -= 0.1;
  // Every other reason (mismatched type, second-hand fields, legacy encoding) costs a little.
  const soft = reasons.filter((r) => /does not match|website|converted|not a calendar|completed/.test(r)).length;
  score -= soft * 0.05;
  return round(score);
}
