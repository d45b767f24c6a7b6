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
import { TransientError, VanthuError } from '../errors.ts';
import { parseMail, type FullParse } from '../mail/parse.ts';
import type { StageContext } from './pipeline.ts';

/** What a job keeps of its message between stages (StageContext.mime): each promise made once. */
export interface JobMime {
  raw?: Promise<Buffer>;
  parse?: Promise<FullParse>;
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
 * The message parsed once per job (gateway/mail/parse.ts parseMail): the MIME guard first, against
 * the configured `limits:` (LimitExceeded at the first limit passed), then mailparser
 * (PermanentError 'mime-unreadable' when it gives up). A failure is kept too: it would fail again.
 */
export function parsedMessage(ctx: MimeContext): Promise<FullParse> {
  const mime = (ctx.mime ??= {});
  mime.parse ??= rawMessage(ctx).then((raw) => parseMail(raw, ctx.config.limits));
  return mime.parse;
}

/** This job's parse when one was made (it never starts one), else null; a failed one is null too. */
export async function heldParse(ctx: Pick<StageContext, 'mime'>): Promise<FullParse | null> {
  return ctx.mime?.parse ? ctx.mime.parse.catch(() => null) : null;
}

/** Lets go of the job's raw bytes and parse (a stage after this that needs them reads and parses again). */
export function releaseMime(ctx: Pick<StageContext, 'mime'>): void {
  ctx.mime = undefined;
}
