/**
 * Deadline-extension requests (docs/act-by-email.md, "Extension requests"): an officer asks by
 * replying "gia hạn đến …" (requests.ts records it); a leader of the unit sees the pending ones
 * (GET /api/deadline-requests, the console's "Đề nghị gia hạn") and grants or refuses each. A
 * decision is one transaction with the document and the request locked, checked by the policy
 * exactly as POST /api/documents/{id}/deadline is, audited; the officer who asked is told by mail,
 * with a reply address to go on acting on the item.
 */
import { and, asc, desc, eq, inArray, lte, type SQL } from 'drizzle-orm';
import { localDate } from '../../clock.ts';
import { actorOf, authorizeDocument, canSeeDocument, documentListScope, hasPermission, hidden, type Principal } from '../access/policy.ts';
import { appendAudit } from '../audit.ts';
import { vnDate } from '../books/book-data.ts';
import type { DocumentRow } from '../books/register.ts';
import { RegistryError } from '../errors.ts';
import type { Mailer } from '../ports.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { auditLog, documents, users } from '../schema.ts';
import { actFooter, type Notice } from '../workflow/notices.ts';
import { replyAddress } from './address.ts';
import { leaderNotice, stateLines } from './answers.ts';
import { requestExtension } from './requests.ts';
import { deadlineRequests } from './schema.ts';
import { ASSIGNEE_ACTIONS, OVERSEER_ACTIONS } from './token.ts';

export type RequestStatus = 'pending' | 'granted' | 'refused';
export const REQUEST_STATUSES: readonly RequestStatus[] = ['pending', 'granted', 'refused'];
const OPEN = ['received', 'assigned', 'in_progress'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

type RequestRow = typeof deadlineRequests.$inferSelect;

export interface ExtensionRequestView {
  id: string;
  status: RequestStatus;
  requestedDue: string;
  /** The deadline when it was asked for. */
  currentDue: string | null;
  reason: string | null;
  /** The reply's Message-ID when it came by mail. */
  messageId: string | null;
  createdAt: string;
  requestedBy: { id: string; email: string; name: string } | null;
  document: {
    id: string;
    unitId: string;
    notation: string | null;
    subject: string | null;
    issuer: string | null;
    bookNumber: number | null;
    bookYear: number | null;
    status: string;
    dueDate: string | null;
    assigneeId: string | null;
  };
  /** From the audit entry of the decision; null while pending. */
  decision: { by: string; at: string; dueDate: string | null; note: string | null } | null;
}

export interface RequestQuery {
  unit?: string;
  /** pending (default), granted, refused or all. */
  status?: RequestStatus | 'all';
  document?: string;
  limit?: number;
}

/**
 * The requests the principal may see: their unit's (admins: every unit, or `unit`), officers only
 * their own; a request on a document the principal may not see (a secret one) is left out.
 */
export async function listExtensionRequests(rt: RegistryRuntime, p: Principal, q: RequestQuery = {}): Promise<ExtensionRequestView[]> {
  const scope = documentListScope(p, q.unit ?? null);
  const status = q.status ?? 'pending';
  const where: SQL[] = [];
  if (scope.unitId) where.push(eq(documents.unitId, scope.unitId));
  if (p.role === 'officer') where.push(eq(deadlineRequests.userId, p.id ?? '-'));
  if (status !== 'all') where.push(eq(deadlineRequests.status, status));
  if (q.document) where.push(eq(deadlineRequests.documentId, q.document));
  const rows = await rt.db
    .select({ request: deadlineRequests, doc: documents, user: { id: users.id, email: users.email, name: users.name } })
    .from(deadlineRequests)
    .innerJoin(documents, eq(documents.id, deadlineRequests.documentId))
    .leftJoin(users, eq(users.id, deadlineRequests.userId))
    .where(and(...where))
    .orderBy(status === 'pending' ? asc(deadlineRequests.createdAt) : desc(deadlineRequests.createdAt))
    .limit(Math.min(q.limit ?? 200, 500));
  // The policy's record rule: a secret document's requests only for those who may see it; officers only while it is theirs.
  const visible = rows.filter((r) => canSeeDocument(p, r.doc));
  const decisions = await decisionsOf(
    rt,
    visible.filter((r) => r.request.status !== 'pending').map((r) => r.request),
  );
  return visible.map((r) => view(r.request, r.doc, r.user?.id ? r.user : null, decisions.get(r.request.id) ?? null));
}

function view(r: RequestRow, d: DocumentRow, u: ExtensionRequestView['requestedBy'], decision: ExtensionRequestView['decision']): ExtensionRequestView {
  return {
    id: r.id,
    status: r.status as RequestStatus,
    requestedDue: r.requestedDue,
    currentDue: r.currentDue,
    reason: r.reason,
    messageId: r.messageId,
    createdAt: r.createdAt.toISOString(),
    requestedBy: u,
    document: {
      id: d.id,
      unitId: d.unitId,
      notation: d.notation,
      subject: d.subject,
      issuer: d.issuer,
      bookNumber: d.bookNumber,
      bookYear: d.bookYear,
      status: d.status,
      dueDate: d.dueDate,
      assigneeId: d.assigneeId,
    },
    decision,
  };
}

const DECISION_ACTIONS = ['document.extension_grant', 'document.extension_refuse'];

/** Who decided each request and when: the audit entries of the decisions (a grant by reply settles with the deadline change). */
async function decisionsOf(rt: RegistryRuntime, rows: RequestRow[]): Promise<Map<string, NonNullable<ExtensionRequestView['decision']>>> {
  const out = new Map<string, NonNullable<ExtensionRequestView['decision']>>();
  if (!rows.length) return out;
  const entries = await rt.db
    .select({ at: auditLog.at, actor: auditLog.actor, action: auditLog.action, data: auditLog.data })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.entity, 'document'),
        inArray(auditLog.entityId, [...new Set(rows.map((r) => r.documentId))]),
        inArray(auditLog.action, [...DECISION_ACTIONS, 'document.deadline']),
      ),
    )
    .orderBy(asc(auditLog.seq));
  for (const r of rows) {
    const own = entries.find((e) => {
      const d = e.data as { requestId?: string; settled?: string[] };
      return DECISION_ACTIONS.includes(e.action) && (d.requestId === r.id || d.settled?.includes(r.id));
    });
    if (own) {
      const d = own.data as { granted?: string; reason?: string | null; note?: string | null };
      out.set(r.id, { by: own.actor, at: own.at.toISOString(), dueDate: d.granted ?? null, note: d.reason ?? d.note ?? null });
      continue;
    }
    // Granted by a leader's reply "gia hạn đến …" (commands.ts): the first deadline change after the request.
    const moved = entries.find((e) => e.action === 'document.deadline' && e.at >= r.createdAt && (e.data as { after?: string }).after);
    if (moved) out.set(r.id, { by: moved.actor, at: moved.at.toISOString(), dueDate: (moved.data as { after: string }).after, note: null });
  }
  return out;
}

