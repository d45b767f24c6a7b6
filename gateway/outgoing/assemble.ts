/**
 * The outgoing side of a running vanthu: the delivery queue (gateway role: the API enqueues) and
 * the delivery worker with its sweep (worker role), and the API routes.
 */
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../log.ts';
import { createMailer } from '../registry/mailer.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import type { BlobStore } from '../store/blobs.ts';
import { DeliveryQueue, startDeliveryWorker } from '../../workers/delivery.ts';
import { producerConnection, workerConnection } from '../../workers/queues.ts';
import type { RedisTarget } from '../../workers/redis.ts';
import { outgoingRoutes } from './routes.ts';

export interface OutgoingService {
  plugins: Array<(app: FastifyInstance) => Promise<void>>;
  queue: DeliveryQueue;
  stop(): Promise<void>;
}

export function startOutgoing(parts: { rt: RegistryRuntime; blobs: BlobStore; redis: RedisTarget }, role: 'all' | 'gateway' | 'worker', log: Logger): OutgoingService {
  const { rt, blobs } = parts;
  const queue = new DeliveryQueue(producerConnection(parts.redis.options), rt.config);
  let worker: Worker | null = null;
  let conn: ReturnType<typeof workerConnection> | null = null;
  let sweep: NodeJS.Timeout | null = null;
  const mailer = createMailer(rt.db, rt.config, rt.clock);
  if (role !== 'gateway') {
    conn = workerConnection(parts.redis.options);
    worker = startDeliveryWorker({ db: rt.db, blobs, config: rt.config, log: log.child({ component: 'delivery' }), mailer, now: () => rt.clock.now() }, conn);
    const run = () => void queue.sweep(rt.db).catch((err) => log.warn({ err: (err as Error).message }, 'delivery sweep failed'));
    run();
    sweep = setInterval(run, rt.config.ingest.outboxSweepMs * 6);
  }
  return {
    plugins: [outgoingRoutes(rt, blobs, (ids) => queue.enqueue(ids))],
    queue,
    async stop() {
      if (sweep) clearInterval(sweep);
      await worker?.close();
      conn?.disconnect();
      await queue.close();
      mailer.close();
    },
  };
}
