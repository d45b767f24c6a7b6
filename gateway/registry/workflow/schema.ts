/**
 * Tables of meeting invitations (docs/act-by-email.md, "Meeting invitations"): the meeting a
 * document calls (read from the document, or set by a clerk), and the iCalendar invitation each
 * officer was sent for it — its UID, the SEQUENCE of the last one sent, and what it said.
 */
import { integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { documents } from '../schema.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One per document that calls a meeting; `source`: 'document' (read from its text) or 'manual' (a clerk set it). */
export const documentMeetings = pgTable('document_meetings', {
  documentId: text('document_id')
    .primaryKey()
    .references(() => documents.id, { onDelete: 'cascade' }),
  startsAt: ts('starts_at').notNull(),
  endsAt: ts('ends_at'),
  place: text('place'),
  source: text('source').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** The invitation an officer holds for a document's meeting; `state`: 'invited' | 'cancelled'. */
export const meetingInvites = pgTable(
  'meeting_invites',
  {
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    uid: text('uid').notNull(),
    sequence: integer('sequence').notNull(),
    state: text('state').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at'),
    place: text('place'),
    sentAt: ts('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.userId] })],
);

/**
 * Routing rules edited in the console (gateway/registry/workflow/routing-rules.ts): one row per unit
 * whose rules an admin saved; they replace that unit's rules of `registry.routing` in the
 * configuration. A unit without a row keeps the configuration's.
 */
export const routingRules = pgTable('routing_rules', {
  unitId: text('unit_id').primaryKey(),
  rules: jsonb('rules').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: ts('updated_at').notNull(),
});
