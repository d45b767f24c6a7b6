/**
 * The "delivery" queue: one job per recipient of an outgoing document (job id = delivery id).
 * Temporary failures (4xx, connection errors) retry with exponential backoff; a 5xx answer or the
 * last attempt marks the recipient failed and tells the sender. A recipient unit served by this
 * gateway is stored in its incoming pipeline by the transport (notify/local.ts) and marked
 * delivered at once. A sweep re-queues rows still
 * "queued" (enqueue lost while Redis was away).
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Config } from '../config/load.ts';
import type { Logger } from '../log.ts';
import type { Deliverer, Mailer } from '../registry/ports.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Db } from '../store/db.ts';
import { outgoingDeliveries, outgoingMessages } from '../outgoing/schema.ts';
import { advance, countAttempt } from '../outgoing/tracking.ts';
import { ProducerQueue } from './queues.ts';
import type { DocumentEvents } from './telemetry.ts';

export const DELIVERY_QUEUE = 'delivery';

export class DeliveryQueue {
  private readonly queue: ProducerQueue;

  constructor(
    private readonly connection: Redis,
    private readonly config: Config,
  ) {
    this.queue = new ProducerQueue(DELIVERY_QUEUE, connection, config.redis.prefix);
  }

  async enqueue(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const { attempts, backoffMs } = this.config.outgoing.delivery;
    await (await this.queue.get()).addBulk(
      ids.map((id) => ({
        name: 'deliver',
        data: { id },
        // Removed when completed: the delivery row is the record, and a kept job cost a ZADD and a trim (docs/architecture.md).
        opts: { jobId: id, attempts, backoff: { type: 'exponential', delay: backoffMs }, removeOnComplete: true, removeOnFail: 5000 },
      })),
    );
  }

  /** Re-queues deliveries still waiting (job ids make this a no-op for those already queued). */
  async sweep(db: Db): Promise<number> {
    const rows = await db.select({ id: outgoingDeliveries.id }).from(outgoingDeliveries).where(eq(outgoingDeliveries.state, 'queued')).limit(500);
    await this.enqueue(rows.map((r) => r.id));
    return rows.length;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}

export interface DeliveryDeps {
  db: Db;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  mailer: Mailer;
  /** The one mail transport (gateway/notify/transport.ts), handed in by gateway/app.ts. */
  transport: Deliverer;
  now(): Date;
  /** Told when a recipient moved (sent, delivered, failed), so the sending unit's open outgoing trail refreshes (docs/console.md). */
  events?: DocumentEvents;
}

async function notifyFailure(deps: DeliveryDeps, deliveryId: string, reason: string): Promise<void> {
  const [row] = await deps.db
    .select({
      recipient: outgoingDeliveries.recipient,
      notation: outgoingMessages.notation,
      subject: outgoingMessages.subject,
      sender: outgoingMessages.senderEmail,
      from: outgoingMessages.fromAddress,
    })
    .from(outgoingDeliveries)
    .innerJoin(outgoingMessages, eq(outgoingMessages.id, outgoingDeliveries.outgoingId))
    .where(eq(outgoingDeliveries.id, deliveryId));
  if (!row) return;
  await deps.mailer
    .send({
      key: `outgoing-failed:${deliveryId}`,
      to: [row.sender ?? row.from],
      subject: `Không gửi được văn bản ${row.notation} tới ${row.recipient} (delivery failed)`,
      text: [
        `Văn bản ${row.notation} (${row.subject}) không gửi được tới ${row.recipient}.`,
        `Lý do: ${reason}`,
        '',
        `Document ${row.notation} could not be delivered to ${row.recipient}: ${reason}`,
      ].join('\n'),
    })
    .catch((err) => deps.log.warn({ err: (err as Error).message, deliveryId }, 'failure notice not sent'));
}

/** Marks the recipient failed and tells the sender; used for 5xx answers, exhausted retries and DSNs. */
export async function markFailed(deps: DeliveryDeps, deliveryId: string, reason: string, evidence?: { inboundId: string; note: string | null }): Promise<void> {
  if (await advance(deps.db, deliveryId, 'failed', deps.now(), { lastError: reason, evidence })) await notifyFailure(deps, deliveryId, reason);
}

export async function processDelivery(deps: DeliveryDeps, job: Job<{ id: string }>): Promise<string> {
  const id = job.data.id;
  const [row] = await deps.db
    .select({
      state: outgoingDeliveries.state,
      recipient: outgoingDeliveries.recipient,
      raw: outgoingMessages.rawSha256,
      from: outgoingMessages.fromAddress,
      unitId: outgoingMessages.unitId,
      outgoingId: outgoingDeliveries.outgoingId,
    })
    .from(outgoingDeliveries)
    .innerJoin(outgoingMessages, eq(outgoingMessages.id, outgoingDeliveries.outgoingId))
    .where(eq(outgoingDeliveries.id, id));
  if (!row) return 'gone';
  if (row.state !== 'queued') return row.state; // re-delivered job: already handed over
  const moved = () => deps.events?.changed([{ unitId: row.unitId, documentId: row.outgoingId }]);
  try {
    const res = await deps.transport.deliver(await deps.blobs.read(row.raw), row.from, row.recipient);
    await countAttempt(deps.db, id, null, deps.now());
    await advance(deps.db, id, 'sent', deps.now(), { response: res.response, lastError: null });
    if (!res.local) {
      moved();
      return 'sent';
    }
    // A unit of this gateway: stored in its incoming pipeline, so delivered (the stored message is the evidence).
    await advance(deps.db, id, 'delivered', deps.now(), { evidence: { inboundId: res.local.inboundId, note: 'local delivery' } });
    moved();
    return 'delivered';
  } catch (err) {
    const reason = (err as Error).message;
    await countAttempt(deps.db, id, reason, deps.now());
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (deps.transport.isPermanent(err) || last) {
      await markFailed(deps, id, reason);
      moved();
      throw new UnrecoverableError(reason);
    }
    throw err; // BullMQ retries after the exponential backoff
  }
}

export function startDeliveryWorker(deps: DeliveryDeps, connection: Redis): Worker {
  const worker = new Worker(DELIVERY_QUEUE, (job: Job<{ id: string }>) => processDelivery(deps, job), {
    connection,
    concurrency: deps.config.outgoing.delivery.concurrency,
    prefix: deps.config.redis.prefix,
  });
  worker.on('failed', (job, err) => deps.log.warn({ id: job?.data.id, attempts: job?.attemptsMade, err: err.message }, 'delivery attempt failed'));
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'delivery worker error'));
  return worker;
}
