/**
 * What the follow-up sync costs Redis per document (bench/e2e/FINDINGS.md, "Ninth round"): a
 * document registered without a deadline — most of them — has no reminder or escalation to cancel,
 * and the sync finds that out in one EXISTS instead of a removal script and a read per job. The
 * commands are counted on the scheduler's own connection (ioredis sendCommand); real Redis, real
 * embedded database. A document that had jobs still has them removed when it closes.
 */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { createRuntime } from '../gateway/registry/runtime.ts';
import { documents } from '../gateway/registry/schema.ts';
import { BlobStore } from '../gateway/store/blobs.ts';
import { openDatabase, type Database } from '../gateway/store/db.ts';
import { newId } from '../gateway/store/ids.ts';
import { FollowupScheduler } from '../gateway/workers/followup.ts';
import { producerConnection } from '../gateway/workers/queues.ts';
import { createTestStorage, type TestStorage } from './helpers/databases.ts';
import { TEST_REDIS_OPTIONS, testEnv } from './helpers/gateway.ts';
import { configureRegistry } from './helpers/registry-fixtures.ts';

describe('the follow-up sync in Redis', () => {
  let storage: TestStorage;
  let database: Database;
  let redis: Redis;
  let followup: FollowupScheduler;
  let rt: ReturnType<typeof createRuntime>;
  let prefix: string;
  const sent: string[] = [];
  /** The number of commands sent when each socket write went out (a pipeline is one write). */
  const writes: number[] = [];
  const clock = new ManualClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    const config = loadConfig(testEnv(storage));
    configureRegistry(config);
    config.redis.prefix = `fu-redis-${process.pid}-${Date.now().toString(36)}`;
    database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    await database.migrate();
    const blobs = new BlobStore(path.join(storage.dataDir, 'blobs'));
    await blobs.init();
    rt = createRuntime({ database, config, log: silentLogger, clock, blobs });
    redis = producerConnection(TEST_REDIS_OPTIONS);
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      sent.push(command.name);
      return (send as (...a: unknown[]) => unknown)(command, ...rest); // the rest: a pipeline's stream
    }) as typeof redis.sendCommand;
    followup = new FollowupScheduler(rt, redis, config.redis.prefix);
    prefix = config.redis.prefix;
    await followup.sync(); // the queue's start-up commands, before anything is counted
    // Round trips: each write to the socket (a pipeline is one).
    const stream = (redis as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
    const write = stream.write.bind(stream);
    stream.write = (...a: unknown[]) => {
      writes.push(sent.length);
      return write(...a);
    };
  }, 60_000);
  afterAll(async () => {
    await followup?.queue.obliterate({ force: true }).catch(() => undefined);
    await followup?.close();
    redis?.disconnect();
    await database?.close();
    await storage?.cleanup();
  });

  async function insertDocs(n: number, set: Partial<typeof documents.$inferInsert>): Promise<string[]> {
    const ids = Array.from({ length: n }, () => newId());
    await database.db
      .insert(documents)
      .values(ids.map((id) => ({ id, unitId: 'stc', status: 'received', arrivalAt: clock.now(), followupPending: true, ...set })));
    return ids;
  }

  it('sends one command per document registered without a deadline', async () => {
    await insertDocs(6, {});
    sent.length = 0;
    writes.length = 0;
    expect(await followup.sync()).toBe(6);
    expect(sent.filter((c) => c !== 'exists')).toEqual([]);
    expect(sent).toHaveLength(6);
    expect(writes).toEqual([6]); // pipelined: one round trip for the six
    const left = await database.db.select().from(documents).where(eq(documents.followupPending, true));
    expect(left).toEqual([]);
  });

  it("places a new document's reminder and escalation without reading whole jobs", async () => {
    const ids = await insertDocs(2, { status: 'assigned', dueDate: '2026-12-20' });
    sent.length = 0;
    writes.length = 0;
    expect(await followup.sync()).toBe(2);
    // Per document: one EXISTS, the two adds, one read of each job's data (was a read of each whole job before and after its add).
    expect(sent.filter((c) => c === 'hgetall')).toEqual([]);
    expect(sent).toEqual(['exists', 'exists', 'evalsha', 'evalsha', 'evalsha', 'evalsha', 'hget', 'hget', 'hget', 'hget']);
    // In three round trips for both (the EXISTS, the adds, the reads: bench/e2e/FINDINGS.md, "Eleventh round: Redis"); it was four a document.
    expect(writes).toEqual([2, 6, 10]);
    for (const id of ids) {
      expect((await followup.queue.getJob(`reminder-${id}`))?.data).toMatchObject({ kind: 'reminder', dueDate: '2026-12-20' });
      expect((await followup.queue.getJob(`escalate-${id}`))?.data).toMatchObject({ kind: 'escalate', dueDate: '2026-12-20' });
    }
    const left = await database.db.select().from(documents).where(eq(documents.followupPending, true));
    expect(left).toEqual([]);
  });

  it('keeps a document pending that changed while the sync ran, even with the same updated_at', async () => {
    const [id] = await insertDocs(1, { status: 'received', updatedAt: clock.now() });
    const query = database.query.bind(database);
    // Between the sync's read and its clear, the document is returned at the same instant (a clock that stood still).
    database.query = (async (text: string, params: unknown[]) => {
      const rows = await query(text, params);
      if (/where followup_pending limit/.test(text)) {
        database.query = query;
        await database.db.update(documents).set({ status: 'returned', followupPending: true, updatedAt: clock.now() }).where(eq(documents.id, id));
      }
      return rows;
    }) as typeof database.query;
    try {
      await followup.sync();
    } finally {
      database.query = query;
    }
    const [row] = await database.db.select().from(documents).where(eq(documents.id, id));
    expect([row.status, row.followupPending]).toEqual(['returned', true]);
    await followup.sync();
    expect(await followup.queue.getJob(`return-${id}`)).toBeTruthy();
  });

  it('still removes the reminder and escalation of a document that closes', async () => {
    const [id] = await insertDocs(1, { dueDate: '2026-12-20' });
    await followup.sync();
    expect(await followup.queue.getJob(`escalate-${id}`)).toBeTruthy();
    await database.db.update(documents).set({ status: 'done', followupPending: true, updatedAt: clock.now() }).where(eq(documents.id, id));
    await followup.sync();
    expect(await followup.queue.getJob(`reminder-${id}`)).toBeUndefined();
    expect(await followup.queue.getJob(`escalate-${id}`)).toBeUndefined();
  });
  it('runs the kicks of a burst as one sync, after a wait (a sync per registered document before)', async () => {
    const own = new FollowupScheduler(rt, redis, prefix, 60_000); // a wait no test machine outlasts
    let syncs = 0;
    const sync = own.sync.bind(own);
    own.sync = (limit?: number) => {
      syncs++;
      return sync(limit);
    };
    try {
      for (let i = 0; i < 3; i++) {
        await insertDocs(1, {});
        rt.kick();
        for (let j = 0; j < 5; j++) await new Promise((r) => setImmediate(r));
      }
      expect(syncs).toBe(0); // still waiting
      await own.settle(); // runs it now
      expect(syncs).toBe(1);
      const left = await database.db.select().from(documents).where(eq(documents.followupPending, true));
      expect(left).toEqual([]);
    } finally {
      await own.close();
    }
  });
});
