/**
 * Reading the issuance queue (docs/issuance.md, "From the add-in"): the drafts of a unit or of
 * one submitter, each with what became of it — once issued, the outgoing document and the state
 * of every recipient (sent, delivered, receipt), as gateway/outgoing/tracking.ts records it.
 * Also the recipient check the add-in runs before submitting: each name resolved against the
 * directory, or the candidates when it is ambiguous.
 */
import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Config } from '../config/load.ts';
import type { Db } from '../store/db.ts';
import { directoryOf, RecipientError, resolveRecipient } from './directory.ts';
import { issuanceRequests, outgoingDeliveries, outgoingMessages } from './schema.ts';
import type { DeliveryRow } from './tracking.ts';

export const ISSUANCE_STATES = ['pending', 'issuing', 'issued', 'returned'] as const;
export type IssuanceState = (typeof ISSUANCE_STATES)[number];
export type IssuanceRow = typeof issuanceRequests.$inferSelect;

export interface IssuedDocument {
  id: string;
  notation: string;
  subject: string;
  createdAt: Date;
  deliveries: DeliveryRow[];
  /** True once every recipient has acknowledged (received or handled). */
  acknowledged: boolean;
}

export interface IssuanceView extends IssuanceRow {
  /** The outgoing document once issued, with each recipient's delivery and receipt. */
  outgoing: IssuedDocument | null;
}

export type RecipientCheck =
  | { given: string; ok: true; name: string | null; address: string; organId: string | null; known: boolean }
  | { given: string; ok: false; problem: string; candidates: Array<{ name: string; address: string }> };

/** Each recipient as the directory resolves it; ambiguous or vague names come back with their candidates. */
export function checkRecipients(config: Config, given: string[]): RecipientCheck[] {
  const entries = directoryOf(config);
  return given
    .map((g) => g.normalize('NFC').trim())
    .filter(Boolean)
    .map((g): RecipientCheck => {
      try {
        return { given: g, ok: true, ...resolveRecipient(entries, g) };
      } catch (err) {
        if (!(err instanceof RecipientError)) throw err;
        return { given: g, ok: false, problem: err.message, candidates: err.candidates.map(({ name, address }) => ({ name, address })) };
      }
    });
}

export interface IssuanceWhere {
  id?: string;
  /** null: every unit. */
  unitId?: string | null;
  states?: IssuanceState[];
  /** A user's drafts (by user id), or a service's (by its audit name). */
  submitter?: { id: string | null; actor: string };
}

export async function issuanceList(db: Db, where: IssuanceWhere, limit = 100): Promise<IssuanceView[]> {
  const t = issuanceRequests;
  const conds: Array<SQL | undefined> = [
    where.id ? eq(t.id, where.id) : undefined,
    where.unitId ? eq(t.unitId, where.unitId) : undefined,
    where.states?.length ? inArray(t.state, where.states) : undefined,
    where.submitter ? (where.submitter.id ? eq(t.submitterId, where.submitter.id) : eq(t.submittedBy, where.submitter.actor)) : undefined,
  ];
  const rows = await db
    .select()
    .from(t)
    .where(and(...conds))
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(limit);
  const ids = rows.map((r) => r.outgoingId).filter((id): id is string => id !== null);
  const msgs = ids.length ? await db.select().from(outgoingMessages).where(inArray(outgoingMessages.id, ids)) : [];
  const dels = ids.length
    ? await db.select().from(outgoingDeliveries).where(inArray(outgoingDeliveries.outgoingId, ids)).orderBy(asc(outgoingDeliveries.recipient))
    : [];
  return rows.map((r) => {
    const m = msgs.find((x) => x.id === r.outgoingId);
    if (!m) return { ...r, outgoing: null };
    const deliveries = dels.filter((d) => d.outgoingId === m.id);
    return {
      ...r,
      outgoing: {
        id: m.id,
        notation: m.notation,
        subject: m.subject,
        createdAt: m.createdAt,
        deliveries,
        acknowledged: deliveries.length > 0 && deliveries.every((d) => d.state === 'received' || d.state === 'handled'),
      },
    };
  });
}

export async function issuanceById(db: Db, id: string): Promise<IssuanceView | null> {
  const [view] = await issuanceList(db, { id }, 1);
  return view ?? null;
}
