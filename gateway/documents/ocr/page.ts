/**
 * Does an attached image look like a page of paper (a scan or a phone photo of a document), as
 * opposed to a logo, a signature picture or a snapshot? Only such images are worth OCR's seconds
 * per page (docs/ocr.md, "In the pipeline"). The test is cheap: the header (size, frames) and the
 * mean brightness of a 64 px thumbnail; nothing is recognised here.
 */
import { loadSharp } from './sharp.ts';

export interface PageImageCheck {
  page: boolean;
  width: number;
  height: number;
  /** Frames of a multi-page TIFF, else 1. */
  frames: number;
  /** Why not, or why so (for logs and tests). */
  reason: string;
}

export interface PageImageOptions {
  /** Shortest side, px (default 700: an A5 at 100 dpi). */
  minShortSide?: number;
  /** Longest side, px (default 1000). */
  minLongSide?: number;
  /** Long side ÷ short side: A4 is 1.41, a 4:3 phone photo 1.33, US letter 1.29 (default 1.15–1.8). */
  minAspect?: number;
  maxAspect?: number;
  /** Mean grey level of the thumbnail, 0–255: paper is light (default 110). */
  minBrightness?: number;
  /** Images over this many pixels are not looked at (default 40 M, the OCR engine's limit). */
  maxPixels?: number;
}

/** Without sharp (its native part did not load): an image this large is taken for a page. */
const FALLBACK_MIN_BYTES = 150 * 1024;

export async function looksLikePage(bytes: Uint8Array, opts: PageImageOptions = {}): Promise<PageImageCheck> {
  const sharp = await loadSharp();
  if (!sharp) {
    const page = bytes.length >= FALLBACK_MIN_BYTES;
    return { page, width: 0, height: 0, frames: 1, reason: page ? 'large image (no decoder to look closer)' : 'small image' };
  }
  const maxPixels = opts.maxPixels ?? 40_000_000;
  let meta: import('sharp').Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' }).metadata();
  } catch (err) {
    return { page: false, width: 0, height: 0, frames: 1, reason: `not a readable image: ${(err as Error).message.slice(0, 120)}` };
  }
  // EXIF orientations 5–8 swap the sides; the ratio test does not care which is which.
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const frames = meta.format === 'tiff' ? Math.max(1, meta.pages ?? 1) : 1;
  const base = { width, height, frames };
  if (frames > 1) return { page: true, ...base, reason: `multi-page TIFF (${frames} frames): a fax or scan` };
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  if (short < (opts.minShortSide ?? 700) || long < (opts.minLongSide ?? 1000))
    return { page: false, ...base, reason: `too small for a page (${width}×${height})` };
  const aspect = long / short;
  if (aspect < (opts.minAspect ?? 1.15) || aspect > (opts.maxAspect ?? 1.8))
    return { page: false, ...base, reason: `not shaped like a sheet (${aspect.toFixed(2)}:1)` };
  let brightness: number;
  try {
    const stats = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .resize(64, 64, { fit: 'inside' })
      .flatten({ background: '#ffffff' })
      .greyscale()
      .stats();
    brightness = stats.channels[0]?.mean ?? 0;
  } catch (err) {
    return { page: false, ...base, reason: `not a readable image: ${(err as Error).message.slice(0, 120)}` };
  }
  if (brightness < (opts.minBrightness ?? 110)) return { page: false, ...base, reason: `too dark for paper (mean grey ${Math.round(brightness)})` };
  return { page: true, ...base, reason: `sheet-shaped (${aspect.toFixed(2)}:1) and light (mean grey ${Math.round(brightness)})` };
}
