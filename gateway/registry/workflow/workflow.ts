/**
 * What people do to documents: the clerk's review actions (approve, correct and register, reject
 * back to the sender, not a document), the leader's assignment and deadline, the officer's
 * progress, and comments. Each runs in one transaction with the row locked, checks the role ×
 * unit matrix, appends to the audit log and marks the document for the follow-up scheduler.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { newId } from '../../store/ids.ts';
import { messageStages } from '../../store/schema.ts';
import { authorizeDocument, canSeeDocument, type Principal } from '../access/policy.ts';
import { appendAudit } from '../audit.ts';
import type { Tx } from '../db.ts';
import { RegistryError, notFound } from '../errors.ts';
import { checkCorrections, dedupKey, searchText, type DocFields } from '../intake/fields.ts';
import { requireFields } from '../intake/integrity.ts';
import { registerInTx, routeFor, type DocumentRow } from '../books/register.ts';
import { forgetTraining } from './routing.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documentComments, documents, users } from '../schema.ts';

export const actorOf = (p: Principal) => p.email ?? `service:${p.name}`;

const REVIEWABLE = ['review', 'quarantined'];
const OPEN = ['received', 'assigned', 'in_progress'];

async function withDocument<T>(rt: RegistryRuntime, id: string, fn: (tx: Tx, doc: DocumentRow) => Promise<T>): Promise<T> {
  const result = await rt.db.transaction(async (tx) => {
    const [doc] = await tx.select().from(documents).where(eq(documents.id, id)).for('update');
    if (!doc) throw notFound();
    return fn(tx, doc);
  });
  rt.kick();
  return result;
}

function expectStatus(doc: DocumentRow, allowed: string[]): void {
  if (!allowed.includes(doc.status))
    throw new RegistryError(409, `Trạng thái "${doc.status}" không cho phép thao tác này (not allowed in status ${doc.status}; expected ${allowed.join('|')})`);
}

async function readDocument(rt: RegistryRuntime, id: string): Promise<DocumentRow> {
  const [doc] = await rt.db.select().from(documents).where(eq(documents.id, id));
  if (!doc) throw notFound();
  return doc;
}

async function extractedText(rt: RegistryRuntime, inboundId: string | null): Promise<string | null> {
  if (!inboundId) return null;
  const [p] = await rt.db
    .select({ result: messageStages.result })
    .from(messageStages)
    .where(and(eq(messageStages.messageId, inboundId), eq(messageStages.stage, 'parse')));
  return (p?.result as { text?: string | null } | undefined)?.text ?? null;
}

/** Approve a review item into the book, optionally with corrected fields. */
export async function approve(rt: RegistryRuntime, p: Principal, id: string, corrections: Record<string, unknown> = {}): Promise<DocumentRow> {
  const patch = checkCorrections(corrections);
  const current = await readDocument(rt, id);
  authorizeDocument(p, 'documents.review', current);
  const merged = { ...current, ...patch } as DocumentRow & DocFields;
  // Routing reads the unit's history: outside the transaction (PGlite has one connection).
  const route = await routeFor(rt, merged, [], null);
  const text = Object.keys(patch).length ? await extractedText(rt, current.inboundId) : null;
  return withDocument(rt, id, async (tx, doc) => {
    expectStatus(doc, REVIEWABLE);
    // Decree 30: no book entry without số/ký hiệu (where the type has one), issuer, date, trích yếu (422).
    requireFields({ ...doc, ...patch });
    const at = rt.clock.now();
    if (Object.keys(patch).length) {
      const fields = { ...doc, ...patch };
      const dueSource = 'dueDate' in patch ? (patch.dueDate ? 'manual' : null) : doc.dueSource;
      await tx
        .update(documents)
        .set({ ...patch, dueSource, dedupKey: dedupKey(fields), searchText: searchText(fields, text), updatedAt: at })
        .where(eq(documents.id, id));
      await appendAudit(
        tx,
        { actor: actorOf(p), action: 'document.correct', entity: 'document', entityId: id, data: { before: pick(doc, Object.keys(patch)), after: patch } },
        at,
      );
      doc = { ...doc, ...patch, dueSource } as DocumentRow;
    }
    return registerInTx(tx, rt, doc, actorOf(p), route);
  });
}

