/**
 * What a message's ingest job costs Redis, counted with MONITOR under a prefix of its own (real
 * Redis; bench/e2e/FINDINGS.md, "Tenth round, second wave"): from the enqueue to the job's end,
 * commands sent and those its scripts run. A completed job is removed at once (its id is the
 * message id; the row, not the job, says the message is done — docs/architecture.md), so no
 * "completed" set is kept and trimmed for it.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../gateway/config/load.ts';
import { DELIVERY_QUEUE, DeliveryQueue } from '../gateway/workers/delivery.ts';
import { INGEST_QUEUE, IngestQueue, producerConnection, workerConnection } from '../gateway/workers/queues.ts';
import { TEST_REDIS_OPTIONS } from './helpers/gateway.ts';

const options = TEST_REDIS_OPTIONS;

describe('ingest jobs in Redis', () => {
  const prefix = `ingest-cmds-${process.pid}-${Date.now().toString(36)}`;
  let monitor: Redis;
  let queue: IngestQueue;
  let worker: Worker;
  const seen: string[][] = [];
  const done: string[] = [];

  /** The monitor connection's errors once it is monitoring (none expected). */
  const errors: Error[] = [];

  beforeAll(async () => {
    // ioredis marks a connection "monitoring" a promise tick after MONITOR's OK; another client's
    // command echoed in the same packet as the OK arrives before that and is refused as a reply
    // nobody asked for ("error" event). It precedes this test's own commands (they start once the
    // connection is monitoring), so those errors are let go; later ones fail the test.
    monitor = new Redis({ ...options, monitor: true });
    let monitoring = false;
    monitor.on('error', (e: Error) => {
      if (monitoring) errors.push(e);
    });
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((a) => a.includes(prefix))) seen.push(args.map((a) => a.replace(`${prefix}:`, '')));
    });
    await new Promise<void>((resolve) => monitor.once('monitoring', () => resolve()));
    monitoring = true;
    queue = new IngestQueue(producerConnection(options), prefix);
    worker = new Worker(INGEST_QUEUE, async (job) => job.data.id, { connection: workerConnection(options), prefix, concurrency: 4 });
    worker.on('completed', (job) => done.push(job.id ?? ''));
    await worker.waitUntilReady();
    await queue.counts(); // the queue's start-up commands, before anything is counted
  }, 30_000);
  afterAll(async () => {
    await worker?.close();
    const q = new Queue(INGEST_QUEUE, { connection: options, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
    await queue?.close();
    monitor?.disconnect();
  });

  it('runs in a bounded number of commands and leaves no completed job behind', async () => {
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await until(() => seen.length > 0); // the worker's first wait is seen: MONITOR is on
    expect(seen.length).toBeGreaterThan(0);
    seen.length = 0;
    const ids = Array.from({ length: 10 }, (_, i) => `msg-${i}`);
    await queue.enqueue(ids);
    await until(() => ids.every((id) => done.includes(id)));
    await until(() => seen.some((a) => a[0] === 'bzpopmin' || a[0] === 'BZPOPMIN')); // back to waiting: the job has ended
    const names = seen.map((a) => a[0].toLowerCase());
    expect(names.filter((n, i) => n === 'zadd' && seen[i][1] === `${INGEST_QUEUE}:completed`)).toEqual([]);
    expect(new Set((await queue.jobStates(ids)).values())).toEqual(new Set(['unknown']));
    // 40.7 a job with 1,000 completed jobs kept (and more once there are 1,000: the trim removes one per job);
    // 37.8–39.9 now: how often the worker waits and fetches again (BZPOPMIN, the fetch script's reads)
    // depends on when the jobs arrive, so the bound leaves room for that and no more.
    expect(names.length / ids.length).toBeLessThanOrEqual(41);
    expect(names.length / ids.length).toBeGreaterThan(10); // the jobs' commands were all seen
    expect(errors).toEqual([]);
  }, 30_000);
});

describe('delivery jobs in Redis', () => {
  const prefix = `delivery-done-${process.pid}-${Date.now().toString(36)}`;
  const config = { redis: { prefix }, outgoing: { delivery: { attempts: 3, backoffMs: 1000 } } } as unknown as Config;

  it('leave no completed job behind (the delivery row says what happened)', async () => {
    const queue = new DeliveryQueue(producerConnection(options), config);
    const done: string[] = [];
    const worker = new Worker(DELIVERY_QUEUE, async (job) => job.data.id, { connection: workerConnection(options), prefix });
    worker.on('completed', (job) => done.push(job.id ?? ''));
    const check = new Queue(DELIVERY_QUEUE, { connection: options, prefix });
    try {
      await queue.enqueue(['d-1', 'd-2']);
      for (let i = 0; i < 500 && done.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(done.sort()).toEqual(['d-1', 'd-2']);
      for (let i = 0; i < 100 && (await check.getCompletedCount()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await check.getCompletedCount()).toBe(0);
      expect([await check.getJobState('d-1'), await check.getJobState('d-2')]).toEqual(['unknown', 'unknown']);
    } finally {
      await worker.close();
      await check.obliterate({ force: true }).catch(() => undefined);
      await check.close();
      await queue.close();
    }
  }, 30_000);
});
