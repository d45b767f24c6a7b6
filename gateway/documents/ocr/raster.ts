/**
 * Preprocessing of page images for OCR, on raw pixels in plain JavaScript (no native code): the
 * pages of a PDF arrive as PPM from pdftoppm, images are decoded to the same raw RGB by sharp
 * (image.ts), and the result goes to tesseract as PGM. Every step makes a new buffer: the input is
 * never changed.
 *
 *   1. red removal + greyscale: a pixel where red dominates (seal, red signature ink) becomes
 *      white, every other pixel its luminance. Red ink over black text multiplies to black on
 *      paper, so the text under a seal is kept;
 *   2. deskew (deskew.ts): the skew angle is the one whose horizontal projection profile of dark pixels is the
 *      sharpest (text lines fall into few rows), searched over ±maxDegrees on a reduced copy;
 *      the page is then rotated back about its centre (bilinear, same size, white corners);
 *   3. binarisation: Sauvola's local threshold (integral images; copes with unevenly lit photos),
 *      or Otsu's global one.
 */

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
