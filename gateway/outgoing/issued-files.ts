/**
 * The PDFs an issuance produced — the document and its signed appendices — kept as files of their
 * own (table issued_files, migration 0015) beside the mail that carried them, so their archive
 * time-stamps can be renewed later (renewal.ts; docs/issuance.md, "Renewing the archive
 * time-stamp"). Each is stored durably (blob store: fsync, rename, directory fsync) before the row
 * naming it commits, in the transaction that records the sent document.
 */
import { and, asc, eq } from 'drizzle-orm';
import { hidden, requirePermission, type Principal } from '../registry/access/policy.ts';
import type { Exec, Tx } from '../registry/db.ts';
import type { BlobStore } from '../store/blobs.ts';
import { newId } from '../store/ids.ts';
import { issuedFiles, outgoingMessages } from './schema.ts';

export interface IssuedFile {
  /** 0: the document; 1, 2, …: the appendices in the order sent. */
  position: number;
  filename: string;
  content: Buffer;
}

export type IssuedFileRow = typeof issuedFiles.$inferInsert;

/** Stores each file's bytes and gives the rows to insert once the outgoing record's id is known. */
export async function storeIssuedFiles(
  blobs: BlobStore,
  files: IssuedFile[],
  now: Date,
): Promise<(outgoingId: string, unitId: string, notation: string) => IssuedFileRow[]> {
  const stored = await Promise.all(
    files.map(async (f) => {
      const { sha256, size } = await blobs.put(f.content);
      // pdf-lib loads with the first issued file, not when the gateway starts (docs/operations.md, "Memory").
      const { archiveExpiry } = await import('./issue/renew.ts');
      return { f, sha256, size, renewBefore: await archiveExpiry(f.content) };
    }),
  );
  return (outgoingId, unitId, notation) =>
    stored.map(({ f, sha256, size, renewBefore }) => ({
      id: newId(now.getTime()),
      outgoingId,
      unitId,
      notation,
      position: f.position,
      filename: f.filename,
      sha256,
      size,
      versions: [{ sha256, size, at: now.toISOString(), field: null }],
      renewBefore,
      createdAt: now,
      updatedAt: now,
    }));
}

export async function recordIssuedFiles(tx: Tx, rows: IssuedFileRow[]): Promise<void> {
  if (rows.length) await tx.insert(issuedFiles).values(rows);
}

/** One issued file as GET /api/outgoing/{id}/files lists it: its versions oldest first (1: as issued). */
export interface IssuedFileView {
  idx: number;
  filename: string;
  sha256: string;
  size: number;
  renewBefore: string | null;
  lastRenewalError: string | null;
  versions: Array<{ version: number; at: string; size: number; sha256: string; field: string | null }>;
}

/**
 * The issued files of an outgoing document, for whoever may read it (the policy of GET
 * /api/outgoing/{id}, docs/security-access.md: the unit's users, admins); another unit's answers
 * as one that does not exist. `idx` narrows the list to one file.
 */
export async function issuedFilesFor(
  db: Exec,
  p: Principal,
  outgoingId: string,
  idx?: number,
): Promise<{ notation: string; unitId: string; files: IssuedFileView[] }> {
  requirePermission(p, 'outgoing.read');
  const [out] = await db
    .select({ unitId: outgoingMessages.unitId, notation: outgoingMessages.notation })
    .from(outgoingMessages)
    .where(eq(outgoingMessages.id, outgoingId));
  if (!out || (p.role !== 'admin' && p.unitId !== out.unitId)) throw hidden('văn bản đi (outgoing document)');
  const t = issuedFiles;
  const rows = await db
    .select()
    .from(t)
    .where(idx === undefined ? eq(t.outgoingId, outgoingId) : and(eq(t.outgoingId, outgoingId), eq(t.position, idx)))
    .orderBy(asc(t.position));
  const files = rows.map((r) => ({
    idx: r.position,
    filename: r.filename,
    sha256: r.sha256,
    size: r.size,
    renewBefore: r.renewBefore?.toISOString() ?? null,
    lastRenewalError: r.lastError,
    versions: r.versions.map((v, i) => ({ version: i + 1, at: v.at, size: v.size, sha256: v.sha256, field: v.field })),
  }));
  return { notation: out.notation, unitId: out.unitId, files };
}