function pick(doc: DocumentRow, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (doc as Record<string, unknown>)[k]]));
}

/** Return to the sender with a reason (the follow-up worker mails it). */
export async function reject(rt: RegistryRuntime, p: Principal, id: string, reason: string): Promise<DocumentRow> {
  const why = reason?.normalize('NFC').trim();
  if (!why) throw new RegistryError(400, 'Cần nêu lý do trả lại (a reason is required)');
  return withDocument(rt, id, async (tx, doc) => {
    authorizeDocument(p, 'documents.review', doc);
    expectStatus(doc, [...REVIEWABLE, 'received']);
    return transition(tx, rt, p, doc, 'document.return', { status: 'returned', reasons: [...doc.reasons, `Trả lại: ${why}`], remarks: why }, { reason: why });
  });
}

export async function markNotDocument(rt: RegistryRuntime, p: Principal, id: string): Promise<DocumentRow> {
  return withDocument(rt, id, async (tx, doc) => {
    authorizeDocument(p, 'documents.review', doc);
    expectStatus(doc, REVIEWABLE);
    return transition(tx, rt, p, doc, 'document.not_document', { status: 'not_document' }, {});
  });
}

async function transition(
  tx: Tx,
  rt: RegistryRuntime,
  p: Principal,
  doc: DocumentRow,
  action: string,
  set: Partial<DocumentRow>,
  data: Record<string, unknown>,
): Promise<DocumentRow> {
  const at = rt.clock.now();
  const [row] = await tx
    .update(documents)
    .set({ ...set, followupPending: true, updatedAt: at })
    .where(eq(documents.id, doc.id))
    .returning();
  await appendAudit(tx, { actor: actorOf(p), action, entity: 'document', entityId: doc.id, data: { from: doc.status, to: row.status, ...data } }, at);
  return row;
}

export interface AssignInput {
  department?: string | null;
  officer?: string | null; // e-mail or user id
  /** The leader's instructions ("ý kiến chỉ đạo"): kept with the assignment, in its audit entry and the officer's notice. */
  note?: string | null;
}

/** NFC, trimmed; empty is none. */
const said = (text: string | null | undefined) => text?.normalize('NFC').trim() || null;

export async function assign(rt: RegistryRuntime, p: Principal, id: string, input: AssignInput): Promise<DocumentRow> {
  const current = await readDocument(rt, id);
  authorizeDocument(p, 'documents.assign', current);
  const departments = rt.config.registry.units[current.unitId]?.departments ?? [];
  if (input.department && departments.length && !departments.some((d) => d.id === input.department)) {
    throw new RegistryError(
      400,
      `Không có phòng ban "${input.department}" trong đơn vị (unknown department; known: ${departments.map((d) => d.id).join(', ')})`,
    );
  }
  let officer: { id: string; email: string; department: string | null } | undefined;
  if (input.officer) {
    const key = input.officer.includes('@') ? eq(users.email, input.officer.toLowerCase()) : eq(users.id, input.officer);
    [officer] = await rt.db
      .select({ id: users.id, email: users.email, department: users.department })
      .from(users)
      .where(and(key, eq(users.unitId, current.unitId), eq(users.active, true)));
    if (!officer) throw new RegistryError(400, `Không có cán bộ "${input.officer}" trong đơn vị (no such active user in the unit)`);
  }
  const department = input.department ?? officer?.department ?? current.department;
  const note = said(input.note);
  if (!department && !officer) throw new RegistryError(400, 'Cần phòng ban hoặc cán bộ (department or officer required)');
  const row = await withDocument(rt, id, async (tx, doc) => {
    expectStatus(doc, OPEN);
    return transition(
      tx,
      rt,
      p,
      doc,
      'document.assign',
      // The note belongs to this assignment: a new one without instructions clears the last one's.
      { status: officer ? 'assigned' : doc.status, department, assigneeId: officer?.id ?? doc.assigneeId, assignmentNote: note },
      { department, officer: officer?.email ?? null, note },
    );
  });
  forgetTraining(rt.db, current.unitId); // the next suggestion learns from this assignment
  return row;
}

