/** BullMQ queues of the pipeline. The database is the source of truth; a job only says "work on id X". */
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

export const INGEST_QUEUE = 'ingest';

/** A connection for producers: fails fast while Redis is down instead of queueing commands in memory. */
export function producerConnection(options: RedisOptions): Redis {
  const conn = new Redis({ ...options, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 200, 2000) });
  conn.on('error', () => undefined); // reconnects by itself; enqueue errors surface per call
  return conn;
}

/** A connection for BullMQ workers: blocking commands need unlimited retries. */
export function workerConnection(options: RedisOptions): Redis {
  const conn = new Redis({ ...options, maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
  conn.on('error', () => undefined);
  return conn;
}

/**
 * A producer's BullMQ Queue that survives Redis dropping while it starts: BullMQ keeps the error of
 * its start-up check (an INFO sent as soon as the connection is up) and every later add fails with
 * it, even once Redis is back. `get()` then replaces it with a fresh Queue on the same connection.
 */
export class ProducerQueue<T = unknown> {
  private current: Queue<T>;

  constructor(
    private readonly name: string,
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {
    this.current = this.make();
  }

  /** The Queue as it is now, not yet checked (for reads that may fail while Redis is away). */
  get queue(): Queue<T> {
    return this.current;
  }

  async get(): Promise<Queue<T>> {
    const failed = await this.current.waitUntilReady().then(
      () => false,
      () => true,
    );
    if (failed) {
      const old = this.current;
      this.current = this.make();
      void old.close().catch(() => undefined);
    }
    return this.current;
  }

  close(): Promise<void> {
    return this.current.close();
  }

  private make(): Queue<T> {
    const q = new Queue<T>(this.name, { connection: this.connection, prefix: this.prefix });
    q.on('error', () => undefined);
    return q;
  }
}

/**
 * A queue of one job per message (job id = message id, so a message queued twice — accept and
 * outbox sweep — is one job). Attempts are for transient failures only: a permanent one ends the
 * job at the first (UnrecoverableError, gateway/workers/ingest-worker.ts; docs/security-limits.md).
 */
export class MessageJobQueue {
  private readonly queue: ProducerQueue;

  constructor(
    private readonly connection: Redis,
    prefix: string,
    private readonly job: { queue: string; name: string; attempts: number; backoffMs: number },
  ) {
    this.queue = new ProducerQueue(job.queue, connection, prefix);
  }

  async enqueue(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const { name, attempts, backoffMs } = this.job;
    await (await this.queue.get()).addBulk(
      ids.map((id) => ({
        name,
        data: { id },
        // A completed job is removed at once: the row says the message is done, and keeping 1,000
        // cost every job a ZADD and a trim (bench/e2e/FINDINGS.md, "Tenth round, second wave").
        opts: { jobId: id, attempts, backoff: { type: 'exponential', delay: backoffMs }, removeOnComplete: true, removeOnFail: 5000 },
      })),
    );
  }

  /** BullMQ's state of each message's job ('unknown' when there is none, e.g. after Redis lost its data). */
  async jobStates(ids: string[]): Promise<Map<string, string>> {
    const q = await this.queue.get();
    const out = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const states = await Promise.all(chunk.map((id) => q.getJobState(id)));
      chunk.forEach((id, j) => out.set(id, states[j]));
    }
    return out;
  }

  /** How many jobs the queue holds in each state (waiting, active, delayed, failed, …). */
  async counts(): Promise<Record<string, number>> {
    return (await this.queue.get()).getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
  }

  /** Queues messages whose job had finished: the finished job is removed first (adding a job id that exists does nothing). */
  async requeue(ids: string[]): Promise<void> {
    const q = await this.queue.get();
    for (const id of ids) await q.remove(id);
    await this.enqueue(ids);
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}

/** The "ingest" queue: a message's run through the pipeline. */
export class IngestQueue extends MessageJobQueue {
  constructor(connection: Redis, prefix: string) {
    super(connection, prefix, { queue: INGEST_QUEUE, name: 'ingest', attempts: 8, backoffMs: 2000 });
  }
}
