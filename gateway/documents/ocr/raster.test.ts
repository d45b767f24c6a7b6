import { describe, expect, it } from 'vitest';
import { binarizeOtsu, binarizeSauvola, encodePgm, type GrayImage, otsuThreshold, parsePnm, PnmError, type RgbImage, toGray } from './raster.ts';
import { estimateSkew, reduce, rotateGray, unrotatePoint } from './deskew.ts';

/** A white page with black horizontal "text lines" (dashes), as a grey image. */
function page(width = 800, height = 1000): GrayImage {
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 100; y < height - 100; y += 40)
    for (let x = 80; x < width - 80; x++) if ((x >> 4) % 3 !== 2) for (let t = 0; t < 8; t++) data[(y + t) * width + x] = 0;
  return { width, height, channels: 1, data };
}

describe('PNM', () => {
  it('parses P6 and P5 with comments and writes P5 back', () => {
    const p6 = Buffer.concat([Buffer.from('P6\n# pdftoppm\n2 1\n255\n'), Buffer.from([255, 0, 0, 10, 20, 30])]);
    const rgb = parsePnm(p6);
    expect(rgb).toMatchObject({ width: 2, height: 1, channels: 3 });
    expect([...rgb.data]).toEqual([255, 0, 0, 10, 20, 30]);
    const gray: GrayImage = { width: 3, height: 1, channels: 1, data: new Uint8Array([0, 128, 255]) };
    const back = parsePnm(encodePgm(gray));
    expect(back).toMatchObject({ width: 3, height: 1, channels: 1 });
    expect([...back.data]).toEqual([0, 128, 255]);
  });

  it('refuses what is not a whole 8-bit binary PNM', () => {
    expect(() => parsePnm(Buffer.from('\xff\xd8\xff\xe0JFIF', 'latin1'))).toThrow(PnmError);
    expect(() => parsePnm(Buffer.from('P6\n10 10\n255\n\x00\x00'))).toThrow(/truncated/);
    expect(() => parsePnm(Buffer.from('P5\n2 2\n65535\n'))).toThrow(/maxval/);
    expect(() => parsePnm(Buffer.from('P5\n-1 0\n255\n'))).toThrow(PnmError);
    expect(() => parsePnm(new Uint8Array())).toThrow(PnmError);
  });
});

describe('red removal', () => {
  it('whitens seal red, keeps black, blue and dark text, leaves the input untouched', () => {
    const px = [
      [216, 35, 42], // seal red
      [240, 170, 175], // faded pink edge of the seal
      [20, 20, 20], // black text
      [90, 20, 20], // black text with JPEG red bleeding: kept
      [30, 40, 160], // blue ink signature: kept
      [200, 200, 200], // paper
    ];
    const img: RgbImage = { width: px.length, height: 1, channels: 3, data: new Uint8Array(px.flat()) };
    const before = new Uint8Array(img.data);
    const { image, redFraction } = toGray(img, true);
    expect(image.data[0]).toBe(255);
    expect(image.data[1]).toBe(255);
    expect(image.data[2]).toBe(20);
    expect(image.data[3]).toBeLessThan(60);
    expect(image.data[4]).toBeLessThan(70);
    expect(image.data[5]).toBe(200);
    expect(redFraction).toBeCloseTo(2 / 6);
    expect(img.data).toEqual(before);
    expect(toGray(img, false).image.data[0]).toBeLessThan(100);
  });
});

describe('binarisation', () => {
  it('Otsu splits ink from paper', () => {
    const data = new Uint8Array(1000);
    for (let i = 0; i < data.length; i++) data[i] = i % 10 === 0 ? 30 + (i % 7) : 220 - (i % 5);
    const img: GrayImage = { width: 100, height: 10, channels: 1, data };
    const t = otsuThreshold(img);
    expect(t).toBeGreaterThanOrEqual(36);
    expect(t).toBeLessThan(216);
    const b = binarizeOtsu(img);
    expect(b.data.filter((v) => v === 0).length).toBe(100);
  });

  it('Sauvola keeps text in a dark corner that one global threshold loses', () => {
    const W = 400;
    const H = 200;
    const data = new Uint8Array(W * H);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const light = x < 200 ? 230 : 110; // the right half in shadow
        const ink = y % 20 < 3 && x % 10 < 6;
        data[y * W + x] = ink ? light - 70 : light;
      }
    const img: GrayImage = { width: W, height: H, channels: 1, data };
    const s = binarizeSauvola(img, 21);
    const o = binarizeOtsu(img);
    const inkRight = (b: GrayImage) => {
      let n = 0;
      for (let y = 30; y < 170; y++) for (let x = 230; x < 370; x++) if (b.data[y * W + x] === 0) n++;
      return n / (140 * 140);
    };
    expect(inkRight(o)).toBeGreaterThan(0.9); // the shadow became ink
    expect(inkRight(s)).toBeGreaterThan(0.07); // 9% of the area is ink
    expect(inkRight(s)).toBeLessThan(0.12);
  });
});

