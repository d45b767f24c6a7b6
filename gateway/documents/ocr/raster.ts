/**
 * Preprocessing of page images for OCR, on raw pixels in plain JavaScript (no native code): the
 * pages of a PDF arrive as PPM from pdftoppm, images are decoded to the same raw RGB by sharp
 * (image.ts), and the result goes to tesseract as PGM. Every step makes a new buffer: the input is
 * never changed.
 *
 *   1. red removal + greyscale: a pixel where red dominates (seal, red signature ink) becomes
 *      white, every other pixel its luminance. Red ink over black text multiplies to black on
 *      paper, so the text under a seal is kept;
 *   2. deskew: the skew angle is the one whose horizontal projection profile of dark pixels is the
 *      sharpest (text lines fall into few rows), searched over ±maxDegrees on a reduced copy;
 *      the page is then rotated back about its centre (bilinear, same size, white corners);
 *   3. binarisation: Sauvola's local threshold (integral images; copes with unevenly lit photos),
 *      or Otsu's global one.
 */

import { acrossRatio, leanBelow, turnedLeans } from './profile.ts';

/**
 * The long steps are generators that yield every few rows: drain() runs one to the end at once,
 * drainAsync() gives the event loop a turn every ~30 ms and stops at an abort, so a time budget
 * or a shutdown is not held up by a page being preprocessed.
 */
export type Steps<T> = Generator<void, T, void>;

export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** `check` runs at each turn and throws to stop (e.g. when the document's signal has fired). */
export async function drainAsync<T>(steps: Steps<T>, check?: () => void, sliceMs = 30): Promise<T> {
  let since = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        check?.();
      } catch (err) {
        steps.return(undefined as never);
        throw err;
      }
      since = performance.now();
    }
  }
}

export interface RgbImage {
  width: number;
  height: number;
  channels: 3;
  /** RGB, row by row, no padding. */
  data: Uint8Array;
}

export interface GrayImage {
  width: number;
  height: number;
  channels: 1;
  data: Uint8Array;
}

export class PnmError extends Error {}

/** Parses binary PPM (P6) or PGM (P5) with maxval 255, as pdftoppm writes them. */
export function parsePnm(buf: Uint8Array): RgbImage | GrayImage {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]))) pos++;
      if (buf[pos] === 0x23) {
        while (pos < buf.length && buf[pos] !== 0x0a) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < buf.length && !/\s/.test(String.fromCharCode(buf[pos])) && pos - start < 16) pos++;
    return String.fromCharCode(...buf.subarray(start, pos));
  };
  const magic = token();
  if (magic !== 'P5' && magic !== 'P6') throw new PnmError(`not a binary PPM/PGM (${JSON.stringify(magic.slice(0, 4))})`);
  const width = Number(token());
  const height = Number(token());
  const maxval = Number(token());
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new PnmError('bad PNM size');
  if (maxval !== 255) throw new PnmError(`unsupported PNM maxval ${maxval}`);
  pos++; // the single whitespace after maxval
  const channels = magic === 'P6' ? 3 : 1;
  const size = width * height * channels;
  if (buf.length - pos < size) throw new PnmError('truncated PNM');
  const data = buf.subarray(pos, pos + size);
  return channels === 3 ? { width, height, channels: 3, data } : { width, height, channels: 1, data };
}

export function encodePgm(img: GrayImage): Buffer {
  return Buffer.concat(pgmParts(img));
}

/** A PGM as its header and the image's own pixels, uncopied: for a pipe (run.ts's `input`), where the 8.7 MB copy of an A4 page would be waste. */
export function pgmParts(img: GrayImage): [Buffer, Uint8Array] {
  return [Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, 'latin1'), img.data];
}

export interface RedOptions {
  /** How much red must exceed the larger of green and blue (0–255). Default 45. */
  margin?: number;
  /** Red pixels darker than this are kept (dark reddish text, JPEG colour bleeding at black edges). Default 110. */
  minRed?: number;
}

