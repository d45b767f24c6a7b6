/** The sheet in a phone photo found and straightened (perspective.ts). */
import { describe, expect, it } from 'vitest';
import { findSheet, homography, mapPoint, type Point, type Quad, rectify, sheetSize } from './perspective.ts';
import type { RgbImage } from './raster.ts';

/** A photo W×H of dark ground with a light sheet whose corners are `q`; ink marks at sheet coordinates (0–1) drawn through the same perspective. */
function photo(W: number, H: number, q: Quad, marks: Point[] = []): RgbImage {
  const data = new Uint8Array(W * H * 3);
  const h = homography(
    [q.tl, q.tr, q.br, q.bl],
    [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ],
  );
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [u, v] = mapPoint(h, x, y);
      const inside = u >= 0 && u <= 1 && v >= 0 && v <= 1;
      const ink = inside && marks.some(([mx, my]) => Math.abs(u - mx) < 0.02 && Math.abs(v - my) < 0.015);
      const level = ink ? 20 : inside ? 225 : 55;
      data.set([level, level, level - 5], (y * W + x) * 3);
    }
  return { width: W, height: H, channels: 3, data };
}

const near = (a: Point, b: Point, tol: number) => Math.hypot(a[0] - b[0], a[1] - b[1]) <= tol;

describe('findSheet', () => {
  const quad: Quad = { tl: [140, 90], tr: [1080, 130], br: [1120, 1560], bl: [90, 1500] };

  it('finds the corners of a sheet lying in perspective on a dark ground', () => {
    const q = findSheet(photo(1200, 1650, quad, [[0.5, 0.5]]));
    expect(q).not.toBeNull();
    if (!q) return;
    for (const k of ['tl', 'tr', 'br', 'bl'] as const) expect(near(q[k], quad[k], 8), `${k}: ${q[k]} vs ${quad[k]}`).toBe(true);
  });

  it('leaves alone a page that fills the frame (a scan) and a photo with no sheet', () => {
    const scan = photo(800, 1100, { tl: [-5, -5], tr: [805, -5], br: [805, 1105], bl: [-5, 1105] });
    expect(findSheet(scan)).toBeNull();
    const ground = photo(800, 1100, { tl: [390, 540], tr: [410, 540], br: [410, 560], bl: [390, 560] });
    expect(findSheet(ground)).toBeNull();
  });
});

describe('rectify', () => {
  it('puts what is printed on the sheet where it is on an upright rectangle of its size', () => {
    const quad: Quad = { tl: [140, 90], tr: [1080, 130], br: [1120, 1560], bl: [90, 1500] };
    const img = photo(1200, 1650, quad, [
      [0.2, 0.1],
      [0.8, 0.9],
    ]);
    const flat = rectify(img, quad);
    expect({ width: flat.width, height: flat.height }).toEqual(sheetSize(quad));
    const dark = (u: number, v: number) => flat.data[(Math.round(v * (flat.height - 1)) * flat.width + Math.round(u * (flat.width - 1))) * 3] < 100;
    expect(dark(0.2, 0.1)).toBe(true);
    expect(dark(0.8, 0.9)).toBe(true);
    expect(dark(0.5, 0.5)).toBe(false);
    // The corners are paper, not ground.
    expect(flat.data[(2 * flat.width + 2) * 3]).toBeGreaterThan(180);
    expect(flat.data.length).toBe(flat.width * flat.height * 3);
  });

  it('homography maps the four points it was made from', () => {
    const from: Point[] = [
      [0, 0],
      [10, 0],
      [10, 20],
      [0, 20],
    ];
    const to: Point[] = [
      [3, 4],
      [14, 2],
      [15, 25],
      [1, 22],
    ];
    const h = homography(from, to);
    for (let i = 0; i < 4; i++) expect(near(mapPoint(h, ...from[i]), to[i], 1e-6)).toBe(true);
  });
});
