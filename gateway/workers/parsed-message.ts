/**
 * One read of the raw message and one MIME parse per job (docs/architecture.md, "One parse per
 * job"). The parse stage parses through here and the result stays on the stage context, in memory
 * only and never stored: classify classifies it, verify checks its attachments and the same raw
 * bytes, register's header preview reads those bytes too. A stage that runs without the parse stage
 * in this job — a re-run with `force`, a job resumed after the parse stage was done in an earlier
 * run (a scan back from OCR, a retry) — parses here lazily: once for the job, not once per stage.
 * Verify, the last stage that reads them, lets go of them (releaseMime): the later stages of a
 * 25 MB message do not hold its 40 MB while they wait for the database.
 */
import { createHash } from 'node:crypto';
import { TransientError, VanthuError } from '../errors.ts';
import type { AttachmentText } from '../documents/sources/attachment.ts';
import { cannotNeedOcr } from '../documents/ocr/index.ts';
import { parseMail, type FullParse, type ParsedMessage } from '../mail/parse.ts';
import type { StageContext } from './pipeline.ts';

/** What a job keeps of its message between stages (StageContext.mime): each promise made once. */
export interface JobMime {
  raw?: Promise<Buffer>;
  parse?: Promise<FullParse>;
  /**
   * The parse stage's message as the CPU pool's thread made it (gateway/workers/pool/job.ts): with a
   * pool, mailparser's own result stays on that thread, keyed by `job`, and `parse` is never set.
   */
  message?: Promise<ParsedMessage>;
  /** This job's key on the CPU pool. */
  job?: string;
  /**
   * The attachments this job's classifier read, as the scan check needs them: it looks at what the
   * classifier saw of a PDF here before it runs poppler on the file (stages/ocr-input.ts). `sha256` is null for
   * what has no page count (not a PDF read).
   */
  reads?: ReadNote[];
}

export interface ReadNote {
  size: number;
  sha256(): string | null;
  /** No page can need OCR (documents/ocr/text-layer.ts cannotNeedOcr): a full text layer, or no large image. */
  noScan(): boolean;
}

/** What the classifier read of an attachment, noted for the scan check (hashed only if asked). */
export function noteOf(content: Buffer, read: AttachmentText): ReadNote {
  return {
    size: content.length,
    sha256: () => (read.pageCount ? createHash('sha256').update(content).digest('hex') : null),
    noScan: () => (read.pageCount ? cannotNeedOcr(read) : false),
  };
}

type MimeContext = Pick<StageContext, 'message' | 'blobs' | 'config' | 'mime'>;

/** The raw message, read from the blob store once per job; a failed read is transient (the bytes may be readable later). */
export function rawMessage(ctx: MimeContext): Promise<Buffer> {
  const mime = (ctx.mime ??= {});
  mime.raw ??= ctx.blobs.read(ctx.message.blobSha256).catch((err: unknown) => {
    if (err instanceof VanthuError) throw err;
    throw new TransientError('blob-read', `the raw message could not be read: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  });
  return mime.raw;
}

/**
 * How many bytes of large raw messages this process reads and parses at once. A parse holds, besides
 * the raw bytes, the decoded attachments and mailparser's working copies (~2× the message at its
 * peak, bench/e2e/FINDINGS.md "Ninth round"); with `ingest.concurrency` jobs of 25 MB messages all
 * parsing together that was the peak of the gateway's memory. A message of LARGE_MESSAGE_BYTES or
 * more waits here until the large ones being parsed leave room for it (one larger than the budget
 * runs alone); smaller messages never wait. Parsing is CPU work on one thread: running big parses
 * one after another instead of interleaved costs no throughput.
 */
export const PARSE_BUDGET_BYTES = 32 * 1024 * 1024;
export const LARGE_MESSAGE_BYTES = 1024 * 1024;

/** A byte budget with a FIFO queue; `peak` is the most ever held at once (tests read it). */
export class ByteGate {
  private held = 0;
  peak = 0;
  private readonly waiting: Array<{ bytes: number; go: () => void }> = [];
  constructor(readonly budget: number) {}

  async run<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    const need = Math.min(bytes, this.budget);
    if (this.waiting.length || (this.held > 0 && this.held + need > this.budget)) await new Promise<void>((go) => this.waiting.push({ bytes: need, go }));
    else this.held += need; // a waiter's bytes are taken for it by wake()
    this.peak = Math.max(this.peak, this.held);
    try {
      return await work();
    } finally {
      this.held -= need;
      this.wake();
    }
  }

  private wake(): void {
    while (this.waiting.length) {
      const next = this.waiting[0];
      if (this.held > 0 && this.held + next.bytes > this.budget) return;
      this.waiting.shift();
      this.held += next.bytes;
      next.go();
    }
  }
}

/** The gate every job's parse of a large message passes (PARSE_BUDGET_BYTES). */
export const parseGate = new ByteGate(PARSE_BUDGET_BYTES);

/**
 * The message parsed once per job (gateway/mail/parse.ts parseMail): the MIME guard first, against
 * the configured `limits:` (LimitExceeded at the first limit passed), then mailparser
 * (PermanentError 'mime-unreadable' when it gives up). A failure is kept too: it would fail again.
 * A large message is read and parsed through parseGate.
 */
export function parsedMessage(ctx: MimeContext): Promise<FullParse> {
  const mime = (ctx.mime ??= {});
  const parse = () => rawMessage(ctx).then((raw) => parseMail(raw, ctx.config.limits));
  const size = ctx.message.size ?? 0;
  mime.parse ??= size >= LARGE_MESSAGE_BYTES ? parseGate.run(size, parse) : parse();
  return mime.parse;
}

/** This job's parsed message when one was made, here or on the CPU pool (it never starts one), else null; a failed one is null too. */
export async function heldMessage(ctx: Pick<StageContext, 'mime'>): Promise<ParsedMessage | null> {
  const held = ctx.mime?.message ?? ctx.mime?.parse?.then((p) => p.message);
  return held ? held.catch(() => null) : null;
}

/** Lets go of the job's raw bytes and parse (a stage after this that needs them reads and parses again). */
export function releaseMime(ctx: Pick<StageContext, 'mime'>): void {
  ctx.mime = undefined;
}
