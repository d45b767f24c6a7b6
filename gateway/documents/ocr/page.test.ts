/** Which attached images are pages worth OCR (page.ts), and how well a value was read (confidence.ts). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { meanConfidence, valueConfidence, type WordConfidence, wordKey } from './confidence.ts';
import { looksLikePage } from './page.ts';

const PHOTO = path.join(import.meta.dirname, '..', '..', '..', 'tests', 'fixtures', 'ocr', 'decision-photo.jpg');
const solid = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } })
    .jpeg()
    .toBuffer();

describe('looksLikePage', () => {
  it('takes the phone photo of a decision for a page', async () => {
    expect(await looksLikePage(readFileSync(PHOTO))).toMatchObject({ page: true, width: 1240, height: 1754, frames: 1 });
  });

  it('leaves out logos, banners, dark snapshots and bytes that are no image', async () => {
    expect((await looksLikePage(await solid(300, 120, '#2040a0'))).page).toBe(false);
    expect((await looksLikePage(await solid(3000, 800, '#ffffff'))).page).toBe(false); // a banner: not shaped like a sheet
    expect((await looksLikePage(await solid(1200, 1600, '#303030'))).page).toBe(false);
    expect((await looksLikePage(Buffer.from('not an image'))).page).toBe(false);
  });

  it('takes a light sheet-shaped image, either way up, and a multi-page TIFF', async () => {
    expect((await looksLikePage(await solid(2480, 3508, '#f4f1ea'))).page).toBe(true);
    expect((await looksLikePage(await solid(1600, 1200, '#eeeeee'))).page).toBe(true);
    const frame = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#ffffff' } })
      .raw()
      .toBuffer();
    const tiff = await sharp(Buffer.concat([frame, frame]), { raw: { width: 200, height: 400, channels: 3, pageHeight: 200 } })
      .tiff()
      .toBuffer();
    expect(await looksLikePage(tiff)).toMatchObject({ page: true, frames: 2 });
  });
});

describe('valueConfidence', () => {
  const words: WordConfidence[] = [
    ['Số:', 96],
    ['05/QĐ-UBND', 71],
    ['Lâm', 95],
    ['Đồng,', 93],
    ['ngày', 90],
    ['Lâm', 40],
  ];

  it('is the mean confidence of the value’s words, each at its best-read occurrence', () => {
    expect(valueConfidence('05/QĐ-UBND', words)).toBe(71);
    expect(valueConfidence('Lâm Đồng', words)).toBe(94);
    expect(valueConfidence('Hà Nội', words)).toBeNull();
  });

  it('matches words without punctuation or case, in NFC', () => {
    expect(wordKey('Đồng,')).toBe('đồng');
    expect(valueConfidence('LÂM ĐỒNG'.normalize('NFD'), words)).toBe(94);
  });

  it('averages over the pages, weighted by words', () => {
    expect(
      meanConfidence([
        {
          words: [
            ['a', 90],
            ['b', 80],
          ],
        },
        { words: [['c', 70]] },
      ]),
    ).toBe(80);
    expect(meanConfidence([])).toBe(0);
  });
});