const WHAT = 'đề nghị gia hạn (extension request)';

export type Decision = { grant: true; dueDate?: string | null; note?: string | null } | { grant: false; reason: string };

export interface DecisionResult {
  request: ExtensionRequestView;
  doc: DocumentRow;
  /** What became of the mail to the officer who asked. */
  notified: 'sent' | 'already-sent' | 'no-recipient' | 'failed';
}

/**
 * A leader (or admin) grants or refuses a pending request. Granting moves the deadline (to the date
 * asked for, or `dueDate`) as POST /api/documents/{id}/deadline does, and settles the item's other
 * pending requests that the new date covers. 404 for a request on a document the caller may not
 * see (as for one that does not exist), 403 for a role that may not set deadlines, 409 when it was
 * decided already or the document is no longer open.
 */
export async function decideExtension(
  rt: RegistryRuntime,
  mailer: Mailer | null,
  p: Principal,
  requestId: string,
  decision: Decision,
): Promise<DecisionResult> {
  const note = (decision.grant ? decision.note : decision.reason)?.normalize('NFC').trim() || null;
  if (!decision.grant && !note) throw new RegistryError(400, 'Cần nêu lý do không đồng ý (a reason is required)');
  if (decision.grant && decision.dueDate && !ISO_DATE.test(decision.dueDate))
    throw new RegistryError(400, 'dueDate: ngày dạng YYYY-MM-DD (expected an ISO date)');
  const [first] = await rt.db.select().from(deadlineRequests).where(eq(deadlineRequests.id, requestId));
  if (!first) throw hidden(WHAT);
  const { request, doc, others } = await rt.db.transaction(async (tx) => {
    // The document first, as requestExtension and the workflow lock it: no deadlock with a reply being applied.
    const [doc] = await tx.select().from(documents).where(eq(documents.id, first.documentId)).for('update');
    // A request on a document the caller may not see answers exactly as one that does not exist.
    if (!doc || !canSeeDocument(p, doc)) throw hidden(WHAT);
    authorizeDocument(p, 'documents.assign', doc);
    const [request] = await tx.select().from(deadlineRequests).where(eq(deadlineRequests.id, requestId)).for('update');
    if (request.status !== 'pending') throw new RegistryError(409, `Đề nghị đã được quyết định: ${request.status} (the request was already ${request.status})`);
    const at = rt.clock.now();
    if (!decision.grant) {
      await tx.update(deadlineRequests).set({ status: 'refused' }).where(eq(deadlineRequests.id, requestId));
      await appendAudit(
        tx,
        {
          actor: actorOf(p),
          action: 'document.extension_refuse',
          entity: 'document',
          entityId: doc.id,
          data: { requestId, requested: request.requestedDue, due: doc.dueDate, reason: note },
        },
        at,
      );
      return { request: { ...request, status: 'refused' }, doc, others: [] as RequestRow[] };
    }
    if (!OPEN.includes(doc.status)) throw new RegistryError(409, `Trạng thái "${doc.status}" không cho phép gia hạn (not allowed in status ${doc.status})`);
    const due = decision.dueDate || request.requestedDue;
    if (due < localDate(at, rt.tz)) throw new RegistryError(400, `Ngày ${vnDate(due)} đã qua (the date is in the past)`);
    const [row] = await tx
      .update(documents)
      // Why the deadline moved (documents.due_reason): the leader's note on granting, else the officer's reason for asking.
      .set({ dueDate: due, dueSource: 'manual', dueReason: note ?? request.reason ?? null, followupPending: true, updatedAt: at })
      .where(eq(documents.id, doc.id))
      .returning();
    await appendAudit(
      tx,
      {
        actor: actorOf(p),
        action: 'document.deadline',
        entity: 'document',
        entityId: doc.id,
        data: { from: doc.status, to: row.status, before: doc.dueDate, after: due, requestId },
      },
      at,
    );
    // This request, and any other pending one of the item the new date covers.
    const settled = await tx
      .update(deadlineRequests)
      .set({ status: 'granted' })
      .where(and(eq(deadlineRequests.documentId, doc.id), eq(deadlineRequests.status, 'pending'), lte(deadlineRequests.requestedDue, due)))
      .returning();
    if (!settled.some((s) => s.id === requestId)) await tx.update(deadlineRequests).set({ status: 'granted' }).where(eq(deadlineRequests.id, requestId));
    await appendAudit(
      tx,
      {
        actor: actorOf(p),
        action: 'document.extension_grant',
        entity: 'document',
        entityId: doc.id,
        data: {
          requestId,
          requested: request.requestedDue,
          granted: due,
          note,
          settled: settled.map((s) => s.id).filter((id) => id !== requestId),
        },
      },
      at,
    );
    return { request: { ...request, status: 'granted' }, doc: row, others: settled.filter((s) => s.id !== requestId) };
  });
  rt.kick(); // the follow-up scheduler re-plans reminders for the new deadline
  const notified = await tellAsker(rt, mailer, p, request, doc, note);
  for (const r of others) await tellAsker(rt, mailer, p, r, doc, note);
  const [asker] = request.userId
    ? await rt.db.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, request.userId))
    : [];
  const decided = (await decisionsOf(rt, [request])).get(request.id) ?? null;
  return { request: view(request, doc, asker ?? null, decided), doc, notified };
}

