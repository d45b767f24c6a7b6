/**
 * One decoded page made ready for tesseract (docs/ocr.md, "How a page is read"): red ink removed
 * and greyscale (raster.ts, or planes.ts as the page arrived), the skew found on a reduced copy, the orientation judged from the ink
 * (profile.ts), then binarised or not.
 *
 * What is done here must pay its way (the goal is a page in at most 1.2× bare tesseract's time):
 * by default the page goes to tesseract grey and as it lies — tesseract binarises it (its global
 * Otsu) and follows a skewed line itself, and the skew found only straightens the word boxes for
 * the layout reader. Turning the page (`deskew: true`) and Sauvola (`binarize: 'sauvola'`, by
 * tesseract 5 itself, `-c thresholding_method=2`, or in JavaScript for tesseract 4) remain options;
 * the corpus read worse and slower with them.
 */
import { binarizeOtsu, binarizeSauvolaSteps, drainAsync, type GrayImage, type RgbImage, toGraySteps } from './raster.ts';
import { estimateSkewSteps, rotateGraySteps } from './deskew.ts';
import { isPlanes, type PagePlanes } from './planes.ts';
import { abortError } from './run.ts';
import type { OcrOptions } from './types.ts';

export interface Prepared {
  /** What tesseract reads: binarised, or grey when tesseract binarises (`binarizer`). */
  image: GrayImage;
  /** Skew found (degrees). */
  skewDegrees: number;
  /** The image was turned by −skewDegrees (deskew: true); false: read as it lies (deskew: 'boxes' or none found). */
  turned: boolean;
  redFraction: number;
  /** Who binarises: done here ('js'), tesseract's Sauvola ('tesseract-sauvola') or its Otsu ('tesseract-otsu'). */
  binarizer: 'js' | 'tesseract-sauvola' | 'tesseract-otsu';
  /**
   * What the ink profile says of the page's orientation (profile.ts): its lines run down it
   * ('sideways', `across` over SIDEWAYS_ACROSS), or its lines are heavier below than above
   * ('upside-down', `lean` over UPSIDE_DOWN_LEAN); null: it looks upright.
   */
  suspect: 'sideways' | 'upside-down' | null;
  /**
   * The clockwise quarter turn the profile alone says sets the page upright, when it says so clearly
   * (TURN_CLEAR): no orientation detection is then asked before the reading.
   */
  turn: 90 | 180 | 270 | null;
}

export type PreprocessOptions = Pick<OcrOptions, 'removeRed' | 'deskew' | 'maxSkewDegrees' | 'binarize' | 'dpi'> & {
  /** tesseract can binarise by Sauvola itself (version 5 and later). */
  nativeSauvola?: boolean;
  /** The page is known to be upright (orientation detection said so): never judged sideways. */
  upright?: boolean;
};

/**
 * Column profile this much sharper than the row profile: the text lines run down the page. Upright
 * pages of the corpus measure 0.24–0.95, the page fed sideways 1.79 (docs/ocr.md, "Orientation").
 */
export const SIDEWAYS_ACROSS = 1.3;

/**
 * Ink below the lines' bodies this much heavier than above them: the page is upside down. Upright
 * pages of the corpus measure 0.20–0.56, the upside-down photo 3.81.
 */
export const UPSIDE_DOWN_LEAN = 1;

/**
 * A lean this many times the upright side's is clear enough to turn by: an upside-down page over
 * TURN_CLEAR (the corpus photo: 3.8), or of a sideways page's two quarter turns one under 1 and the
 * other TURN_CLEAR times it. In between, tesseract's orientation detection is asked.
 */
export const TURN_CLEAR = 2.5;

/**
 * The defaults, as the degraded corpus measured them (docs/ocr.md, "Figures"): tesseract's own
 * global Otsu on the grey page read 0.718 of the fields against 0.615 with Sauvola (which turns the
 * speckle of a dirty scan into ink), and reading the page as it lies, the skew undone on the boxes
 * only, 0.744 (tesseract follows a skewed line itself; turning the page blurs it), for less time.
 */
export const DEFAULT_BINARIZE = 'none' as const;
export const DEFAULT_DESKEW = 'boxes' as const;

/** Sauvola's window at a resolution: 41 px at 300 dpi (the width of a few letters), odd. */
export function sauvolaWindow(dpi: number): number {
  return Math.max(15, Math.round((dpi / 300) * 41)) | 1;
}

/**
 * The steps on one decoded page, giving the event loop a turn every 30 ms and stopping there when
 * `signal` has fired (a libvips turn, a fraction of a second, runs to its end).
 */
export async function preprocess(raw: RgbImage | GrayImage | PagePlanes, opts: PreprocessOptions = {}, signal?: AbortSignal): Promise<Prepared> {
  const check = () => {
    if (signal?.aborted) throw abortError(signal);
  };
  // A page split into planes as it arrived (planes.ts) is grey already, red removed: nothing to copy.
  const { image: gray, redFraction } = isPlanes(raw)
    ? { image: raw.gray, redFraction: raw.redFraction }
    : await drainAsync(toGraySteps(raw, opts.removeRed ?? true), check);
  let image = gray;
  let skewDegrees = 0;
  let suspect: Prepared['suspect'] = null;
  let turned = false;
  let turn: Prepared['turn'] = null;
  const deskew = opts.deskew ?? DEFAULT_DESKEW;
  if (deskew) {
    const skew = await drainAsync(estimateSkewSteps(gray, { maxDegrees: opts.maxSkewDegrees ?? 5 }), check);
    if (!opts.upright) suspect = skew.across > SIDEWAYS_ACROSS ? 'sideways' : skew.lean > UPSIDE_DOWN_LEAN ? 'upside-down' : null;
    if (suspect === 'upside-down' && skew.lean > TURN_CLEAR) turn = 180;
    const t = skew.turned;
    if (suspect === 'sideways' && t) {
      const [up, down] = t[90] < t[270] ? [90 as const, t[270] / Math.max(t[90], 0.01)] : [270 as const, t[90] / Math.max(t[270], 0.01)];
      if (Math.min(t[90], t[270]) > 0 && Math.min(t[90], t[270]) < 1 && down > TURN_CLEAR) turn = up;
    }
    // Under 0.1° (or a profile no sharper than the unrotated one) is left alone; so is a sideways page (turned first).
    if (suspect !== 'sideways' && Math.abs(skew.angle) >= 0.1 && skew.gain > 1.02) {
      skewDegrees = skew.angle;
      if (deskew !== 'boxes') {
        image = await drainAsync(rotateGraySteps(gray, -skew.angle), check);
        turned = true;
      }
    }
  }
  const mode = opts.binarize ?? DEFAULT_BINARIZE;
  let binarizer: Prepared['binarizer'] = 'js';
  if (mode === 'otsu') image = binarizeOtsu(image);
  else if (mode === 'none') binarizer = 'tesseract-otsu';
  else if (opts.nativeSauvola) binarizer = 'tesseract-sauvola';
  else image = await drainAsync(binarizeSauvolaSteps(image, sauvolaWindow(opts.dpi ?? 300)), check);
  check();
  return { image, skewDegrees, turned, redFraction, binarizer, suspect, turn };
}