describe('deskew', () => {
  it('finds the angle a page was turned by, both ways, and none on a straight page', () => {
    const straight = page();
    expect(estimateSkew(straight).angle).toBe(0);
    for (const deg of [1.5, -2.2, 4]) {
      const turned = rotateGray(straight, deg);
      expect(Math.abs(estimateSkew(turned).angle - deg)).toBeLessThanOrEqual(0.15);
    }
  });

  it('turning back restores the page, and unrotatePoint maps points back', () => {
    const straight = page();
    const back = rotateGray(rotateGray(straight, 2), -2);
    let diff = 0;
    for (let y = 150; y < 850; y++) for (let x = 150; x < 650; x++) diff += Math.abs(back.data[y * 800 + x] - straight.data[y * 800 + x]) > 128 ? 1 : 0;
    expect(diff / (700 * 500)).toBeLessThan(0.03);
    // A dark dot at (600, 200) of the turned page is at unrotatePoint(...) in the original.
    const img: GrayImage = { width: 800, height: 1000, channels: 1, data: new Uint8Array(800 * 1000).fill(255) };
    for (let y = 195; y < 205; y++) for (let x = 595; x < 605; x++) img.data[y * 800 + x] = 0;
    const turned = rotateGray(img, 3);
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let y = 0; y < 1000; y++)
      for (let x = 0; x < 800; x++)
        if (turned.data[y * 800 + x] < 128) {
          sx += x;
          sy += y;
          n++;
        }
    const [ox, oy] = unrotatePoint(sx / n, sy / n, 800, 1000, 3);
    expect(Math.abs(ox - 599.5)).toBeLessThan(1.5);
    expect(Math.abs(oy - 199.5)).toBeLessThan(1.5);
    // Clockwise on screen: a point right of the centre moves down.
    expect(sy / n).toBeGreaterThan(199.5);
  });

  it('does not throw on blank or tiny images', () => {
    expect(estimateSkew({ width: 10, height: 10, channels: 1, data: new Uint8Array(100).fill(255) }).angle).toBe(0);
    expect(rotateGray({ width: 1, height: 1, channels: 1, data: new Uint8Array([0]) }, 3).data[0]).toBe(255);
  });
});

describe('reduced copy (the skew search)', () => {
  /** Each output pixel the mean of its block, truncated, summed one pixel at a time. */
  function plainReduce(img: GrayImage, f: number): number[] {
    const W = Math.floor(img.width / f);
    const H = Math.floor(img.height / f);
    const out: number[] = [];
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        let s = 0;
        for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += img.data[(y * f + dy) * img.width + x * f + dx];
        out.push(Math.floor(s / (f * f)));
      }
    return out;
  }
  let seed = 7;
  const noise = (n: number) =>
    Uint8Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      // Many 0s and 255s: the extremes are where sums two bytes at a time would overflow.
      const v = seed >>> 24;
      return v < 60 ? 0 : v > 190 ? 255 : v;
    });

  it('is the mean of each block, by 4 four pixels at a time and otherwise, aligned or not', () => {
    const cases: Array<[GrayImage, number]> = [
      [{ width: 64, height: 33, channels: 1, data: noise(64 * 33) }, 4], // whole words: four pixels a word
      [{ width: 66, height: 33, channels: 1, data: noise(66 * 33) }, 4], // rows not whole words
      [{ width: 64, height: 33, channels: 1, data: noise(64 * 33 + 1).subarray(1) }, 4], // buffer not word-aligned
      [{ width: 61, height: 40, channels: 1, data: noise(61 * 40) }, 3],
      [{ width: 40, height: 40, channels: 1, data: new Uint8Array(1600).fill(255) }, 4],
    ];
    for (const [img, f] of cases) {
      const r = reduce(img, f);
      expect([r.width, r.height]).toEqual([Math.floor(img.width / f), Math.floor(img.height / f)]);
      expect([...r.data]).toEqual(plainReduce(img, f));
    }
    const white = reduce(cases[4][0], 4);
    expect(white.data.every((v) => v === 255)).toBe(true);
  });
});
