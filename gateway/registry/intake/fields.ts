/** The document fields kept on a book line, from a classification or a clerk's correction. */
import { foldDiacritics } from '../../documents/text.ts';
import type { Classification } from '../../documents/types.ts';
import { RegistryError } from '../errors.ts';

export interface DocFields {
  notation: string | null;
  issuer: string | null;
  issuedDate: string | null;
  typeCode: string | null;
  typeName: string | null;
  subject: string | null;
  urgency: string;
  secrecy: string;
  signer: string | null;
  dueDate: string | null;
}

export const EDITABLE: Array<keyof DocFields> = [
  'notation',
  'issuer',
  'issuedDate',
  'typeCode',
  'typeName',
  'subject',
  'urgency',
  'secrecy',
  'signer',
  'dueDate',
];
/** Độ khẩn (Decree 30), as stored; the list API filters by it. */
export const URGENCY = ['normal', 'khan', 'thuong_khan', 'hoa_toc'];
const SECRECY = ['normal', 'mat', 'toi_mat', 'tuyet_mat'];

export function fieldsFromClassification(c: Classification | null, fallbackSubject: string | null): DocFields {
  const d = c?.document ?? null;
  const signer = d?.signer ? [d.signer.authority, d.signer.title, d.signer.name].filter(Boolean).join(' ') || null : null;
  return {
    notation: d?.notation ?? null,
    issuer: d?.issuer ?? null,
    issuedDate: d?.issuedDate ?? null,
    typeCode: d?.typeCode ?? null,
    typeName: d?.typeName ?? null,
    subject: d?.subject ?? fallbackSubject,
    urgency: d?.urgency ?? 'normal',
    secrecy: d?.secrecy ?? 'normal',
    signer,
    dueDate: d?.dueDate ?? null,
  };
}

/** Validates a clerk's corrections (unknown keys and bad values are refused, never ignored). */
export function checkCorrections(patch: Record<string, unknown>): Partial<DocFields> {
  const out: Partial<DocFields> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (!EDITABLE.includes(k as keyof DocFields)) throw new RegistryError(400, `trường không sửa được (field cannot be corrected): ${k}`);
    if (v !== null && typeof v !== 'string') throw new RegistryError(400, `${k}: phải là chuỗi (must be a string or null)`);
    const s = v === null ? null : (v as string).normalize('NFC').trim();
    if ((k === 'issuedDate' || k === 'dueDate') && s !== null && !/^\d{4}-\d{2}-\d{2}$/.test(s))
      throw new RegistryError(400, `${k}: ngày dạng YYYY-MM-DD (expected an ISO date)`);
    if (k === 'urgency' && !URGENCY.includes(s ?? '')) throw new RegistryError(400, `urgency: một trong ${URGENCY.join(', ')}`);
    if (k === 'secrecy' && !SECRECY.includes(s ?? '')) throw new RegistryError(400, `secrecy: một trong ${SECRECY.join(', ')}`);
    (out as Record<string, unknown>)[k] = s;
  }
  return out;
}

const fold = (s: string | null) =>
  foldDiacritics(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();

/** Same notation + issuer + document date: the same document, whatever path it came by. */
export function dedupKey(f: Pick<DocFields, 'notation' | 'issuer' | 'issuedDate'>): string | null {
  if (!f.notation || !f.issuer || !f.issuedDate) return null;
  return `${fold(f.notation).replace(/\s/g, '')}|${fold(f.issuer)}|${f.issuedDate}`;
}

/** The folded text searched by /api/documents?q=: fields first, then the extracted text. */
export function searchText(f: Partial<DocFields>, extracted: string | null): string {
  const head = [f.notation, f.issuer, f.typeName, f.subject, f.signer].filter(Boolean).join(' \n ');
  return fold(`${head} \n ${(extracted ?? '').slice(0, 20_000)}`);
}
