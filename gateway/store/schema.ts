/**
 * Database schema (Drizzle, PostgreSQL dialect — PGlite and PostgreSQL share it and its migrations).
 * After changing it: `npx drizzle-kit generate` writes a new migration under gateway/store/migrations.
 */

import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** One row per accepted message: written in the same commit that allows SMTP 250. */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: text('id').primaryKey(),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    source: text('source').notNull(), // smtp | haraka | imap | api | cli | local
    messageId: text('message_id').notNull(), // Message-ID header, or a synthetic one from the hash
    contentHash: text('content_hash').notNull(), // SHA-256 of the body: equal across trace-header differences
    blobSha256: text('blob_sha256').notNull(), // the raw message in the blob store
    size: integer('size').notNull(),
    mailFrom: text('mail_from'),
    rcptTo: jsonb('rcpt_to').$type<string[]>().notNull(),
    unitIds: jsonb('unit_ids').$type<string[]>().notNull(),
    remoteIp: text('remote_ip'),
    helo: text('helo'),
    /** Uploads through the API: who authenticated (user e-mail or service:<token>) and their unit; null for SMTP/IMAP. */
    uploadedBy: text('uploaded_by'),
    uploadedUnit: text('uploaded_unit'),
    subject: text('subject'),
    fromAddr: text('from_addr'),
    state: text('state').notNull().default('accepted'), // accepted | parsed | ocr | classified | verified | decided | failed (gateway/workers/states.ts)
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true, mode: 'date' }), // last queued, or last found queued by the sweep (database time)
    /** The pipeline run holding this message ("<host>:<pid>:<random>:<n>") until leaseUntil (database time); see gateway/workers/lease.ts. */
    leaseOwner: text('lease_owner'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('inbound_messages_dedup').on(t.messageId, t.contentHash),
    index('inbound_messages_outbox').on(t.state, t.enqueuedAt),
    index('inbound_messages_received').on(t.receivedAt),
  ],
);

/** The stored result of each pipeline stage: re-running a stage replaces its row. */
export const messageStages = pgTable(
  'message_stages',
  {
    messageId: text('message_id')
      .notNull()
      .references(() => inboundMessages.id, { onDelete: 'cascade' }),
    stage: text('stage').notNull(),
    status: text('status').notNull(), // done | failed
    result: jsonb('result'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.stage] })],
);

/** Attachments and other leaf parts, each stored as a blob. */
export const messageAttachments = pgTable(
  'message_attachments',
  {
    messageId: text('message_id')
      .notNull()
      .references(() => inboundMessages.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    filename: text('filename'),
    contentType: text('content_type').notNull(),
    disposition: text('disposition'),
    contentId: text('content_id'),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.idx] }), index('message_attachments_sha').on(t.sha256)],
);

/**
 * OCR of a message's scanned attachments (docs/ocr.md): one row per attachment that needs it,
 * written when the classify stage finds the scan and filled by the OCR worker
 * (gateway/workers/ocr.ts). status: pending | running | done | failed.
 */
export const messageOcr = pgTable(
  'message_ocr',
  {
    messageId: text('message_id')
      .notNull()
      .references(() => inboundMessages.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(), // message_attachments.idx
    sha256: text('sha256').notNull(),
    kind: text('kind').notNull(), // pdf | image
    /** PDF: the 1-based pages that need OCR (pagesNeedingOcr); null for an image. */
    pages: jsonb('pages').$type<number[] | null>(),
    status: text('status').notNull().default('pending'),
    pagesDone: integer('pages_done').notNull().default(0),
    pagesTotal: integer('pages_total').notNull().default(0),
    /** The recognised text, pages separated by a form feed. */
    text: text('text'),
    /** Mean word confidence over the pages read, 0–100. */
    confidence: integer('confidence'),
    /** Per page: page, meanConfidence, lang, skewDegrees, words as [text, confidence]. */
    result: jsonb('result'),
    engine: text('engine'),
    errorCode: text('error_code'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.idx] })],
);
