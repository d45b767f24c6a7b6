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

export class IngestQueue {
  readonly queue: Queue;

  constructor(
    private readonly connection: Redis,
    prefix: string,
  ) {
    this.queue = new Queue(INGEST_QUEUE, { connection, prefix });
    this.queue.on('error', () => undefined);
  }

  /** Job id = message id, so a message queued twice (accept + outbox sweep) is one job. */
  async enqueue(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.queue.addBulk(
      ids.map((id) => ({
        name: 'ingest',
        data: { id },
        opts: { jobId: id, attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: 5000 },
      })),
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
