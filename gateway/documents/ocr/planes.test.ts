// own-process: the page-buffer pool (planes.ts) must start empty for the reuse test.
import { describe, expect, it } from 'vitest';
import { OcrTooLarge } from './errors.ts';
import { PnmPlanes, PlaneWriter, pnmHeader, releasePlanes, splitPlanesSteps, splitRgb } from './planes.ts';
import { SIMD_BLOCK, simdAvailable, simdPixels, splitSimd, useSimd } from './split-simd.ts';
import { drain, PnmError, type RgbImage, toGray } from './raster.ts';

/** A colour page with red ink (a seal), dark text, JPEG-like reddish dark pixels and blue ink. */
function colour(width: number, height: number, seed = 1): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s & 0xff;
  };
  for (let i = 0; i < width * height; i++) {
    const kind = rnd() % 5;
    const px = kind === 0 ? [200 + (rnd() % 56), rnd() % 100, rnd() % 100] : kind === 1 ? [100, 30, 30] : kind === 2 ? [20, 40, 180] : [rnd(), rnd(), rnd()];
    data.set(px, i * 3);
  }
  return { width, height, channels: 3, data };
}

const ppm = (img: RgbImage) => Buffer.concat([Buffer.from(`P6\n${img.width} ${img.height}\n255\n`, 'latin1'), img.data]);

function streamed(bytes: Uint8Array, chunk: number, opts: { removeRed?: boolean; keepRed?: boolean; maxPixels?: number } = {}) {
  const p = new PnmPlanes({ maxPixels: 1e9, ...opts });
  for (let at = 0; at < bytes.length; at += chunk) p.push(bytes.subarray(at, at + chunk));
  return p.end();
}

describe('planes: a rendered page split as it arrives', () => {
  it('gives, in chunks of any size (pixels and the header cut anywhere), the grey of toGray and the red channel', () => {
    const img = colour(37, 23);
    const want = toGray(img, true);
    const red = Uint8Array.from({ length: img.width * img.height }, (_, i) => img.data[i * 3]);
    for (const chunk of [1, 2, 4, 5, 64, 1000, 1 << 20]) {
      const p = streamed(ppm(img), chunk);
      expect([p.width, p.height]).toEqual([37, 23]);
      expect(Buffer.from(p.gray.data).equals(Buffer.from(want.image.data))).toBe(true);
      expect(Buffer.from(p.red?.data ?? []).equals(Buffer.from(red))).toBe(true);
      expect(p.redFraction).toBe(want.redFraction);
      expect(p.redFraction).toBeGreaterThan(0.1);
    }
    const kept = streamed(ppm(img), 7, { removeRed: false, keepRed: false });
    expect(Buffer.from(kept.gray.data).equals(Buffer.from(toGray(img, false).image.data))).toBe(true);
    expect(kept.red).toBeNull();
    expect(kept.redFraction).toBe(0);
  });

  it('takes a PGM (red removal off: pdftoppm -gray) as the grey plane, with no red one', () => {
    const gray = Uint8Array.from({ length: 50 }, (_, i) => i * 5);
    const p = streamed(Buffer.concat([Buffer.from('P5\n# a comment\n10 5\n255\n', 'latin1'), gray]), 3);
    expect(Array.from(p.gray.data)).toEqual(Array.from(gray));
    expect(p.red).toBeNull();
  });

  it('reads the header only once it is whole, and refuses a bad one', () => {
    expect(pnmHeader(Buffer.from('P6\n20 10\n25'))).toBeNull();
    expect(pnmHeader(Buffer.from('P6\n20 10\n255'))).toBeNull();
    expect(pnmHeader(Buffer.from('P6\n20 10\n255\n'))).toEqual({ channels: 3, width: 20, height: 10, length: 13 });
    expect(() => pnmHeader(Buffer.from('P3\n20 10\n255\n'))).toThrow(PnmError);
    expect(() => pnmHeader(Buffer.from('P6\n20 10\n65535\n'))).toThrow(PnmError);
    expect(() => pnmHeader(Buffer.from('P6\n0 10\n255\n'))).toThrow(PnmError);
  });

  it('refuses a page over maxPixels from its header, before any pixel arrives', () => {
    const p = new PnmPlanes({ maxPixels: 199 });
    expect(() => p.push(Buffer.from('P6\n20 10\n255\n'))).toThrow(OcrTooLarge);
  });

  it('a truncated image, an empty one or a cut header is a PnmError', () => {
    const bytes = ppm(colour(8, 8));
    expect(() => streamed(bytes.subarray(0, bytes.length - 1), 10)).toThrow(PnmError);
    expect(() => new PnmPlanes({ maxPixels: 1e6 }).end()).toThrow(/empty/);
    const cut = new PnmPlanes({ maxPixels: 1e6 });
    cut.push(Buffer.from('P6\n8 '));
    expect(() => cut.end()).toThrow(/header/);
  });

  it('a decoded image split by the same code, a turn allowed on the way', () => {
    const img = colour(600, 500, 7);
    const steps = splitPlanesSteps(img);
    let turns = 0;
    for (;;) {
      const r = steps.next();
      if (r.done) {
        expect(Buffer.from(r.value.gray.data).equals(Buffer.from(toGray(img, true).image.data))).toBe(true);
        break;
      }
      turns++;
    }
    expect(turns).toBeGreaterThan(0);
  });

  it('reuses the buffers of a page read for the next page of that size, every byte written anew', () => {
    const first = drain(splitPlanesSteps(colour(40, 30, 3)));
    const buffers = [first.gray.data, first.red?.data];
    releasePlanes(first, first);
    const img = colour(40, 30, 4);
    const next = streamed(ppm(img), 11);
    expect(buffers).toContain(next.gray.data);
    expect(buffers).toContain(next.red?.data);
    expect(Buffer.from(next.gray.data).equals(Buffer.from(toGray(img, true).image.data))).toBe(true);
    // Not given back: a new page gets new buffers.
    const other = new PlaneWriter(40, 30, 1);
    other.write(new Uint8Array(1200));
    expect(buffers).not.toContain(other.finish().gray.data);
  });
});

