/**
 * Draws the add-in's icons (16, 32, 64, 80, 128 px PNG) into addin/public/assets: a document
 * sheet with a red seal on a Fluent-blue tile. Shapes are described in unit coordinates and
 * rasterised with 8×8 supersampling, so every size is drawn, not scaled.
 *   tsx addin/scripts/icons.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type Rgb = [number, number, number];
interface Layer {
  color: Rgb;
  inside(x: number, y: number): boolean;
}

const BLUE: Rgb = [15, 108, 189]; // Fluent brand #0F6CBD
const WHITE: Rgb = [255, 255, 255];
const FOLD: Rgb = [207, 228, 250];
const INK: Rgb = [17, 94, 163];
const SEAL: Rgb = [196, 49, 75];

const roundRect = (x0: number, y0: number, x1: number, y1: number, r: number) => (x: number, y: number) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const circle = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx: number, cy: number, r0: number, r1: number) => (x: number, y: number) => {
  const d = (x - cx) ** 2 + (y - cy) ** 2;
  return d >= r0 * r0 && d <= r1 * r1;
};

/** Small sizes get fewer, thicker strokes so they stay legible. */
function layers(size: number): Layer[] {
  const small = size <= 20;
  const page = { x0: 0.24, y0: 0.14, x1: 0.72, y1: 0.84, fold: 0.15 };
  const sheet = (x: number, y: number) => x >= page.x0 && x <= page.x1 && y >= page.y0 && y <= page.y1 && x - page.x1 + page.fold <= y - page.y0;
  const fold = (x: number, y: number) =>
    x <= page.x1 && y >= page.y0 && x >= page.x1 - page.fold && y <= page.y0 + page.fold && x - page.x1 + page.fold >= y - page.y0;
  const lineYs = small ? [0.38, 0.56] : [0.36, 0.47, 0.58, 0.69];
  const thick = small ? 0.075 : 0.045;
  const lines = (x: number, y: number) => x >= page.x0 + 0.07 && x <= page.x1 - 0.09 && lineYs.some((ly) => Math.abs(y - ly) <= thick / 2);
  const seal = { cx: 0.72, cy: 0.74, r: small ? 0.2 : 0.17 };
  return [
    { color: BLUE, inside: roundRect(0.02, 0.02, 0.98, 0.98, 0.2) },
    { color: WHITE, inside: sheet },
    { color: FOLD, inside: fold },
    { color: INK, inside: lines },
    { color: BLUE, inside: circle(seal.cx, seal.cy, seal.r + (small ? 0.05 : 0.04)) },
    { color: SEAL, inside: circle(seal.cx, seal.cy, seal.r) },
    ...(small ? [] : [{ color: WHITE, inside: ring(seal.cx, seal.cy, seal.r * 0.55, seal.r * 0.72) }]),
  ];
}

export function drawIcon(size: number): Buffer {
  const png = new PNG({ width: size, height: size });
  const n = 8;
  const ls = layers(size);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          const top = ls.findLast((l) => l.inside(x, y));
          if (!top) continue;
          r += top.color[0];
          g += top.color[1];
          b += top.color[2];
          a += 1;
        }
      }
      const i = (py * size + px) * 4;
      // Colour averaged over covered samples (no dark fringe), coverage as alpha.
      png.data[i] = a ? Math.round(r / a) : 0;
      png.data[i + 1] = a ? Math.round(g / a) : 0;
      png.data[i + 2] = a ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round((255 * a) / (n * n));
    }
  }
  return PNG.sync.write(png);
}

export const ICON_SIZES = [16, 32, 64, 80, 128];

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'public', 'assets');
  mkdirSync(out, { recursive: true });
  for (const size of ICON_SIZES) writeFileSync(path.join(out, `icon-${size}.png`), drawIcon(size));
  process.stderr.write(`icons written to ${out}\n`);
}
