/**
 * The ingest pipeline: an ordered list of named stages. Each stage reads the stored results of the
 * stages before it and stores its own in message_stages, so any stage can be re-run for a message
 * (after a fix, or a new trust anchor) without touching the others, and a re-delivered job skips
 * what is already done.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Config } from '../config/load.ts';
import type { Clock } from '../clock.ts';
import type { Deliverer, Mailer } from '../registry/ports.ts';
import type { Logger } from '../log.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { inboundMessages, type messageAttachments, messageStages } from '../store/schema.ts';
import type { Classification } from '../documents/types.ts';
import type { ParsedMessage } from '../mail/parse.ts';
import type { SignedRevision, VerifyReport } from '../trust/index.ts';
import type { LinkFinding } from '../outgoing/link.ts';
import type { IntakeOutcome } from '../registry/intake/intake.ts';
import type { ReplyResult } from '../registry/replies/handle.ts';
import { describeError, errorText, type ErrorInfo, VanthuError } from '../errors.ts';
import { LimitExceeded } from '../limits.ts';
import { cleanDeep, cleanField } from '../sanitize.ts';
import type { OcrRead } from './stages/ocr-input.ts';

export type InboundRow = typeof inboundMessages.$inferSelect;

/**
 * What each stage returns and stores (message_stages.result), by stage name: the compiler checks
 * that a stage returns its own shape and that a reader of `ctx.results.<stage>` gets it.
 */
export interface StageResults {
  parse: ParseStageResult;
  /** The classification; `ocr` when scans were read by OCR (docs/ocr.md). */
  classify: Classification & { ocr?: OcrRead };
  verify: VerifyReport & { signedRevisions: StoredRevision[] };
  'link-outgoing': { links: LinkFinding[] };
  /** A reply to a notice (act+ address, docs/act-by-email.md): what was done and answered. */
  'act-by-mail': ReplyResult;
  register: RegisterResult;
}

export type StageName = keyof StageResults;

/** The parsed message as stored: headers and text, attachments as blob references. */
export type ParseStageResult = Omit<ParsedMessage, 'attachments' | 'html'> & {
  hasHtml: boolean;
  attachments: Array<Omit<typeof messageAttachments.$inferInsert, 'messageId'>>;
};

/** A signed revision as the verify stage stores it (the bytes are the blob named by sha256). */
export type StoredRevision = Omit<SignedRevision, 'bytes'>;

/**
 * The register stage's outcome: the message was decided on its content, or an earlier stage
 * stopped it (a limit, unreadable mail) and it went to review with that code.
 */
export type RegisterResult = { kind: 'decided'; decisions: IntakeOutcome[] } | { kind: 'stopped'; outcome: string; decisions: IntakeOutcome[] };

export interface StageContext {
  message: InboundRow;
  database: Database;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  /** Where stage times come from: the app's one clock, so tests set it instead of reading the wall clock. */
  clock: Clock;
  /** Sends the registry's mail (a delivery-failure notice from a DSN); absent in tests that do not mail. */
  mailer?: Mailer;
  /** Hands outgoing documents to recipients' servers (the one transport); absent where nothing is delivered. */
  transport?: Deliverer;
  /** Results of the stages that ran (or had run) before, by stage name. */
  results: Partial<StageResults>;
  /** Set when a content stage ended the message with a permanent outcome (see runPipeline). */
  outcome?: StageOutcome | null;
  /** Queues a message's OCR job, replacing a finished one (gateway/workers/ocr.ts); absent where no queue runs (the outbox sweep queues it then). */
  ocrQueue?: { requeue(ids: string[]): Promise<void> };
}

/**
 * A stage that must wait for work done elsewhere (OCR of a scan, docs/ocr.md): the message rests in
 * `state` (gateway/workers/states.ts, WAITING_STATES), the run ends without error, and `then` hands
 * the work over once the state is stored. The other queue's worker queues the message again.
 */
