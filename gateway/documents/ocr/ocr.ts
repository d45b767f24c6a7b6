/**
 * OCR of scanned PDFs and photos of paper, in Vietnamese, with tesseract run as a child process.
 *
 *   PDF page  --pdftoppm -r 300-->  PPM  --raster.ts-->  PGM  --tesseract ... tsv-->  words + boxes
 *   image     --sharp decode---->  RGB  --raster.ts-->  PGM  --tesseract ... tsv-->  words + boxes
 *
 * Preprocessing (raster.ts): red seal and signature ink removed, deskewed, binarised. Word boxes
 * are given in the pixels of the page image as rendered (or as decoded, EXIF orientation applied),
 * before the deskew, together with that image's width, height and dpi: x·72/dpi is in PDF points.
 *
 * Bounds: one page at a time, one child at a time; a page is rendered at a lower dpi when it
 * would exceed `maxPixels`; tool outputs are capped; a per-document time budget and the caller's
 * AbortSignal kill the running child (SIGKILL) and reject with OcrTimeout / OcrAborted. Work files
 * live in a private temporary folder that is removed whatever happens.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VanthuError } from '../../errors.ts';
import { OcrAborted, OcrBadImage, OcrEngineError, OcrTimeout, OcrTooLarge, OcrUnavailable } from './errors.ts';
import { pdfInfo } from './pdf.ts';
import { probeOcrCached, REASON_NO_POPPLER, REASON_NO_VIE } from './probe.ts';
import {
  binarizeOtsu,
  binarizeSauvolaSteps,
  drainAsync,
  encodePgm,
  estimateSkewSteps,
  type GrayImage,
  parsePnm,
  PnmError,
  type RgbImage,
  rotateGraySteps,
  toGraySteps,
  unrotatePoint,
} from './raster.ts';
import { detectOrientation, MIN_OSD_CONFIDENCE, poorReading, type QuarterTurn, rotateQuarter, turnedIsBetter } from './orient.ts';
import { abortError, runTool } from './run.ts';
import type { OcrOptions, OcrPage, OcrResult } from './types.ts';
import { type OcrLine, type OcrWord, parseTsv, round1 } from './tsv.ts';

export type { OcrLine, OcrWord } from './tsv.ts';

export type { OcrOptions, OcrPage, OcrProgress, OcrResult } from './types.ts';

const DEFAULTS = {
  dpi: 300,
  lang: ['vie'],
  fallbackLang: ['vie', 'eng'],
  fallbackBelow: 50,
  psm: 3,
  maxPages: 20,
  timeBudgetMs: 180_000,
  maxSkewDegrees: 5,
  maxPixels: 40_000_000,
  threads: 1,
};

/** A signal for one document: the caller's, plus the time budget. */
function documentSignal(opts: OcrOptions): { signal: AbortSignal; done: () => void } {
  const ctl = new AbortController();
  const budget = opts.timeBudgetMs ?? DEFAULTS.timeBudgetMs;
  const timer = setTimeout(() => ctl.abort(new OcrTimeout(budget)), budget);
  timer.unref?.();
  const outer = opts.signal;
  const onOuter = () => ctl.abort(outer?.reason instanceof VanthuError ? outer.reason : new OcrAborted({ cause: outer?.reason }));
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: ctl.signal,
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

interface Ready {
  engine: string;
  lang: string[];
  fallback: string[] | null;
  /** osd.traineddata is installed (orientation detection). */
  osd: boolean;
}

async function ready(opts: OcrOptions, needPdf: boolean): Promise<Ready> {
  const probe = await probeOcrCached(opts.tools);
  if (!probe.available) throw new OcrUnavailable(probe.reason);
  if (needPdf && !probe.pdf) throw new OcrUnavailable(REASON_NO_POPPLER);
  const installed = (l: string[]) => l.filter((x) => probe.langs.includes(x));
  const wanted = opts.lang ?? DEFAULTS.lang;
  const lang = installed(wanted);
  if (lang.length === 0 || (wanted.includes('vie') && !lang.includes('vie'))) throw new OcrUnavailable(REASON_NO_VIE);
  const fb = opts.fallbackLang === null ? null : installed(opts.fallbackLang ?? DEFAULTS.fallbackLang);
  const fallback = fb && fb.length > 0 && fb.join('+') !== lang.join('+') ? fb : null;
  return { engine: `tesseract ${probe.version}`, lang, fallback, osd: probe.langs.includes('osd') };
}

interface Prepared {
  image: GrayImage;
  skewDegrees: number;
  redFraction: number;
}

/**
 * raster.ts's steps on one decoded page (~1 s of CPU for A4 at 300 dpi), giving the event loop a
 * turn every 30 ms and stopping there when `signal` has fired.
 */
export async function preprocess(
  raw: RgbImage | GrayImage,
  opts: Pick<OcrOptions, 'removeRed' | 'deskew' | 'maxSkewDegrees' | 'binarize' | 'dpi'> = {},
  signal?: AbortSignal,
): Promise<Prepared> {
  const check = () => {
    if (signal?.aborted) throw abortError(signal);
  };
  const { image: gray, redFraction } = await drainAsync(toGraySteps(raw, opts.removeRed ?? true), check);
  let image = gray;
  let skewDegrees = 0;
  if (opts.deskew ?? true) {
    const skew = await drainAsync(estimateSkewSteps(gray, { maxDegrees: opts.maxSkewDegrees ?? DEFAULTS.maxSkewDegrees }), check);
    // Under 0.1° (or a profile no sharper than the unrotated one) is left alone.
    if (Math.abs(skew.angle) >= 0.1 && skew.gain > 1.02) {
      skewDegrees = skew.angle;
      image = await drainAsync(rotateGraySteps(gray, -skew.angle), check);
    }
  }
  const mode = opts.binarize ?? 'sauvola';
  if (mode === 'otsu') image = binarizeOtsu(image);
  else if (mode === 'sauvola') {
    const window = Math.max(15, Math.round(((opts.dpi ?? 300) / 300) * 41)) | 1;
    image = await drainAsync(binarizeSauvolaSteps(image, window), check);
  }
  check();
  return { image, skewDegrees, redFraction };
}

interface Recognised {
  text: string;
  words: OcrWord[];
  lines: OcrLine[];
  meanConfidence: number;
  lang: string;
  /** The page's text as an invisible-text PDF page (opts.searchable). */
  textPdf?: Uint8Array;
}

async function tesseract(file: string, dpi: number, lang: string[], opts: OcrOptions, signal: AbortSignal): Promise<Recognised> {
  const tools = opts.tools ?? {};
  const env = { ...(tools.env ?? process.env), OMP_THREAD_LIMIT: String(opts.threads ?? DEFAULTS.threads) };
  const base = [file, 'stdout', '-l', lang.join('+'), '--psm', String(opts.psm ?? DEFAULTS.psm), '--dpi', String(Math.round(dpi))];
  // With a searchable copy wanted, the same reading also writes the text-only PDF page (searchable.ts).
  const out = opts.searchable ? file.replace(/\.[^./]+$/, '') + '-text' : null;
  const args = out ? [...base.slice(0, 1), out, ...base.slice(2), '-c', 'textonly_pdf=1', 'tsv', 'pdf'] : [...base, 'tsv'];
  const r = await runTool(tools.tesseract ?? 'tesseract', args, { env, signal, onSpawn: opts.onSpawn, maxStdout: 32 * 1024 * 1024 });
  if (r.code !== 0) {
    const detail = r.stderr.trim().split('\n').slice(-3).join('; ').slice(0, 300);
    if (/pixRead|cannot be read|Unknown format|Error in (jpeg|png|tiff|gif|webp)/i.test(r.stderr))
      throw new OcrBadImage(`không đọc được ảnh — tesseract cannot read the image: ${detail}`);
    throw new OcrEngineError(`tesseract lỗi — tesseract failed (${r.signal ?? `exit ${r.code}`}): ${detail}`);
  }
  if (!out) return { ...parseTsv(r.stdout.toString('utf8')), lang: lang.join('+') };
  try {
    const tsv = await readFile(`${out}.tsv`, 'utf8');
    return { ...parseTsv(tsv), lang: lang.join('+'), textPdf: await readFile(`${out}.pdf`) };
  } finally {
    await rm(`${out}.tsv`, { force: true });
    await rm(`${out}.pdf`, { force: true });
  }
}

async function recognise(file: string, dpi: number, ready: Ready, opts: OcrOptions, signal: AbortSignal): Promise<Recognised> {
  let best = await tesseract(file, dpi, ready.lang, opts, signal);
  if (ready.fallback && best.meanConfidence < (opts.fallbackBelow ?? DEFAULTS.fallbackBelow)) {
    const second = await tesseract(file, dpi, ready.fallback, opts, signal);
    if (second.meanConfidence > best.meanConfidence) best = second;
  }
  return best;
}

/** Boxes found on the deskewed image, moved back onto the page image as rendered (box centres turned back, sizes kept). */
function unskew<T extends { x: number; y: number; w: number; h: number }>(boxes: T[], width: number, height: number, skew: number): void {
  if (!skew) return;
  for (const b of boxes) {
    const [cx, cy] = unrotatePoint(b.x + b.w / 2, b.y + b.h / 2, width, height, -skew);
    b.x = Math.max(0, Math.round(cx - b.w / 2));
    b.y = Math.max(0, Math.round(cy - b.h / 2));
  }
}

async function readPage(
  input: RgbImage | GrayImage,
  page: number,
  dpi: number,
  work: string,
  rd: Ready,
  opts: OcrOptions,
  signal: AbortSignal,
  started: number,
): Promise<OcrPage> {
  let raw = input;
  const pgm = path.join(work, `page-${page}.pgm`);
  const read = async (img: RgbImage | GrayImage) => {
    const p = await preprocess(img, { ...opts, dpi }, signal);
    await writeFile(pgm, encodePgm(p.image));
    if (opts.debugDir) await writeFile(path.join(opts.debugDir, `page-${page}.pgm`), encodePgm(p.image));
    return { prep: p, rec: await recognise(pgm, dpi, rd, opts, signal) };
  };
  let { prep, rec } = await read(raw);
  let rotated: QuarterTurn = 0;
  // A poor first reading may be a page turned sideways or upside down (orient.ts).
  if ((opts.orient ?? true) && rd.osd && poorReading(rec.meanConfidence, rec.words)) {
    const o = await detectOrientation(pgm, dpi, { tools: opts.tools, signal, onSpawn: opts.onSpawn, threads: opts.threads });
    if (o && o.rotate !== 0 && o.confidence >= MIN_OSD_CONFIDENCE) {
      const turned = rotateQuarter(raw, o.rotate);
      const again = await read(turned);
      if (turnedIsBetter(rec, again.rec)) {
        raw = turned;
        ({ prep, rec } = again);
        rotated = o.rotate;
      }
    }
  }
  await rm(pgm, { force: true });
  unskew(rec.words, raw.width, raw.height, prep.skewDegrees);
  unskew(rec.lines, raw.width, raw.height, prep.skewDegrees);
  return {
    page,
    width: raw.width,
    height: raw.height,
    dpi: Math.round(dpi),
    text: rec.text,
    words: rec.words,
    lines: rec.lines,
    meanConfidence: rec.meanConfidence,
    lang: rec.lang,
    skewDegrees: prep.skewDegrees,
    rotated,
    ...(rec.textPdf ? { textPdf: rec.textPdf } : {}),
    redFraction: round1(prep.redFraction * 1000) / 1000,
    preprocessed: true,
    ms: Date.now() - started,
  };
}

async function withWorkDir<T>(opts: OcrOptions, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(opts.tmpDir ?? tmpdir(), 'vanthu-ocr-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * OCR of a PDF (a path, or its bytes): each page rendered by pdftoppm, preprocessed, read by
 * tesseract. Rejects with an OcrError (errors.ts); never leaves a child process running.
 */
export async function ocrPdf(input: string | Uint8Array, opts: OcrOptions = {}): Promise<OcrResult> {
  const t0 = Date.now();
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
      const pages: OcrPage[] = [];
      for (const [i, page] of list.entries()) {
        checkAborted(signal);
        opts.onPage?.({ page, index: i + 1, total: list.length });
        const started = Date.now();
        const size = info.sizes.find((s) => s.page === page);
        let dpi = opts.dpi ?? DEFAULTS.dpi;
        const maxPixels = opts.maxPixels ?? DEFAULTS.maxPixels;
        if (size) {
          const sqIn = (size.widthPt / 72) * (size.heightPt / 72);
          if (sqIn * dpi * dpi > maxPixels) dpi = Math.floor(Math.sqrt(maxPixels / sqIn));
        }
        if (dpi < 20) throw new OcrTooLarge(`trang ${page} quá lớn — page ${page} is too large to render for OCR`);
        const prefix = path.join(work, `render-${page}`);
        const gray = opts.removeRed === false;
        const r = await runTool(
          opts.tools?.pdftoppm ?? 'pdftoppm',
          ['-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', ...(gray ? ['-gray'] : []), file, prefix],
          { env: opts.tools?.env, signal, onSpawn: opts.onSpawn, maxStdout: 1024 * 1024 },
        );
        const out = `${prefix}.${gray ? 'pgm' : 'ppm'}`;
        let bytes: Buffer;
        try {
          bytes = await readFile(out);
        } catch {
          throw new OcrBadImage(
            `không dựng được trang ${page} — pdftoppm rendered no image of page ${page} (exit ${r.code}): ${r.stderr.trim().slice(0, 300)}`,
          );
        }
        await rm(out, { force: true });
        let raw: RgbImage | GrayImage;
        try {
          raw = parsePnm(bytes);
        } catch (err) {
          throw new OcrBadImage(`trang ${page} không đọc được — page ${page} rendered unreadable: ${(err as Error).message}`, { cause: err });
        }
        if (raw.width * raw.height > maxPixels) throw new OcrTooLarge(`trang ${page} quá lớn — page ${page} is ${raw.width}×${raw.height} px`);
        pages.push(await readPage(raw, page, dpi, work, rd, opts, signal, started));
        checkAborted(signal);
      }
      return { pages, pageCount: info.pages, truncated: all.length > list.length, engine: rd.engine, ms: Date.now() - t0 };
    });
  } finally {
    done();
  }
}

