/**
 * Reading one decoded page (docs/ocr.md, "How a page is read" and "Orientation"): preprocessed
 * (preprocess.ts), given to tesseract on its standard input as PGM (no file written), its TSV
 * parsed (tsv.ts). A page whose lines run down it is turned upright before the reading; a reading
 * that looks wrong has its orientation checked and the turned page read again; a page still poor
 * after that gets a second pass with the fallback languages. Word boxes are moved back onto the
 * page as rendered (or decoded), before the deskew.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkAborted, DEFAULTS, type Ready } from './document.ts';
import { OcrBadImage, OcrEngineError } from './errors.ts';
import { detectOrientation, MIN_OSD_CONFIDENCE, poorReading, type QuarterTurn, rotatePlanes, turnedIsBetter } from './orient.ts';
import { isPlanes, type PagePlanes, releasePlanes, splitPlanesSteps } from './planes.ts';
import { type Prepared, preprocess, sauvolaWindow } from './preprocess.ts';
import { drainAsync, type GrayImage, pgmParts, type RgbImage } from './raster.ts';
import { unrotatePoint } from './deskew.ts';
import { runTool, withInputFile } from './run.ts';
import { bandScore, checkBand, cropBand, mergeBand, signerBand, wordsIn } from './signer-band.ts';
import { type OcrLine, type OcrWord, parseTsv, round1 } from './tsv.ts';
import type { OcrOptions, OcrPage } from './types.ts';

export interface Recognised {
  text: string;
  words: OcrWord[];
  lines: OcrLine[];
  meanConfidence: number;
  lang: string;
  /** The page's text as an invisible-text PDF page (opts.searchable). */
  textPdf?: Uint8Array;
}

/**
 * tesseract options for how the image was prepared. Its Sauvola window is given in inches (the
 * same 41 px at 300 dpi as raster.ts's) and its k as ours, so both binarise alike.
 * `tessedit_do_invert=0`: tesseract 5 reads every line it is unsure of a second time inverted
 * (white on black), which official paper never is. `tessedit_char_blacklist=Ðð`: the vie model
 * reads a bold Đ as "ĐÐ" at times ("05/QĐÐ-UBND", in the searchable copy too); Vietnamese has no eth.
 */
export function binarizeArgs(binarizer: Prepared['binarizer'], dpi: number): string[] {
  const args = ['-c', 'tessedit_do_invert=0', '-c', 'tessedit_char_blacklist=Ðð'];
  if (binarizer === 'tesseract-sauvola')
    args.push('-c', 'thresholding_method=2', '-c', `thresholding_window_size=${(sauvolaWindow(dpi) / dpi).toFixed(3)}`, '-c', 'thresholding_kfactor=0.2');
  return args;
}

/**
 * One tesseract run on an image: a file (path) or its bytes, whole or in parts — written to a file
 * in `work` when there is one (run.ts withInputFile: tesseract reads a file far faster than its
 * standard input), else through standard input.
 */
