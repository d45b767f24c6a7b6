import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../limits.ts';
import { pdfText } from '../sources/pdf.ts';
import { imagePdf } from '../../../tests/helpers/image-pdf.ts';
import { pdfjsText } from '../sources/pdf.ts';
import { cannotNeedOcr, imagesTooSmall, textLayerSuffices } from './text-layer.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/ocr');
const read = (name: string) => pdfText(readFileSync(path.join(FIXTURES, name)), resolveLimits());

describe('textLayerSuffices: may the scan check skip poppler for a PDF the classifier read?', () => {
  it('a text PDF read whole, every page full of sound text: yes', async () => {
    const r = await read('decision-text.pdf');
    expect(r.layout.length).toBe(r.pages);
    expect(textLayerSuffices(r.layout, r.pages)).toBe(true);
  });

  it('a scan (no text layer): no', async () => {
    const r = await read('decision-scan.pdf');
    expect(textLayerSuffices(r.layout, r.pages)).toBe(false);
  });

  it('pages left unread (a long file read at its first and last pages), or the page count unknown: no', async () => {
    const r = await read('decision-text.pdf');
    expect(textLayerSuffices(r.layout, r.pages + 1)).toBe(false);
    expect(textLayerSuffices(r.layout, undefined)).toBe(false);
  });

  it('a page with a thin text layer (a signing stamp over a scan): no', async () => {
    const r = await read('decision-text.pdf');
    const thin = { ...r.layout[0], rows: r.layout[0].rows.slice(0, 1) };
    expect(textLayerSuffices([thin, ...r.layout.slice(1)], r.pages)).toBe(false);
  });

  it('a page whose text has lost every diacritic (a scanner’s own OCR): no', async () => {
    const r = await read('decision-text.pdf');
    const strip = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd');
    const broken = r.layout.map((p) => ({ ...p, rows: p.rows.map((row) => ({ ...row, cells: row.cells.map((c) => ({ ...c, text: strip(c.text) })) })) }));
    expect(textLayerSuffices(broken, r.pages)).toBe(false);
  });
});

describe('imagesTooSmall: a PDF whose pages draw no large image cannot be a scan, whatever its text', () => {
  const thin = ['Xin gui kem tai lieu cuoc hop.'];
  const readDrawn = (image: Parameters<typeof imagePdf>[1]) => pdfText(imagePdf(thin, image), resolveLimits());
  const asRead = (r: Awaited<ReturnType<typeof pdfText>>) => ({ pages: r.layout, pageCount: r.pages, imageShare: r.imageShare });

  it('thin text and no image, or only a small one (a logo in a corner): yes, though the text layer does not suffice', async () => {
    for (const image of ['none', 'corner'] as const) {
      const r = await readDrawn(image);
      expect(textLayerSuffices(r.layout, r.pages)).toBe(false);
      expect(imagesTooSmall(asRead(r))).toBe(true);
      expect(cannotNeedOcr(asRead(r))).toBe(true);
    }
  });

  it('an image over the page, drawn by the page, by a form XObject or by an annotation’s appearance: no', async () => {
    for (const image of ['page', 'form', 'annotation'] as const) {
      const r = await readDrawn(image);
      expect(r.imageShare).toEqual([1]);
      expect(cannotNeedOcr(asRead(r))).toBe(false);
    }
  });

  it('an annotation the fast reader does not draw (a watermark), a file pdfjs read, pages left unread: no', async () => {
    const watermark = await readDrawn('watermark');
    expect(watermark.imageShare).toEqual([null]);
    expect(cannotNeedOcr(asRead(watermark))).toBe(false);
    const byPdfjs = await pdfjsText(imagePdf(thin, 'none'), resolveLimits());
    expect(byPdfjs.imageShare).toBeUndefined();
    expect(imagesTooSmall(asRead(byPdfjs))).toBe(false);
    const none = await readDrawn('none');
    expect(imagesTooSmall({ ...asRead(none), pageCount: 2 })).toBe(false);
  });

  it('the scanned fixture: no', async () => {
    const r = await read('decision-scan.pdf');
    expect(cannotNeedOcr(asRead(r))).toBe(false);
  });
});
