/**
 * No message is ever stuck (issue 13 §5). Redis loses every job (FLUSHALL on a redis-server of the
 * test's own) while messages wait in several intermediate states and one is held by a live worker
 * mid-pipeline. The gateway-only process's outbox sweep re-queues every pending message nobody
 * holds, leaves the held one to its worker, and every message ends decided, each stage run once,
 * each document registered once (book numbers 1..N, no gaps, no repeats).
 * The second suite checks the message leases themselves on both database backends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { eq, inArray, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../gateway/log.ts';
import { documents } from '../gateway/registry/schema.ts';
import { inboundMessages, messageStages } from '../gateway/store/schema.ts';
import { INGEST_STAGES, processMessage, startIngestWorker, type IngestDeps } from '../gateway/workers/ingest-worker.ts';
import { MessageLeases } from '../gateway/workers/lease.ts';
import { sweepOutbox } from '../gateway/workers/outbox.ts';
import type { AnyStage, StageContext } from '../gateway/workers/pipeline.ts';
import { IngestQueue, producerConnection, workerConnection } from '../gateway/workers/queues.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { plainMail } from './helpers/mime.ts';
import { freePort, killHard, startRedis, type Child } from './helpers/processes.ts';
import { classification, VALID } from './helpers/registry-fixtures.ts';
import { transport } from './helpers/smtp.ts';
import { openDatabase, type Database } from '../gateway/store/db.ts';
import { newId } from '../gateway/store/ids.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const LEASE_MS = 3000;

/** The real stages, except that classify and verify report a valid official document numbered after the message, so each one is registered in the book. */
function registeringStages(runs: Map<string, number>, gate?: { stage: string; entered: (id: string) => void; open: Promise<void> }): AnyStage[] {
  return INGEST_STAGES.map((s) => ({
    ...s,
    // Stand-in results for two stages: typed loosely here, checked by the registry when it reads them.
    async run(ctx: StageContext): Promise<never> {
      const key = `${ctx.message.id}/${s.name}`;
      runs.set(key, (runs.get(key) ?? 0) + 1);
      if (gate && s.name === gate.stage) {
        gate.entered(ctx.message.id);
        await gate.open;
      }
      if (s.name === 'classify')
        return classification({ notation: `${/<stuck-(\d+)@/.exec(ctx.message.messageId)![1]}/UBND-VX`, issuedDate: '2026-11-20' }) as never;
      if (s.name === 'verify') return VALID as never;
      return (await s.run(ctx)) as never;
    },
  })) as AnyStage[];
}

