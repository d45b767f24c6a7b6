/**
 * IMAP bookkeeping: per account and folder, the UIDVALIDITY seen and the highest UID whose
 * message (and every one below it) has been durably accepted. A changed UIDVALIDITY means the
 * UIDs start over: the folder is rescanned and the durable accept's de-duplication drops repeats.
 */
import { bigint, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const imapFolderState = pgTable(
  'imap_folder_state',
  {
    accountId: text('account_id').notNull(),
    folder: text('folder').notNull(),
    uidValidity: bigint('uid_validity', { mode: 'number' }).notNull(),
    lastUid: bigint('last_uid', { mode: 'number' }).notNull().default(0),
    /** Totals for the status view: new messages stored, and repeats the accept recognised. */
    ingested: bigint('ingested', { mode: 'number' }).notNull().default(0),
    duplicates: bigint('duplicates', { mode: 'number' }).notNull().default(0),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.folder] })],
);

/** Which gateway polls an account now (see lease.ts). */
export const imapLeases = pgTable('imap_leases', {
  accountId: text('account_id').primaryKey(),
  owner: text('owner').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});
