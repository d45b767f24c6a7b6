/** The classifier's limits, from the configured `limits:` (gateway/limits.ts); the defaults are its defaults. */
import { DEFAULT_LIMITS_CONFIG, type Limits } from '../limits.ts';
import type { ClassifyLimits, ClassifyOptions } from './types.ts';

export function classifyLimits(l: Limits): ClassifyLimits {
  return {
    maxAttachmentBytes: l.read.attachmentBytes,
    maxPdfPages: l.read.pdfPages,
    maxPdfLastPages: l.read.pdfLastPages,
    pdfTimeBudgetMs: l.read.pdfTimeMs,
    maxDocxXmlBytes: l.archiveEntryBytes,
    maxDocxRatio: l.archiveRatio,
    maxAttachments: l.read.attachments,
    maxTextChars: l.read.textChars,
    maxPdfStreamBytes: l.pdfStreamBytes,
    maxPdfDocumentBytes: l.pdfDocumentBytes,
    maxPdfPageCount: l.pdfPages,
    maxArchiveEntries: l.archiveEntries,
    maxHeaderBytes: l.headerBytes,
    maxMimeParts: l.mimeParts,
    maxMimeDepth: l.mimeDepth,
    maxMimeAttachments: l.attachments,
  };
}

export const DEFAULT_LIMITS: ClassifyLimits = classifyLimits(DEFAULT_LIMITS_CONFIG);

export function resolveLimits(opts?: ClassifyOptions): ClassifyLimits {
  return { ...DEFAULT_LIMITS, ...opts?.limits };
}
