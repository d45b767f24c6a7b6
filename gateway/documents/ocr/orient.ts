/**
 * Pages scanned sideways or upside down (docs/ocr.md, "Orientation"). tesseract's orientation and
 * script detection (`--psm 0`, osd.traineddata from Debian's tesseract-ocr-osd) says by how much a
 * page is turned; the page is then turned upright before it is read. OSD is asked before the first
 * reading when the page's ink profile shows lines running down it (preprocess.ts: sideways), and
 * after it when that reading looks wrong (poorReading: upside down reads as garbage). An upright
 * page — nearly every page — costs nothing more; a sideways one one OSD pass (a fraction of a
 * reading); an upside-down one an OSD pass and a second reading.
 */
import type { PagePlanes } from './planes.ts';
import type { GrayImage, RgbImage } from './raster.ts';
import { runTool, type RunOptions, withInputFile } from './run.ts';
import type { OcrTools } from './probe.ts';

export type QuarterTurn = 0 | 90 | 180 | 270;

export interface Orientation {
  /** Clockwise turn that makes the page upright. */
  rotate: QuarterTurn;
  /** tesseract's orientation confidence (unbounded; under ~1 it is a guess). */
  confidence: number;
}

/** OSD's answer is acted on from this confidence up. */
export const MIN_OSD_CONFIDENCE = 1;

/**
 * A first reading this poor has the page checked for orientation: a low mean confidence or few
 * words (upside down reads as garbage), or words standing upright (boxes taller than wide: tesseract
 * found the lines of a sideways page and read them as vertical text, with a good confidence).
 */
export function poorReading(meanConfidence: number, words: Box[]): boolean {
  return meanConfidence < 65 || words.length < 25 || standing(words);
}

type Box = { text: string; w: number; h: number };

/** Most words of four letters or more are taller than wide: the lines run down the page. */
export function standing(words: Box[]): boolean {
  const long = words.filter((w) => w.text.length >= 4);
  return long.length >= 10 && long.filter((w) => w.h > w.w).length > 0.5 * long.length;
}

/**
 * Whether the reading of the turned page replaces the first: a better confidence, or lines that now
 * run across the page when they ran down it (tesseract reads vertical lines well enough, but their
 * boxes are of no use to the layout reader) for a confidence at most 10 points lower.
 */
export function turnedIsBetter(first: { meanConfidence: number; words: Box[] }, turned: { meanConfidence: number; words: Box[] }): boolean {
  if (turned.meanConfidence > first.meanConfidence) return true;
  return standing(first.words) && !standing(turned.words) && turned.meanConfidence >= first.meanConfidence - 10;
}

/** Parses `tesseract … --psm 0` output ("Rotate: 90", "Orientation confidence: 4.21"). */
export function parseOsd(out: string): Orientation | null {
  const rot = /^Rotate:\s*(\d+)/m.exec(out);
  const conf = /^Orientation confidence:\s*([\d.]+)/m.exec(out);
  if (!rot) return null;
  const r = Number(rot[1]) % 360;
  if (r !== 0 && r !== 90 && r !== 180 && r !== 270) return null;
  return { rotate: r as QuarterTurn, confidence: conf ? Number(conf[1]) : 0 };
}

/**
 * tesseract's orientation detection on an image: a file, or the bytes of one (PGM, PNG…) — written
 * to a file in `work` when given (run.ts withInputFile), else given on its standard input; `args`
 * are extra options (the binarisation the reading uses). null when it cannot tell (too little text).
 */
export async function detectOrientation(
  image: string | Uint8Array | readonly Uint8Array[],
  dpi: number,
  opts: Pick<RunOptions, 'signal' | 'onSpawn'> & { tools?: OcrTools; threads?: number; args?: string[]; work?: string },
): Promise<Orientation | null> {
  if (typeof image !== 'string' && opts.work) {
    const { work, ...rest } = opts;
    return withInputFile(work, image, (file) => detectOrientation(file, dpi, rest));
  }
  const tools = opts.tools ?? {};
  const env = { ...(tools.env ?? process.env), OMP_THREAD_LIMIT: String(opts.threads ?? 1) };
  const file = typeof image === 'string' ? image : 'stdin';
  const r = await runTool(tools.tesseract ?? 'tesseract', [file, 'stdout', '--psm', '0', '--dpi', String(Math.round(dpi)), ...(opts.args ?? [])], {
    env,
    signal: opts.signal,
    onSpawn: opts.onSpawn,
    maxStdout: 64 * 1024,
    ...(typeof image === 'string' ? {} : { input: image }),
  });
  // "Too few characters" makes tesseract exit 1 with nothing to say: no answer, not an error.
  if (r.code !== 0) return null;
  return parseOsd(r.stdout.toString('utf8'));
}

/** The image turned clockwise by a quarter-turn multiple (exact, no resampling). */
export function rotateQuarter<T extends RgbImage | GrayImage>(img: T, rotate: QuarterTurn): T {
  if (rotate === 0) return img;
  const { width: W, height: H, channels: C, data } = img;
  const out = new Uint8Array(data.length);
  const w2 = rotate === 180 ? W : H;
  const h2 = rotate === 180 ? H : W;
  if (C === 1) {
    // One byte a pixel (a plane of planes.ts): a row of the source is a column (or a reversed row) of the result.
    for (let y = 0; y < H; y++) {
      const s = y * W;
      if (rotate === 180) for (let x = 0, d = (H - 1 - y) * W + W - 1; x < W; x++, d--) out[d] = data[s + x];
      else if (rotate === 90) for (let x = 0, d = H - 1 - y; x < W; x++, d += w2) out[d] = data[s + x];
      else for (let x = 0, d = (W - 1) * w2 + y; x < W; x++, d -= w2) out[d] = data[s + x];
    }
    return { ...img, width: w2, height: h2, data: out };
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let nx: number;
      let ny: number;
      if (rotate === 90) {
        nx = H - 1 - y;
        ny = x;
      } else if (rotate === 180) {
        nx = W - 1 - x;
        ny = H - 1 - y;
      } else {
        nx = y;
        ny = W - 1 - x;
      }
      const s = (y * W + x) * C;
      const d = (ny * w2 + nx) * C;
      for (let c = 0; c < C; c++) out[d + c] = data[s + c];
    }
  }
  return { ...img, width: w2, height: h2, data: out };
}

/** A page's planes turned clockwise by a quarter turn: the grey plane and the red one, one byte a pixel each (a third of the colour page's bytes). */
export function rotatePlanes(p: PagePlanes, rotate: QuarterTurn): PagePlanes {
  if (rotate === 0) return p;
  const gray = rotateQuarter(p.gray, rotate);
  return { ...p, width: gray.width, height: gray.height, gray, red: p.red ? rotateQuarter(p.red, rotate) : null };
}
