/**
 * The OCR step (docs/ocr.md, "In the pipeline"): BullMQ queue "ocr", with its own concurrency
 * (`ocr.concurrency`), so scans wait there while the rest of the mail flows through "ingest".
 *
 * The classify stage finds a message's scans, writes one message_ocr row per scan (pending) and
 * leaves the message in state `ocr` (gateway/workers/states.ts) with a job here (job id = message
 * id). The worker holds the message's lease (gateway/workers/lease.ts, state `ocr`), reads each
 * pending row's attachment with ocrPdf / ocrImage, stores pages done / total as it goes and the
 * text when done, then sets the message back to `parsed` and queues it on "ingest" again: classify
 * runs once more and now finds the text. A scan that cannot be read (bad image, over its time
 * budget, OCR not installed) is stored `failed` with its code: classify then sends the message to
 * review with the reason. Restart-safe: rows still pending are read again by the next job; the
 * outbox sweep (gateway/workers/outbox.ts) queues a job for an `ocr` message that has none.
 */
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/load.ts';
import {
  meanConfidence,
  OcrAborted,
  type OcrResult,
  type OcrTools,
  OcrUnavailable,
  ocrImage,
  ocrPdf,
  probeOcrCached,
  searchablePdf,
  searchablePdfOfImage,
  wordConfidences,
} from '../documents/ocr/index.ts';
import { describeError, errorText, type ErrorInfo } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { ocrRows, type OcrRow } from '../store/ocr.ts';
import { inboundMessages, messageOcr } from '../store/schema.ts';
import { MessageLeases } from './lease.ts';
import { MessageJobQueue } from './queues.ts';
import { AFTER_OCR_STATE, WAITING_STATES } from './states.ts';

export const OCR_QUEUE = 'ocr';
/** Attempts of an OCR job; the last one stores what could not be read as failed rather than throwing. */
export const OCR_ATTEMPTS = 3;
const OCR_STATE = WAITING_STATES[0];

/** The engine's tools as configured (the tesseract program; poppler from PATH). */
export function ocrTools(config: Config): OcrTools {
  return { tesseract: config.ocr.tesseract };
}

/** Producer of OCR jobs: one per message (job id = message id), like the ingest queue's (queues.ts). */
export class OcrQueue extends MessageJobQueue {
  constructor(connection: Redis, prefix: string) {
    super(connection, prefix, { queue: OCR_QUEUE, name: 'ocr', attempts: OCR_ATTEMPTS, backoffMs: 5000 });
  }
}

export interface OcrDeps {
  database: Database;
  blobs: BlobStore;
  config: Config;
  log: Logger;
  clock: Clock;
  /** Queues the message on "ingest" again once its scans are read. */
  ingest: { requeue(ids: string[]): Promise<void> };
}

/** Pages as stored in message_ocr.result: no text (the row's text has it), words as [text, confidence]. */
function storedPages(r: OcrResult) {
  return r.pages.map((p) => ({
    page: p.page,
    meanConfidence: p.meanConfidence,
    lang: p.lang,
    skewDegrees: p.skewDegrees,
    /** Quarter-turn applied to read the page (boxes are of the turned page): the console turns them back (registry/books/scan-sources.ts). */
    rotated: p.rotated,
    width: p.width,
    height: p.height,
    dpi: p.dpi,
    words: wordConfidences(p),
  }));
}

async function setRow(deps: OcrDeps, row: OcrRow, values: PgUpdateSetSource<typeof messageOcr>): Promise<void> {
  await deps.database.db
    .update(messageOcr)
    .set({ ...values, updatedAt: deps.clock.now() })
    .where(and(eq(messageOcr.messageId, row.messageId), eq(messageOcr.idx, row.idx)));
}

/** `counted`: this try was not yet counted in `attempts` (OCR found missing before reading). */
async function failRow(deps: OcrDeps, row: OcrRow, info: Pick<ErrorInfo, 'code' | 'message'>, counted = true): Promise<void> {
  deps.log.warn({ id: row.messageId, idx: row.idx, code: info.code, err: info.message }, 'OCR could not read a scan; the message goes to review');
  const attempts = counted ? {} : { attempts: sql`${messageOcr.attempts} + 1` };
  await setRow(deps, row, { status: 'failed', errorCode: info.code, error: info.message, ...attempts });
}

