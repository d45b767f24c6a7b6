/** Reads and advances the per-folder UID bookkeeping (gateway/imap/schema.ts). */
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../store/db.ts';
import { imapFolderState } from './schema.ts';

export interface FolderState {
  folder: string;
  uidValidity: number;
  lastUid: number;
  ingested: number;
  duplicates: number;
  lastSyncAt: Date | null;
}

export interface Progress {
  uidValidity: number;
  /** Every message with a UID up to here is durably accepted. */
  lastUid: number;
  ingested: number;
  duplicates: number;
}

export class FolderStateStore {
  constructor(private readonly database: Database) {}

  async load(accountId: string, folder: string): Promise<FolderState | null> {
    const [row] = await this.database.db
      .select()
      .from(imapFolderState)
      .where(and(eq(imapFolderState.accountId, accountId), eq(imapFolderState.folder, folder)));
    return row ?? null;
  }

  async loadAll(accountId: string): Promise<FolderState[]> {
    return this.database.db.select().from(imapFolderState).where(eq(imapFolderState.accountId, accountId));
  }

  /**
   * Records progress. Under the same UIDVALIDITY the last UID only grows (a slower gateway
   * polling the same account cannot move it back); a new UIDVALIDITY replaces it.
   */
  async advance(accountId: string, folder: string, p: Progress): Promise<void> {
    const t = imapFolderState;
    await this.database.db
      .insert(t)
      .values({ accountId, folder, uidValidity: p.uidValidity, lastUid: p.lastUid, ingested: p.ingested, duplicates: p.duplicates, lastSyncAt: new Date() })
      .onConflictDoUpdate({
        target: [t.accountId, t.folder],
        set: {
          lastUid: sql`case when ${t.uidValidity} = excluded.uid_validity then greatest(${t.lastUid}, excluded.last_uid) else excluded.last_uid end`,
          uidValidity: sql`excluded.uid_validity`,
          ingested: sql`${t.ingested} + excluded.ingested`,
          duplicates: sql`${t.duplicates} + excluded.duplicates`,
          lastSyncAt: sql`excluded.last_sync_at`,
          updatedAt: sql`now()`,
        },
      });
  }
}
