/** An edXML envelope's header as document metadata (the most trusted source). */
import { normalizeVietnamese } from '../text.ts';
import { parseNotation } from '../rules/notation.ts';
import { typeByCode, typeByName } from '../rules/type-codes.ts';
import { parseDate } from '../rules/date.ts';
import { foldSameLength } from '../text.ts';
import type { DocumentMetadata, Urgency } from '../types.ts';
import { PRIORITY } from './names.ts';
import type { Envelope } from './parse.ts';

function clean(v: string | null): string | null {
  const t = v ? normalizeVietnamese(v) : '';
  return t || null;
}

/** A real calendar day (no 2026-02-30, no 9999-99-99: the envelope is input like any other). */
function isDay(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function isoOf(v: string | null): string | null {
  if (!v) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
  if (iso) return isDay(Number(iso[1]), Number(iso[2]), Number(iso[3])) ? `${iso[1]}-${iso[2]}-${iso[3]}` : null;
  return parseDate(foldSameLength(v))?.iso ?? null;
}

function urgencyOf(priority: string | null): Urgency {
  switch (priority) {
    case PRIORITY.khan:
      return 'khan';
    case PRIORITY.thuong_khan:
      return 'thuong_khan';
    case PRIORITY.hoa_toc:
    case PRIORITY.hoa_toc_hen_gio:
      return 'hoa_toc';
    default:
      return 'normal';
  }
}

export function envelopeMetadata(env: Envelope): DocumentMetadata {
  const rawNotation = [env.codeNumber, env.codeNotation].filter(Boolean).join('/');
  const notation = rawNotation ? parseNotation(rawNotation) : null;
  const type = (env.typeName ? typeByName(env.typeName) : undefined) ?? (env.typeCode ? typeByCode(env.typeCode) : undefined) ?? notation?.type;
  const secrecy = env.secrecy === 'mat' || env.secrecy === 'toi_mat' || env.secrecy === 'tuyet_mat' ? env.secrecy : 'normal';
  const signer = env.signer ? { name: clean(env.signer.fullName), title: clean(env.signer.position), authority: clean(env.signer.competence) } : null;
  return {
    typeCode: type?.code ?? null,
    typeName: type?.name ?? null,
    number: notation?.number ?? clean(env.codeNumber),
    notation: notation?.notation ?? clean(rawNotation),
    issuer: clean(env.from.name),
    place: clean(env.place),
    issuedDate: isoOf(env.promulgationDate),
    subject: clean(env.subject),
    signer: signer && (signer.name || signer.title || signer.authority) ? signer : null,
    recipients: env.toPlaces.map((p) => normalizeVietnamese(p)).filter(Boolean),
    urgency: urgencyOf(env.priority),
    secrecy,
    dueDate: isoOf(env.dueDate),
    source: 'edxml',
  };
}
