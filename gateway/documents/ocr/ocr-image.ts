/**
 * OCR of an image (docs/ocr.md, "How a page is read"): JPEG, PNG, TIFF — every frame of a
 * multi-page TIFF —, WebP, HEIF/AVIF where sharp has it, decoded by sharp with its EXIF orientation
 * applied and transparency flattened on white, then read as a PDF page is (read-page.ts). Without
 * sharp, the bytes go to tesseract as they are (leptonica reads JPEG/PNG/TIFF; no preprocessing).
 */
import { VanthuError } from '../../errors.ts';
import { checkAborted, DEFAULTS, documentSignal, ready, withWorkDir } from './document.ts';
import { OcrBadImage, OcrTooLarge } from './errors.ts';
import { findSheet, rectify } from './perspective.ts';
import type { RgbImage } from './raster.ts';
import { binarizeArgs, readPage, tesseract } from './read-page.ts';
import { loadSharp } from './sharp.ts';
import type { OcrOptions, OcrPage, OcrResult } from './types.ts';

/** An image's resolution: its own when plausible, else that of an A4 sheet filling it. */
export function imageDpi(width: number, height: number, density: number | undefined): number {
  if (density && density >= 100 && density <= 1200) return density; // phones write 72
  return Math.max(70, Math.round(Math.max(width, height) / 11.69));
}

function decodeError(err: unknown): Error {
  if (err instanceof VanthuError) return err;
  const msg = (err as Error)?.message ?? String(err);
  if (/pixel limit/i.test(msg)) return new OcrTooLarge(`ảnh quá lớn — image over the pixel limit: ${msg}`, { cause: err });
  return new OcrBadImage(`không đọc được ảnh — the image cannot be decoded: ${msg.slice(0, 300)}`, { cause: err });
}

export async function ocrImage(bytes: Uint8Array, opts: OcrOptions = {}): Promise<OcrResult> {
  const t0 = performance.now();
  const rd = await ready(opts, false);
  const { signal, done } = documentSignal(opts);
  const maxPixels = opts.maxPixels ?? DEFAULTS.maxPixels;
  const ms = () => Math.round(performance.now() - t0);
  try {
    return await withWorkDir(opts, async (work) => {
      const sharp = await loadSharp();
      if (!sharp) {
        opts.onPage?.({ page: 1, index: 1, total: 1 });
        const rec = await tesseract(bytes, 0, rd.lang, { ...opts, work, args: binarizeArgs('js', 0) }, signal);
        return {
          pages: [{ ...rec, page: 1, width: 0, height: 0, dpi: 0, skewDegrees: 0, rotated: 0, redFraction: 0, preprocessed: false, ms: ms() }],
          pageCount: 1,
          truncated: false,
          engine: rd.engine,
          ms: ms(),
        };
      }
      let meta: import('sharp').Metadata;
      try {
        meta = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' }).metadata();
      } catch (err) {
        throw decodeError(err);
      }
      const frames = meta.format === 'tiff' ? Math.max(1, meta.pages ?? 1) : 1;
      const maxPages = opts.maxPages ?? DEFAULTS.maxPages;
      const list = Array.from({ length: Math.min(frames, maxPages) }, (_, i) => i + 1);
      const pages: OcrPage[] = [];
      for (const [i, page] of list.entries()) {
        checkAborted(signal);
        opts.onPage?.({ page, index: i + 1, total: list.length });
        const started = performance.now();
        let raw: RgbImage;
        let density: number | undefined;
        try {
          const img = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', page: page - 1 });
          density = (await img.metadata()).density;
          const { data, info } = await img
            .rotate() // EXIF orientation
            .flatten({ background: '#ffffff' })
            .toColourspace('srgb')
            .removeAlpha()
            .raw()
            .toBuffer({ resolveWithObject: true });
          if (info.channels !== 3) throw new OcrBadImage(`ảnh có ${info.channels} kênh — unexpected ${info.channels} channels`);
          raw = { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
        } catch (err) {
          throw decodeError(err);
        }
        // A sheet photographed on a desk: straightened, its resolution then that of an A4 sheet of its size.
        const sheet = opts.perspective === false ? null : findSheet(raw);
        if (sheet) raw = rectify(raw, sheet);
        const dpi = imageDpi(raw.width, raw.height, sheet ? undefined : density);
        const read = await readPage(raw, { page, dpi, work, ready: rd, opts, signal, started });
        pages.push(sheet ? { ...read, sheet: [sheet.tl, sheet.tr, sheet.br, sheet.bl] } : read);
      }
      return { pages, pageCount: frames, truncated: frames > list.length, engine: rd.engine, ms: ms() };
    });
  } finally {
    done();
  }
}
