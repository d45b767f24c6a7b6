/**
 * OCR of a scanned PDF (docs/ocr.md, "How a page is read"): each page rendered by pdftoppm at
 * 300 dpi (lower when the page would pass `maxPixels`), then read (read-page.ts). One page, and one
 * child process, at a time.
 */
import { open, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkAborted, DEFAULTS, documentSignal, ready, withWorkDir } from './document.ts';
import { OcrBadImage, OcrTooLarge } from './errors.ts';
import { extractPageImage, type ListedImage, listImages, soleImage } from './page-image.ts';
import { pdfInfo } from './pdf.ts';
import { type PagePlanes, PnmPlanes } from './planes.ts';
import { PnmError } from './raster.ts';
import { readPage } from './read-page.ts';
import { runTool } from './run.ts';
import { loadSharp } from './sharp.ts';
import type { OcrOptions, OcrPage, OcrResult } from './types.ts';

/** Bytes read from a rendering at a time, into one buffer (its own per page: pages of two documents may be read at once). */
const READ_CHUNK = 1 << 20;

/**
 * The page rendered by pdftoppm (PPM, or PGM without red removal) into a file of the work folder,
 * then read back 1 MB at a time into one buffer and split into its planes (planes.ts): the
 * 26 MB colour page of an A4 sheet at 300 dpi is never held whole, and no buffer is allocated per
 * part. Read from a file rather than from pdftoppm's standard output (64 KB parts, each a new
 * buffer to collect), this process spends about a third less on it (docs/ocr.md, "Through a
 * file, not a pipe").
 */
async function render(file: string, page: number, dpi: number, work: string, opts: OcrOptions, signal: AbortSignal): Promise<PagePlanes> {
  const gray = opts.removeRed === false;
  const maxPixels = opts.maxPixels ?? DEFAULTS.maxPixels;
  const planes = new PnmPlanes({ removeRed: !gray, keepRed: opts.signerBand ?? true, maxPixels });
  const root = path.join(work, `render-${page}`);
  const out = `${root}.${gray ? 'pgm' : 'ppm'}`;
  try {
    const r = await runTool(opts.tools?.pdftoppm ?? 'pdftoppm', renderArgs(file, page, dpi, gray, root), {
      env: opts.tools?.env,
      signal,
      onSpawn: opts.onSpawn,
      maxStdout: 64 * 1024,
    });
    if (r.code !== 0)
      throw new OcrBadImage(`không dựng được trang ${page} — pdftoppm rendered no image of page ${page} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`);
    const fh = await open(out, 'r').catch((err: unknown) => {
      throw new OcrBadImage(`không dựng được trang ${page} — pdftoppm wrote no image of page ${page}`, { cause: err });
    });
    try {
      if ((await fh.stat()).size > maxPixels * (gray ? 1 : 3) + 1024)
        throw new OcrTooLarge(`trang ${page} quá lớn — page ${page} rendered over ${maxPixels} pixels`);
      const readBuffer = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        checkAborted(signal);
        const { bytesRead } = await fh.read(readBuffer, 0, READ_CHUNK, null);
        if (bytesRead === 0) break;
        planes.push(readBuffer.subarray(0, bytesRead));
      }
    } finally {
      await fh.close();
    }
    return planes.end();
  } catch (err) {
    throw err instanceof PnmError ? unreadable(page, err) : err;
  } finally {
    await rm(out, { force: true });
  }
}

/** pdftoppm's command line for one page at `dpi`, written to `root`.ppm (or .pgm, grey). */
export function renderArgs(file: string, page: number, dpi: number, gray: boolean, root: string): string[] {
  return ['-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', ...(gray ? ['-gray'] : []), file, root];
}

function unreadable(page: number, err: Error): OcrBadImage {
  return new OcrBadImage(`trang ${page} không đọc được — page ${page} rendered unreadable: ${err.message}`, { cause: err });
}

/**
 * OCR of a PDF (a path, or its bytes): each page rendered by pdftoppm, preprocessed, read by
 * tesseract. Rejects with an OcrError (errors.ts); never leaves a child process running.
 */
export async function ocrPdf(input: string | Uint8Array, opts: OcrOptions = {}): Promise<OcrResult> {
  const t0 = performance.now();
  const rd = await ready(opts, true);
  const { signal, done } = documentSignal(opts);
  try {
    return await withWorkDir(opts, async (work) => {
      let file: string;
      if (typeof input === 'string') file = path.resolve(input);
      else {
        file = path.join(work, 'input.pdf');
        await writeFile(file, input);
      }
      const run = { tools: opts.tools, signal, onSpawn: opts.onSpawn };
      const maxPages = opts.maxPages ?? DEFAULTS.maxPages;
      const wanted = opts.pages ? [...new Set(opts.pages)].filter((p) => Number.isInteger(p) && p >= 1).sort((a, b) => a - b) : null;
      const info = await pdfInfo(file, wanted ? Math.max(...wanted, 1) : maxPages, run);
      const all = wanted ? wanted.filter((p) => p <= info.pages) : Array.from({ length: info.pages }, (_, i) => i + 1);
      const list = all.slice(0, maxPages);
      const maxPixels = opts.maxPixels ?? DEFAULTS.maxPixels;
      // Asked for: a page that is one scanned image is read from that image, not rendered (page-image.ts).
      const sharp = opts.extractImages !== true || opts.removeRed === false || list.length === 0 ? null : await loadSharp();
      const images = sharp ? await listImages(file, list[0], list[list.length - 1], run) : [];
      const imagesOf = (page: number): ListedImage[] => images.filter((i) => i.page === page);
      const pages: OcrPage[] = [];
      for (const [i, page] of list.entries()) {
        checkAborted(signal);
        opts.onPage?.({ page, index: i + 1, total: list.length });
        const started = performance.now();
        const size = info.sizes.find((s) => s.page === page);
        let dpi = opts.dpi ?? DEFAULTS.dpi;
        if (size) {
          const sqIn = (size.widthPt / 72) * (size.heightPt / 72);
          if (sqIn * dpi * dpi > maxPixels) dpi = Math.floor(Math.sqrt(maxPixels / sqIn));
        }
        if (dpi < 20) throw new OcrTooLarge(`trang ${page} quá lớn — page ${page} is too large to render for OCR`);
        const sole = sharp ? soleImage(imagesOf(page), size) : null;
        const extracted = sole && sharp ? await extractPageImage(file, page, sole, work, sharp, { ...run, maxPixels, dpi }) : null;
        const raw = extracted ?? (await render(file, page, dpi, work, opts, signal));
        if (raw.width * raw.height > maxPixels) throw new OcrTooLarge(`trang ${page} quá lớn — page ${page} is ${raw.width}×${raw.height} px`);
        pages.push(await readPage(raw, { page, dpi, work, ready: rd, opts, signal, started }));
        checkAborted(signal);
      }
      return { pages, pageCount: info.pages, truncated: all.length > list.length, engine: rd.engine, ms: Math.round(performance.now() - t0) };
    });
  } finally {
    done();
  }
}