/** `reason`: why it changed, kept with the deadline (`dueReason`) and in the audit entry. */
export async function setDeadline(rt: RegistryRuntime, p: Principal, id: string, dueDate: string, reason?: string | null): Promise<DocumentRow> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dueDate ?? '')) throw new RegistryError(400, 'dueDate: ngày dạng YYYY-MM-DD (expected an ISO date)');
  const why = said(reason);
  return withDocument(rt, id, async (tx, doc) => {
    authorizeDocument(p, 'documents.assign', doc);
    expectStatus(doc, OPEN);
    return transition(
      tx,
      rt,
      p,
      doc,
      'document.deadline',
      { dueDate, dueSource: 'manual', dueReason: why },
      { before: doc.dueDate, after: dueDate, reason: why },
    );
  });
}

const NEXT: Record<string, string[]> = { in_progress: ['received', 'assigned'], done: ['received', 'assigned', 'in_progress'] };

export async function setStatus(rt: RegistryRuntime, p: Principal, id: string, status: string, note?: string | null): Promise<DocumentRow> {
  if (!NEXT[status]) throw new RegistryError(400, `status: in_progress hoặc done (got ${status})`);
  return withDocument(rt, id, async (tx, doc) => {
    authorizeDocument(p, 'documents.progress', doc);
    expectStatus(doc, NEXT[status]);
    const at = rt.clock.now();
    const line = note?.trim() ? `${at.toISOString().slice(0, 10)} ${actorOf(p)}: ${note.normalize('NFC').trim()}` : null;
    const handlingNotes = line ? [doc.handlingNotes, line].filter(Boolean).join('\n') : doc.handlingNotes;
    return transition(tx, rt, p, doc, `document.${status}`, { status, handlingNotes, doneAt: status === 'done' ? at : doc.doneAt }, { note: note ?? null });
  });
}

export async function addComment(rt: RegistryRuntime, p: Principal, id: string, body: string) {
  const text = body?.normalize('NFC').trim();
  if (!text) throw new RegistryError(400, 'Nội dung trống (empty comment)');
  return withDocument(rt, id, async (tx, doc) => {
    authorizeDocument(p, 'documents.comment', doc);
    const at = rt.clock.now();
    const [c] = await tx
      .insert(documentComments)
      .values({ id: newId(at.getTime()), documentId: id, actor: actorOf(p), body: text, createdAt: at })
      .returning();
    await appendAudit(tx, { actor: actorOf(p), action: 'document.comment', entity: 'document', entityId: id, data: { commentId: c.id } }, at);
    return c;
  });
}

/** `vanthu register <message-id>`: approves the review items of one inbound message. */
export async function registerMessage(rt: RegistryRuntime, p: Principal, inboundId: string, corrections: Record<string, unknown> = {}): Promise<DocumentRow[]> {
  const items = await rt.db
    .select()
    .from(documents)
    .where(and(eq(documents.inboundId, inboundId), inArray(documents.status, REVIEWABLE)));
  const mine = items.filter((d) => canSeeDocument(p, d));
  if (!mine.length) throw new RegistryError(404, `Thư ${inboundId} không có văn bản chờ duyệt (no review item for this message)`);
  const out: DocumentRow[] = [];
  for (const d of mine) out.push(await approve(rt, p, d.id, corrections));
  return out;
}
