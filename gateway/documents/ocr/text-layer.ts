/**
 * Does a PDF the classifier has just read need the poppler check for scanned pages at all
 * (docs/ocr.md, "In the pipeline")? pagesNeedingOcr runs pdfinfo, pdftotext and pdfimages — three
 * processes per PDF, a few milliseconds of the gateway's own CPU each (bench/e2e/FINDINGS.md). A
 * page needs OCR only when it has too little text or a broken layer AND images cover at least half
 * of it. So the check is skipped when the classifier read every page of the file and either each
 * page has a full text layer that is not garbage (textLayerSuffices), or the fast reader saw every
 * page draw images over less than MAX_IMAGE_SHARE of it (imagesTooSmall). Anything less certain —
 * pages not read, a file pdfjs read, a page the reader could not tell — runs the check as before.
 */
import { fixLegacyEncoding } from '../legacy-encoding.ts';
import type { PageLayout } from '../layout/types.ts';
import { usableChars } from './pdf.ts';
import { textQuality } from './text-quality.ts';

/** The same threshold pagesNeedingOcr uses for "no usable text layer". */
const MIN_CHARS = 100;

/**
 * Half pagesNeedingOcr's minImageCoverage (0.5): the fast reader's bound on a page's image area is
 * never under poppler's own figure, and the margin covers rounding. A letterhead logo, a seal or a
 * signature image is a few per cent of a page; a scan is all of it.
 */
export const MAX_IMAGE_SHARE = 0.25;

/** What the classifier read of a PDF, as these checks need it (sources/attachment.ts AttachmentText). */
export interface PdfRead {
  pages: PageLayout[];
  pageCount?: number;
  imageShare?: Array<number | null>;
}

export function textLayerSuffices(pages: PageLayout[], pageCount: number | undefined, minChars = MIN_CHARS): boolean {
  if (!pageCount || pages.length !== pageCount) return false;
  for (const page of pages) {
    const text = page.rows.map((r) => r.cells.map((c) => c.text).join(' ')).join('\n');
    if (usableChars(text) < minChars) return false;
    if (textQuality(fixLegacyEncoding(text).text).broken) return false;
  }
  return true;
}

/** The fast reader read every page, and each draws images (its annotations' too) over less than MAX_IMAGE_SHARE of it. */
export function imagesTooSmall(read: PdfRead): boolean {
  const shares = read.imageShare;
  if (!read.pageCount || !shares || read.pages.length !== read.pageCount || shares.length !== read.pageCount) return false;
  return shares.every((s) => s !== null && s < MAX_IMAGE_SHARE);
}

/** No page of this PDF can need OCR: the scan check need not run poppler on it. */
export function cannotNeedOcr(read: PdfRead): boolean {
  return imagesTooSmall(read) || textLayerSuffices(read.pages, read.pageCount);
}
