/** BullMQ worker of the "ingest" queue: loads the message row and runs the pipeline on it. */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Config } from '../config/load.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { inboundMessages } from '../store/schema.ts';
import { describeError, errorText, type ErrorInfo } from '../errors.ts';
import { PENDING_STATES } from './states.ts';
import { messageOf, selectMessage } from './message-row.ts';
import { runPipeline, type AnyStage, type Stage, type StageContext, type StageName } from './pipeline.ts';
import { INGEST_QUEUE } from './queues.ts';
import { MessageLeases, type Claimed } from './lease.ts';
import { classifyStage } from './stages/classify.ts';
import { parseStage } from './stages/parse.ts';
import { verifyStage } from './stages/verify.ts';
import { registerStage } from './stages/register.ts';
import { linkOutgoingStage } from './stages/link-outgoing.ts';
import { actByMailStage } from './stages/act-by-mail.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import type { Deliverer, Mailer } from '../registry/ports.ts';

/**
 * Stages whose run may leave its row for the pipeline's next write (Stage.deferrable): parse (its
 * attachment rows go with its row), classify and verify (functions of the message; classify's wait
 * for OCR is written before it hands over), link-outgoing and act-by-mail when they found nothing
 * to act on. Register is written at once, and the rows before it are written before it runs.
 */
const DEFERRABLE: { [N in StageName]?: (result: Parameters<NonNullable<Stage<N>['deferrable']>>[0]) => boolean } = {
  parse: () => true,
  classify: () => true,
  verify: () => true,
  'link-outgoing': (r) => r.links.length === 0,
  'act-by-mail': (r) => r.outcome.kind === 'not-a-reply',
};

function deferring<N extends StageName>(stage: Stage<N>): Stage<N> {
  const deferrable = DEFERRABLE[stage.name] as Stage<N>['deferrable'];
  return stage.deferrable || !deferrable ? stage : { ...stage, deferrable };
}

/** The stages in order; each reads the stored results of those before it. */
export const INGEST_STAGES: AnyStage[] = [parseStage, classifyStage, verifyStage, linkOutgoingStage, actByMailStage, registerStage /* stays last */].map(
  (s) => deferring(s as Stage) as AnyStage,
);

export interface IngestDeps {
  database: Database;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  /** The app's clock: stage times and classification's "now" come from it. */
  clock: Clock;
  /** The registry's mailer and the one mail transport (gateway/app.ts hands them in). */
  mailer?: Mailer;
  transport?: Deliverer;
  stages?: AnyStage[];
  /** The registry's runtime (follow-up kick), read by the register stage through the stage context. */
  registry?: RegistryRuntime;
  /** The "ocr" queue the classify stage hands scans to (gateway/workers/ocr.ts). */
  ocrQueue?: StageContext['ocrQueue'];
  /** The CPU pool of the parse, classify and verify stages (gateway/workers/pool/pool.ts); absent: inline. */
  pool?: StageContext['pool'];
  /** Counters, stage times and document changes (gateway/workers/telemetry.ts), handed in by gateway/app.ts. */
  metrics?: StageContext['metrics'];
  events?: StageContext['events'];
}

/**
 * Runs the pipeline on a message: the row and stage rows the lease claim read (`claimed`), else
 * read here in one statement.
 */
export async function processMessage(deps: IngestDeps, id: string, force: string[] = [], claimed?: Claimed): Promise<string> {
  let loaded: Pick<Claimed, 'message' | 'stages'> | undefined = claimed;
  if (!loaded) {
    const [row] = await deps.database.query<Record<string, unknown>>(selectMessage('inbound_messages m where m.id = $1'), [id]);
    if (!row) throw new Error(`inbound message ${id} not found`);
    loaded = messageOf(row);
  }
  const ctx: StageContext = { ...deps, message: loaded.message, results: {} };
  try {
    await runPipeline(deps.stages ?? INGEST_STAGES, ctx, { force, stored: loaded.stages, lease: claimed?.lease });
  } finally {
    // A job that ended before verify (an outcome, a wait for OCR, a failure) lets go of its parse on the pool's thread.
    if (ctx.mime?.job) deps.pool?.release(ctx.mime.job);
  }
  return id;
}

/**
 * One attempt of an ingest job. A permanent failure (gateway/errors.ts) ends the job at once
 * (UnrecoverableError: BullMQ does not retry it); the pipeline has already left the row `failed`
 * with lastError — or, for an outcome of a content stage, `decided` with a review item, in which
 * case nothing is thrown at all. A transient failure is thrown to be retried with back-off; the
 * last attempt leaves the row `failed` first, so the row never depends on the "failed" event.
 */
export async function runIngestJob(deps: IngestDeps, job: Job<{ id: string }>, claimed?: Claimed): Promise<string> {
  try {
    return await processMessage(deps, job.data.id, [], claimed);
  } catch (err) {
    const info = describeError(err);
    if (info.permanent) throw new UnrecoverableError(errorText(info));
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await markFailed(deps, job.data.id, info);
    throw err;
  }
}

/** Leaves a message that is still pending `failed`, keeping the lastError the pipeline recorded (or this one). */
async function markFailed(deps: IngestDeps, id: string, info: ErrorInfo): Promise<void> {
  const t = inboundMessages;
  await deps.database.db
    .update(t)
    .set({ state: 'failed', lastError: sql`coalesce(${t.lastError}, ${errorText(info)})`, updatedAt: deps.clock.now() })
    .where(and(eq(t.id, id), inArray(t.state, [...PENDING_STATES])))
    .catch((e: unknown) => deps.log.error({ id, err: describeError(e).message }, 'could not mark a failed message'));
}

/** Stalls (worker died or was held up past its lock) an ingest job survives before it fails. */
export const MAX_STALLS = 5;

export function startIngestWorker(deps: IngestDeps, connection: Redis, concurrency: number): Worker {
  // Each run holds the message's lease in the database, so the outbox sweep never re-queues a message a live worker holds (gateway/workers/lease.ts).
  // The claim reads the row and its stage rows with the lease (one statement), and the pipeline's last write releases it.
  const leases = new MessageLeases(deps.database, deps.config.ingest.leaseMs, deps.log, PENDING_STATES, true);
  const worker = new Worker(INGEST_QUEUE, (job: Job<{ id: string }>, token?: string) => leases.process(job, token, (c) => runIngestJob(deps, job, c)), {
    connection,
    concurrency,
    prefix: deps.config.redis.prefix,
    lockDuration: deps.config.ingest.lockMs,
    stalledInterval: deps.config.ingest.lockMs,
    // A stalled job (its worker died, or was held up past lockMs) is handed out again; the message
    // lease keeps two runs of one message apart, so a crash or two is no reason to fail the
    // message. BullMQ's default (1) failed messages whose gateway was restarted twice mid-job.
    // Past MAX_STALLS the job fails: a message that kills its worker every time.
    maxStalledCount: MAX_STALLS,
  });
  worker.on('failed', async (job, err) => {
    const final = err instanceof UnrecoverableError || (job ? job.attemptsMade >= (job.opts.attempts ?? 1) : false);
    deps.log.warn({ id: job?.data.id, attempts: job?.attemptsMade, final, err: err.message }, 'ingest failed');
    // Normally runIngestJob has marked the row already; this covers a failure before it could.
    if (job && final) await markFailed(deps, job.data.id, describeError(err));
  });
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'ingest worker error'));
  return worker;
}