type Sharp = typeof import('sharp').default;
let sharpModule: Promise<Sharp | null> | undefined;

/** sharp, when its native part loads on this machine; null otherwise (images then go to tesseract as they are). */
export function loadSharp(): Promise<Sharp | null> {
  sharpModule ??= import('sharp').then(
    (m) => m.default,
    () => null,
  );
  return sharpModule;
}

/** An image's resolution: its own when plausible, else that of an A4 sheet filling it. */
function imageDpi(width: number, height: number, density: number | undefined): number {
  if (density && density >= 100 && density <= 1200) return density; // phones write 72
  return Math.max(70, Math.round(Math.max(width, height) / 11.69));
}

/**
 * OCR of an image (JPEG, PNG, TIFF — every frame of a multi-page TIFF —, WebP, HEIF/AVIF where
 * sharp has it): decoded by sharp with its EXIF orientation applied, then as a PDF page. Without
 * sharp, the bytes go to tesseract as they are (leptonica reads JPEG/PNG/TIFF; no preprocessing).
 */
export async function ocrImage(bytes: Uint8Array, opts: OcrOptions = {}): Promise<OcrResult> {
  const t0 = Date.now();
  const rd = await ready(opts, false);
  const { signal, done } = documentSignal(opts);
  const maxPixels = opts.maxPixels ?? DEFAULTS.maxPixels;
  try {
    return await withWorkDir(opts, async (work) => {
      const sharp = await loadSharp();
      if (!sharp) {
        opts.onPage?.({ page: 1, index: 1, total: 1 });
        const file = path.join(work, 'input.img');
        await writeFile(file, bytes);
        const rec = await recognise(file, 0, rd, opts, signal);
        return {
          pages: [{ ...rec, page: 1, width: 0, height: 0, dpi: 0, skewDegrees: 0, rotated: 0, redFraction: 0, preprocessed: false, ms: Date.now() - t0 }],
          pageCount: 1,
          truncated: false,
          engine: rd.engine,
          ms: Date.now() - t0,
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
        const started = Date.now();
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
        pages.push(await readPage(raw, page, imageDpi(raw.width, raw.height, density), work, rd, opts, signal, started));
      }
      return { pages, pageCount: frames, truncated: frames > list.length, engine: rd.engine, ms: Date.now() - t0 };
    });
  } finally {
    done();
  }
}

function decodeError(err: unknown): Error {
  if (err instanceof VanthuError) return err;
  const msg = (err as Error)?.message ?? String(err);
  if (/pixel limit/i.test(msg)) return new OcrTooLarge(`ảnh quá lớn — image over the pixel limit: ${msg}`, { cause: err });
  return new OcrBadImage(`không đọc được ảnh — the image cannot be decoded: ${msg.slice(0, 300)}`, { cause: err });
}

export { PnmError };