/**
 * Greyscale (Rec. 601 luminance), optionally with red removed. Returns the grey image and the
 * fraction of pixels that were turned white (0 without removal).
 */
export function toGray(img: RgbImage | GrayImage, removeRed: boolean, opts: RedOptions = {}): { image: GrayImage; redFraction: number } {
  return drain(toGraySteps(img, removeRed, opts));
}

export function* toGraySteps(img: RgbImage | GrayImage, removeRed: boolean, opts: RedOptions = {}): Steps<{ image: GrayImage; redFraction: number }> {
  if (img.channels === 1) return { image: { ...img, data: new Uint8Array(img.data) }, redFraction: 0 };
  const margin = opts.margin ?? 45;
  const minRed = opts.minRed ?? 110;
  const n = img.width * img.height;
  const src = img.data;
  const out = new Uint8Array(n);
  let red = 0;
  // In slices of 2^18 pixels, a yield between them; luminance in integers (Rec. 601, ×65536).
  for (let start = 0; start < n; start += 0x40000) {
    if (start) yield;
    const end = Math.min(n, start + 0x40000);
    for (let i = start, j = start * 3; i < end; i++, j += 3) {
      const r = src[j];
      const g = src[j + 1];
      const b = src[j + 2];
      if (removeRed && r >= minRed && r - (g > b ? g : b) >= margin) {
        out[i] = 255;
        red++;
      } else out[i] = (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16;
    }
  }
  return { image: { width: img.width, height: img.height, channels: 1, data: out }, redFraction: red / n };
}

/** Otsu's threshold over the histogram of a grey image: pixels <= t are ink. */
export function otsuThreshold(img: GrayImage): number {
  const hist = new Float64Array(256);
  const d = img.data;
  for (let i = 0; i < d.length; i++) hist[d[i]]++;
  const total = d.length;
  let sum = 0;
  for (let t = 0; t < 256; t++) sum += t * hist[t];
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 127;
  for (let t = 0; t < 256; t++) {
    wB += hist[t];
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * hist[t];
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = t;
    }
  }
  return threshold;
}

export function binarizeOtsu(img: GrayImage): GrayImage {
  const t = otsuThreshold(img);
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] <= t ? 0 : 255;
  return { ...img, data: out };
}

/**
 * Sauvola: ink where v < mean·(1 + k·(sd/128 − 1)) over a window of `window` px. Integral images
 * of the sum and the sum of squares make it O(pixels) whatever the window.
 */
export function binarizeSauvola(img: GrayImage, window = 41, k = 0.2): GrayImage {
  return drain(binarizeSauvolaSteps(img, window, k));
}

export function* binarizeSauvolaSteps(img: GrayImage, window = 41, k = 0.2): Steps<GrayImage> {
  const { width: W, height: H, data } = img;
  const S = new Float64Array((W + 1) * (H + 1));
  const Q = new Float64Array((W + 1) * (H + 1));
  for (let y = 0; y < H; y++) {
    if ((y & 127) === 0) yield;
    let rs = 0;
    let rq = 0;
    for (let x = 0; x < W; x++) {
      const v = data[y * W + x];
      rs += v;
      rq += v * v;
      const o = (y + 1) * (W + 1) + x + 1;
      S[o] = S[o - (W + 1)] + rs;
      Q[o] = Q[o - (W + 1)] + rq;
    }
  }
  const r = window >> 1;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    if ((y & 63) === 0) yield;
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(H, y + r + 1);
    for (let x = 0; x < W; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(W, x + r + 1);
      const n = (y1 - y0) * (x1 - x0);
      const a = y1 * (W + 1) + x1;
      const b = y0 * (W + 1) + x1;
      const c = y1 * (W + 1) + x0;
      const e = y0 * (W + 1) + x0;
      const mean = (S[a] - S[b] - S[c] + S[e]) / n;
      const variance = (Q[a] - Q[b] - Q[c] + Q[e]) / n - mean * mean;
      const sd = variance > 0 ? Math.sqrt(variance) : 0;
      out[y * W + x] = data[y * W + x] < mean * (1 + k * (sd / 128 - 1)) ? 0 : 255;
    }
  }
  return { ...img, data: out };
}