/**
 * The mail to the officer who asked (`r` as decided): the decision, the item's state, and — while
 * the item is theirs — a reply address of their own to go on acting on it.
 */
export async function tellAsker(
  rt: RegistryRuntime,
  mailer: Mailer | null,
  p: Principal,
  r: RequestRow,
  d: DocumentRow,
  note: string | null,
): Promise<DecisionResult['notified']> {
  const [asker] = r.userId
    ? await rt.db
        .select({ id: users.id, email: users.email })
        .from(users)
        .where(and(eq(users.id, r.userId), eq(users.active, true)))
    : [];
  if (!asker || !mailer || asker.id === p.id) return 'no-recipient';
  const [assignee] = d.assigneeId ? await rt.db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, d.assigneeId)) : [];
  const mine = d.assigneeId === asker.id && OPEN.includes(d.status);
  const replyTo = mine ? replyAddress(rt, d.unitId, { kind: 'document', itemId: d.id, userId: asker.id, actions: [...ASSIGNEE_ACTIONS] }) : null;
  const notice = decisionNotice(r, d, p.name || actorOf(p), note, assignee ? `${assignee.name} <${assignee.email}>` : null, replyTo);
  try {
    return await mailer.send({ key: `extension-decision:${r.id}`, to: [asker.email], subject: notice.subject, text: notice.text, replyTo });
  } catch (err) {
    // The decision stands (it is committed and audited); the mailer kept the error on its outbound row.
    rt.log.warn({ request: r.id, err: (err as Error).message }, 'extension decision mail failed');
    return 'failed';
  }
}

