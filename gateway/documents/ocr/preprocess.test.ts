/** Preprocessing of one page (preprocess.ts): what is left to tesseract, the skew, pages sideways or upside down. */
import { describe, expect, it } from 'vitest';
import { rotateQuarter } from './orient.ts';
import { preprocess } from './preprocess.ts';
import { type GrayImage, type RgbImage } from './raster.ts';
import { estimateSkew, rotateGray } from './deskew.ts';
import { binarizeArgs } from './read-page.ts';

/**
 * A white page with "text lines" as a grey image: words as dashes (the letters' body), with marks
 * above them as Vietnamese has (capitals, ascenders, â ê ô ơ ư and tone marks) and few below.
 */
function page(width = 800, height = 1000, ink = 40): GrayImage {
  const data = new Uint8Array(width * height).fill(235);
  for (let y = 100; y < height - 100; y += 40)
    for (let x = 80; x < width - 80; x++) {
      if ((x >> 4) % 3 === 2) continue;
      for (let t = 0; t < 8; t++) data[(y + t) * width + x] = ink;
      if (x % 5 < 2) for (let t = -5; t < 0; t++) data[(y + t) * width + x] = ink;
      if (x % 23 < 2) for (let t = 8; t < 11; t++) data[(y + t) * width + x] = ink;
    }
  return { width, height, channels: 1, data };
}

describe('preprocess', () => {
  it('leaves the binarisation to tesseract by default (its Otsu), and Sauvola to tesseract 5 (our window), keeping grey levels', async () => {
    const d = await preprocess(rotateGray(page(), 1.5), { nativeSauvola: true });
    expect(d.binarizer).toBe('tesseract-otsu');
    expect(new Set(d.image.data).size).toBeGreaterThan(2);
    expect(binarizeArgs(d.binarizer, 300)).toEqual(['-c', 'tessedit_do_invert=0', '-c', 'tessedit_char_blacklist=Ðð']);
    const p = await preprocess(rotateGray(page(), 1.5), { nativeSauvola: true, binarize: 'sauvola' });
    expect(p.binarizer).toBe('tesseract-sauvola');
    expect(Math.abs(p.skewDegrees - 1.5)).toBeLessThanOrEqual(0.15);
    expect(new Set(p.image.data).size).toBeGreaterThan(2);
    expect(binarizeArgs(p.binarizer, 300)).toEqual([
      '-c',
      'tessedit_do_invert=0',
      '-c',
      'tessedit_char_blacklist=Ðð',
      '-c',
      'thresholding_method=2',
      '-c',
      'thresholding_window_size=0.137',
      '-c',
      'thresholding_kfactor=0.2',
    ]);
    // tesseract 4 has no Sauvola of its own: the page is binarised here.
    const old = await preprocess(page(), { nativeSauvola: false, binarize: 'sauvola' });
    expect(old.binarizer).toBe('js');
    expect([...new Set(old.image.data)].sort((a, b) => a - b)).toEqual([0, 255]);
    expect(binarizeArgs('js', 300)).toEqual(['-c', 'tessedit_do_invert=0', '-c', 'tessedit_char_blacklist=Ðð']);
  });

  it("deskew 'boxes' (the default) finds the skew and leaves the page as it lies; true turns it", async () => {
    const skewed = rotateGray(page(), 2);
    const boxes = await preprocess(skewed, { nativeSauvola: true });
    expect(Math.abs(boxes.skewDegrees - 2)).toBeLessThanOrEqual(0.15);
    expect(boxes.turned).toBe(false);
    expect(boxes.image.data).toEqual(skewed.data);
    const turned = await preprocess(skewed, { nativeSauvola: true, deskew: true });
    expect(turned.turned).toBe(true);
    expect(Math.abs(estimateSkew(turned.image).angle)).toBeLessThanOrEqual(0.15);
  });

  it('removes red before anything else, from an RGB page', async () => {
    const g = page();
    const data = new Uint8Array(g.width * g.height * 3);
    for (let i = 0; i < g.data.length; i++) data.set(g.data[i] < 128 ? [20, 20, 20] : [235, 235, 235], i * 3);
    // A red blot over the lines in the middle of the page.
    for (let y = 400; y < 600; y++) for (let x = 300; x < 500; x++) data.set([216, 35, 42], (y * g.width + x) * 3);
    const rgb: RgbImage = { width: g.width, height: g.height, channels: 3, data };
    const p = await preprocess(rgb, { nativeSauvola: true });
    expect(p.redFraction).toBeCloseTo((200 * 200) / (800 * 1000), 3);
    expect(p.image.data[500 * 800 + 400]).toBe(255);
  });

  it('suspects a page whose lines run down it of lying sideways, and one heavier below its lines of being upside down', async () => {
    const upright = await preprocess(rotateGray(page(), 1), { nativeSauvola: true });
    expect(upright.suspect).toBe(null);
    const turned = await preprocess(rotateQuarter(page(), 90), { nativeSauvola: true });
    expect(turned.suspect).toBe('sideways');
    expect(turned.skewDegrees).toBe(0);
    const upsideDown = await preprocess(rotateGray(rotateQuarter(page(), 180), 1), { nativeSauvola: true });
    expect(upsideDown.suspect).toBe('upside-down');
    expect(Math.abs(upsideDown.skewDegrees - 1)).toBeLessThanOrEqual(0.15);
    // Once orientation detection has said the page is upright, it is read as it is.
    expect((await preprocess(rotateQuarter(page(), 90), { nativeSauvola: true, upright: true })).suspect).toBe(null);
    expect(estimateSkew(page()).across).toBeLessThan(1);
    expect(estimateSkew(rotateQuarter(page(), 270)).across).toBeGreaterThan(1.3);
    expect(estimateSkew(page()).lean).toBeLessThan(0.7);
    expect(estimateSkew(rotateQuarter(page(), 180)).lean).toBeGreaterThan(1.4);
  });

  it('says by which quarter turn such a page comes upright, when its lines say it clearly', async () => {
    expect((await preprocess(rotateQuarter(page(), 180), { nativeSauvola: true })).turn).toBe(180);
    // Turned 90° clockwise, it comes upright after 270° more; turned 270°, after 90°.
    expect((await preprocess(rotateQuarter(page(), 90), { nativeSauvola: true })).turn).toBe(270);
    expect((await preprocess(rotateQuarter(page(), 270), { nativeSauvola: true })).turn).toBe(90);
    expect((await preprocess(page(), { nativeSauvola: true })).turn).toBe(null);
  });
});
