/**
 * Outgoing mail of official documents: one row per sent message (its Message-ID links replies
 * back), one row per recipient tracking delivery and receipt until the recipient has handled it.
 */
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const outgoingMessages = pgTable(
  'outgoing_messages',
  {
    id: text('id').primaryKey(),
    /** The outgoing-book entry (registry's outgoing_entries.id). */
    entryId: text('entry_id').notNull(),
    unitId: text('unit_id').notNull(),
    notation: text('notation').notNull(),
    /** Internet Message-ID with angle brackets, as replies quote it in In-Reply-To / References. */
    messageId: text('message_id').notNull(),
    /** edXML DocumentId when sent as an edXML package. */
    documentId: text('document_id'),
    subject: text('subject').notNull(),
    fromAddress: text('from_address').notNull(),
    /** Who sent it (user e-mail), told about permanent failures. */
    senderEmail: text('sender_email'),
    rawSha256: text('raw_sha256').notNull(),
    signing: jsonb('signing').$type<{ dkim: boolean; smime: boolean; edxml: boolean }>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('outgoing_messages_mid').on(t.messageId),
    index('outgoing_messages_entry').on(t.entryId),
    index('outgoing_messages_doc').on(t.documentId),
  ],
);

/** queued → sent → delivered | failed → received → handled (a later state never goes back). */
export const outgoingDeliveries = pgTable(
  'outgoing_deliveries',
  {
    id: text('id').primaryKey(),
    outgoingId: text('outgoing_id')
      .notNull()
      .references(() => outgoingMessages.id, { onDelete: 'cascade' }),
    recipient: text('recipient').notNull(),
    recipientName: text('recipient_name'),
    organId: text('organ_id'),
    state: text('state').notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** The remote server's final answer, e.g. "250 2.0.0 Ok: queued as 4F2A…". */
    response: text('response'),
    lastError: text('last_error'),
    /** Inbound message ids of DSNs, receipts and status notices about this recipient. */
    evidence: jsonb('evidence').$type<Array<{ state: string; inboundId: string; at: string; note: string | null }>>().notNull().default([]),
    sentAt: ts('sent_at'),
    receivedAt: ts('received_at'),
    handledAt: ts('handled_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('outgoing_deliveries_rcpt').on(t.outgoingId, t.recipient), index('outgoing_deliveries_state').on(t.state)],
);
