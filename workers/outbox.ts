/**
 * Transactional outbox: an accepted row is the promise of work. Rows still in state `accepted`
 * that were never queued (Redis down at accept time) or were queued long ago (Redis lost the job)
 * are queued again. Queueing twice is harmless: the job id is the message id and stages are idempotent.
 */
import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Database } from '../gateway/store/db.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import type { Logger } from '../gateway/log.ts';
import type { IngestQueue } from './queues.ts';

const STALE_MS = 10 * 60_000;

export async function markEnqueued(database: Database, ids: string[]): Promise<void> {
  if (ids.length) await database.db.update(inboundMessages).set({ enqueuedAt: new Date() }).where(inArray(inboundMessages.id, ids));
}

/** Queues ids and records it; on failure leaves them for the sweep. */
export async function enqueueAccepted(database: Database, queue: IngestQueue, ids: string[], log: Logger): Promise<boolean> {
  try {
    await queue.enqueue(ids);
    await markEnqueued(database, ids);
    return true;
  } catch (err) {
    log.warn({ err: (err as Error).message, count: ids.length }, 'enqueue failed; the outbox sweep will retry');
    return false;
  }
}

export async function sweepOutbox(database: Database, queue: IngestQueue, log: Logger, limit = 1000): Promise<number> {
  const staleBefore = new Date(Date.now() - STALE_MS);
  const rows = await database.db
    .select({ id: inboundMessages.id })
    .from(inboundMessages)
    .where(and(eq(inboundMessages.state, 'accepted'), or(isNull(inboundMessages.enqueuedAt), lt(inboundMessages.enqueuedAt, staleBefore))))
    .orderBy(inboundMessages.receivedAt)
    .limit(limit);
  if (!rows.length) return 0;
  const ok = await enqueueAccepted(database, queue, rows.map((r) => r.id), log);
  if (ok) log.info({ count: rows.length }, 'outbox sweep queued waiting messages');
  return ok ? rows.length : 0;
}

export class OutboxSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly database: Database,
    private readonly queue: IngestQueue,
    private readonly log: Logger,
    private readonly everyMs: number,
  ) {}

  start(): void {
    const tick = () => {
      this.running = sweepOutbox(this.database, this.queue, this.log)
        .catch((err) => this.log.error({ err: (err as Error).message }, 'outbox sweep failed'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.everyMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
