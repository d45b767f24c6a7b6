/**
 * Opens the database: embedded PGlite under <dataDir>/db when no URL is configured, PostgreSQL
 * (node-postgres pool) otherwise. Both get the same Drizzle schema and the same migrations.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema.ts';
import { acquireDirLock, type DirLock } from './lock.ts';
import { fsyncFile } from './blobs.ts';
import { registerDatabaseErrorClass } from '../errors.ts';
import type { Lane } from './pglite-client.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /**
   * Makes what has been committed so far survive a power loss. PostgreSQL does that on commit;
   * PGlite on Node never fsyncs (Emscripten's NODEFS has no fsync), so this fsyncs its WAL.
   */
  syncCommitted(): Promise<void>;
  /**
   * One parameterised statement straight to the driver, for hot paths where the ORM's per-row query
   * building costs more than the database. Lane 'accept' (the accept side's row insert): on the
   * embedded database it goes before the pipeline's waiting statements (pglite-client.ts).
   */
  query<Row>(text: string, params: unknown[], opts?: { lane?: Lane }): Promise<Row[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string | null;
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** The embedded database's shared_buffers in MiB (config database.embeddedSharedBuffersMb). */
  sharedBuffersMb?: number;
}

/** pg_advisory_lock key held while migrations run (any fixed bigint; "vanthu" in ASCII). */
const MIGRATION_LOCK = 130_160_837_027_957;
const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.url ? openPostgres(opts.url, opts.poolSize ?? 10) : openPglite(path.join(opts.dataDir, 'db'), opts.sharedBuffersMb ?? 16);
}

async function openPglite(dir: string, sharedBuffersMb: number): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  // PGlite is a single-process database: a second opener would corrupt it, so take a lock first.
  const lock: DirLock = acquireDirLock(dir, 'the embedded database');
  try {
    const { EmbeddedDatabase, EmbeddedDatabaseError } = await import('./pglite-client.ts');
    registerDatabaseErrorClass(EmbeddedDatabaseError);
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    // PGlite runs in its own thread (gateway/store/pglite-client.ts): the event loop stays free for mail.
    const client = await EmbeddedDatabase.open(dir, { sharedBuffersMb });
    const db = drizzle(client as never, { schema }) as unknown as Db;
    return {
      db,
      kind: 'pglite',
      migrate: () => migrate(db as never, { migrationsFolder: MIGRATIONS }),
      ping: async () => void (await db.execute(sql`select 1`)),
      syncCommitted: () => fsyncNewestWal(path.join(dir, 'pg_wal')),
      query: async <Row>(text: string, params: unknown[], o?: { lane?: Lane }) => (await client.query<Row>(text, params, undefined, undefined, o?.lane)).rows,
      close: async () => {
        await client.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: pg } = await import('pg');
  registerDatabaseErrorClass(pg.DatabaseError);
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  // libpq falls back to the OS user when the URL names none; node-postgres needs it spelled out.
  const parsed = new URL(url);
  if (!parsed.username) parsed.username = process.env.PGUSER || userInfo().username;
  const pool = new pg.Pool({ connectionString: parsed.toString(), max });
  // An idle client that loses its server emits 'error'; without a listener that kills the process.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    // Processes started together on a fresh database (a gateway and its workers) would each run the
    // migrations at once and fail on each other's CREATE TABLE: one at a time, under a session lock.
    migrate: async () => {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        await migrate(drizzle(client, { schema }) as never, { migrationsFolder: MIGRATIONS });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
        client.release();
      }
    },
    ping: async () => void (await db.execute(sql`select 1`)),
    syncCommitted: async () => undefined,
    query: async <Row>(text: string, params: unknown[]) => (await pool.query(text, params)).rows as Row[],
    close: () => pool.end(),
  };
}

/**
 * WAL segment names grow monotonically; a commit's records lie in the newest segment, or straddle
 * it and the one before, so those two are fsync'd.
 */
async function fsyncNewestWal(walDir: string): Promise<void> {
  const segments = readdirSync(walDir)
    .filter((n) => /^[0-9A-F]{24}$/.test(n))
    .sort()
    .slice(-2);
  await Promise.all(segments.map((n) => fsyncFile(path.join(walDir, n))));
}

/**
 * Marks a transaction's next statement as its last: on the embedded database its commit is posted
 * with it instead of after its reply (pglite-client.ts `commitWithNext`), one round trip less while
 * the transaction holds the one connection; nothing on PostgreSQL. Nothing may be sent, and
 * nothing may throw, after that statement. The embedded client is reached through the drizzle
 * transaction's session (drizzle-orm/pglite keeps it as `session.client`); should that ever move,
 * the commit is simply sent on its own again, and pglite-client.test.ts, which counts the posts of
 * a drizzle transaction, fails.
 */
export function commitWithNext(tx: object): void {
  (tx as { session?: { client?: { commitWithNext?: () => void } } }).session?.client?.commitWithNext?.();
}
