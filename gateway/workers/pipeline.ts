/**
 * The ingest pipeline: an ordered list of named stages. Each stage reads the stored results of the
 * stages before it and stores its own in message_stages, so any stage can be re-run for a message
 * (after a fix, or a new trust anchor) without touching the others, and a re-delivered job skips
 * what is already done.
 */
import type { Config } from '../config/load.ts';
import type { Clock } from '../clock.ts';
import type { Deliverer, Mailer } from '../registry/ports.ts';
import type { Logger } from '../log.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import type { inboundMessages, messageAttachments } from '../store/schema.ts';
import type { Classification } from '../documents/types.ts';
import type { ParsedMessage } from '../mail/parse.ts';
import type { SignedRevision, VerifyReport } from '../trust/index.ts';
import type { LinkFinding } from '../outgoing/link.ts';
import type { IntakeOutcome } from '../registry/intake/intake.ts';
import type { ReplyResult } from '../registry/replies/handle.ts';
import { describeError, VanthuError } from '../errors.ts';
import { LimitExceeded } from '../limits.ts';
import { cleanDeep, cleanField } from '../sanitize.ts';
import type { OcrRead } from './stages/ocr-input.ts';
import { STAGE_DONE, StageWrites } from './stage-writes.ts';
import { reportStage, stageTimer, type DocumentEvents, type PipelineMetrics } from './telemetry.ts';

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
  /** The raw message read once and its one MIME parse, for this job only, never stored (docs/architecture.md "One parse per job"). */
  mime?: import('./parsed-message.ts').JobMime;
  /**
   * Scans the classify stage of this job found (docs/ocr.md): 0 means none, so no OCR text can join
   * the message and the register stage does not look for any; absent when classify did not run in
   * this job (a resumed job reads what OCR left in the database).
   */
  scansFound?: number;
  /** Set when a content stage ended the message with a permanent outcome (see runPipeline). */
  outcome?: StageOutcome | null;
  /** Queues a message's OCR job, replacing a finished one (gateway/workers/ocr.ts); absent where no queue runs (the outbox sweep queues it then). */
  ocrQueue?: { requeue(ids: string[]): Promise<void> };
  /**
   * The CPU pool the parse, classify and verify stages run their work on (gateway/workers/pool/,
   * docs/architecture.md "The CPU pool"); absent: on this thread (tests, the CLI, `ingest.cpuThreads: 0`).
   */
  pool?: import('./pool/pool.ts').CpuPool;
  /** Counters and stage times, documents changed (ports, gateway/workers/telemetry.ts); absent where nobody listens. */
  metrics?: PipelineMetrics;
  events?: DocumentEvents;
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
  /** Columns of the message row this stage's result sets, written in the same statement as its row (the parse stage's subject and sender). */
  messageFields?(result: StageResults[N]): MessageFields;
  /**
   * Other rows the stage's result stands for (the parse stage's message_attachments), written in
   * the same statement as its row: data-modifying statements for a WITH, parameters added through
   * `param`, the message id's placeholder in `id` (the statement may carry other jobs' writes too:
   * gateway/store/group-commit.ts). A run again rewrites them the same.
   */
  storeWith?(result: StageResults[N], param: (value: unknown) => string, id: string): string[];
  /**
   * Whether this run's row may wait for the pipeline's next write instead of a statement of its
   * own: true when the run changed nothing outside its result (and its storeWith rows). A job that
   * ends before that write (a crash) runs the stage again. A stage without it is written at once, and the rows waiting are written before it
   * runs, so what it does to other rows rests on stored results (see runPipeline).
   */
  deferrable?(result: StageResults[N]): boolean;
}

/** Columns of inbound_messages a stage's result may set (Stage.messageFields). */
export interface MessageFields {
  subject?: string | null;
  fromAddr?: string | null;
}

/** A message_stages row as the pipeline reads it. */
export interface StoredStage {
  stage: string;
  status: string;
  result: unknown;
  error: string | null;
}

/** The lease a run holds (gateway/workers/lease.ts); `released` once a write of the pipeline let it go with the final state. */
export interface LeaseHandle {
  holder: string;
  released: boolean;
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
  /** The message's message_stages rows when the caller read them with the message (the lease claim): not read again. */
  stored?: StoredStage[];
  /** The lease this run holds: the statement that makes the message `decided` (or `failed`) releases it too. */
  lease?: LeaseHandle;
}

