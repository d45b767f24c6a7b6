/**
 * Integrity rules of the incoming book (docs/security-signatures.md):
 * - a document whose signature does not cover what arrived, with changes a signature does not
 *   allow, is never registered without a clerk (policy reasons, Vietnamese first);
 * - a duplicate of a known document that differs from it (other attachment bytes, another
 *   verification verdict) raises an alert on the original's record, never a silent link;
 * - a document enters the book only with the fields Decree 30/2020/NĐ-CP makes every entry have;
 * - the signed revision of a PDF changed after signing can be fetched for a document.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { foldDiacritics } from '../../documents/text.ts';
import { messageStages } from '../../store/schema.ts';
import { authorizeDocument, type Principal } from '../access/policy.ts';
import { auditLog, documents } from '../schema.ts';
import type { Tx } from '../db.ts';
import { notFound, RegistryError } from '../errors.ts';
import type { DocFields } from './fields.ts';
import type { RegistryRuntime } from '../runtime.ts';

// ---- required fields --------------------------------------------------------------------------

export type RequiredField = 'notation' | 'issuer' | 'issuedDate' | 'subject';

export const REQUIRED_LABELS: Record<RequiredField, { vi: string; en: string }> = {
  notation: { vi: 'số, ký hiệu', en: 'number and notation' },
  issuer: { vi: 'cơ quan ban hành', en: 'issuer' },
  issuedDate: { vi: 'ngày ban hành', en: 'issued date' },
  subject: { vi: 'trích yếu', en: 'subject' },
};

/**
 * Decree 30/2020 types without a number of their own: "Thư công" (public letters, Appendix I form
 * 1.8, no số/ký hiệu and no trích yếu), and "Quy chế"/"Quy định", issued with the decision that
 * promulgates them ("ban hành kèm theo Quyết định số …") and numbered by it. Every other type —
 * công văn first of all — has a số, ký hiệu; a document of unknown type is treated as having one.
 */
const WITHOUT_NOTATION_CODES = new Set(['QC', 'QYĐ']);
const WITHOUT_NOTATION_NAMES = new Set(['thu cong', 'quy che', 'quy dinh']);
const WITHOUT_SUBJECT_NAMES = new Set(['thu cong']);

