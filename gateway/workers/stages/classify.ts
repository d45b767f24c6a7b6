/**
 * Stage "classify": what the message is (document, status, correspondence, automated) and, for a
 * document, its metadata as a clerk would write it in the book. The result is the `vanthu classify`
 * contract shape; the register stage decides on it. Scans (no text layer) are read by OCR on their
 * own queue first, and the text read is classified as the attachment's text (ocr-input.ts,
 * docs/ocr.md). The message is the parse stage's parse of this job, or one made once for the job
 * when the parse stage ran earlier (parsed-message.ts, docs/architecture.md "One parse per job").
 */
import type { ParsedMail } from 'mailparser';
import { classifyParsed, unparsedResult } from '../../documents/message.ts';
import { classifyLimits } from '../../documents/limits.ts';
import type { Classification, ClassifyOptions } from '../../documents/types.ts';
import { PermanentError, VanthuError } from '../../errors.ts';
import type { Stage, StageContext } from '../pipeline.ts';
import { noteOf, parsedMessage } from '../parsed-message.ts';
import { pooledClassify } from '../pool/job.ts';
import { classifyScans } from './ocr-input.ts';

/** Keeps, for this job, what the classifier read of each attachment (parsed-message.ts JobMime). */
function noteRead(ctx: StageContext): ClassifyOptions['onAttachmentRead'] {
  return (content, read) => {
    (ctx.mime ??= {}).reads ??= [];
    ctx.mime.reads?.push(noteOf(content, read));
  };
}

/** Classification is a function of the bytes: what fails once fails again. */
function classifyFailed(err: unknown): never {
  if (err instanceof VanthuError) throw err;
  throw new PermanentError('classify-failed', `classification failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

export const classifyStage: Stage<'classify'> = {
  name: 'classify',
  doneState: 'classified',
  async run(ctx) {
    const { message, config } = ctx;
    // onLimit 'throw': a PDF or DOCX over a limit ends the message in review (limit:<name>).
    const opts: ClassifyOptions = { now: message.receivedAt, limits: classifyLimits(config.limits), onLimit: 'throw', onAttachmentRead: noteRead(ctx) };
    // With a CPU pool the classifier runs on the job's thread, on the parse kept there (pool/job.ts).
    if (ctx.pool) return classifyScans(ctx, await pooledClassify(ctx, ctx.pool).then((r) => r.classification, classifyFailed));
    let mail: ParsedMail;
    try {
      // The MIME guard throws LimitExceeded at the first limit passed: there is nothing to classify safely.
      mail = (await parsedMessage(ctx)).mail;
    } catch (err) {
      // mailparser gave up on the bytes (only where this job did not run the parse stage, which
      // stops on it): correspondence with the reason, or the limit its caps stand for.
      if (!(err instanceof PermanentError && err.code === 'mime-unreadable')) throw err;
      return classifyScans(ctx, unparsedResult(err.cause, opts));
    }
    let base: Classification;
    try {
      base = await classifyParsed(mail, opts);
    } catch (err) {
      classifyFailed(err);
    }
    // May throw AwaitingWork: the message waits in state `ocr` for its scans to be read.
    return classifyScans(ctx, base);
  },
};