export { STAGE_DONE, STAGE_FAILED } from './stage-writes.ts';
/** The stage ended the message with a permanent outcome; later content stages were skipped. */
export const STAGE_STOPPED = 'stopped';

/**
 * Runs the stages in order, skipping those already done.
 *
 * Writes: a stage's row and the message's state, lastError and (at the end) lease are one
 * statement. A stage marked deferrable whose run changed nothing else (parse, classify, verify, an
 * act-by-mail or link-outgoing run that found nothing to do) waits for the next write, made before
 * a stage that is not deferrable runs (register: it acts on stored results) or when the run ends;
 * an ordinary message so costs two writes, not a dozen (docs/architecture.md, "Database writes").
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
  const done = opts.stored ?? (await readStages(ctx.database, ctx.message.id));
  const stored = new Map(done.filter((r) => r.status === STAGE_DONE).map((r) => [r.stage, r.result]));
  const stopped = done.find((r) => r.status === STAGE_STOPPED && !opts.force?.includes(r.stage));
  if (stopped) ctx.outcome = outcomeOf(stopped.stage, stopped.result, stopped.error);
  const w = new StageWrites(ctx, opts.lease);
  for (const stage of stages) {
    if (ctx.outcome && !stage.afterOutcome) continue;
    if (stored.has(stage.name) && !opts.force?.includes(stage.name)) {
      (ctx.results as Record<string, unknown>)[stage.name] = stored.get(stage.name);
      w.state = stage.doneState;
      continue;
    }
    // A stage that may change other rows acts on stored results: the rows waiting are written first.
    if (!stage.deferrable) await w.flush({ rowsOnly: true });
    let result: unknown;
    const timed = stageTimer(ctx.metrics, stage.name);
    try {
      result = cleanDeep((await stage.run(ctx)) ?? null);
      timed('done');
    } catch (err) {
      const info = describeError(err);
      timed(err instanceof AwaitingWork ? 'awaiting' : info.permanent && !stage.afterOutcome && !ctx.outcome ? 'stopped' : 'failed');
      if (err instanceof AwaitingWork) return awaitWork(w, stage.name, err);
      if (info.permanent && !stage.afterOutcome && !ctx.outcome) {
        const limit = err instanceof LimitExceeded ? err : null;
        ctx.outcome = { stage: stage.name, code: info.code, message: info.message, max: limit?.max ?? null, where: cleanField(limit?.where) };
        // Stored with lastError by the next write: before the stage that sends the message to review runs, or at the end.
        w.add(stage.name, STAGE_STOPPED, { code: info.code, max: ctx.outcome.max, where: ctx.outcome.where }, info.message);
        ctx.log.warn(
          { id: ctx.message.id, stage: stage.name, code: info.code, err: info.message },
          'message stopped with a permanent outcome; it goes to review',
        );
        continue;
      }
      await w.fail(stage.name, info, info.permanent);
      throw err;
    }
    (ctx.results as Record<string, unknown>)[stage.name] = result;
    const storeWith = stage.storeWith;
    w.add(stage.name, STAGE_DONE, result, null, {
      fields: stage.messageFields?.(result as never),
      storeWith: storeWith && ((param, id) => storeWith(result as never, param, id)),
    });
    w.state = stage.doneState;
    if (!stage.deferrable?.(result as never)) await w.flush();
    reportStage(ctx, stage.name, result);
  }
  // An outcome with no stage left to send the message to review (a pipeline without register): it ends failed, never pending.
  if (ctx.outcome && !stages.some((s) => s.afterOutcome)) w.state = 'failed';
  await w.flush();
}

/**
 * The state first, then the hand-over: the other worker never finds the message still in its old
 * state. The lease goes with the state (gateway/workers/lease.ts): the other worker may take the
 * message at once instead of waiting for this run to let go (its release is then a no-op). The
 * rows of the stages done before are written in the same statement.
 */
async function awaitWork(w: StageWrites, stage: string, aw: AwaitingWork): Promise<void> {
  w.state = aw.state;
  await w.flush({ state: true, lastError: null, releaseAny: true });
  w.ctx.log.info({ id: w.ctx.message.id, stage, state: aw.state }, aw.message);
  await aw.then?.();
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

/** The message_stages rows of a message (the lease claim reads them with the row instead). */
async function readStages(database: Database, id: string): Promise<StoredStage[]> {
  return database.query<StoredStage>('select stage, status, result, error from message_stages where message_id = $1', [id]);
}
