/**
 * Per-recipient state of an outgoing document. States only move forward:
 * queued → sent → delivered | failed → received → handled; evidence (DSNs, receipts, status
 * notices) is kept with the row whatever order it arrives in.
 */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { outgoingDeliveries, outgoingMessages } from './schema.ts';

export const DELIVERY_STATES = ['queued', 'sent', 'delivered', 'failed', 'received', 'handled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const RANK: Record<DeliveryState, number> = { queued: 0, sent: 1, delivered: 2, failed: 2, received: 3, handled: 4 };

export type DeliveryRow = typeof outgoingDeliveries.$inferSelect;
export type OutgoingMessageRow = typeof outgoingMessages.$inferSelect;

export interface Advance {
  response?: string | null;
  lastError?: string | null;
  evidence?: { inboundId: string; note: string | null };
}

/** Moves one recipient forward; a state at or below the current one only adds evidence. True when the state changed. */
export async function advance(db: Db, id: string, state: DeliveryState, at: Date, extra: Advance = {}): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(outgoingDeliveries).where(eq(outgoingDeliveries.id, id)).for('update');
    if (!row) return false;
    const forward = RANK[state] > RANK[row.state as DeliveryState];
    const evidence =
      extra.evidence && !row.evidence.some((e) => e.inboundId === extra.evidence!.inboundId && e.state === state)
        ? [...row.evidence, { state, inboundId: extra.evidence.inboundId, at: at.toISOString(), note: extra.evidence.note }]
        : row.evidence;
    await tx
      .update(outgoingDeliveries)
      .set({
        ...(forward ? { state } : {}),
        evidence,
        ...(extra.response !== undefined ? { response: extra.response } : {}),
        ...(extra.lastError !== undefined ? { lastError: extra.lastError } : {}),
        ...(forward && state === 'sent' ? { sentAt: at } : {}),
        ...(forward && state === 'received' ? { receivedAt: at } : {}),
        ...(forward && state === 'handled' ? { handledAt: at, receivedAt: row.receivedAt ?? at } : {}),
        updatedAt: at,
      })
      .where(eq(outgoingDeliveries.id, id));
    return forward;
  });
}

export async function countAttempt(db: Db, id: string, error: string | null, at: Date): Promise<void> {
  await db
    .update(outgoingDeliveries)
    .set({ attempts: sql`${outgoingDeliveries.attempts} + 1`, lastError: error, updatedAt: at })
    .where(eq(outgoingDeliveries.id, id));
}

export interface OutgoingView extends OutgoingMessageRow {
  deliveries: DeliveryRow[];
  /** True once every recipient has acknowledged (received or handled). */
  acknowledged: boolean;
}

/** How many outgoing documents a list of outgoingView(…, { unitId }) draws from (it shows at most its limit). */
export async function outgoingCount(db: Db, unitId: string | null): Promise<number> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(outgoingMessages)
    .where(unitId ? eq(outgoingMessages.unitId, unitId) : undefined);
  return Number(n);
}

export async function outgoingView(db: Db, where: { id?: string; unitId?: string | null }, limit = 100): Promise<OutgoingView[]> {
  const conds = [where.id ? eq(outgoingMessages.id, where.id) : undefined, where.unitId ? eq(outgoingMessages.unitId, where.unitId) : undefined].filter(
    Boolean,
  );
  const msgs = await db
    .select()
    .from(outgoingMessages)
    .where(and(...conds))
    .orderBy(asc(outgoingMessages.createdAt))
    .limit(limit);
  if (!msgs.length) return [];
  const dels = await db
    .select()
    .from(outgoingDeliveries)
    .where(
      inArray(
        outgoingDeliveries.outgoingId,
        msgs.map((m) => m.id),
      ),
    )
    .orderBy(asc(outgoingDeliveries.recipient));
  return msgs.map((m) => {
    const deliveries = dels.filter((d) => d.outgoingId === m.id);
    return { ...m, deliveries, acknowledged: deliveries.every((d) => d.state === 'received' || d.state === 'handled') };
  });
}
