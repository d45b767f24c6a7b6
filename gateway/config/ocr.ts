/**
 * The `ocr` section of the configuration (validated by gateway/config/load.ts): reading scanned
 * PDFs and photos of paper with tesseract on their own queue (docs/ocr.md, "In the pipeline").
 * Everything has a default, so a config without the section stays valid.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Cores − 1, at least 1: OCR is CPU-bound, one page per job at a time (docs/ocr.md). */
export function defaultOcrConcurrency(): number {
  return Math.max(1, availableParallelism() - 1);
}

export const ocrConfigSchema = z.strictObject({
  /** Read scans at all; false sends them to review with the reason "không có OCR: …". */
  enabled: z.boolean().default(true),
  /** OCR jobs at once in one worker process; null = cores − 1 (at least 1). */
  concurrency: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .transform((v) => v ?? defaultOcrConcurrency()),
  /** Wall-clock budget of one attachment's OCR; past it the attachment counts as unreadable (ocr-timeout). */
  timeBudgetMs: z.number().int().min(1000).default(180_000),
  /** Pages read per attachment at most (the first ones that need OCR). */
  maxPages: z.number().int().positive().max(500).default(20),
  /** Resolution PDF pages are rendered at. */
  dpi: z.number().int().min(70).max(600).default(300),
  /** tesseract languages. */
  lang: z
    .array(z.string().regex(/^[A-Za-z0-9_]+$/))
    .min(1)
    .default(['vie']),
  /** The tesseract program: a bare name (found on PATH) or a path. */
  tesseract: z.string().min(1).default('tesseract'),
  /**
   * A read whose mean word confidence (or that of the words of its notation) is below this, in
   * percent, is never registered without a clerk: it goes to review with its fields pre-filled.
   */
  minConfidence: z.number().min(0).max(100).default(90),
});

export type OcrConfig = z.infer<typeof ocrConfigSchema>;