export async function tesseract(
  image: string | Uint8Array | readonly Uint8Array[],
  dpi: number,
  lang: string[],
  opts: OcrOptions & { args?: string[]; work?: string },
  signal: AbortSignal,
): Promise<Recognised> {
  if (typeof image !== 'string' && opts.work) return withInputFile(opts.work, image, (file) => tesseract(file, dpi, lang, opts, signal));
  const tools = opts.tools ?? {};
  const env = { ...(tools.env ?? process.env), OMP_THREAD_LIMIT: String(opts.threads ?? DEFAULTS.threads) };
  const input = typeof image === 'string' ? image : 'stdin';
  const dpiArgs = dpi > 0 ? ['--dpi', String(Math.round(dpi))] : [];
  const common = ['-l', lang.join('+'), '--psm', String(opts.psm ?? DEFAULTS.psm), ...dpiArgs, ...(opts.args ?? [])];
  // With a searchable copy wanted, the same reading also writes the text-only PDF page (searchable.ts).
  const out = opts.searchable && opts.work ? path.join(opts.work, `text-${process.hrtime.bigint()}`) : null;
  const args = out ? [input, out, ...common, '-c', 'textonly_pdf=1', 'tsv', 'pdf'] : [input, 'stdout', ...common, 'tsv'];
  const r = await runTool(tools.tesseract ?? 'tesseract', args, {
    env,
    signal,
    onSpawn: opts.onSpawn,
    maxStdout: 32 * 1024 * 1024,
    ...(typeof image === 'string' ? {} : { input: image }),
  });
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

/** Boxes found on the deskewed image, moved back onto the page image as rendered (box centres turned back, sizes kept). */
function unskew<T extends { x: number; y: number; w: number; h: number }>(boxes: T[], width: number, height: number, skew: number): void {
  if (!skew) return;
  for (const b of boxes) {
    const [cx, cy] = unrotatePoint(b.x + b.w / 2, b.y + b.h / 2, width, height, -skew);
    b.x = Math.max(0, Math.round(cx - b.w / 2));
    b.y = Math.max(0, Math.round(cy - b.h / 2));
  }
}

/**
 * The signature block cropped out and read as one block (`--psm 6`, from the red channel of a
 * colour page), kept when the lexicon vouches for more of it than for the page's reading
 * (docs/ocr.md, "The signer band"). Null: nothing was read again (no band, or the band already
 * gives a known title and a plausible name); the reading itself when the second was no better.
 */
async function rereadSignerBand(
  rec: Recognised,
  raw: PagePlanes,
  prep: Prepared,
  dpi: number,
  lang: string[],
  opts: OcrOptions & { work: string },
  signal: AbortSignal,
): Promise<Recognised | null> {
  const band = signerBand(rec.words, prep.image.width, prep.image.height);
  if (!band) return null;
  const before = checkBand(wordsIn(rec.words, band));
  if (before.title && before.name) return null;
  const source = raw.red && !prep.turned ? raw.red : prep.image;
  const crop = pgmParts(cropBand(source, band));
  if (opts.debugDir) await writeFile(path.join(opts.debugDir, `band-${band.x}-${band.y}.pgm`), Buffer.concat(crop));
  const again = await tesseract(crop, dpi, lang, { ...opts, psm: 6, searchable: false, args: binarizeArgs(prep.binarizer, dpi) }, signal);
  const after = checkBand(again.words);
  if (bandScore(after) <= bandScore(before)) return rec;
  return { ...rec, ...mergeBand(rec, { ...again, words: after.words }, band) };
}

export interface PageContext {
  page: number;
  dpi: number;
  work: string;
  ready: Ready;
  opts: OcrOptions;
  signal: AbortSignal;
  /** performance.now() when the page was started (rendering or decoding included). */
  started: number;
}

/**
 * One page read. Planes given to it (a rendered PDF page, planes.ts) are its own: their buffers go
 * back to planes.ts's spares once the page is read, for the next page.
 */
export async function readPage(input: RgbImage | GrayImage | PagePlanes, ctx: PageContext): Promise<OcrPage> {
  const held: PagePlanes[] = isPlanes(input) ? [input] : [];
  try {
    return await readHeld(input, ctx, held);
  } finally {
    // Every child given these pixels has exited by now (run.ts settles on exit), whatever happened.
    releasePlanes(...held);
  }
}

async function readHeld(input: RgbImage | GrayImage | PagePlanes, ctx: PageContext, held: PagePlanes[]): Promise<OcrPage> {
  const { page, dpi, ready: rd, opts, signal } = ctx;
  const prepOpts = { ...opts, dpi, nativeSauvola: rd.major >= 5 };
  const prepare = (img: PagePlanes, upright = false) => preprocess(img, { ...prepOpts, upright }, signal);
  const read = async (p: Prepared, lang = rd.lang): Promise<Recognised> => {
    const pgm = pgmParts(p.image);
    if (opts.debugDir) await writeFile(path.join(opts.debugDir, `page-${page}.pgm`), Buffer.concat(pgm));
    return tesseract(pgm, dpi, lang, { ...opts, args: binarizeArgs(p.binarizer, dpi), work: ctx.work }, signal);
  };
  const orientation = (p: Prepared) =>
    detectOrientation(pgmParts(p.image), dpi, {
      tools: opts.tools,
      signal,
      onSpawn: opts.onSpawn,
      threads: opts.threads,
      args: binarizeArgs(p.binarizer, dpi),
      work: ctx.work,
    });
  const orient = (opts.orient ?? true) && rd.osd;

  // Grey with red removed, and the red channel for the signer band: split once (a rendered PDF page
  // arrives split, planes.ts); a quarter turn then turns these one-byte planes, not the colour page.
  const split = { removeRed: opts.removeRed ?? true, keepRed: opts.signerBand ?? true };
  let raw = isPlanes(input) ? input : await drainAsync(splitPlanesSteps(input, split), () => checkAborted(signal));
  if (raw !== input) held.push(raw);
  let prep = await prepare(raw);
  let rotated: QuarterTurn = 0;
  let asked = false;
  // The ink profile says the page lies sideways or upside down: turned before reading, so it is read
  // once; by the profile alone when it is clear, else as tesseract's orientation detection says.
  if (prep.suspect && (opts.orient ?? true)) {
    let turn: QuarterTurn | null = prep.turn;
    if (turn === null && orient) {
      asked = true;
      const o = await orientation(prep);
      const expected = prep.suspect === 'sideways' ? [90, 270] : [180];
      if (o && expected.includes(o.rotate) && o.confidence >= MIN_OSD_CONFIDENCE) turn = o.rotate;
    }
    if (turn) {
      raw = rotatePlanes(raw, turn);
      held.push(raw);
      rotated = turn;
    }
  }
  // Turned, or a sideways page left as it was (no deskew was tried on it): prepared again, as upright.
  if (rotated !== 0 || prep.suspect === 'sideways') prep = await prepare(raw, true);
  let rec = await read(prep);
  // A poor reading may be of a page turned upside down (or sideways, unseen by the profile).
  if (orient && !asked && poorReading(rec.meanConfidence, rec.words)) {
    const o = await orientation(prep);
    if (o && o.rotate !== 0 && o.confidence >= MIN_OSD_CONFIDENCE) {
      const turned = rotatePlanes(raw, o.rotate);
      held.push(turned);
      const again = await prepare(turned, true);
      const second = await read(again);
      if (turnedIsBetter(rec, second)) {
        raw = turned;
        prep = again;
        rec = second;
        rotated = ((rotated + o.rotate) % 360) as QuarterTurn;
      }
    }
  }
  // Still poor once upright: a second pass with the fallback languages, the better one kept.
  if (rd.fallback && rec.meanConfidence < (opts.fallbackBelow ?? DEFAULTS.fallbackBelow)) {
    const second = await read(prep, rd.fallback);
    if (second.meanConfidence > rec.meanConfidence) rec = second;
  }
  // The signer block read again on its own when its words vouch for no title or no name (signer-band.ts).
  let signerBandReread: boolean | undefined;
  if (opts.signerBand ?? true) {
    const again = await rereadSignerBand(rec, raw, prep, dpi, rd.lang, { ...opts, work: ctx.work }, signal);
    if (again) {
      signerBandReread = again !== rec;
      rec = again;
    }
  }
  if (prep.turned) {
    unskew(rec.words, raw.width, raw.height, prep.skewDegrees);
    unskew(rec.lines, raw.width, raw.height, prep.skewDegrees);
  }
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
    ...(prep.skewDegrees && !prep.turned ? { deskewed: false } : {}),
    rotated,
    ...(rec.textPdf ? { textPdf: rec.textPdf } : {}),
    redFraction: round1(prep.redFraction * 1000) / 1000,
    preprocessed: true,
    ...(signerBandReread !== undefined ? { signerBandReread } : {}),
    ms: Math.round(performance.now() - ctx.started),
  };
}
