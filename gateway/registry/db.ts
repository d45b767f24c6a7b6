/** Small database helpers shared by the registry modules. */
import { sql, type SQL } from 'drizzle-orm';
import type { Database, Db } from '../store/db.ts';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Exec = Db | Tx;

/** Rows of a raw statement: PGlite and node-postgres both answer `{ rows }`. */
export async function rows<T>(exec: Exec, query: SQL): Promise<T[]> {
  const r = (await exec.execute(query)) as unknown as { rows: T[] };
  return r.rows;
}

/**
 * Serialises work on one key (e.g. a unit's registration) across processes for the rest of the
 * transaction: duplicate detection and insertion must not interleave.
 *
 * On the embedded database (`kind` 'pglite') nothing else can run between the transaction's
 * statements: its one connection is held by a transaction from BEGIN to its end (pglite-thread.mjs,
 * docs/architecture.md "The accept lane") and one process opens it (store/lock.ts). The lock would
 * add a statement — a round trip to the database thread — to every intake and guard nothing, so it
 * is not sent there (docs/architecture.md "Database writes").
 */
export async function lockKey(tx: Tx, kind: Database['kind'], key: string): Promise<void> {
  if (kind === 'pglite') return;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}