/**
 * Box-filter reduction by an integer factor (for the skew search): each output pixel the mean of
 * its factor × factor block, truncated. The block sums are gathered a row of the page at a time.
 * By 4 (a page 2450–3150 px wide, A4 or letter at 300 dpi, for the skew's 700 px copy), each row's
 * used part is copied into a word-aligned buffer and four pixels are read as one 32-bit word,
 * summed two bytes at a time in its halves (docs/ocr.md, "The skew's reduced copy"): the same
 * sums in under half the time.
 */
export function reduce(img: GrayImage, factor: number): GrayImage {
  if (factor <= 1) return img;
  const W = Math.floor(img.width / factor);
  const H = Math.floor(img.height / factor);
  const out = new Uint8Array(W * H);
  const area = factor * factor;
  const d = img.data;
  const row4 = factor === 4 ? new Uint8Array(W * 4) : null;
  const words = row4 ? new Uint32Array(row4.buffer) : null;
  const sums = new Uint32Array(W);
  for (let y = 0; y < H; y++) {
    sums.fill(0);
    for (let dy = 0; dy < factor; dy++) {
      const row = (y * factor + dy) * img.width;
      if (row4 && words) {
        row4.set(d.subarray(row, row + W * 4));
        for (let x = 0; x < W; x++) {
          const v = words[x];
          // Bytes 0+1 and 2+3 in the word's two halves (each at most 510), then the halves added.
          const pairs = (v & 0x00ff00ff) + ((v >>> 8) & 0x00ff00ff);
          sums[x] += (pairs & 0xffff) + (pairs >>> 16);
        }
      } else
        for (let x = 0; x < W; x++) {
          const at = row + x * factor;
          let s = 0;
          for (let dx = 0; dx < factor; dx++) s += d[at + dx];
          sums[x] += s;
        }
    }
    const o = y * W;
    for (let x = 0; x < W; x++) out[o + x] = sums[x] / area;
  }
  return { width: W, height: H, channels: 1, data: out };
}

export interface SkewEstimate {
  /** Degrees; positive when text lines descend to the right (the page is turned clockwise). */
  angle: number;
  /** Profile sharpness at the angle over that at 0° (1 = no better than unrotated). */
  gain: number;
  /**
   * How much sharper the profile of the dark pixels is across the page (by column) than down it (by
   * row), each as its sum of squared bin counts times its number of bins over the squared count of
   * pixels (1 for ink spread evenly). Text lines make rows sharp: an upright page is well under 1,
   * a page fed sideways (its lines running down) well over it (profile.ts).
   */
  across: number;
  /** Ink below the text lines' bodies over ink above them: under 1 upright, over 1 upside down (profile.ts). */
  lean: number;
  /** When `across` is over 1: the lean after a quarter turn clockwise and after three (profile.ts). */
  turned?: { 90: number; 270: number };
}

/**
 * Skew by projection profile: for each candidate angle, the dark pixels of a reduced, binarised
 * copy are projected onto the axis perpendicular to the text lines; the angle with the largest
 * sum of squared bin counts wins (coarse 0.25° steps, then 0.05° around the best).
 */
export function estimateSkew(img: GrayImage, opts: { maxDegrees?: number; targetWidth?: number } = {}): SkewEstimate {
  return drain(estimateSkewSteps(img, opts));
}

