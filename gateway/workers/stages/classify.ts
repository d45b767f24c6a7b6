/**
 * Stage "classify": what the message is (document, status, correspondence, automated) and, for a
 * document, its metadata as a clerk would write it in the book. The result is the `vanthu classify`
 * contract shape; the register stage decides on it. Scans (no text layer) are read by OCR on their
 * own queue first, and the text read is classified as the attachment's text (ocr-input.ts,
 * docs/ocr.md).
 */
import { classifyMessage } from '../../documents/index.ts';
import { classifyLimits } from '../../documents/limits.ts';
import { PermanentError, VanthuError } from '../../errors.ts';
import type { Stage } from '../pipeline.ts';
import { classifyScans } from './ocr-input.ts';

export const classifyStage: Stage<'classify'> = {
  name: 'classify',
  doneState: 'classified',
  async run(ctx) {
    const { message, blobs, config } = ctx;
    const raw = await blobs.read(message.blobSha256);
    let base;
    try {
      // onLimit 'throw': a PDF or DOCX over a limit ends the message in review (limit:<name>).
      base = await classifyMessage(raw, { now: message.receivedAt, limits: classifyLimits(config.limits), onLimit: 'throw' });
    } catch (err) {
      // Classification is a function of the bytes: what fails once fails again.
      if (err instanceof VanthuError) throw err;
      throw new PermanentError('classify-failed', `classification failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    }
    // May throw AwaitingWork: the message waits in state `ocr` for its scans to be read.
    return classifyScans(ctx, base);
  },
};