/**
 * Reads one scan. A permanent failure, OCR missing, or any failure on the last attempt is stored
 * (the message then goes on, to review); a transient one is thrown to be retried.
 */
async function readScan(deps: OcrDeps, row: OcrRow, lastAttempt: boolean, signal: AbortSignal): Promise<void> {
  const { config } = deps;
  const tools = ocrTools(config);
  const probe = await probeOcrCached(tools);
  if (!probe.available) return failRow(deps, row, { code: 'ocr-unavailable', message: probe.reason }, false);
  if (row.kind === 'pdf' && !probe.pdf) return failRow(deps, row, { code: 'ocr-unavailable', message: probe.pdfReason ?? 'poppler-utils missing' }, false);
  const total = row.kind === 'pdf' ? Math.min(row.pages?.length || config.ocr.maxPages, config.ocr.maxPages) : row.pagesTotal || 1;
  await setRow(deps, row, { status: 'running', pagesDone: 0, pagesTotal: total, attempts: sql`${messageOcr.attempts} + 1` });
  // Progress is written in order, one update at a time; the last one is awaited before the result.
  let progress: Promise<unknown> = Promise.resolve();
  const onPage = ({ index, total: t }: { index: number; total: number }) => {
    progress = progress.then(() => setRow(deps, row, { pagesDone: index - 1, pagesTotal: t })).catch(() => undefined);
  };
  const bytes = await deps.blobs.read(row.sha256);
  const opts = {
    dpi: config.ocr.dpi,
    lang: config.ocr.lang,
    maxPages: config.ocr.maxPages,
    timeBudgetMs: config.ocr.timeBudgetMs,
    signal,
    tools,
    onPage,
    searchable: true,
  };
  let result: OcrResult;
  try {
    result = row.kind === 'pdf' ? await ocrPdf(bytes, { ...opts, ...(row.pages?.length ? { pages: row.pages } : {}) }) : await ocrImage(bytes, opts);
  } catch (err) {
    await progress;
    const info = describeError(err);
    if (signal.aborted || (!info.permanent && !lastAttempt && !(err instanceof OcrUnavailable))) {
      await setRow(deps, row, { status: 'pending', pagesDone: 0 });
      throw err;
    }
    return failRow(deps, row, info);
  }
  await progress;
  const pages = storedPages(result);
  const searchable = await keepSearchable(deps, row, bytes, result);
  await setRow(deps, row, {
    status: 'done',
    pagesDone: result.pages.length,
    pagesTotal: result.pages.length,
    text: result.pages.map((p) => p.text).join('\n\n'),
    confidence: Math.round(meanConfidence(pages)),
    result: { pages, pageCount: result.pageCount, truncated: result.truncated, ms: result.ms, ...(searchable ? { searchable } : {}) },
    engine: result.engine,
    errorCode: null,
    error: null,
  });
  deps.log.info(
    { id: row.messageId, idx: row.idx, pages: result.pages.length, confidence: Math.round(meanConfidence(pages)), ms: result.ms },
    'OCR read a scan',
  );
}

/**
 * The searchable copy of the scan (documents/ocr/searchable.ts) kept as a blob beside the original;
 * GET /api/messages/{id}/attachments/{idx}/searchable serves it. A copy that cannot be made is
 * logged and left out: the reading stands without it.
 */
async function keepSearchable(
  deps: OcrDeps,
  row: OcrRow,
  bytes: Buffer,
  result: OcrResult,
): Promise<{ sha256: string; size: number; pagesWithText: number[] } | null> {
  try {
    const copy = row.kind === 'pdf' ? await searchablePdf(bytes, result) : await searchablePdfOfImage(bytes, result);
    const { sha256, size } = await deps.blobs.put(Buffer.from(copy.bytes));
    return { sha256, size, pagesWithText: copy.pagesWithText };
  } catch (err) {
    deps.log.warn({ id: row.messageId, idx: row.idx, err: describeError(err).message }, 'no searchable copy of the scan');
    return null;
  }
}

/**
 * One attempt of an OCR job, holding the message's lease: reads every scan still pending, then
 * sets the message back to `parsed` (classify runs next). Returns whether it did; the caller queues
 * the message on "ingest" once the lease is released.
 */
