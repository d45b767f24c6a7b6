/**
 * Putting a document into the incoming book: the next number of the unit's book for the year,
 * the deadline, and the route (a configured rule assigns at once; a learned suggestion waits for
 * the leader). Runs inside the caller's transaction, after the document row is locked.
 */
import { and, eq } from 'drizzle-orm';
import { appendAudit } from '../audit.ts';
import { nextBookNumber } from './books.ts';
import { localDate } from '../../clock.ts';
import type { Tx } from '../db.ts';
import { computeDeadline } from '../workflow/deadlines.ts';
import { suggestRoute, type RoutingSuggestion } from '../workflow/routing.ts';
import { rulesInForce } from '../workflow/routing-rules.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documents, users } from '../schema.ts';

export type DocumentRow = typeof documents.$inferSelect;

/** Computed before the transaction: it reads the unit's history, which needs no lock. */
export async function routeFor(
  rt: RegistryRuntime,
  doc: Pick<DocumentRow, 'unitId' | 'issuer' | 'typeCode' | 'subject'>,
  recipients: string[],
  text: string | null,
): Promise<RoutingSuggestion> {
  return suggestRoute(rt.db, await rulesInForce(rt), {
    unitId: doc.unitId,
    recipients,
    issuer: doc.issuer,
    typeCode: doc.typeCode,
    subject: doc.subject,
    text,
  });
}

/** What registering sets on a document's row, and the data of its "document.register" audit entry. */
export interface BookEntry {
  set: Pick<DocumentRow, 'status' | 'bookYear' | 'bookNumber' | 'registeredAt' | 'dueDate' | 'dueSource' | 'department' | 'assigneeId' | 'followupPending'> & {
    routing: RoutingSuggestion;
  };
  audit: Record<string, unknown>;
}

/**
 * The book entry of a document: the next number of the unit's book for the year (taken in the
 * caller's transaction, by `takeNumber` when given: intake's statement that also takes the audit
 * head), the deadline and the route. Writes nothing to the document: intake writes
 * the row once with it (gateway/registry/intake/intake.ts), registerInTx updates one that waited.
 */
export async function bookEntry(
  tx: Tx,
  rt: RegistryRuntime,
  doc: Pick<DocumentRow, 'unitId' | 'dueDate' | 'dueSource' | 'typeCode' | 'urgency'>,
  route: RoutingSuggestion,
  at: Date,
  takeNumber: (year: number) => Promise<number> = (year) => nextBookNumber(tx, doc.unitId, year, 'incoming'),
): Promise<BookEntry> {
  const today = localDate(at, rt.tz);
  const year = Number(today.slice(0, 4));
  const number = await takeNumber(year);
  const deadline = doc.dueDate
    ? { dueDate: doc.dueDate, source: doc.dueSource ?? 'document' }
    : computeDeadline(rt.config.registry, rt.calendar, { unitId: doc.unitId, typeCode: doc.typeCode, urgency: doc.urgency, statedDate: null, from: today });
  let assigneeId: string | null = null;
  if (route.source === 'rule' && route.officer) {
    const [officer] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.email, route.officer.toLowerCase()), eq(users.unitId, doc.unitId), eq(users.active, true)));
    assigneeId = officer?.id ?? null;
  }
  const department = route.source === 'rule' ? route.department : null;
  return {
    set: {
      status: assigneeId ? 'assigned' : 'received',
      bookYear: year,
      bookNumber: number,
      registeredAt: at,
      dueDate: deadline.dueDate,
      dueSource: deadline.source,
      department,
      assigneeId,
      routing: route,
      followupPending: true,
    },
    audit: { unitId: doc.unitId, year, number, dueDate: deadline.dueDate, dueSource: deadline.source, department, assigneeId, route: route.source },
  };
}

/** Registers a document that waited (a clerk's decision): its book entry, in the caller's transaction, after the row is locked. */
export async function registerInTx(tx: Tx, rt: RegistryRuntime, doc: DocumentRow, actor: string, route: RoutingSuggestion): Promise<DocumentRow> {
  const at = rt.clock.now();
  const entry = await bookEntry(tx, rt, doc, route, at);
  const [row] = await tx
    .update(documents)
    .set({ ...entry.set, updatedAt: at })
    .where(eq(documents.id, doc.id))
    .returning();
  await appendAudit(tx, { actor, action: 'document.register', entity: 'document', entityId: doc.id, data: entry.audit }, at);
  return row;
}