export function decisionNotice(r: RequestRow, d: DocumentRow, leader: string, note: string | null, assignee: string | null, replyTo: string | null): Notice {
  const label = d.notation ?? d.subject ?? d.id;
  const granted = r.status === 'granted';
  return {
    subject: granted ? `Đồng ý gia hạn xử lý: ${label} (extension granted)` : `Không đồng ý gia hạn: ${label} (extension refused)`,
    text: [
      granted
        ? `${leader} đồng ý gia hạn xử lý văn bản đến ${vnDate(d.dueDate)} (anh/chị đề nghị đến ${vnDate(r.requestedDue)}).`
        : `${leader} không đồng ý gia hạn đến ${vnDate(r.requestedDue)}; hạn xử lý giữ nguyên ${vnDate(d.dueDate) || '—'}.`,
      granted ? 'The deadline was extended.' : 'The extension was refused; the deadline stays.',
      note ? `${granted ? 'Ghi chú (note)' : 'Lý do (reason)'}: ${note}` : null,
      ...stateLines(d, assignee),
      ...(replyTo ? actFooter(replyTo) : ['', 'Thư này được gửi tự động (automatic message).']),
    ]
      .filter((l) => l !== null)
      .join('\n'),
  };
}

/**
 * Mails the unit's active leaders, each with a reply address of their own, about an extension
 * request or a decline; `key` names each leader's mail (sent at most once). Throws when a send fails.
 */
export async function mailLeaders(
  rt: RegistryRuntime,
  mailer: Mailer,
  kind: 'extend' | 'decline',
  doc: DocumentRow,
  who: string,
  text: string,
  key: (leaderId: string) => string,
): Promise<number> {
  const leaders = await rt.db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.unitId, doc.unitId), eq(users.role, 'leader'), eq(users.active, true)));
  const notice = leaderNotice(kind, doc, who, text);
  let sent = 0;
  for (const l of leaders) {
    const replyTo = replyAddress(rt, doc.unitId, { kind: 'document', itemId: doc.id, userId: l.id, actions: [...OVERSEER_ACTIONS] });
    if ((await mailer.send({ key: key(l.id), to: [l.email], subject: notice.subject, text: notice.text, replyTo })) === 'sent') sent++;
  }
  return sent;
}

/**
 * An officer asks for more time in the console or the API, as by replying "gia hạn đến …": a
 * pending request (requests.ts checks the document is theirs and open, and the date later than
 * the deadline), the leaders mailed. A role that may set deadlines itself (leader, admin) is told
 * to do that instead (409).
 */
export async function askExtension(
  rt: RegistryRuntime,
  mailer: Mailer | null,
  p: Principal,
  documentId: string,
  dueDate: string,
  reason: string | null,
): Promise<{ request: ExtensionRequestView; leadersMailed: number }> {
  if (!ISO_DATE.test(dueDate ?? '')) throw new RegistryError(400, 'dueDate: ngày dạng YYYY-MM-DD (expected an ISO date)');
  const [current] = await rt.db.select().from(documents).where(eq(documents.id, documentId));
  if (!current || !canSeeDocument(p, current)) throw hidden();
  if (hasPermission(p, 'documents.assign'))
    throw new RegistryError(409, 'Vai trò của anh/chị đặt được hạn xử lý trực tiếp (your role sets the deadline itself: POST /api/documents/{id}/deadline)');
  if (dueDate < localDate(rt.clock.now(), rt.tz)) throw new RegistryError(400, `Ngày ${vnDate(dueDate)} đã qua (the date is in the past)`);
  const why = reason?.normalize('NFC').trim() || null;
  const { doc, requestId } = await requestExtension(rt, p, documentId, dueDate, why, null);
  let leadersMailed = 0;
  if (mailer) {
    const who = p.email ? `${p.name} <${p.email}>` : actorOf(p);
    const text = `đến ${vnDate(dueDate)}${why ? ` (lý do: ${why})` : ''}`;
    try {
      leadersMailed = await mailLeaders(rt, mailer, 'extend', doc, who, text, (leaderId) => `extension-request:${requestId}:${leaderId}`);
    } catch (err) {
      // The request stands (committed, audited, in the leaders' list); the mailer kept the error.
      rt.log.warn({ request: requestId, err: (err as Error).message }, 'extension request mail to the leaders failed');
    }
  }
  const [row] = await listExtensionRequests(rt, p, { status: 'pending', document: documentId }).then((all) => all.filter((r) => r.id === requestId));
  return { request: row, leadersMailed };
}