const foldName = (s: string | null) =>
  foldDiacritics(s ?? '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

export function notationRequired(typeCode: string | null, typeName: string | null): boolean {
  return !(typeCode && WITHOUT_NOTATION_CODES.has(typeCode)) && !WITHOUT_NOTATION_NAMES.has(foldName(typeName));
}

/** The required fields that are empty (blank counts as empty). */
export function missingRequired(f: Pick<DocFields, RequiredField | 'typeCode' | 'typeName'>): RequiredField[] {
  const empty = (v: string | null | undefined) => !v?.trim();
  const out: RequiredField[] = [];
  if (empty(f.notation) && notationRequired(f.typeCode, f.typeName)) out.push('notation');
  if (empty(f.issuer)) out.push('issuer');
  if (empty(f.issuedDate)) out.push('issuedDate');
  if (empty(f.subject) && !WITHOUT_SUBJECT_NAMES.has(foldName(f.typeName))) out.push('subject');
  return out;
}

/** 422 naming the empty required fields, in Vietnamese with English: a clerk cannot book them. */
export function requireFields(f: Pick<DocFields, RequiredField | 'typeCode' | 'typeName'>): void {
  const missing = missingRequired(f);
  if (!missing.length) return;
  const vi = missing.map((k) => REQUIRED_LABELS[k].vi).join(', ');
  const en = missing.map((k) => `${k} (${REQUIRED_LABELS[k].en})`).join(', ');
  throw new RegistryError(422, `Chưa đủ thông tin bắt buộc để vào sổ: ${vi} (required fields are empty: ${en}; set them with corrections)`, {
    fields: missing,
  });
}

// ---- signatures that do not cover the file ----------------------------------------------------

interface SignatureSummary {
  layer: string;
  verdict: string;
  attachment?: string | null;
  modifiedAfterSigning?: boolean;
  changesAfterSigning?: string;
  changes?: Array<{ permitted: boolean; vi: string; en: string }>;
}

const DOCUMENT_LAYERS = new Set(['smime', 'pdf', 'xml']);

/**
 * What the signatures' coverage means for the policy: `blocking` reasons send the document to the
 * clerk (a forbidden change, changes that could not be judged, or a report made before changes
 * were judged), `notes` only inform (a later signature, a time-stamp, validation data).
 */
export function coverageReasons(signatures: SignatureSummary[] | undefined): { blocking: string[]; notes: string[] } {
  const blocking: string[] = [];
  const notes: string[] = [];
  for (const s of signatures ?? []) {
    if (!DOCUMENT_LAYERS.has(s.layer)) continue;
    const file = s.attachment ? ` — ${s.attachment}` : '';
    const changes = s.changes ?? [];
    if (s.changesAfterSigning === 'forbidden') {
      const bad = changes.filter((c) => !c.permitted);
      blocking.push(
        `Văn bản bị sửa đổi sau khi ký số (${bad.map((c) => c.vi).join('; ')})${file} (document changed after signing: ${bad.map((c) => c.en).join('; ')})`,
      );
    } else if (s.changesAfterSigning === 'unknown') {
      blocking.push(
        `Không kiểm tra được phần sửa đổi sau khi ký số${file} (changes after signing could not be judged: ${changes.map((c) => c.en).join('; ')})`,
      );
    } else if (s.modifiedAfterSigning && !s.changesAfterSigning) {
      blocking.push(`Có dữ liệu thêm vào sau khi ký số, chưa được kiểm tra${file} (bytes added after signing were not judged; verify again)`);
    } else if (s.changesAfterSigning === 'permitted') {
      notes.push(
        `Ghi chú: thay đổi được phép sau khi ký số (${changes.map((c) => c.vi).join('; ')})${file} (permitted changes after signing: ${changes.map((c) => c.en).join('; ')})`,
      );
    }
  }
  return { blocking, notes };
}

// ---- duplicates that differ ------------------------------------------------------------------

export interface Difference {
  kind: 'attachments' | 'verdict';
  vi: string;
  en: string;
}

export interface DuplicateSide {
  hashes: string[];
  verdict: string | null;
}

const short = (h: string) => h.slice(0, 12);

/** How a copy differs from the original it repeats; empty for an identical re-delivery. */
export function duplicateDifferences(original: DuplicateSide, copy: DuplicateSide & { names?: Record<string, string | null> }): Difference[] {
  const out: Difference[] = [];
  const had = new Set(original.hashes);
  const has = new Set(copy.hashes);
  const added = copy.hashes.filter((h) => !had.has(h));
  const missing = original.hashes.filter((h) => !has.has(h));
  if (added.length || missing.length) {
    const name = (h: string) => (copy.names?.[h] ? `${copy.names[h]} ` : '') + `SHA-256 ${short(h)}…`;
    const parts = [
      added.length ? `tệp khác bản gốc: ${added.map(name).join(', ')}` : null,
      missing.length ? `thiếu tệp của bản gốc: ${missing.map((h) => `SHA-256 ${short(h)}…`).join(', ')}` : null,
    ].filter(Boolean);
    const partsEn = [
      added.length ? `attachments not in the original: ${added.map(name).join(', ')}` : null,
      missing.length ? `original attachments missing: ${missing.map((h) => `SHA-256 ${short(h)}…`).join(', ')}` : null,
    ].filter(Boolean);
    out.push({ kind: 'attachments', vi: `Tệp đính kèm khác bản gốc (${parts.join('; ')})`, en: `different attachments (${partsEn.join('; ')})` });
  }
  if ((original.verdict ?? null) !== (copy.verdict ?? null)) {
    const from = original.verdict ?? 'chưa kiểm tra';
    const to = copy.verdict ?? 'chưa kiểm tra';
    out.push({
      kind: 'verdict',
      vi: `Kết quả kiểm tra chữ ký số khác bản gốc: ${from} → ${to}`,
      en: `signature verdict differs from the original: ${original.verdict ?? 'none'} → ${copy.verdict ?? 'none'}`,
    });
  }
  return out;
}

/** The reason a differing copy carries; the follow-up scheduler mails the unit's clerks for it. */
export const DUPLICATE_ALERT = 'Cảnh báo: bản trùng khác với văn bản đã nhận';

export function duplicateAlertReason(originalId: string, diffs: Difference[]): string {
  return `${DUPLICATE_ALERT} ${originalId}: ${diffs.map((d) => d.vi).join('; ')} (alert: this copy of document ${originalId} differs: ${diffs.map((d) => d.en).join('; ')})`;
}

export function isDuplicateAlert(reasons: readonly string[]): boolean {
  return reasons.some((r) => r.startsWith(DUPLICATE_ALERT));
}

export interface DuplicateAlert {
  duplicateId: string;
  inboundId: string;
  internetMessageId: string | null;
  sender: string | null;
  receivedAt: string;
  originalVerdict: string | null;
  duplicateVerdict: string | null;
  originalHashes: string[];
  duplicateHashes: string[];
  differences: Difference[];
  /** What became of the copy: linked to the original, or left for the clerk beside it. */
  handling: 'linked' | 'review' | 'registered' | 'other';
}

export const ALERT_ACTION = 'document.duplicate_alert';

/** True when this copy already raised its alert (intake runs again for review items). */
export async function alertRaised(tx: Tx, originalId: string, duplicateId: string): Promise<boolean> {
  const [row] = await tx
    .select({ seq: auditLog.seq })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.entity, 'document'),
        eq(auditLog.entityId, originalId),
        eq(auditLog.action, ALERT_ACTION),
        sql`${auditLog.data}->>'duplicateId' = ${duplicateId}`,
      ),
    )
    .limit(1);
  return !!row;
}

