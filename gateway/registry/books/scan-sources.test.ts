import { describe, expect, it } from 'vitest';
import { type StoredOcrPage, scanSources } from './scan-sources.ts';

/** A 1000 × 1400 px page at 100 dpi with a number line and a body line, as message_ocr stores it. */
function page(rotated?: number): StoredOcrPage {
  const w = (text: string, x: number, y: number, wd: number, line: number) => [text, 90, x, y, wd, 30, line] as const;
  return {
    page: 1,
    width: 1000,
    height: 1400,
    dpi: 100,
    skewDegrees: 0,
    ...(rotated === undefined ? {} : { rotated }),
    words: [
      w('Số:', 100, 200, 60, 0),
      w('12/UBND-VP', 170, 200, 200, 0),
      w('Kính', 100, 400, 80, 1),
      w('gửi:', 190, 400, 70, 1),
      w('Sở', 270, 400, 40, 1),
      w('Tài', 320, 400, 50, 1),
      w('chính', 380, 400, 90, 1),
    ],
  };
}

describe('scanSources', () => {
  it('boxes the words of the value on its line, as shares of the page', () => {
    const read = scanSources([page()], { notation: '12/UBND-VP' })!;
    const spans = read.fields.notation!.spans;
    expect(spans.map((s) => s.text)).toEqual(['12/UBND-VP']);
    expect(spans[0].rect).toEqual({ left: 0.17, top: 0.1429, width: 0.2, height: 0.0214 });
    expect(spans[0].page).toBe(0);
    expect(read.pages).toEqual([{ page: 0, width: 720, height: 1008 }]);
  });

  it('keeps a word OCR glued to its label, drops a word that is only the label', () => {
    const p = page();
    p.words[0] = ['Số:12/UBND', 90, 100, 200, 130, 30, 0];
    p.words[1] = ['-VP', 90, 240, 200, 60, 30, 0];
    const spans = scanSources([p], { notation: '12/UBND-VP' })!.fields.notation!.spans;
    expect(spans.map((s) => s.text)).toEqual(['Số:12/UBND', '-VP']);
  });

  it('turns boxes of a page read after a quarter-turn back onto the page as the file holds it', () => {
    const upright = scanSources([page()], { notation: '12/UBND-VP' })!.fields.notation!.spans[0].rect;
    // Turned 90° clockwise to read: a point (x, y) of the file is (1 − y, x) upright.
    const r90 = scanSources([page(90)], { notation: '12/UBND-VP' })!.fields.notation!.spans[0].rect;
    expect(r90.left).toBeCloseTo(upright.top, 4);
    expect(r90.top).toBeCloseTo(1 - upright.left - upright.width, 4);
    expect([r90.width, r90.height]).toEqual([upright.height, upright.width]);
    const r180 = scanSources([page(180)], { notation: '12/UBND-VP' })!.fields.notation!.spans[0].rect;
    expect(r180.left).toBeCloseTo(1 - upright.left - upright.width, 4);
    expect(r180.top).toBeCloseTo(1 - upright.top - upright.height, 4);
    // An image is shown upright (its searchable copy): its boxes stay as read.
    expect(scanSources([page(90)], { notation: '12/UBND-VP' }, false)!.fields.notation!.spans[0].rect).toEqual(upright);
  });

  it('answers null for words stored without boxes', () => {
    expect(scanSources([{ page: 1, width: 0, height: 0, dpi: 0, words: [['Số', 90]] }], { notation: '12/UBND-VP' })).toBeNull();
  });
});
