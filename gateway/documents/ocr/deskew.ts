/**
 * Deskew for OCR (raster.ts step 2): the skew angle of a page is the one whose projection profile
 * of dark pixels is the sharpest, searched on a reduced copy; the page is rotated back about its
 * centre. docs/ocr.md describes the search and the reduced copy.
 */

import { acrossRatio, leanBelow, turnedLeans } from './profile.ts';
import { drain, type GrayImage, otsuThreshold, type Steps } from './raster.ts';

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
