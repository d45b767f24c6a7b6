/**
 * Transactional outbox and the sweep that keeps it honest: a committed row is the promise of work,
 * Redis only carries "work on id X". Rows are queued after commit (`enqueueAccepted`); the sweep
 * finds every pending message (gateway/workers/states.ts) that nobody is visibly working on and makes sure
 * a job exists for it — whatever Redis lost (down at accept time, restarted empty, FLUSHALL).
 *
 * A pending row is due when
 *   - no pipeline run holds its lease (gateway/workers/lease.ts: lease_until null or past), and
 *   - it was never queued, or last queued (or last found queued) more than `ingest.leaseMs` ago.
 * For each due row the sweep stamps enqueued_at (a conditional update: of several gateways
 * sweeping, one handles a row) and asks BullMQ for the job's state:
 *   - waiting, delayed, active, prioritized: alive, left alone (the stamp defers the next look);
 *   - none (Redis lost it): queued again;
 *   - completed or failed (it ended, but the row is pending: the worker died before it could mark
 *     the row, or an operator set a failed message back to retry it): removed and queued again.
 * Queueing twice is harmless: the job id is the message id and stages skip what is done. If Redis
 * does not answer, the stamps are taken back so the rows are looked at again on the next pass.
 * Times are the database's, like the leases'.
 *
 * A message waiting for OCR (state `ocr`, gateway/workers/states.ts) is swept the same way against
 * its job on the "ocr" queue (gateway/workers/ocr.ts): the OCR worker holds its lease while it reads.
 * With OCR turned off, such a message goes back to `parsed`, so classify says why it was not read.
 */
import { and, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../store/db.ts';
import { inboundMessages } from '../store/schema.ts';
import type { Logger } from '../log.ts';
import type { IngestQueue } from './queues.ts';
import { AFTER_OCR_STATE, PENDING_STATES, WAITING_STATES } from './states.ts';

const t = inboundMessages;

export async function markEnqueued(database: Database, ids: string[]): Promise<void> {
  if (ids.length) await database.db.update(t).set({ enqueuedAt: sql`now()` }).where(inArray(t.id, ids));
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

/** What the sweep needs of a queue whose job ids are message ids. */
export type SweptQueue = Pick<IngestQueue, 'enqueue' | 'jobStates' | 'requeue'>;

export interface SweepOptions {
  /** A pending row nobody holds is looked at again when it was last queued longer ago than this (ingest.leaseMs). */
  leaseMs: number;
  /** Messages in state `ocr`: checked against this queue; `enabled: false` sends them back to classify. */
  ocr?: { queue: SweptQueue; enabled: boolean };
  /** Rows per batch. */
  batch?: number;
  /** Batches per pass at most (a pass stops early at a short batch). */
  maxBatches?: number;
}

export interface SweepReport {
  /** Rows the sweep looked at (due). */
  checked: number;
  /** Queued because no job existed (never queued, or Redis lost it). */
  queued: string[];
  /** Their job had ended (completed, failed) although the row is pending: removed and queued again. */
  requeued: string[];
  /** A live job exists (waiting, delayed, active): left alone. */
  alive: number;
}

/** One pass of the sweep. Throws when Redis does not answer (the rows stay due). */
export async function sweepOutbox(database: Database, queue: IngestQueue, log: Logger, opts: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = { checked: 0, queued: [], requeued: [], alive: 0 };
  const batch = opts.batch ?? 500;
  if (opts.ocr && !opts.ocr.enabled) await ocrTurnedOff(database);
  for (let i = 0; i < (opts.maxBatches ?? 20); i++) {
    const n = await sweepBatch(database, queue, PENDING_STATES, opts.leaseMs, batch, report);
    if (n < batch) break;
  }
  for (let i = 0; opts.ocr?.enabled && i < (opts.maxBatches ?? 20); i++) {
    const n = await sweepBatch(database, opts.ocr.queue, WAITING_STATES, opts.leaseMs, batch, report);
    if (n < batch) break;
  }
  if (report.queued.length || report.requeued.length) {
    log.info({ queued: report.queued.length, requeued: report.requeued.length, alive: report.alive }, 'outbox sweep queued waiting messages');
  }
  return report;
}

/** OCR turned off: messages that waited for it go back to classify (which then gives the reason), unless a worker holds them. */
async function ocrTurnedOff(database: Database): Promise<void> {
  await database.db
    .update(t)
    .set({ state: AFTER_OCR_STATE, enqueuedAt: null })
    .where(and(inArray(t.state, [...WAITING_STATES]), or(isNull(t.leaseUntil), lt(t.leaseUntil, sql`now()`))));
}

async function sweepBatch(
  database: Database,
  queue: SweptQueue,
  states: readonly string[],
  leaseMs: number,
  limit: number,
  report: SweepReport,
): Promise<number> {
  const { db } = database;
  const staleBefore = sql`now() - ${leaseMs} * interval '1 millisecond'`;
  const due = and(
    inArray(t.state, [...states]),
    or(isNull(t.leaseUntil), lt(t.leaseUntil, sql`now()`)),
    or(isNull(t.enqueuedAt), lt(t.enqueuedAt, staleBefore)),
  );
  const rows = await db.select({ id: t.id }).from(t).where(due).orderBy(t.receivedAt).limit(limit);
  if (!rows.length) return 0;
  // Stamp first, only where still due: of several sweeping gateways, one handles each row.
  const mine = (
    await db
      .update(t)
      .set({ enqueuedAt: sql`now()` })
      .where(
        and(
          inArray(
            t.id,
            rows.map((r) => r.id),
          ),
          due,
        ),
      )
      .returning({ id: t.id })
  ).map((r) => r.id);
  if (!mine.length) return rows.length;
  report.checked += mine.length;
  try {
    const states = await queue.jobStates(mine);
    const missing = mine.filter((id) => states.get(id) === 'unknown');
    const ended = mine.filter((id) => states.get(id) === 'completed' || states.get(id) === 'failed');
    report.alive += mine.length - missing.length - ended.length;
    if (missing.length) await queue.enqueue(missing);
    if (ended.length) await queue.requeue(ended);
    report.queued.push(...missing);
    report.requeued.push(...ended);
  } catch (err) {
    // Redis did not answer: take the stamps back so these rows are due again on the next pass.
    await db
      .update(t)
      .set({ enqueuedAt: null })
      .where(and(inArray(t.id, mine), inArray(t.state, [...states])));
    throw err;
  }
  return rows.length;
}

export class OutboxSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  /** Completed passes (tests wait on it instead of on time). */
  passes = 0;

  constructor(
    private readonly database: Database,
    private readonly queue: IngestQueue,
    private readonly log: Logger,
    private readonly everyMs: number,
    private readonly leaseMs: number,
    private readonly ocr?: SweepOptions['ocr'],
  ) {}

  start(): void {
    const tick = () => {
      this.running = sweepOutbox(this.database, this.queue, this.log, { leaseMs: this.leaseMs, ocr: this.ocr })
        .then(() => this.passes++)
        .catch((err) => this.log.warn({ err: (err as Error).message }, 'outbox sweep failed; will retry'))
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
