import type { ClassifyLimits, ClassifyOptions } from './types.ts';

export const DEFAULT_LIMITS: ClassifyLimits = {
  maxAttachmentBytes: 25 * 1024 * 1024,
  maxPdfPages: 20,
  pdfTimeBudgetMs: 5_000,
  maxDocxXmlBytes: 20 * 1024 * 1024,
  maxDocxRatio: 200,
  maxAttachments: 10,
  maxTextChars: 400_000,
};

export function resolveLimits(opts?: ClassifyOptions): ClassifyLimits {
  return { ...DEFAULT_LIMITS, ...opts?.limits };
}
