/**
 * Tables of act by e-mail (docs/act-by-email.md): one row per reply handled (its Message-ID is
 * the key, so a replayed reply is never applied twice), the result files an officer attached to a
 * "done" reply, and deadline extensions requested by officers who may not move a deadline.
 */
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { documents, users } from '../schema.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A reply to an act+ address, keyed by its Message-ID; `outcome` is null while it is being applied. */
export const actReplies = pgTable(
  'act_replies',
  {
    messageId: text('message_id').primaryKey(),
    inboundId: text('inbound_id').notNull(),
    documentId: text('document_id'),
    userId: text('user_id'),
    command: text('command'),
    outcome: text('outcome'), // applied | not-applied:<code> | refused:<code> | help | ignored:<reason>
    /** The answer mail, kept so a re-run of the stage sends the same one (the mailer sends it at most once). */
    answer: jsonb('answer').$type<{ to: string; subject: string; text: string }>(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('act_replies_document').on(t.documentId)],
);

/** A file attached to a "done" reply: the blob the parse stage stored, kept as the document's result. */
export const documentResults = pgTable(
  'document_results',
  {
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    inboundId: text('inbound_id').notNull(),
    idx: integer('idx').notNull(),
    filename: text('filename'),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    actor: text('actor').notNull(),
    /** The Message-ID of the reply that brought it. */
    messageId: text('message_id').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.inboundId, t.idx] }), index('document_results_sha').on(t.sha256)],
);

/** An extension an officer asked for by mail; a leader grants it by moving the deadline. */
export const deadlineRequests = pgTable(
  'deadline_requests',
  {
    id: text('id').primaryKey(),
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    requestedDue: text('requested_due').notNull(),
    currentDue: text('current_due'),
    reason: text('reason'),
    status: text('status').notNull().default('pending'), // pending | granted | refused
    messageId: text('message_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('deadline_requests_document').on(t.documentId, t.status)],
);