describe('Redis loses its jobs mid-run (gateway and workers as separate roles)', () => {
  let redis: Child;
  let redisPort: number;
  let dir: string;
  let gw: TestGateway;
  const workers: Array<{ worker: Worker; close(): Promise<void> }> = [];

  beforeAll(async () => {
    redisPort = await freePort();
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-stuck-'));
    redis = await startRedis(redisPort, dir);
    gw = await startTestGateway({
      backend: 'postgres',
      role: 'gateway',
      env: { REDIS_URL: `redis://127.0.0.1:${redisPort}` },
      configure: (cfg) => {
        cfg.ingest.leaseMs = LEASE_MS;
        cfg.ingest.outboxSweepMs = 200;
      },
    });
  });
  afterAll(async () => {
    try {
      for (const w of workers) await w.close().catch(() => undefined);
      await gw?.close();
    } finally {
      if (redis) await killHard(redis);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  function startWorker(stages: AnyStage[], concurrency: number) {
    const conn = workerConnection({ host: '127.0.0.1', port: redisPort });
    const deps: IngestDeps = {
      database: gw.database,
      blobs: gw.blobs,
      config: gw.config,
      log: silentLogger,
      clock: gw.registry!.rt.clock,
      registry: gw.registry!.rt,
      stages,
    };
    const worker = startIngestWorker(deps, conn, concurrency);
    const handle = {
      worker,
      close: async () => {
        await worker.close();
        conn.disconnect();
      },
    };
    workers.push(handle);
    return handle;
  }

  it('re-queues every pending message nobody holds, never one a live worker holds, and registers each once', async () => {
    const { db } = gw.database;
    const t = transport(gw.smtpPort!);
    const ids: string[] = [];
    for (let i = 1; i <= 13; i++) {
      const info = await t.sendMail({ envelope: { from: 'vanthu@ubnd.bentre.gov.vn', to: [UNIT] }, raw: plainMail(`stuck-${i}`, UNIT) });
      ids.push(/queued as ([0-9A-Z]{26})/.exec(info.response)![1]);
    }
    const rows = () => db.select().from(inboundMessages).where(inArray(inboundMessages.id, ids));
    // Queued at accept; no worker runs in the gateway role.
    await waitFor(async () => (await rows()).every((r) => r.enqueuedAt !== null), 15_000, 'every message queued');
    const queue = new IngestQueue(producerConnection({ host: '127.0.0.1', port: redisPort }), gw.config.redis.prefix);
    try {
      expect([...(await queue.jobStates(ids)).values()].every((s) => s === 'waiting')).toBe(true);

      // Some messages got part of the way (a worker that died after a stage, say): parsed, classified, verified.
      const runs = new Map<string, number>();
      const stages = registeringStages(runs);
      const deps: IngestDeps = {
        database: gw.database,
        blobs: gw.blobs,
        config: gw.config,
        log: silentLogger,
        clock: gw.registry!.rt.clock,
        registry: gw.registry!.rt,
      };
      const upTo = (n: number, group: string[]) => Promise.all(group.map((id) => processMessage({ ...deps, stages: stages.slice(0, n) }, id)));
      await upTo(1, ids.slice(4, 7)); // parsed
      await upTo(2, ids.slice(7, 10)); // classified
      await upTo(4, ids.slice(10, 13)); // verified (verify, then link-outgoing)

      // A worker takes the oldest job and is held up in its register stage, lease held.
      let entered!: (id: string) => void;
      const held = new Promise<string>((resolve) => (entered = resolve));
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      startWorker(registeringStages(runs, { stage: 'register', entered, open: gate }), 1);
      const heldId = await held;
      expect(heldId).toBe(ids[0]);
      const before = new Map((await rows()).map((r) => [r.id, r]));
      expect(before.get(heldId)!.leaseOwner).toMatch(new RegExp(`^${hostname()}:${process.pid}:`));
      expect(new Set(ids.map((id) => before.get(id)!.state))).toEqual(new Set(['accepted', 'parsed', 'classified', 'verified']));

      // Redis loses everything.
      const admin = new Redis({ host: '127.0.0.1', port: redisPort });
      try {
        expect(await admin.flushall()).toBe('OK');
      } finally {
        admin.disconnect();
      }
      expect([...(await queue.jobStates(ids)).values()].every((s) => s === 'unknown')).toBe(true);

      // Another worker process comes along. The gateway's sweep re-queues what nobody holds.
      startWorker(registeringStages(runs), 4);
      const others = ids.filter((id) => id !== heldId);
      await waitFor(
        async () => (await rows()).filter((r) => others.includes(r.id)).every((r) => r.state === 'decided'),
        60_000,
        'every message nobody held to be decided',
      );
      const mid = new Map((await rows()).map((r) => [r.id, r]));
      expect(mid.get(heldId)!.state).toBe('verified');
      expect(mid.get(heldId)!.leaseOwner).toBe(before.get(heldId)!.leaseOwner); // renewed, not lost
      // The held message was queued first, so it was as overdue as the others when they were re-queued; its lease kept it out.
      const [age] = await db
        .select({ overdue: sql<boolean>`${inboundMessages.enqueuedAt} < now() - ${LEASE_MS} * interval '1 millisecond'` })
        .from(inboundMessages)
        .where(eq(inboundMessages.id, heldId));
      expect(age.overdue).toBe(true);
      expect((await queue.jobStates([heldId])).get(heldId)).toBe('unknown');
      const report = await sweepOutbox(gw.database, queue, silentLogger, { leaseMs: LEASE_MS });
      expect(report).toMatchObject({ checked: 0, queued: [], requeued: [] });

      // Someone queues the held message by hand: that job does not run beside the holder, it waits as a delayed job.
      await queue.enqueue([heldId]);
      await waitFor(async () => (await queue.jobStates([heldId])).get(heldId) === 'delayed', 20_000, 'the second job for the held message to be delayed');
      expect(runs.get(`${heldId}/register`)).toBe(1);

      open();
      await waitFor(async () => (await rows()).every((r) => r.state === 'decided'), 30_000, 'the held message to be decided');
      // The delayed duplicate job finds the message decided and completes without running a stage (and is removed: gateway/workers/queues.ts).
      await waitFor(async () => (await queue.jobStates([heldId])).get(heldId) === 'unknown', 30_000, 'the duplicate job to complete');

      const after = new Map((await rows()).map((r) => [r.id, r]));
      expect(ids.map((id) => [id, after.get(id)?.state, after.get(id)?.leaseOwner, after.get(id)?.lastError])).toEqual(
        ids.map((id) => [id, 'decided', null, null]),
      );
      // Every stage of every message ran exactly once, counted both here and by the pipeline's own attempts column.
      for (const id of ids) for (const s of INGEST_STAGES) expect([id, s.name, runs.get(`${id}/${s.name}`)]).toEqual([id, s.name, 1]);
      const stageRows = await db.select().from(messageStages).where(inArray(messageStages.messageId, ids));
      expect(stageRows).toHaveLength(ids.length * INGEST_STAGES.length);
      expect(stageRows.filter((s) => s.status !== 'done' || s.attempts !== 1)).toEqual([]);
      // Registered once each: one document per message, book numbers 1..13.
      const docs = await db.select().from(documents).where(inArray(documents.inboundId, ids));
      expect(docs).toHaveLength(ids.length);
      expect(docs.map((d) => d.bookNumber).sort((a, b) => a! - b!)).toEqual(ids.map((_, i) => i + 1));

      // A message set back to pending whose job had completed (an operator retrying it, say): the
      // completed job was removed, so the sweep queues it anew (a kept one it would remove first).
      const again = others[0];
      expect((await queue.jobStates([again])).get(again)).toBe('unknown');
      await db.update(inboundMessages).set({ state: 'accepted', enqueuedAt: null }).where(eq(inboundMessages.id, again));
      await waitFor(async () => (await rows()).find((r) => r.id === again)?.state === 'decided', 30_000, 'the message set back to be decided again');
      for (const s of INGEST_STAGES) expect(runs.get(`${again}/${s.name}`)).toBe(1); // done stages are skipped
      expect(await db.select().from(documents).where(eq(documents.inboundId, again))).toHaveLength(1);
    } finally {
      await queue.close();
    }
  }, 150_000);
});

describe.each(BACKENDS)('message leases on %s', (backend) => {
  let storage: TestStorage;
  let database: Database;

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    database = await openDatabase({ url: storage.databaseUrl, dataDir: storage.dataDir });
    await database.migrate();
  });
  afterAll(async () => {
    await database?.close();
    await storage?.cleanup();
  });

  async function insert(state: string): Promise<string> {
    const id = newId();
    const hash = id.toLowerCase().padEnd(64, '0');
    await database.db
      .insert(inboundMessages)
      .values({ id, source: 'api', messageId: `<${id}@t>`, contentHash: hash, blobSha256: hash, size: 1, rcptTo: [UNIT], unitIds: ['stc'], state });
    return id;
  }

  it('holds a pending message for one run at a time, renews and releases, and skips settled ones', async () => {
    const a = new MessageLeases(database, 60_000, silentLogger);
    const b = new MessageLeases(database, 60_000, silentLogger);
    const id = await insert('parsed');
    const first = await a.claim(id);
    expect(first.taken).toBe(true);
    const second = await b.claim(id);
    expect(second).toMatchObject({ taken: false, reason: 'busy' });
    if (second.taken || second.reason !== 'busy') throw new Error('unreachable');
    expect(second.retryInMs).toBeGreaterThan(50_000);
    expect(second.retryInMs).toBeLessThanOrEqual(60_000);
    expect(await a.claim(id)).toMatchObject({ taken: false, reason: 'busy' }); // another run of the same process too
    if (!first.taken) throw new Error('unreachable');
    expect(await a.renew(id, first.holder)).toBe(true);
    expect(await b.renew(id, first.holder.replace(/:\d+$/, ':999'))).toBe(false);
    await a.release(id, first.holder);
    const [row] = await database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
    expect([row.leaseOwner, row.leaseUntil]).toEqual([null, null]);
    expect((await b.claim(id)).taken).toBe(true);

    expect(await a.claim(await insert('decided'))).toMatchObject({ taken: false, reason: 'settled', state: 'decided' });
    expect(await a.claim(await insert('failed'))).toMatchObject({ taken: false, reason: 'settled', state: 'failed' });
    expect(await a.claim(newId())).toEqual({ taken: false, reason: 'missing' });
  });

  it('lets a lapsed lease go, and takes over one held by a dead process of this host at once', async () => {
    const short = new MessageLeases(database, 200, silentLogger);
    const other = new MessageLeases(database, 60_000, silentLogger);
    const id = await insert('accepted');
    expect((await short.claim(id)).taken).toBe(true);
    await waitFor(async () => (await other.claim(id)).taken, 10_000, 'the short lease to lapse');

    const id2 = await insert('classified');
    // pid 2^22+1 is above Linux's pid_max: no such process.
    await database.db
      .update(inboundMessages)
      .set({ leaseOwner: `${hostname()}:4194305:abcdef:1`, leaseUntil: sql`now() + interval '1 hour'` })
      .where(eq(inboundMessages.id, id2));
    expect((await other.claim(id2)).taken).toBe(true);
    const id3 = await insert('classified');
    await database.db
      .update(inboundMessages)
      .set({ leaseOwner: `some-other-host:4194305:abcdef:1`, leaseUntil: sql`now() + interval '1 hour'` })
      .where(eq(inboundMessages.id, id3));
    expect(await other.claim(id3)).toMatchObject({ taken: false, reason: 'busy' });
  });

  it('runs a function holding the lease and releases it even when the function fails', async () => {
    const leases = new MessageLeases(database, 300, silentLogger);
    const id = await insert('parsed');
    const r = await leases.hold(id, async () => {
      const [first] = await database.db.select({ until: inboundMessages.leaseUntil }).from(inboundMessages).where(eq(inboundMessages.id, id));
      // Held past its first expiry: the renewals keep it.
      await waitFor(
        async () => {
          const [row] = await database.db
            .select({ ok: sql<boolean>`now() > ${first.until} and ${inboundMessages.leaseUntil} > now()` })
            .from(inboundMessages)
            .where(eq(inboundMessages.id, id));
          return row.ok;
        },
        10_000,
        'the lease to outlive its first expiry',
      );
      return 7;
    });
    expect(r).toEqual({ ran: true, value: 7 });
    await expect(leases.hold(id, async () => Promise.reject(new Error('stage failed')))).rejects.toThrow('stage failed');
    const [row] = await database.db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
    expect(row.leaseOwner).toBeNull();
  });
});
