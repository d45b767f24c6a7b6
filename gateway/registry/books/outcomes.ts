/**
 * What became of inbound messages, for lists (GET /api/messages `outcome`, `vanthu messages`): per
 * unit the message was addressed to, its document's status and book number, or the register
 * stage's decision when no document was made (kept as correspondence, dropped as automated), with
 * the reasons — why it waits for review, what it duplicates. Message states are the pipeline's;
 * this is the registry's side (docs/operations-recovery.md, "Message states").
 * Only what the principal may see: documents by canSeeDocument, decisions of their own unit.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Principal } from '../access/policy.ts';
import { canSeeDocument } from '../access/policy.ts';
import type { Db } from '../../store/db.ts';
import { messageStages } from '../../store/schema.ts';
import { documents } from '../schema.ts';

export interface MessageOutcome {
  unitId: string;
  /** register | review | quarantine | link | keep | drop, or the document's status when it came later (approve, reject). */
  action: string;
  documentId: string | null;
  status: string | null;
  bookYear: number | null;
  bookNumber: number | null;
  notation: string | null;
  department: string | null;
  linkedTo: string | null;
  reasons: string[];
}

const ACTION_OF_STATUS: Record<string, string> = {
  review: 'review',
  quarantined: 'quarantine',
  linked: 'link',
  not_document: 'keep',
  returned: 'return',
};

interface Decision {
  unitId?: unknown;
  action?: unknown;
  documentId?: unknown;
  reasons?: unknown;
}

function decisionsOf(result: unknown): Decision[] {
  const d = (result as { decisions?: unknown } | null)?.decisions;
  return Array.isArray(d) ? (d as Decision[]) : [];
}

/** Outcomes by message id; a message not decided yet has none. */
export async function messageOutcomes(db: Db, p: Principal, ids: string[]): Promise<Map<string, MessageOutcome[]>> {
  const out = new Map<string, MessageOutcome[]>();
  if (!ids.length) return out;
  const add = (id: string, o: MessageOutcome) => out.set(id, [...(out.get(id) ?? []), o]);
  const docs = await db.select().from(documents).where(inArray(documents.inboundId, ids));
  const seen = new Set<string>();
  for (const d of docs) {
    if (!d.inboundId) continue;
    seen.add(`${d.inboundId} ${d.unitId}`);
    if (!canSeeDocument(p, d)) continue;
    add(d.inboundId, {
      unitId: d.unitId,
      action: d.bookNumber !== null ? 'register' : (ACTION_OF_STATUS[d.status] ?? d.status),
      documentId: d.id,
      status: d.status,
      bookYear: d.bookYear,
      bookNumber: d.bookNumber,
      notation: d.notation,
      department: d.department,
      linkedTo: d.linkedTo,
      reasons: d.reasons,
    });
  }
  // Decisions that made no document: correspondence kept, automated mail dropped.
  const stages = await db
    .select({ messageId: messageStages.messageId, result: messageStages.result })
    .from(messageStages)
    .where(and(inArray(messageStages.messageId, ids), eq(messageStages.stage, 'register')));
  for (const s of stages) {
    for (const d of decisionsOf(s.result)) {
      if (typeof d.unitId !== 'string' || d.documentId || seen.has(`${s.messageId} ${d.unitId}`)) continue;
      if (p.role !== 'admin' && (p.unitId !== d.unitId || p.role === 'officer' || p.role === 'relay')) continue;
      add(s.messageId, {
        unitId: d.unitId,
        action: typeof d.action === 'string' ? d.action : 'keep',
        documentId: null,
        status: null,
        bookYear: null,
        bookNumber: null,
        notation: null,
        department: null,
        linkedTo: null,
        reasons: Array.isArray(d.reasons) ? d.reasons.filter((r): r is string => typeof r === 'string') : [],
      });
    }
  }
  return out;
}
