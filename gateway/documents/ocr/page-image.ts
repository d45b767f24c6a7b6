/**
 * A scanner's page taken out of the PDF instead of rendered, when asked (`extractImages: true`;
 * docs/ocr.md, "How a page is read" — off by default, it cost fields on the corpus):
 * when a page is one image drawn upright over the whole page, `pdfimages` copies it out as it is
 * stored (a JPEG's bytes, or a PNG of the others), and sharp decodes it and scales it to the
 * reading resolution (300 dpi, bilinear) — 0.3 s of CPU for an A4 page against 0.7 s for
 * pdftoppm rendering it in colour. Read at the scanner's own 200 ppi instead, the corpus lost
 * fields (a title, a date, a subject), and scaled by Lanczos or Mitchell (which sharpen JPEG
 * noise) too; so the scale stays that of a rendering, and the filter bilinear.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PdfPageInfo } from './pdf.ts';
import type { OcrTools } from './probe.ts';
import type { GrayImage, RgbImage } from './raster.ts';
import { runTool, type RunOptions } from './run.ts';
import type { Sharp } from './sharp.ts';

/** One row of `pdfimages -list`. */
export interface ListedImage {
  page: number;
  /** image, smask, stencil, … */
  type: string;
  width: number;
  height: number;
  /** gray, rgb, cmyk, index, … */
  color: string;
  bpc: number;
  /** jpeg, image (flate and the like), jbig2, ccitt, jpx, … */
  enc: string;
  xppi: number;
  yppi: number;
}

/**
 * Under this many ppi the page is rendered by pdftoppm as before: scaling a 120 ppi scan 2.5 times
 * over, sharp's bilinear scaler read the corpus's low-resolution scan worse (its number was lost).
 */
export const MIN_EXTRACT_PPI = 150;

export function parseImageList(out: string): ListedImage[] {
  const rows: ListedImage[] = [];
  for (const row of out.split('\n')) {
    // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
    const f = row.trim().split(/\s+/);
    if (f.length < 14 || !/^\d+$/.test(f[0])) continue;
    const n = [f[0], f[3], f[4], f[7], f[12], f[13]].map(Number);
    if (n.some((v) => !Number.isFinite(v))) continue;
    rows.push({ page: n[0], type: f[2], width: n[1], height: n[2], color: f[5], bpc: n[3], enc: f[8], xppi: n[4], yppi: n[5] });
  }
  return rows;
}

type ToolRun = Pick<RunOptions, 'signal' | 'onSpawn'> & { tools?: OcrTools };

export async function listImages(file: string, first: number, last: number, opts: ToolRun): Promise<ListedImage[]> {
  const r = await runTool(opts.tools?.pdfimages ?? 'pdfimages', ['-list', '-f', String(first), '-l', String(last), file], {
    env: opts.tools?.env,
    signal: opts.signal,
    onSpawn: opts.onSpawn,
    maxStdout: 16 * 1024 * 1024,
  });
  return r.code === 0 ? parseImageList(r.stdout.toString('utf8')) : [];
}

/**
 * The page's one image, when it is all there is to read: the only thing `pdfimages` lists on the
 * page (no mask, no second strip), 8 bits of grey or RGB, drawn upright over the whole page (its
 * size at its resolution is the page's, within 2 %), on a page without /Rotate, at MIN_EXTRACT_PPI
 * or more. Null otherwise: the page is rendered.
 */
export function soleImage(images: ListedImage[], size: PdfPageInfo | undefined, minPpi = MIN_EXTRACT_PPI): ListedImage | null {
  if (size?.rotate !== 0 || images.length !== 1) return null;
  const img = images[0];
  if (img.type !== 'image' || img.bpc !== 8 || !['gray', 'rgb'].includes(img.color) || !['jpeg', 'image'].includes(img.enc)) return null;
  if (Math.abs(img.xppi - img.yppi) > 1 || Math.min(img.xppi, img.yppi) < minPpi) return null;
  const near = (a: number, b: number) => Math.abs(a - b) <= 0.02 * b;
  if (!near((img.width / img.xppi) * 72, size.widthPt) || !near((img.height / img.yppi) * 72, size.heightPt)) return null;
  return img;
}

/**
 * The page's image copied out by pdfimages (`-j`: a JPEG as stored; `-png` for the others) and
 * decoded by sharp: grey stays one channel. Null when it cannot be had (the caller renders).
 */
export async function extractPageImage(
  file: string,
  page: number,
  img: ListedImage,
  work: string,
  sharp: Sharp,
  opts: ToolRun & { maxPixels: number; dpi: number },
): Promise<RgbImage | GrayImage | null> {
  const width = Math.round((img.width * opts.dpi) / img.xppi);
  const height = Math.round((img.height * opts.dpi) / img.yppi);
  if (img.width * img.height > opts.maxPixels || width * height > opts.maxPixels) return null;
  const prefix = path.join(work, `img-${page}-`);
  const r = await runTool(opts.tools?.pdfimages ?? 'pdfimages', ['-j', '-png', '-f', String(page), '-l', String(page), file, prefix], {
    env: opts.tools?.env,
    signal: opts.signal,
    onSpawn: opts.onSpawn,
    maxStdout: 1024 * 1024,
  });
  const written = (await readdir(work)).filter((f) => f.startsWith(path.basename(prefix))).map((f) => path.join(work, f));
  try {
    if (r.code !== 0 || written.length !== 1) return null;
    const bytes = await readFile(written[0]);
    const gray = img.color === 'gray';
    const { data, info } = await sharp(bytes, { limitInputPixels: opts.maxPixels, failOn: 'error' })
      .toColourspace(gray ? 'b-w' : 'srgb')
      .removeAlpha()
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height || info.channels !== (gray ? 1 : 3)) return null;
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return gray ? { width: info.width, height: info.height, channels: 1, data: pixels } : { width: info.width, height: info.height, channels: 3, data: pixels };
  } catch {
    return null;
  } finally {
    await Promise.all(written.map((f) => rm(f, { force: true })));
  }
}