export class AwaitingWork extends VanthuError {
  readonly code = 'awaiting';
  readonly permanent = false;
  constructor(
    readonly state: string,
    message: string,
    readonly then?: () => Promise<void>,
  ) {
    super(message);
    this.name = 'AwaitingWork';
  }
}

export interface Stage<N extends StageName = StageName> {
  name: N;
  /** The message's state once this stage is done, e.g. "parsed". */
  doneState: string;
  run(ctx: StageContext): Promise<StageResults[N]>;
  /**
   * Runs even when an earlier stage ended the message with a permanent outcome (a limit passed,
   * mail that cannot be parsed): the register stage, which then sends the message to review.
   */
  afterOutcome?: boolean;
}

/** Any one of the stages (a list of stages holds each with its own result type). */
export type AnyStage = { [N in StageName]: Stage<N> }[StageName];

/** A permanent failure of a content stage: the message is not processed further, a clerk reviews it. */
export interface StageOutcome {
  stage: string;
  /** e.g. "limit:pdf-inflated-bytes", "mime-unreadable". */
  code: string;
  /** English detail. */
  message: string;
  /** The limit passed, and the attachment it was passed in, when the outcome is a limit. */
  max: number | null;
  where: string | null;
}

export interface PipelineOptions {
  /** Stage names to run again even if done. */
  force?: string[];
}

/** What message_stages.status says about a stage. */
export const STAGE_DONE = 'done';
export const STAGE_FAILED = 'failed';
/** The stage ended the message with a permanent outcome; later content stages were skipped. */
export const STAGE_STOPPED = 'stopped';

/**
 * Runs the stages in order, skipping those already done.
 *
 * Failures are typed (gateway/errors.ts). A permanent one in a content stage (parse, classify,
 * verify, link-outgoing) is an outcome, not a crash: the stage is stored as "stopped" with the
 * code, the later content stages are skipped, and the stages marked afterOutcome (register) run
 * with `ctx.outcome` set, so the message ends `decided` with a review item; lastError keeps
 * "<stage>: <code>: <detail>". A permanent failure anywhere else leaves the message `failed` with
 * lastError set, and is thrown for the worker not to retry. A transient failure records lastError
 * and is thrown to be retried.
 *
 * Results are cleaned before they are stored or handed on (no NUL, well-formed text), and the
 * failure itself is recorded with a bounded, clean message: a message with a NUL in its subject
 * once failed to store its own error text and ended `failed` with lastError empty.
 */
export async function runPipeline(stages: AnyStage[], ctx: StageContext, opts: PipelineOptions = {}): Promise<void> {
  const { db } = ctx.database;
  const id = ctx.message.id;
  const done = await db.select().from(messageStages).where(eq(messageStages.messageId, id));
  const stored = new Map(done.filter((r) => r.status === STAGE_DONE).map((r) => [r.stage, r.result]));
  const stopped = done.find((r) => r.status === STAGE_STOPPED && !opts.force?.includes(r.stage));
  if (stopped) ctx.outcome = outcomeOf(stopped.stage, stopped.result, stopped.error);
  let state = ctx.message.state;
  for (const stage of stages) {
    if (ctx.outcome && !stage.afterOutcome) continue;
    if (stored.has(stage.name) && !opts.force?.includes(stage.name)) {
      (ctx.results as Record<string, unknown>)[stage.name] = stored.get(stage.name);
      state = stage.doneState;
      continue;
    }
    let result: unknown;
    try {
      result = cleanDeep((await stage.run(ctx)) ?? null);
    } catch (err) {
      if (err instanceof AwaitingWork) return awaitWork(ctx, stage.name, err);
      const info = describeError(err);
      if (info.permanent && !stage.afterOutcome && !ctx.outcome) {
        const limit = err instanceof LimitExceeded ? err : null;
        ctx.outcome = { stage: stage.name, code: info.code, message: info.message, max: limit?.max ?? null, where: cleanField(limit?.where) };
        await saveStage(ctx, stage.name, STAGE_STOPPED, { code: info.code, max: ctx.outcome.max, where: ctx.outcome.where }, info.message);
        await db
          .update(inboundMessages)
          .set({ lastError: `${stage.name}: ${errorText(info)}`, updatedAt: ctx.clock.now() })
          .where(eq(inboundMessages.id, id));
        ctx.log.warn({ id, stage: stage.name, code: info.code, err: info.message }, 'message stopped with a permanent outcome; it goes to review');
        continue;
      }
      await recordFailure(ctx, stage.name, info, info.permanent);
      throw err;
    }
    (ctx.results as Record<string, unknown>)[stage.name] = result;
    await saveStage(ctx, stage.name, STAGE_DONE, result, null);
    state = stage.doneState;
    const lastError = ctx.outcome ? `${ctx.outcome.stage}: ${ctx.outcome.code}: ${ctx.outcome.message}` : null;
    await db.update(inboundMessages).set({ state, lastError, updatedAt: ctx.clock.now() }).where(eq(inboundMessages.id, id));
  }
  // An outcome with no stage left to send the message to review (a pipeline without register): it ends failed, never pending.
  if (ctx.outcome && !stages.some((s) => s.afterOutcome)) state = 'failed';
  if (state !== ctx.message.state)
    await db
      .update(inboundMessages)
      .set({ state })
      .where(and(eq(inboundMessages.id, id)));
}

