/**
 * Confidence in a document's metadata: the share of fields found, weighted by how much a clerk
 * relies on them, less penalties for inconsistencies (notation type vs heading type, notation year
 * vs date, dates in the future or before 1945) and for fields taken from second-hand sources.
 */
import type { FieldName, Fields, Provenance, Read } from './fields/common.ts';
import { DAMAGED_SUBJECT_REASON } from './rules/damage.ts';
import type { Notation } from './rules/notation.ts';
import type { FieldConfidence } from './types.ts';

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

export type { FieldConfidence } from './types.ts';

/** How much a value is worth by where it came from (fields/common.ts). */
const BY_PROVENANCE: Record<Provenance, number> = { layout: 0.95, text: 0.85, completed: 0.8, borrowed: 0.6, web: 0.6 };

const FIELD_NAMES: FieldName[] = ['typeCode', 'number', 'notation', 'issuer', 'place', 'issuedDate', 'subject', 'signer', 'recipients', 'dueDate'];

/**
 * Confidence per field: by provenance, 0 when absent, lowered where the reasons show a conflict
 * (type heading vs notation, notation year vs date, a date in the future or implausibly old) or
 * damage (a trích yếu with glyphs lost or OCR noise: halved).
 */
export function fieldConfidences(read: Pick<Read, 'fields' | 'provenance'>, reasons: string[]): FieldConfidence {
  const out = {} as FieldConfidence;
  for (const name of FIELD_NAMES) {
    const p = read.provenance[name];
    out[name] = p ? BY_PROVENANCE[p] : 0;
  }
  if (read.fields.signer && out.signer > 0 && read.fields.signer.name === null) out.signer = round(out.signer * 0.5);
  const all = reasons.join('\n');
  if (/does not match notation/.test(all)) out.typeCode = round(out.typeCode * 0.6);
  if (/in the notation differs from the date/.test(all)) out.issuedDate = out.notation = round(Math.min(out.issuedDate, out.notation) * 0.6);
  if (/is after|implausibly old/.test(all)) out.issuedDate = round(out.issuedDate * 0.3);
  if (/does not begin with the name of a kind of body/.test(all)) out.issuer = round(out.issuer * 0.5);
  if (/it may be cut short/.test(all)) out.notation = round(out.notation * 0.5);
  // A trích yếu with signs of glyph loss or OCR noise (extract.ts, rules/damage.ts).
  if (all.includes(DAMAGED_SUBJECT_REASON)) out.subject = round(out.subject * 0.5);
  return out;
}

/** The same confidence for every field a source gave (edXML envelope, mail subject). */
export function uniformConfidence(fields: Fields, value: number): FieldConfidence {
  const out = {} as FieldConfidence;
  for (const name of FIELD_NAMES) {
    const v = fields[name];
    out[name] = v === null || (Array.isArray(v) && v.length === 0) ? 0 : value;
  }
  return out;
}
