/**
 * What the policy needs to know about stored records, read from the database: the facts of an
 * inbound message (its units, the registry's documents made from it, the classifier's secrecy)
 * and the SQL form of a list scope. The decisions stay in policy.ts.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { documents } from '../schema.ts';
import type { Db } from '../../store/db.ts';
import { inboundMessages, messageStages } from '../../store/schema.ts';
import type { MessageFacts, MessageListScope } from './policy.ts';

/** Facts of each message, by id (messages that do not exist are absent). */
export async function messageFacts(db: Db, ids: string[]): Promise<Map<string, MessageFacts>> {
  const out = new Map<string, MessageFacts>();
  if (!ids.length) return out;
  const rows = await db.select({ id: inboundMessages.id, unitIds: inboundMessages.unitIds }).from(inboundMessages).where(inArray(inboundMessages.id, ids));
  for (const r of rows) out.set(r.id, { unitIds: r.unitIds, documents: [], classifiedSecrecy: null });
  if (!rows.length) return out;
  const found = rows.map((r) => r.id);
  const docs = await db
    .select({ inboundId: documents.inboundId, unitId: documents.unitId, assigneeId: documents.assigneeId, secrecy: documents.secrecy })
    .from(documents)
    .where(inArray(documents.inboundId, found));
  for (const d of docs) out.get(d.inboundId!)?.documents.push({ unitId: d.unitId, assigneeId: d.assigneeId, secrecy: d.secrecy });
  const classified = await db
    .select({ id: messageStages.messageId, secrecy: sql<string | null>`${messageStages.result} -> 'document' ->> 'secrecy'` })
    .from(messageStages)
    .where(and(inArray(messageStages.messageId, found), eq(messageStages.stage, 'classify'), eq(messageStages.status, 'done')));
  for (const c of classified) {
    const f = out.get(c.id);
    if (f) f.classifiedSecrecy = c.secrecy;
  }
  return out;
}

/** The WHERE condition on inbound_messages for a list scope. */
export function messageScopeCondition(scope: MessageListScope): SQL | undefined {
  switch (scope.kind) {
    case 'all':
      return undefined;
    case 'unit':
      return sql`${inboundMessages.unitIds} @> ${JSON.stringify([scope.unitId])}::jsonb`;
    case 'assigned':
      return sql`exists (select 1 from ${documents} where ${documents.inboundId} = ${inboundMessages.id} and ${documents.unitId} = ${scope.unitId} and ${documents.assigneeId} = ${scope.userId})`;
  }
}
