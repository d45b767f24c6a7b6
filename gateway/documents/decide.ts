/**
 * Chooses the most trusted source that holds a document and completes its missing fields from the
 * others (only when they name the same document), noting each borrowed field in the reasons.
 */
import type { Extraction, Fields } from './extract.ts';
import type { Classification, DocumentMetadata, FieldConfidence, Secrecy, Source, Urgency } from './types.ts';

/** One source's extraction, labelled for the reasons ("taken from the mail subject"). */
export interface Candidate extends Extraction {
  source: Source;
  label: string;
}

const FILLABLE: Array<keyof Fields> = ['typeCode', 'typeName', 'number', 'notation', 'issuer', 'place', 'issuedDate', 'subject', 'signer', 'dueDate'];
const URGENCY_ORDER: Urgency[] = ['normal', 'khan', 'thuong_khan', 'hoa_toc'];
const SECRECY_ORDER: Secrecy[] = ['normal', 'mat', 'toi_mat', 'tuyet_mat'];

function stronger<T>(order: T[], a: T, b: T): T {
  return order.indexOf(b) > order.indexOf(a) ? b : a;
}

/** A field borrowed from another source is worth less than that source's own reading of it. */
const BORROWED = 0.8;

export function mergeCandidates(primary: Candidate, others: Candidate[]): Classification {
  const fields: Fields = { ...primary.fields, recipients: [...primary.fields.recipients] };
  const fieldConfidence: FieldConfidence = { ...primary.fieldConfidence };
  const reasons = [...primary.reasons];
  for (const other of others) {
    const o = other.fields;
    const sameDocument = !fields.notation || !o.notation || fields.notation === o.notation;
    if (!sameDocument) continue;
    for (const key of FILLABLE) {
      if (fields[key] === null && o[key] !== null) {
        (fields as unknown as Record<string, unknown>)[key] = o[key];
        reasons.push(`${key} taken from ${other.label}`);
        const slot = (key === 'typeName' ? 'typeCode' : key) as keyof FieldConfidence;
        fieldConfidence[slot] = Math.round(other.fieldConfidence[slot] * BORROWED * 100) / 100;
      }
    }
    if (fields.recipients.length === 0 && o.recipients.length > 0) {
      fields.recipients = [...o.recipients];
      fieldConfidence.recipients = Math.round(other.fieldConfidence.recipients * BORROWED * 100) / 100;
    }
    // A mark anywhere counts: a secret document must be quarantined even if only the mail says so.
    const urgency = stronger(URGENCY_ORDER, fields.urgency, o.urgency);
    const secrecy = stronger(SECRECY_ORDER, fields.secrecy, o.secrecy);
    if (urgency !== fields.urgency || secrecy !== fields.secrecy) reasons.push(`urgency/secrecy mark taken from ${other.label}`);
    fields.urgency = urgency;
    fields.secrecy = secrecy;
  }
  const document: DocumentMetadata = { ...fields, source: primary.source };
  return { kind: 'document', document, confidence: primary.confidence, fieldConfidence, reasons: dedupe(reasons) };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The first candidate (in order of trust) with enough layout evidence, or null. */
export function pickDocument(candidates: Candidate[], threshold: number): Candidate | null {
  return candidates.find((c) => c.evidence >= threshold) ?? null;
}
