/**
 * Outgoing mail of official documents: one row per sent message (its Message-ID links replies
 * back), one row per recipient tracking delivery and receipt until the recipient has handled it.
 */
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

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
    /** Độ khẩn the mail carries (subject mark, edXML Priority): normal | khan | thuong_khan | hoa_toc; migration 0017. */
    urgency: text('urgency').notNull().default('normal'),
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

export interface IssuanceRecipient {
  /** What the officer wrote (an address, a unit id, an agency's name). */
  given: string;
  name: string | null;
  address: string;
  organId: string | null;
  /** In the directory (false: a bare address, sent with a warning). */
  known: boolean;
}

/** How the clerk asked for a draft to be issued (kept with the claim, so a repair issues it the same way). */
export interface IssuanceOptions {
  confirmUnsigned?: boolean;
  edxml?: boolean;
  smime?: boolean;
  /** The address told of permanent delivery failures. */
  senderEmail?: string | null;
}

export interface IssuanceFile {
  filename: string;
  contentType: string;
  sha256: string;
  size: number;
}

/**
 * Drafts submitted for issuance from the add-in (docs/issuance.md, "From the add-in"): pending in
 * the unit's queue until the clerk issues them (numbered and sent through send.ts: outgoingId) or
 * returns them with a reason. pending → issuing → issued | returned; `issuing` goes back to pending
 * when the send fails. files[0] is the document, the others go with it as appendices.
 */
export const issuanceRequests = pgTable(
  'issuance_requests',
  {
    id: text('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    state: text('state').notNull(),
    /** The submitting user's id (null for a service token) and the audit actor (e-mail or service:name). */
    submitterId: text('submitter_id'),
    submittedBy: text('submitted_by').notNull(),
    submitterName: text('submitter_name'),
    subject: text('subject').notNull(),
    typeCode: text('type_code'),
    typeName: text('type_name'),
    /** Độ khẩn asked for by the submitter (normal | khan | thuong_khan | hoa_toc); migration 0017. */
    urgency: text('urgency').notNull().default('normal'),
    signer: text('signer'),
    body: text('body'),
    /** The officer's note to the clerk. */
    note: text('note'),
    recipients: jsonb('recipients').$type<IssuanceRecipient[]>().notNull(),
    files: jsonb('files').$type<IssuanceFile[]>().notNull(),
    /** Why the document does not count as signed when it was submitted (the clerk must confirm), else null. */
    unsigned: text('unsigned'),
    outgoingId: text('outgoing_id'),
    decidedBy: text('decided_by'),
    decidedAt: ts('decided_at'),
    returnReason: text('return_reason'),
    lastError: text('last_error'),
    /**
     * The claim of the issuing in progress (docs/issuance.md, "A crash while issuing"): its id, who
     * claimed it, with which options, and the outgoing-book entry once numbered. Every later write
     * of that issuing is conditional on the claim id, so a repair that took the draft over wins alone.
     */
    claimId: text('claim_id'),
    claimedBy: text('claimed_by'),
    issueOptions: jsonb('issue_options').$type<IssuanceOptions>(),
    entryId: text('entry_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('issuance_requests_unit_state').on(t.unitId, t.state), index('issuance_requests_submitter').on(t.submitterId, t.createdAt)],
);

/** One version of an issued file: the blob, and the document time-stamp field that version added (null for the issued one). */
export interface IssuedFileVersion {
  sha256: string;
  size: number;
  at: string;
  field: string | null;
}

/**
 * The PDFs vanthu issued (the document, position 0, and its signed appendices), kept so their
 * archive time-stamps can be renewed (docs/issuance.md, "Renewing the archive time-stamp"; migration
 * 0015). `sha256` is the current version; each renewal appends to `versions`, and every version is
 * a byte prefix of the next. `renewBefore`: when the TSA certificate of the newest document
 * time-stamp expires (null: no document time-stamp, nothing to renew). A renewal in progress holds
 * `renewClaim`; `renewPending` is a renewed version already stored durably but not yet recorded.
 */
export const issuedFiles = pgTable(
  'issued_files',
  {
    id: text('id').primaryKey(),
    outgoingId: text('outgoing_id')
      .notNull()
      .references(() => outgoingMessages.id, { onDelete: 'cascade' }),
    unitId: text('unit_id').notNull(),
    notation: text('notation').notNull(),
    position: integer('position').notNull(),
    filename: text('filename').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    versions: jsonb('versions').$type<IssuedFileVersion[]>().notNull(),
    renewBefore: ts('renew_before'),
    renewClaim: text('renew_claim'),
    renewClaimedAt: ts('renew_claimed_at'),
    renewPending: text('renew_pending'),
    lastError: text('last_error'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('issued_files_outgoing').on(t.outgoingId, t.position),
    index('issued_files_renew').on(t.renewBefore).where(sql`${t.renewBefore} is not null`),
  ],
);
