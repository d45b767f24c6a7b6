/**
 * Perspective of a phone photo (docs/ocr.md, "Phone photos"): a sheet photographed on a desk is a
 * light four-sided shape on a darker ground, its far edge shorter than its near one. The sheet is
 * found on a reduced copy (Otsu's threshold between paper and ground, the largest light region, its
 * four extreme corners) and the photo is warped onto an upright rectangle of the sheet's size
 * (a homography, bilinear), so text lines come out straight and parallel for the layout reader.
 * A photo whose border is not mostly ground (a scan, a sheet filling the frame) is left as it is.
 */
import { otsuThreshold, type RgbImage } from './raster.ts';

export type Point = [x: number, y: number];

/** The sheet's corners in the photo, clockwise from the top left (pixels). */
export interface Quad {
  tl: Point;
  tr: Point;
  br: Point;
  bl: Point;
}

/** The reduced copy is about this many pixels on its long side. */
const REDUCED = 600;

/** Luminance of an RGB image reduced by box averaging. */
function reducedLuma(img: RgbImage, factor: number): { width: number; height: number; data: Uint8Array } {
  const W = Math.floor(img.width / factor);
  const H = Math.floor(img.height / factor);
  const data = new Uint8Array(W * H);
  const area = factor * factor;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      let s = 0;
      for (let dy = 0; dy < factor; dy++) {
        let j = ((y * factor + dy) * img.width + x * factor) * 3;
        for (let dx = 0; dx < factor; dx++, j += 3) s += img.data[j] * 299 + img.data[j + 1] * 587 + img.data[j + 2] * 114;
      }
      data[y * W + x] = s / area / 1000;
    }
  return { width: W, height: H, data };
}

/** The sheet in a photo, or null when there is no ground around it to find it by. */
export function findSheet(img: RgbImage): Quad | null {
  const factor = Math.max(1, Math.ceil(Math.max(img.width, img.height) / REDUCED));
  const small = reducedLuma(img, factor);
  const { width: W, height: H, data } = small;
  if (W < 20 || H < 20) return null;
  const t = otsuThreshold({ ...small, channels: 1 });
  const light = (i: number) => data[i] > t;
  // The ground must show all around: most of the outer ring is dark.
  let ring = 0;
  let dark = 0;
  for (let x = 0; x < W; x++)
    for (const y of [0, 1, H - 2, H - 1]) {
      ring++;
      if (!light(y * W + x)) dark++;
    }
  for (let y = 2; y < H - 2; y++)
    for (const x of [0, 1, W - 2, W - 1]) {
      ring++;
      if (!light(y * W + x)) dark++;
    }
  if (dark < 0.6 * ring) return null;
  // The largest light region (4-connected), by a flood fill.
  const label = new Int32Array(W * H);
  const queue = new Int32Array(W * H);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let s = 0; s < W * H; s++) {
    if (label[s] || !light(s)) continue;
    next++;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    label[s] = next;
    while (head < tail) {
      const i = queue[head++];
      const x = i % W;
      for (const j of [x > 0 ? i - 1 : -1, x < W - 1 ? i + 1 : -1, i - W, i + W])
        if (j >= 0 && j < W * H && !label[j] && light(j)) {
          label[j] = next;
          queue[tail++] = j;
        }
    }
    if (tail > bestSize) {
      bestSize = tail;
      best = next;
    }
  }
  if (bestSize < 0.25 * W * H) return null;
  // Its extreme corners: the smallest and largest x+y and x−y.
  const ext = { tl: [Infinity, 0, 0], br: [-Infinity, 0, 0], tr: [-Infinity, 0, 0], bl: [Infinity, 0, 0] };
  for (let i = 0; i < W * H; i++) {
    if (label[i] !== best) continue;
    const x = i % W;
    const y = (i - x) / W;
    if (x + y < ext.tl[0]) ext.tl = [x + y, x, y];
    if (x + y > ext.br[0]) ext.br = [x + y, x, y];
    if (x - y > ext.tr[0]) ext.tr = [x - y, x, y];
    if (x - y < ext.bl[0]) ext.bl = [x - y, x, y];
  }
  const at = (e: number[]): Point => [(e[1] + 0.5) * factor, (e[2] + 0.5) * factor];
  const quad: Quad = { tl: at(ext.tl), tr: at(ext.tr), br: at(ext.br), bl: at(ext.bl) };
  const { width, height } = sheetSize(quad);
  if (width < 0.3 * img.width || height < 0.3 * img.height) return null;
  return quad;
}

const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** The upright rectangle a sheet becomes: its longer top or bottom edge by its longer side. */
export function sheetSize(q: Quad): { width: number; height: number } {
  return { width: Math.round(Math.max(dist(q.tl, q.tr), dist(q.bl, q.br))), height: Math.round(Math.max(dist(q.tl, q.bl), dist(q.tr, q.br))) };
}

/** The homography (row-major 3×3, h33 = 1) taking each of `from` to the matching point of `to`. */
export function homography(from: Point[], to: Point[]): number[] {
  // Eight equations in h11…h32: x' (h31 x + h32 y + 1) = h11 x + h12 y + h13, likewise for y'.
  const A: number[][] = [];
  for (let k = 0; k < 4; k++) {
    const [x, y] = from[k];
    const [u, v] = to[k];
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k < 9; k++) A[r][k] -= f * A[c][k];
    }
  }
  return [...A.map((row, i) => row[8] / row[i]), 1];
}

/** A point through a homography. */
export function mapPoint(h: number[], x: number, y: number): Point {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}

/** The sheet warped onto an upright rectangle (bilinear; outside the photo is white). */
export function rectify(img: RgbImage, q: Quad): RgbImage {
  const { width: W, height: H } = sheetSize(q);
  const h = homography(
    [
      [0, 0],
      [W - 1, 0],
      [W - 1, H - 1],
      [0, H - 1],
    ],
    [q.tl, q.tr, q.br, q.bl],
  );
  const out = new Uint8Array(W * H * 3).fill(255);
  const src = img.data;
  const SW = img.width;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const w = h[6] * x + h[7] * y + h[8];
      const sx = (h[0] * x + h[1] * y + h[2]) / w;
      const sy = (h[3] * x + h[4] * y + h[5]) / w;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 >= SW - 1 || y0 >= img.height - 1) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const i = (y0 * SW + x0) * 3;
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[i + c] + (src[i + 3 + c] - src[i + c]) * fx;
        const bot = src[i + SW * 3 + c] + (src[i + SW * 3 + 3 + c] - src[i + SW * 3 + c]) * fx;
        out[o + c] = top + (bot - top) * fy + 0.5;
      }
    }
  }
  return { width: W, height: H, channels: 3, data: out };
}
