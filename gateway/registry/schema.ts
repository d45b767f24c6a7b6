/**
 * Registry tables: users and sessions, the incoming book (documents with their book number),
 * the outgoing book, gap-free counters, comments, the hash-chained audit log and the mail log.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { inboundMessages } from '../store/schema.ts';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  unitId: text('unit_id').notNull(),
  role: text('role').notNull(), // officer | clerk | leader | admin
  department: text('department'),
  passwordHash: text('password_hash'), // scrypt$N$r$p$salt$hash; null for LDAP-only users
  source: text('source').notNull().default('local'), // local | ldap
  active: boolean('active').notNull().default(true),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(), // SHA-256 of the bearer token: a leaked table grants nothing
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Next number per unit, year and book kind; bumped inside the registering transaction. */
export const bookCounters = pgTable(
  'book_counters',
  {
    unitId: text('unit_id').notNull(),
    year: integer('year').notNull(),
    kind: text('kind').notNull(), // incoming | outgoing
    last: integer('last').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.unitId, t.year, t.kind] })],
);

/** One row per document addressed to a unit: review item, quarantined item, or incoming-book line. */
export const documents = pgTable(
  'documents',
  {
    id: text('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    inboundId: text('inbound_id').references(() => inboundMessages.id, { onDelete: 'set null' }),
    internetMessageId: text('internet_message_id'),
    status: text('status').notNull(), // review | quarantined | received | assigned | in_progress | done | returned | not_document | linked | forwarded
    reasons: jsonb('reasons').$type<string[]>().notNull().default([]),
    bookYear: integer('book_year'),
    bookNumber: integer('book_number'),
    arrivalAt: ts('arrival_at').notNull(),
    registeredAt: ts('registered_at'),
    notation: text('notation'),
    issuer: text('issuer'),
    issuedDate: text('issued_date'),
    typeCode: text('type_code'),
    typeName: text('type_name'),
    subject: text('subject'),
    urgency: text('urgency').notNull().default('normal'),
    secrecy: text('secrecy').notNull().default('normal'),
    signer: text('signer'),
    senderAddress: text('sender_address'),
    viaEdxml: boolean('via_edxml').notNull().default(false),
    confidence: integer('confidence_pct'),
    verdict: text('verdict'),
    department: text('department'),
    assigneeId: text('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    routing: jsonb('routing'), // the suggestion shown to the leader
    dueDate: text('due_date'),
    dueSource: text('due_source'), // document | default | manual
    /** The leader's instructions with the current assignment (POST …/assign `note`), migration 0016; null: none given. */
    assignmentNote: text('assignment_note'),
    /** Why the deadline was last changed by hand (POST …/deadline `reason`), migration 0016. */
    dueReason: text('due_reason'),
    handlingNotes: text('handling_notes'),
    remarks: text('remarks'),
    linkedTo: text('linked_to'),
    dedupKey: text('dedup_key'),
    attachmentHashes: jsonb('attachment_hashes').$type<string[]>().notNull().default([]),
    searchText: text('search_text').notNull().default(''),
    followupPending: boolean('followup_pending').notNull().default(false),
    doneAt: ts('done_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('documents_book_number').on(t.unitId, t.bookYear, t.bookNumber),
    uniqueIndex('documents_inbound_unit').on(t.inboundId, t.unitId),
    index('documents_unit_status').on(t.unitId, t.status),
    index('documents_assignee').on(t.assigneeId),
    index('documents_mid').on(t.internetMessageId),
    index('documents_dedup').on(t.unitId, t.dedupKey),
    index('documents_followup').on(t.followupPending).where(sql`${t.followupPending}`),
    // The duplicate check's lookup by attachment hash (jsonb ?|), migration 0010; fastupdate off, or the planner prefers the unit's whole book.
    index('documents_attachment_hashes').using('gin', t.attachmentHashes).with({ fastupdate: false }),
  ],
);

/** The outgoing book (sổ đăng ký văn bản đi): numbered by allocateOutgoing. */
export const outgoingEntries = pgTable(
  'outgoing_entries',
  {
    id: text('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    year: integer('year').notNull(),
    number: integer('number').notNull(),
    notation: text('notation').notNull(),
    issuedDate: text('issued_date').notNull(),
    typeCode: text('type_code'),
    typeName: text('type_name'),
    subject: text('subject'),
    signer: text('signer'),
    recipients: jsonb('recipients').$type<string[]>().notNull().default([]),
    keepingUnit: text('keeping_unit'),
    copies: integer('copies'),
    remarks: text('remarks'),
    /** Độ khẩn and độ mật (normal | khan | thuong_khan | hoa_toc; normal | mat | toi_mat | tuyet_mat), migration 0017. */
    urgency: text('urgency').notNull().default('normal'),
    secrecy: text('secrecy').notNull().default('normal'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('outgoing_book_number').on(t.unitId, t.year, t.number)],
);

export const documentComments = pgTable(
  'document_comments',
  {
    id: text('id').primaryKey(),
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    actor: text('actor').notNull(),
    body: text('body').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [index('document_comments_doc').on(t.documentId)],
);

/** Append-only; each row's hash covers the previous row's hash, so an edit anywhere breaks the chain. */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: ts('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id').notNull(),
    data: jsonb('data').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_log_entity').on(t.entity, t.entityId)],
);

/** The chain's head: one row, locked by each append so appends are serialised across processes. */
export const auditHead = pgTable('audit_head', {
  id: integer('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});

/** Every mail the registry sends, keyed so a retried job never sends the same mail twice. */
export const outboundMail = pgTable('outbound_mail', {
  key: text('key').primaryKey(), // receipt:<doc> | alert:<doc> | return:<doc> | reminder:<doc>:<due> | ...
  recipients: jsonb('recipients').$type<string[]>().notNull(),
  subject: text('subject').notNull(),
  messageId: text('message_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  sentAt: ts('sent_at'),
  error: text('error'),
});
