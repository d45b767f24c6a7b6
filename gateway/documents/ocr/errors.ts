/**
 * OCR errors, each a class with a stable `code` (gateway/errors.ts). Messages say what happened in
 * Vietnamese, then in English, for the clerk's review queue and for logs.
 *
 * permanent / transient: a missing engine is an installation matter (transient: install
 * tesseract-ocr-vie and the same message reads); an image that cannot be decoded, a page too large,
 * a document over its time budget fail the same way on the same input (permanent, like the other
 * limits of gateway/limits.ts); an abort asked by the caller (shutdown, a lost lease) is transient.
 */
import { PermanentError, TransientError } from '../../errors.ts';

export type OcrErrorCode = 'ocr-unavailable' | 'ocr-bad-image' | 'ocr-bad-pdf' | 'ocr-too-large' | 'ocr-timeout' | 'ocr-aborted' | 'ocr-engine';

/** tesseract (or the `vie` language, or poppler for PDFs) is not installed or cannot be run. */
export class OcrUnavailable extends TransientError {
  declare readonly code: 'ocr-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ocr-unavailable', message, options);
    this.name = 'OcrUnavailable';
  }
}

/** The image (or a page rendered from the PDF) cannot be decoded. */
export class OcrBadImage extends PermanentError {
  declare readonly code: 'ocr-bad-image';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ocr-bad-image', message, options);
    this.name = 'OcrBadImage';
  }
}

/** poppler cannot read the PDF (damaged, encrypted with a user password, not a PDF). */
export class OcrBadPdf extends PermanentError {
  declare readonly code: 'ocr-bad-pdf';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ocr-bad-pdf', message, options);
    this.name = 'OcrBadPdf';
  }
}

/** An image over the pixel limit, or a tool's output over its byte limit. */
export class OcrTooLarge extends PermanentError {
  declare readonly code: 'ocr-too-large';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ocr-too-large', message, options);
    this.name = 'OcrTooLarge';
  }
}

/** The document's time budget ran out; the running child was killed. */
export class OcrTimeout extends PermanentError {
  declare readonly code: 'ocr-timeout';
  constructor(readonly budgetMs: number) {
    super('ocr-timeout', `OCR quá thời gian cho phép (${budgetMs} ms) — OCR exceeded its time budget of ${budgetMs} ms`);
    this.name = 'OcrTimeout';
  }
}

/** The caller's AbortSignal fired; the running child was killed. */
export class OcrAborted extends TransientError {
  declare readonly code: 'ocr-aborted';
  constructor(options?: { cause?: unknown }) {
    super('ocr-aborted', 'OCR bị dừng — OCR was aborted', options);
    this.name = 'OcrAborted';
  }
}

/** tesseract or poppler failed in a way not explained by the input (exit status, signal). */
export class OcrEngineError extends TransientError {
  declare readonly code: 'ocr-engine';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ocr-engine', message, options);
    this.name = 'OcrEngineError';
  }
}

export type OcrError = OcrUnavailable | OcrBadImage | OcrBadPdf | OcrTooLarge | OcrTimeout | OcrAborted | OcrEngineError;
