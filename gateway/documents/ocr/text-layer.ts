/**
 * Does a PDF the classifier has just read need the poppler check for scanned pages at all
 * (docs/ocr.md, "In the pipeline")? pagesNeedingOcr runs pdfinfo, pdftotext and pdfimages — three
 * processes per PDF, a few milliseconds of the gateway's own CPU each (bench/e2e/FINDINGS.md). When
 * the classifier read every page of the file and each page it read has a full text layer that is
 * not garbage, no page can need OCR (a page needs it only with too little text or a broken layer),
 * so the check is skipped. Anything less certain — pages not read, a thin or doubtful page — runs
 * the check as before.
 */
import { fixLegacyEncoding } from '../legacy-encoding.ts';
import type { PageLayout } from '../layout/types.ts';
import { usableChars } from './pdf.ts';
import { textQuality } from './text-quality.ts';

/** The same threshold pagesNeedingOcr uses for "no usable text layer". */
const MIN_CHARS = 100;

export function textLayerSuffices(pages: PageLayout[], pageCount: number | undefined, minChars = MIN_CHARS): boolean {
  if (!pageCount || pages.length !== pageCount) return false;
  for (const page of pages) {
    const text = page.rows.map((r) => r.cells.map((c) => c.text).join(' ')).join('\n');
    if (usableChars(text) < minChars) return false;
    if (textQuality(fixLegacyEncoding(text).text).broken) return false;
  }
  return true;
}