// ---- signed revisions -------------------------------------------------------------------------

export interface StoredRevision {
  attachment: string | null;
  fileSha256: string;
  signature: number;
  length: number;
  sha256: string;
  changesAfterSigning: string;
}

/** The signed revisions the verify stage kept for a message (oldest report shape: none). */
export async function storedRevisions(rt: RegistryRuntime, inboundId: string | null): Promise<StoredRevision[]> {
  if (!inboundId) return [];
  const [row] = await rt.db
    .select({ result: messageStages.result })
    .from(messageStages)
    .where(and(eq(messageStages.messageId, inboundId), eq(messageStages.stage, 'verify'), eq(messageStages.status, 'done')));
  const list = (row?.result as { signedRevisions?: unknown } | undefined)?.signedRevisions;
  return Array.isArray(list) ? (list as StoredRevision[]).filter((r) => typeof r?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256)) : [];
}

/** A file name for a signed revision: the attachment's name (path-free) + ".signed-<n>.pdf". */
export function revisionFileName(r: StoredRevision): string {
  const stem =
    (r.attachment ?? 'document')
      .split(/[\\/]/)
      .pop()!
      .replace(/\.pdf$/i, '')
      .replace(/[^\p{L}\p{N}._ -]/gu, '_') || 'document';
  return `${stem}.signed-${r.signature + 1}.pdf`;
}

/** One signed revision of a document's message, with its bytes (404 when there is none). */
export async function signedRevision(rt: RegistryRuntime, p: Principal, id: string, n = 0): Promise<{ revision: StoredRevision; bytes: Buffer }> {
  const [doc] = await rt.db.select().from(documents).where(eq(documents.id, id));
  if (!doc) throw notFound();
  authorizeDocument(p, 'documents.read', doc);
  const revisions = await storedRevisions(rt, doc.inboundId);
  const revision = revisions[n];
  if (!revision) {
    throw new RegistryError(
      404,
      revisions.length
        ? `Không có bản đã ký số ${n} (no signed revision ${n}; this document has ${revisions.length})`
        : 'Văn bản không có bản đã ký nào khác với tệp đã nhận (no signed revision: every signature covers its whole file)',
    );
  }
  if (!rt.blobs) throw new RegistryError(503, 'Kho tệp không sẵn sàng (blob store not available)');
  return { revision, bytes: await rt.blobs.read(revision.sha256) };
}

/** The duplicate alerts raised on a document, oldest first (from its audit history). */
export async function duplicateAlerts(rt: RegistryRuntime, id: string): Promise<Array<DuplicateAlert & { at: Date }>> {
  const rows = await rt.db
    .select({ at: auditLog.at, data: auditLog.data })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'document'), eq(auditLog.entityId, id), eq(auditLog.action, ALERT_ACTION)))
    .orderBy(asc(auditLog.seq));
  return rows.map((r) => ({ ...(r.data as DuplicateAlert), at: r.at }));
}
