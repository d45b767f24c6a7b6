/** Small database helpers shared by the registry modules. */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../store/db.ts';

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
 */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}