export function* estimateSkewSteps(img: GrayImage, opts: { maxDegrees?: number; targetWidth?: number } = {}): Steps<SkewEstimate> {
  const maxDeg = opts.maxDegrees ?? 5;
  const factor = Math.max(1, Math.round(img.width / (opts.targetWidth ?? 700)));
  const small = reduce(img, factor);
  yield;
  const t = otsuThreshold(small);
  const { width: W, height: H, data } = small;
  // Dark pixels, at most ~300k of them (a regular sample beyond that).
  let dark = 0;
  for (let i = 0; i < data.length; i++) if (data[i] <= t) dark++;
  if (dark < 50) return { angle: 0, gain: 1, across: 0, lean: 0 };
  const stride = Math.max(1, Math.ceil(dark / 300_000));
  // Typed arrays: the ~50 angles tried each project every point (most of the search's time).
  const xs = new Float64Array(Math.ceil(dark / stride));
  const ys = new Float64Array(xs.length);
  let k = 0;
  let n = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (data[y * W + x] <= t && k++ % stride === 0) {
        xs[n] = x - W / 2;
        ys[n++] = y - H / 2;
      }
  const diag = Math.ceil(Math.hypot(W, H));
  const bins = new Float64Array(diag + 2);
  const score = (deg: number): number => {
    const a = (deg * Math.PI) / 180;
    const c = Math.cos(a);
    const s = Math.sin(a);
    bins.fill(0);
    const off = diag / 2 + 1;
    for (let i = 0; i < xs.length; i++) bins[Math.round(ys[i] * c - xs[i] * s + off)]++;
    let sq = 0;
    for (let i = 0; i < bins.length; i++) sq += bins[i] * bins[i];
    return sq;
  };
  let best = 0;
  let bestScore = score(0);
  const base = bestScore;
  for (let d = -maxDeg; d <= maxDeg + 1e-9; d += 0.25) {
    yield;
    const s = score(d);
    if (s > bestScore) {
      bestScore = s;
      best = d;
    }
  }
  const coarse = best;
  for (let d = coarse - 0.25; d <= coarse + 0.25 + 1e-9; d += 0.05) {
    yield;
    const s = score(d);
    if (s > bestScore) {
      bestScore = s;
      best = d;
    }
  }
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const across = r2(acrossRatio(xs, ys, W, H));
  const lean = r2(leanBelow(xs, ys, best));
  if (across <= 1) return { angle: r2(best), gain: base > 0 ? bestScore / base : 1, across, lean };
  const tl = turnedLeans(xs, ys);
  return { angle: r2(best), gain: base > 0 ? bestScore / base : 1, across, lean, turned: { 90: r2(tl[90]), 270: r2(tl[270]) } };
}

/**
 * The image turned clockwise (on screen, y down) by `degrees` about its centre, same size,
 * bilinear, uncovered corners white. deskew = rotateGray(img, -skew.angle).
 */
export function rotateGray(img: GrayImage, degrees: number): GrayImage {
  return drain(rotateGraySteps(img, degrees));
}

export function* rotateGraySteps(img: GrayImage, degrees: number): Steps<GrayImage> {
  const { width: W, height: H, data } = img;
  const out = new Uint8Array(W * H);
  const a = (degrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const cx = (W - 1) / 2;
  const cy = (H - 1) / 2;
  for (let y = 0; y < H; y++) {
    if ((y & 127) === 0) yield;
    const dy = y - cy;
    // source = R(-a)·(dst - centre) + centre
    let sx = -cx * c + dy * s + cx;
    let sy = cx * s + dy * c + cy;
    for (let x = 0; x < W; x++, sx += c, sy -= s) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= W - 1 || y0 >= H - 1) {
        out[y * W + x] = 255;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * W + x0;
      const top = data[i] + (data[i + 1] - data[i]) * fx;
      const bot = data[i + W] + (data[i + W + 1] - data[i + W]) * fx;
      out[y * W + x] = top + (bot - top) * fy + 0.5;
    }
  }
  return { width: W, height: H, channels: 1, data: out };
}

/** A point of the image rotated by rotateGray(img, degrees), back in the unrotated image. */
export function unrotatePoint(x: number, y: number, width: number, height: number, degrees: number): [number, number] {
  const a = (degrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const dx = x - cx;
  const dy = y - cy;
  return [dx * c + dy * s + cx, -dx * s + dy * c + cy];
}
