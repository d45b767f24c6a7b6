/**
 * What an officer can do by reply that the API's workflow (gateway/registry/workflow/workflow.ts)
 * has no function for yet: give an assignment back to the leader, ask for more time, and keep the
 * files of a "done" reply as the document's results. Same pattern as the workflow: one
 * transaction with the row locked, the policy's checks, an audit entry (docs/act-by-email.md).
 */
import { and, eq } from 'drizzle-orm';
import { newId } from '../../store/ids.ts';
import { authorizeDocument, actorOf, type Principal } from '../access/policy.ts';
import { appendAudit } from '../audit.ts';
import type { DocumentRow } from '../books/register.ts';
import type { Tx } from '../db.ts';
import { notFound, RegistryError } from '../errors.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents } from '../schema.ts';
import { deadlineRequests, documentResults } from './schema.ts';

const OPEN = ['received', 'assigned', 'in_progress'];

async function locked<T>(rt: RegistryRuntime, id: string, fn: (tx: Tx, doc: DocumentRow) => Promise<T>): Promise<T> {
  const out = await rt.db.transaction(async (tx) => {
    const [doc] = await tx.select().from(documents).where(eq(documents.id, id)).for('update');
    if (!doc) throw notFound();
    return fn(tx, doc);
  });
  rt.kick();
  return out;
}

const noteLine = (rt: RegistryRuntime, p: Principal, text: string) => `${rt.clock.now().toISOString().slice(0, 10)} ${actorOf(p)}: ${text}`;

/** The assignee gives the item back: it returns to "received" in its department, for the leader to assign again. */
export async function declineAssignment(rt: RegistryRuntime, p: Principal, id: string, reason: string): Promise<DocumentRow> {
  const why = reason.normalize('NFC').trim();
  if (!why) throw new RegistryError(400, 'Cần nêu lý do từ chối (a reason is required)');
  return locked(rt, id, async (tx, doc) => {
    authorizeDocument(p, 'documents.progress', doc);
    if (doc.assigneeId === null || doc.assigneeId !== p.id)
      throw new RegistryError(403, 'Chỉ cán bộ được giao mới từ chối được (only the assignee may decline)');
    if (!['assigned', 'in_progress'].includes(doc.status))
      throw new RegistryError(409, `Trạng thái "${doc.status}" không cho phép từ chối (not allowed in status ${doc.status})`);
    const at = rt.clock.now();
    const line = noteLine(rt, p, `từ chối: ${why}`);
    const [row] = await tx
      .update(documents)
      .set({
        status: 'received',
        assigneeId: null,
        handlingNotes: [doc.handlingNotes, line].filter(Boolean).join('\n'),
        followupPending: true,
        updatedAt: at,
      })
      .where(eq(documents.id, id))
      .returning();
    await appendAudit(
      tx,
      { actor: actorOf(p), action: 'document.decline', entity: 'document', entityId: id, data: { from: doc.status, to: row.status, reason: why } },
      at,
    );
    return row;
  });
}

/** An officer who may not move deadlines asks for one: recorded for the leader, the deadline unchanged. */
export async function requestExtension(
  rt: RegistryRuntime,
  p: Principal,
  id: string,
  dueDate: string,
  reason: string | null,
  messageId: string | null,
): Promise<{ doc: DocumentRow; requestId: string }> {
  return locked(rt, id, async (tx, doc) => {
    authorizeDocument(p, 'documents.progress', doc);
    if (!OPEN.includes(doc.status)) throw new RegistryError(409, `Trạng thái "${doc.status}" không cho phép gia hạn (not allowed in status ${doc.status})`);
    if (doc.dueDate && dueDate <= doc.dueDate)
      throw new RegistryError(400, `Ngày đề nghị ${dueDate} không sau hạn hiện tại ${doc.dueDate} (the date asked for is not after the deadline)`);
    const at = rt.clock.now();
    const requestId = newId(at.getTime());
    await tx.insert(deadlineRequests).values({
      id: requestId,
      documentId: id,
      userId: p.id,
      requestedDue: dueDate,
      currentDue: doc.dueDate,
      reason,
      messageId,
      createdAt: at,
    });
    await appendAudit(
      tx,
      {
        actor: actorOf(p),
        action: 'document.extension_request',
        entity: 'document',
        entityId: id,
        data: { requestId, before: doc.dueDate, requested: dueDate, reason },
      },
      at,
    );
    return { doc, requestId };
  });
}

/**
 * A leader moved the deadline by reply: the officers' open requests for the item are settled, in
 * one audit entry (decisions.ts reads who granted them from it). Returns the settled requests.
 */
export async function settleExtensionRequests(
  rt: RegistryRuntime,
  p: Principal,
  id: string,
  granted: string,
): Promise<Array<typeof deadlineRequests.$inferSelect>> {
  return rt.db.transaction(async (tx) => {
    const settled = await tx
      .update(deadlineRequests)
      .set({ status: 'granted' })
      .where(and(eq(deadlineRequests.documentId, id), eq(deadlineRequests.status, 'pending')))
      .returning();
    if (settled.length)
      await appendAudit(
        tx,
        {
          actor: actorOf(p),
          action: 'document.extension_grant',
          entity: 'document',
          entityId: id,
          data: { settled: settled.map((r) => r.id), requested: settled.map((r) => r.requestedDue), granted, note: null },
        },
        rt.clock.now(),
      );
    return settled;
  });
}

export interface ResultFile {
  idx: number;
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
}

/** The files of a "done" reply become the document's results (their blobs are the parse stage's). */
export async function storeResults(rt: RegistryRuntime, p: Principal, id: string, inboundId: string, messageId: string, files: ResultFile[]): Promise<number> {
  if (!files.length) return 0;
  const at = rt.clock.now();
  return rt.db.transaction(async (tx) => {
    const added = await tx
      .insert(documentResults)
      .values(files.map((f) => ({ documentId: id, inboundId, messageId, actor: actorOf(p), createdAt: at, ...f })))
      .onConflictDoNothing()
      .returning({ idx: documentResults.idx });
    if (added.length)
      await appendAudit(
        tx,
        {
          actor: actorOf(p),
          action: 'document.results',
          entity: 'document',
          entityId: id,
          data: { files: files.filter((f) => added.some((a) => a.idx === f.idx)).map((f) => ({ filename: f.filename, sha256: f.sha256, size: f.size })) },
        },
        at,
      );
    return added.length;
  });
}
