/**
 * The embedded database's upkeep (gateway/store/vacuum.ts): PGlite has no autovacuum, so the dead
 * row versions of `inbound_messages` (each message's row is updated as it moves through the
 * pipeline) stayed in its outbox index, and the outbox sweep's query walked all of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { PENDING_STATES } from '../workers/states.ts';
import { openDatabase, type Database } from './db.ts';
import { EmbeddedVacuum, startEmbeddedVacuum, upkeepFor } from './vacuum.ts';

describe('what a table needs, by autovacuum’s default thresholds', () => {
  it('vacuums past 50 + 20 % dead rows or 1,000 + 20 % inserted, analyses past 50 + 10 % changed rows, else nothing', () => {
    const t = { table: 't', live: 1000, dead: 0, modified: 0, inserted: 0 };
    expect(upkeepFor({ ...t, dead: 251 })).toBe('vacuum');
    expect(upkeepFor({ ...t, dead: 250, modified: 151 })).toBe('analyze');
    expect(upkeepFor({ ...t, dead: 250, modified: 150 })).toBeNull();
    expect(upkeepFor({ ...t, live: 0, dead: 51 })).toBe('vacuum');
    expect(upkeepFor({ ...t, live: 0, modified: 40 })).toBeNull();
    // Inserts alone (an append-only table): vacuumed past 1,000 + 20 %, so its pages are marked all-visible and frozen.
    expect(upkeepFor({ ...t, inserted: 1201, modified: 1201 })).toBe('vacuum');
    expect(upkeepFor({ ...t, inserted: 1200, modified: 1200 })).toBe('analyze');
  });

  it('runs for the embedded database only (PostgreSQL has its own autovacuum)', () => {
    expect(startEmbeddedVacuum({ kind: 'postgres' } as Database, silentLogger)).toBeNull();
  });
});

describe('the embedded database’s upkeep', () => {
  let dir: string;
  let database: Database;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-vacuum-'));
    database = await openDatabase({ url: null, dataDir: dir, sharedBuffersMb: 16 });
    await database.migrate();
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Pages the outbox sweep's query touches (its shape: gateway/workers/outbox.ts sweepBatch). */
  async function sweepPages(): Promise<number> {
    const [row] = await database.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, number> }> }>(
      `explain (analyze, buffers, format json)
       select id from inbound_messages
       where state = any($1::text[]) and (lease_until is null or lease_until < now())
         and (enqueued_at is null or enqueued_at < now() - interval '60 seconds')
       order by received_at limit 100`,
      [[...PENDING_STATES]],
    );
    const plan = row['QUERY PLAN'][0].Plan;
    return plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
  }

  /** The statistics reach pg_stat_user_tables within about a second of a statement. */
  async function settledActivity(v: EmbeddedVacuum, table: string, ready: (dead: number) => boolean) {
    for (let i = 0; i < 50; i++) {
      const t = (await v.activity()).find((a) => a.table === table);
      if (t && ready(t.dead)) return t;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`no statistics for ${table}`);
  }

  /** n messages' rows, moved as the pipeline moves them: the outbox stamp, then their states (each a new version in every index). */
  async function messagesMoved(n: number, from: number): Promise<void> {
    await database.query(
      `insert into inbound_messages (id, source, message_id, content_hash, blob_sha256, size, rcpt_to, unit_ids)
       select 'm' || g, 'smtp', '<' || g || '@x.gov.vn>', 'h' || g, 's' || g, 1000, '[]', '[]' from generate_series($1::int, $2::int) g`,
      [from, from + n - 1],
    );
    const mine = `id in (select 'm' || g from generate_series(${from}, ${from + n - 1}) g)`;
    await database.query(`update inbound_messages set enqueued_at = now() where ${mine}`, []);
    for (const state of ['parsed', 'classified', 'verified', 'decided']) await database.query(`update inbound_messages set state = $1 where ${mine}`, [state]);
  }

  it('clears the dead row versions a message’s moves leave, so the outbox sweep reads a few pages again', async () => {
    const v = new EmbeddedVacuum(database, silentLogger);
    await v.runOnce(); // a process's first pass vacuums every table (see the restart case below)
    const n = 3000;
    await messagesMoved(n, 1);
    // Statistics are flushed a transaction at a time, at most once a second: wait for all of them.
    const before = await settledActivity(v, 'inbound_messages', (dead) => dead >= 4 * n);
    expect(before.dead).toBeGreaterThanOrEqual(4 * n);
    const pagesBefore = await sweepPages();

    const pass = await v.runOnce();
    expect(pass.vacuumed).toContain('inbound_messages');
    const after = (await v.activity()).find((a) => a.table === 'inbound_messages');
    expect(after).toMatchObject({ live: n, dead: 0 });
    const pagesAfter = await sweepPages();
    // No message is pending: the sweep finds nothing either way, but before it walked every dead entry.
    expect(pagesBefore).toBeGreaterThan(40);
    expect(pagesAfter).toBeLessThan(pagesBefore / 8);

    // Nothing left to do: the next pass touches no table.
    await settledActivity(v, 'inbound_messages', (dead) => dead === 0);
    const again = await v.runOnce();
    expect(again.vacuumed).not.toContain('inbound_messages');
  }, 60_000);

  it('vacuums every table on a process’s first pass: PGlite starts with no statistics, so what the last run left shows nowhere', async () => {
    const n = 3000;
    await messagesMoved(n, 100_001);
    const left = await settledActivity(new EmbeddedVacuum(database, silentLogger), 'inbound_messages', (dead) => dead >= 4 * n);
    expect(left.dead).toBeGreaterThanOrEqual(4 * n);
    // A restart: the same data directory opened again.
    await database.close();
    database = await openDatabase({ url: null, dataDir: dir, sharedBuffersMb: 16 });
    const v = new EmbeddedVacuum(database, silentLogger);
    const counted = (await v.activity()).find((a) => a.table === 'inbound_messages');
    expect(counted).toMatchObject({ dead: 0, live: 0 }); // the dead versions are there, the counts are not
    expect(counted && upkeepFor(counted)).toBeNull();

    const first = await v.runOnce();
    expect(first.vacuumed).toContain('inbound_messages');
    expect(first.vacuumed).toContain('documents');
    expect((await v.activity()).find((a) => a.table === 'inbound_messages')).toMatchObject({ live: 2 * n, dead: 0 });
    // Later passes go by the thresholds again.
    const second = await v.runOnce();
    expect(second.vacuumed).not.toContain('documents');
  }, 60_000);

  it('runs on its timer, never two passes at once, and stops with the pass under way finished', async () => {
    // A database slower than the timer: a tick that finds a pass running must skip, not start another.
    let most = 0;
    let v: EmbeddedVacuum | null = null;
    const slow = {
      ...database,
      query: async <Row>(text: string, params: unknown[]) => {
        most = Math.max(most, v?.inFlight ?? 0);
        await new Promise((r) => setTimeout(r, 60));
        return database.query<Row>(text, params);
      },
    } as Database;
    v = new EmbeddedVacuum(slow, silentLogger, 10);
    v.start();
    for (let i = 0; i < 200 && v.passes < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await v.stop();
    const passes = v.passes;
    expect(passes).toBeGreaterThanOrEqual(3);
    expect(most).toBe(1);
    expect(v.inFlight).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(v.passes).toBe(passes);
  }, 30_000);
});