/**
 * The state first, then the hand-over: the other worker never finds the message still in its old
 * state. The lease goes with the state (gateway/workers/lease.ts): the other worker may take the
 * message at once instead of waiting for this run to let go (its release is then a no-op).
 */
async function awaitWork(ctx: StageContext, stage: string, w: AwaitingWork): Promise<void> {
  const id = ctx.message.id;
  await ctx.database.db
    .update(inboundMessages)
    .set({ state: w.state, lastError: null, leaseOwner: null, leaseUntil: null, updatedAt: ctx.clock.now() })
    .where(eq(inboundMessages.id, id));
  ctx.log.info({ id, stage, state: w.state }, w.message);
  await w.then?.();
}

function outcomeOf(stage: string, result: unknown, error: string | null): StageOutcome {
  const r = (result ?? {}) as { code?: unknown; max?: unknown; where?: unknown };
  return {
    stage,
    code: typeof r.code === 'string' ? r.code : 'unreadable',
    message: error ?? '',
    max: typeof r.max === 'number' ? r.max : null,
    where: typeof r.where === 'string' ? r.where : null,
  };
}

/**
 * Stores a failure; never throws over it (the original error is what the caller throws). A
 * permanent failure also makes the message `failed` here, so the row is terminal before the job
 * ends, whatever happens to the worker's "failed" event.
 */
async function recordFailure(ctx: StageContext, stage: string, info: ErrorInfo, terminal: boolean): Promise<void> {
  const { db } = ctx.database;
  const id = ctx.message.id;
  try {
    await saveStage(ctx, stage, STAGE_FAILED, null, errorText(info));
  } catch (err) {
    ctx.log.warn({ id, stage, err: describeError(err).message }, 'could not store the stage failure');
  }
  try {
    await db
      .update(inboundMessages)
      .set({ lastError: `${stage}: ${errorText(info)}`, updatedAt: ctx.clock.now(), ...(terminal ? { state: 'failed' } : {}) })
      .where(eq(inboundMessages.id, id));
  } catch (err) {
    ctx.log.warn({ id, stage, err: describeError(err).message }, 'could not record lastError');
  }
}

async function saveStage(ctx: StageContext, stage: string, status: string, result: unknown, error: string | null): Promise<void> {
  const messageId = ctx.message.id;
  await ctx.database.db
    .insert(messageStages)
    .values({ messageId, stage, status, result, error, updatedAt: ctx.clock.now() })
    .onConflictDoUpdate({
      target: [messageStages.messageId, messageStages.stage],
      set: { status, result, error, attempts: sql`${messageStages.attempts} + 1`, updatedAt: ctx.clock.now() },
    });
}