export async function runOcrJob(deps: OcrDeps, job: Job<{ id: string }>, signal: AbortSignal): Promise<{ resumed: boolean }> {
  const id = job.data.id;
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  for (const row of await ocrRows(deps.database, id)) {
    if (row.status === 'pending' || row.status === 'running') await readScan(deps, row, lastAttempt, signal);
  }
  return { resumed: await resume(deps, id) };
}

/** `ocr` → `parsed`, stamped as queued (the caller queues it; the sweep does when it cannot). */
async function resume(deps: OcrDeps, id: string): Promise<boolean> {
  const t = inboundMessages;
  const moved = await deps.database.db
    .update(t)
    .set({ state: AFTER_OCR_STATE, enqueuedAt: sql`now()`, updatedAt: deps.clock.now() })
    .where(and(eq(t.id, id), eq(t.state, OCR_STATE)))
    .returning({ id: t.id });
  return moved.length > 0;
}

async function requeueIngest(deps: OcrDeps, id: string): Promise<void> {
  try {
    await deps.ingest.requeue([id]);
  } catch (err) {
    // The row is `parsed` and nobody holds it: the outbox sweep queues it.
    deps.log.warn({ id, err: describeError(err).message }, 'could not queue a message after OCR; the outbox sweep will');
    await deps.database.db
      .update(inboundMessages)
      .set({ enqueuedAt: null })
      .where(eq(inboundMessages.id, id))
      .catch(() => undefined);
  }
}

/** After the last attempt failed outside OCR itself (database, blob store): rows failed, message on. */
async function giveUp(deps: OcrDeps, id: string, info: ErrorInfo): Promise<void> {
  try {
    await deps.database.db
      .update(messageOcr)
      .set({ status: 'failed', errorCode: info.code, error: errorText(info), updatedAt: deps.clock.now() })
      .where(and(eq(messageOcr.messageId, id), inArray(messageOcr.status, ['pending', 'running'])));
    if (await resume(deps, id)) await requeueIngest(deps, id);
  } catch (err) {
    deps.log.error({ id, err: describeError(err).message }, 'could not record a failed OCR job');
  }
}

export interface OcrWorker {
  worker: Worker;
  /** Aborts the pages being read (their jobs wait a second and run again elsewhere), then closes. */
  close(): Promise<void>;
}

/** Stalls an OCR job survives before it fails (as for ingest: a restart mid-page is no reason to give up). */
const MAX_STALLS = 5;

export function startOcrWorker(deps: OcrDeps, connection: Redis): OcrWorker {
  const leases = new MessageLeases(deps.database, deps.config.ingest.leaseMs, deps.log, WAITING_STATES);
  const shutdown = new AbortController();
  const processor = async (job: Job<{ id: string }>, token?: string) => {
    try {
      const r = await leases.process(job, token, () => runOcrJob(deps, job, shutdown.signal));
      if (typeof r === 'object' && r.resumed) await requeueIngest(deps, job.data.id);
      return job.data.id;
    } catch (err) {
      if (shutdown.signal.aborted && err instanceof OcrAborted) {
        // Stopped by shutdown: not an attempt; the job is due again in a second (here or elsewhere).
        await job.moveToDelayed(Date.now() + 1000, token);
        throw new DelayedError();
      }
      const info = describeError(err);
      if (info.permanent) throw new UnrecoverableError(errorText(info));
      throw err;
    }
  };
  const worker = new Worker(OCR_QUEUE, processor, {
    connection,
    concurrency: deps.config.ocr.concurrency,
    prefix: deps.config.redis.prefix,
    lockDuration: deps.config.ingest.lockMs,
    stalledInterval: deps.config.ingest.lockMs,
    maxStalledCount: MAX_STALLS,
  });
  worker.on('failed', async (job, err) => {
    if (err instanceof DelayedError || !job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    deps.log.warn({ id: job.data.id, attempts: job.attemptsMade, final, err: err.message }, 'OCR job failed');
    if (final) await giveUp(deps, job.data.id, describeError(err));
  });
  worker.on('error', (err) => deps.log.error({ err: err.message }, 'OCR worker error'));
  return {
    worker,
    close: async () => {
      shutdown.abort(new OcrAborted());
      await worker.close();
    },
  };
}