describe('planes: the split in WebAssembly SIMD (split-simd.ts)', () => {
  it('runs here (Node 20 has WebAssembly SIMD) and can be turned off', () => {
    expect(simdAvailable()).toBe(true);
    useSimd(false);
    try {
      expect(simdAvailable()).toBe(false);
      expect(splitSimd(new Uint8Array(48), 0, 16, new Uint8Array(16), null, 0, 110)).toEqual({ done: 0, reds: 0 });
    } finally {
      useSimd(true);
    }
  });

  it('gives the same grey, red channel and count as the JavaScript reference on every colour a pixel can have, with and without red removal', () => {
    const n = 1 << 24;
    const src = new Uint8Array(n * 3 + 5);
    // Two bytes of something else first: the pixels start at an odd offset, as in a PPM after its header.
    for (let i = 0; i < n; i++) src.set([i >> 16, (i >> 8) & 255, i & 255], 2 + i * 3);
    for (const [removeRed, minRed] of [
      [true, 110],
      [false, 256],
    ] as const) {
      const want = { gray: new Uint8Array(n + 7), red: new Uint8Array(n + 7) };
      const reds = splitRgb(src, 2, want.gray, want.red, 7, n + 7, removeRed);
      const got = { gray: new Uint8Array(n + 7), red: new Uint8Array(n + 7) };
      const r = splitSimd(src, 2, n, got.gray, got.red, 7, minRed);
      expect(r).toEqual({ done: n, reds });
      expect(reds).toBe(removeRed ? 3_059_941 : 0);
      expect(Buffer.compare(got.gray, want.gray)).toBe(0);
      expect(Buffer.compare(got.red, want.red)).toBe(0);
    }
  });

  it('leaves the pixels past the last whole 16 to the caller, and splits without the red channel', () => {
    const img = colour(SIMD_BLOCK / 64 + 3, 67, 5);
    const n = img.width * img.height;
    const gray = new Uint8Array(n).fill(7);
    const r = splitSimd(img.data, 0, n, gray, null, 0, 110);
    expect(r.done).toBe(n - (n % 16));
    expect(n % 16).not.toBe(0);
    const want = toGray(img, true).image.data;
    expect(Buffer.compare(gray.subarray(0, r.done), want.subarray(0, r.done))).toBe(0);
    expect([...gray.subarray(r.done)].every((v) => v === 7)).toBe(true);
  });

  it('a page split with SIMD is the page split in JavaScript, byte for byte, over several blocks', () => {
    const img = colour(1003, 531, 9);
    const bytes = ppm(img);
    const split = (simd: boolean) => {
      useSimd(simd);
      const before = simdPixels();
      try {
        return { ...streamed(bytes, 100_003), simdPixels: simdPixels() - before };
      } finally {
        useSimd(true);
      }
    };
    const a = split(true);
    const b = split(false);
    // The page went through the SIMD split (all but the pixels cut between reads and the last few), and not with it off.
    expect(a.simdPixels).toBeGreaterThan(1003 * 531 * 0.99);
    expect(b.simdPixels).toBe(0);
    expect(Buffer.compare(a.gray.data, b.gray.data)).toBe(0);
    expect(Buffer.compare(a.red?.data ?? new Uint8Array(), b.red?.data ?? new Uint8Array())).toBe(0);
    expect(a.redFraction).toBe(b.redFraction);
    expect(a.redFraction).toBeGreaterThan(0.1);
  });
});
