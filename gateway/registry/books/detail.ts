/** One document as the API shows it: its fields, assignee, comments and audit history. */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { authorizeDocument, canSeeDocument, type Principal } from '../access/policy.ts';
import { notFound } from '../errors.ts';
import { duplicateAlerts, revisionFileName, storedRevisions } from '../intake/integrity.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { auditLog, documentComments, documents, users } from '../schema.ts';

type Row = typeof documents.$inferSelect;

/** The row without internal bookkeeping columns. */
export function present(doc: Row) {
  const { searchText: _s, dedupKey: _d, followupPending: _f, attachmentHashes: _a, ...rest } = doc;
  return { ...rest, confidence: doc.confidence === null ? null : doc.confidence / 100 };
}

export async function documentDetail(rt: RegistryRuntime, p: Principal, id: string) {
  const [doc] = await rt.db.select().from(documents).where(eq(documents.id, id));
  if (!doc) throw notFound();
  authorizeDocument(p, 'documents.read', doc);
  const [assignee] = doc.assigneeId
    ? await rt.db.select({ id: users.id, email: users.email, name: users.name, department: users.department }).from(users).where(eq(users.id, doc.assigneeId))
    : [];
  const comments = await rt.db.select().from(documentComments).where(eq(documentComments.documentId, id)).orderBy(asc(documentComments.createdAt));
  // Clerks know departments by name; the id stays for API clients that assign.
  const departmentName = doc.department ? (rt.config.registry.units[doc.unitId]?.departments.find((d) => d.id === doc.department)?.name ?? null) : null;
  // Integrity (integrity.ts): differing copies that arrived later, and the signed revisions of
  // PDFs changed after signing (GET /api/documents/{id}/signed-revision?n=<index>).
  const alerts = await duplicateAlerts(rt, id);
  const signedRevisions = (await storedRevisions(rt, doc.inboundId)).map((r, n) => ({
    ...r,
    fileName: revisionFileName(r),
    href: `/api/documents/${id}/signed-revision?n=${n}`,
  }));
  return { ...present(doc), departmentName, assignee: assignee ?? null, comments, history: await history(rt, id), alerts, signedRevisions };
}

export async function history(rt: RegistryRuntime, id: string) {
  const rows = await rt.db
    .select({ seq: auditLog.seq, at: auditLog.at, actor: auditLog.actor, action: auditLog.action, data: auditLog.data })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'document'), eq(auditLog.entityId, id)))
    .orderBy(asc(auditLog.seq));
  return rows;
}

/** The add-in's question: what became of the mail with this Internet Message-ID? */
export async function byMessageId(rt: RegistryRuntime, p: Principal, mid: string) {
  const raw = mid.trim();
  const forms = [...new Set([raw, raw.startsWith('<') ? raw : `<${raw}>`, raw.replace(/^<|>$/g, '')])];
  const rows = await rt.db.select().from(documents).where(inArray(documents.internetMessageId, forms));
  const visible = rows.filter((d) => canSeeDocument(p, d));
  // A book entry first, then anything still in the clerk's hands.
  visible.sort((a, b) => Number(b.bookNumber !== null) - Number(a.bookNumber !== null));
  if (!visible.length) throw notFound('văn bản cho thư này (document for this message)');
  return documentDetail(rt, p, visible[0].id);
}
