/**
 * The embedded database in its own thread (gateway/store/pglite-client.ts): what drizzle and the
 * pipeline rely on — results, transactions that commit or roll back, errors with their SQLSTATE,
 * calls from outside a transaction waiting for it — that the work really leaves the caller's
 * thread, and how many messages cross to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../errors.ts';
import { commitWithNext, openDatabase, type Database } from './db.ts';
import { drizzle } from 'drizzle-orm/pglite';
import { type BridgeCounts, EmbeddedDatabase, EmbeddedDatabaseGone } from './pglite-client.ts';

describe('the embedded database thread', () => {
  let dir: string;
  let database: Database;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-pglite-thread-'));
    database = await openDatabase({ url: null, dataDir: dir, sharedBuffersMb: 16 });
    await database.query('create table t (id int primary key, body jsonb, at timestamptz)', []);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens with the settings it was given', async () => {
    const [row] = await database.query<{ buffers: string }>("select current_setting('shared_buffers') as buffers", []);
    expect(row.buffers).toBe('16MB');
  });

  it('leaves the event loop free while a statement runs', async () => {
    let settled = false;
    const long = database.query<{ n: number }>('select count(*)::int as n from generate_series(1, 5000000)', []).finally(() => {
      settled = true;
    });
    // In this thread, the WebAssembly executor would run the whole statement before the next
    // turn of the event loop; in its own thread, this turn comes first.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    expect(await long).toEqual([{ n: 5000000 }]);
  });

  it('keeps drizzle types as drizzle expects them: timestamps as text, jsonb as objects', async () => {
    await database.query('insert into t values ($1, $2, $3)', [1, JSON.stringify({ số: '05/QĐ-UBND' }), '2026-11-23T02:00:00Z']);
    const r = await database.db.execute(sql`select body, at from t where id = 1`);
    expect((r as unknown as { rows: unknown[] }).rows[0]).toEqual({ body: { số: '05/QĐ-UBND' }, at: '2026-11-23 02:00:00+00' });
  });

  it('commits a transaction that resolves and rolls back one that throws, with the SQLSTATE kept', async () => {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into t (id) values (2)`);
    });
    const failed = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into t (id) values (3)`);
        await tx.execute(sql`insert into t (id) values (3)`);
      })
      .catch((e: unknown) => e);
    expect(describeError(failed)).toMatchObject({ code: 'db:23505' });
    const ids = await database.query<{ id: number }>('select id from t order by id', []);
    expect(ids.map((r) => r.id)).toEqual([1, 2]);
  });

  it('rolls back on an error of the caller, not only of the database', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into t (id) values (4)`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await database.query('select id from t where id = 4', [])).toEqual([]);
  });

  it('makes a statement from outside an open transaction wait for it, as one connection does', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const tx = database.db.transaction(async (t) => {
      await t.execute(sql`insert into t (id) values (5)`);
      await held;
      await t.execute(sql`insert into t (id) values (6)`);
    });
    await new Promise((r) => setTimeout(r, 20));
    const outside = database.query<{ n: number }>('select count(*)::int as n from t where id in (5, 6)', []);
    release();
    await tx;
    expect(await outside).toEqual([{ n: 2 }]);
  });

  it('serves the accept lane before the statements and transactions already waiting (the row SMTP 250 waits for)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let holding!: () => void;
    const holds = new Promise<void>((r) => {
      holding = r;
    });
    const done: string[] = [];
    const tx = database.db.transaction(async (t) => {
      await t.execute(sql`insert into t (id) values (20)`);
      holding();
      await held;
    });
    await holds; // the transaction has the connection; everything below waits for its turn
    const waiting = [
      database.db.transaction(async (t) => void (await t.execute(sql`insert into t (id) values (21)`))).then(() => done.push('pipeline tx 1')),
      database.query('select 1', []).then(() => done.push('pipeline statement 1')),
      database.db.transaction(async (t) => void (await t.execute(sql`insert into t (id) values (22)`))).then(() => done.push('pipeline tx 2')),
      database.query('select 2', []).then(() => done.push('pipeline statement 2')),
      database.query('insert into t (id) values (23)', [], { lane: 'accept' }).then(() => done.push('accept')),
    ];
    release();
    await tx;
    await Promise.all(waiting);
    expect(done[0]).toBe('accept');
    // The rest keep the order they came in.
    expect(done.slice(1)).toEqual(['pipeline tx 1', 'pipeline statement 1', 'pipeline tx 2', 'pipeline statement 2']);
  });

  it('keeps savepoints (nested drizzle transactions) inside the outer one', async () => {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into t (id) values (7)`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into t (id) values (8)`);
          inner.rollback();
        })
        .catch(() => undefined);
    });
    const ids = await database.query<{ id: number }>('select id from t where id in (7, 8)', []);
    expect(ids).toEqual([{ id: 7 }]);
  });
});

describe('the embedded database thread, closed', () => {
  it('fails calls after close with a named error instead of leaving them waiting', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-pglite-closed-'));
    try {
      const database = await openDatabase({ url: null, dataDir: dir });
      await database.close();
      await expect(database.query('select 1', [])).rejects.toBeInstanceOf(EmbeddedDatabaseGone);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('what crosses to the embedded database thread (docs/architecture.md, "The embedded database runs beside the event loop")', () => {
  let dir: string;
  let client: EmbeddedDatabase;
  let db: ReturnType<typeof drizzle>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-pglite-bridge-'));
    client = await EmbeddedDatabase.open(dir, { sharedBuffersMb: 16 });
    db = drizzle(client as never);
    await client.query('create table b (id int primary key)');
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What one piece of work posted and got back. */
  async function crossing(work: () => Promise<unknown>): Promise<BridgeCounts> {
    const before = { ...client.counts };
    await work();
    return { calls: client.counts.calls - before.calls, posts: client.counts.posts - before.posts, replies: client.counts.replies - before.replies };
  }

  it('posts a transaction as its statements and its commit: BEGIN rides with the first statement and has no reply', async () => {
    const counts = await crossing(() =>
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into b (id) values (1)`);
        await tx.execute(sql`insert into b (id) values (2)`);
      }),
    );
    expect(counts).toEqual({ calls: 4, posts: 3, replies: 3 });
    expect((await client.query<{ n: number }>('select count(*)::int as n from b')).rows).toEqual([{ n: 2 }]);
  });

  it('posts the commit with the statement commitWithNext names (no post of its own), and a failed last statement rolls back', async () => {
    const counts = await crossing(() =>
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into b (id) values (3)`);
        commitWithNext(tx);
        await tx.execute(sql`insert into b (id) values (4)`);
      }),
    );
    expect(counts).toEqual({ calls: 4, posts: 2, replies: 3 });
    expect((await client.query<{ id: number }>('select id from b where id in (3, 4) order by id')).rows).toEqual([{ id: 3 }, { id: 4 }]);
    const failed = await db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into b (id) values (5)`);
        commitWithNext(tx);
        await tx.execute(sql`insert into b (id) values (3)`); // already there: the transaction fails
      })
      .catch((e: unknown) => e);
    expect(describeError(failed)).toMatchObject({ code: 'db:23505' });
    expect((await client.query<{ n: number }>('select count(*)::int as n from b where id = 5')).rows).toEqual([{ n: 0 }]);
    // The connection is free again: a statement from outside runs.
    expect((await client.query<{ n: number }>('select count(*)::int as n from b')).rows).toEqual([{ n: 4 }]);
  });

  it('answers a statement with its rows and the rows it changed, without column descriptions (nothing reads them)', async () => {
    const read = await client.query('select id, id * 2 as twice from b where id = 1');
    expect(read).toEqual({ rows: [{ id: 1, twice: 2 }], affectedRows: 0 });
    // drizzle's array rows are mapped by its own column list: the same rows as before.
    const [row] = await db.select({ id: sql<number>`id`, twice: sql<number>`id * 2` }).from(sql`b`).where(sql`id = 1`);
    expect(row).toEqual({ id: 1, twice: 2 });
    const write = await client.query('update b set id = id where id in (1, 2)');
    expect(write).toEqual({ rows: [], affectedRows: 2 });
  });

  it('posts the calls made in one turn of the event loop together, and answers each', async () => {
    const counts = await crossing(() => Promise.all([1, 2, 3, 4, 5].map((n) => client.query('select $1::int as n', [n]))));
    expect(counts).toEqual({ calls: 5, posts: 1, replies: 5 });
  });

  it('answers a statement naming a transaction that never began with an error, and one with no statement with its commit alone', async () => {
    const err = await client.query('select 1', [], undefined, 999_999).catch((e: unknown) => e);
    expect(String(err)).toContain('no open transaction 999999');
    expect(await crossing(() => client.transaction(async () => 'nothing'))).toEqual({ calls: 2, posts: 1, replies: 1 });
  });
});
