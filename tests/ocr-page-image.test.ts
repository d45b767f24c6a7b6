/**
 * A scanner's page taken out of the PDF instead of rendered (gateway/documents/ocr/page-image.ts,
 * docs/ocr.md "How a page is read"): which pages qualify, and that the image copied out by
 * pdfimages and scaled by sharp is the page pdftoppm renders — same size at 300 dpi, same pixels
 * within the scalers' difference. Needs poppler-utils and sharp; no tesseract.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ocrPdf, pdfInfo, probeOcr } from '../gateway/documents/ocr/index.ts';
import { extractPageImage, type ListedImage, listImages, parseImageList, soleImage } from '../gateway/documents/ocr/page-image.ts';
import { parsePnm } from '../gateway/documents/ocr/raster.ts';
import { loadSharp } from '../gateway/documents/ocr/sharp.ts';
import { SCANS_DIR } from './corpus/scans/score.ts';

const LIST = `page   num  type   width height color comp bpc  enc interp  object ID x-ppi y-ppi size ratio
--------------------------------------------------------------------------------------------
   1     0 image    1654  2339  rgb     3   8  jpeg   no         4  0   200   200  180K 1.6%
   2     1 image    1654  2339  gray    1   8  image  no         7  0   200   200  180K 1.6%
   2     2 smask    1654  2339  gray    1   8  image  no         7  0   200   200  180K 1.6%
   3     3 image     200    80  rgb     3   8  jpeg   no         9  0   300   300   10K 1.6%
   4     4 image     993  1404  rgb     3   8  jpeg   no        11  0   120   120  172K 4.2%
   5     5 image     993  1404  rgb     3   8  jpeg   no        13  0   120   120  172K 4.2%
`;
const A4 = (page: number, rotate = 0) => ({ page, widthPt: 595.32, heightPt: 841.92, rotate });

describe('which pages are one scanned image', () => {
  const rows = parseImageList(LIST);
  const on = (p: number): ListedImage[] => rows.filter((r) => r.page === p);

  it('parses pdfimages -list', () => {
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({ page: 1, type: 'image', width: 1654, height: 2339, color: 'rgb', bpc: 8, enc: 'jpeg', xppi: 200, yppi: 200 });
  });

  it('a page-size image alone on an upright page, at 150 ppi or more', () => {
    expect(soleImage(on(1), A4(1))).toMatchObject({ width: 1654 });
    expect(soleImage(on(1), A4(1, 90))).toBeNull(); // /Rotate
    expect(soleImage(on(2), A4(2))).toBeNull(); // with a soft mask
    expect(soleImage(on(3), A4(3))).toBeNull(); // a logo, not the page
    expect(soleImage(on(4), A4(4))).toBeNull(); // 120 ppi: rendered
    expect(soleImage(on(1), { page: 1, widthPt: 612, heightPt: 792, rotate: 0 })).toBeNull(); // not the page's shape
    expect(soleImage([], A4(1))).toBeNull();
  });
});

const probe = await probeOcr();
const sharp = await loadSharp();
const tmp = mkdtempSync(path.join(tmpdir(), 'vanthu-ocr-page-image-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.runIf(probe.available && probe.pdf && sharp)('the page image copied out', () => {
  it('is the page pdftoppm renders at 300 dpi: same size, same pixels within the scalers', async () => {
    const file = path.join(SCANS_DIR, 'cv-bnv-11902-seal.pdf');
    const spawned: string[] = [];
    const run = { onSpawn: ({ tool }: { tool: string }) => spawned.push(tool) };
    const info = await pdfInfo(file, 1);
    const img = soleImage(await listImages(file, 1, 1, run), info.sizes[0]);
    expect(img).not.toBeNull();
    const got = await extractPageImage(file, 1, img!, tmp, sharp!, { ...run, maxPixels: 40e6, dpi: 300 });
    expect(spawned).toEqual(['pdfimages', 'pdfimages']);
    const rendered = parsePnm(execFileSync('pdftoppm', ['-r', '300', '-singlefile', file], { maxBuffer: 64 << 20 }));
    expect(got).toMatchObject({ width: rendered.width, height: rendered.height, channels: 3 });
    let diff = 0;
    for (let i = 0; i < rendered.data.length; i++) diff += Math.abs(rendered.data[i] - got!.data[i]);
    expect(diff / rendered.data.length).toBeLessThan(6);
    // Nothing left behind in the work folder but what was there.
    expect(execFileSync('ls', [tmp]).toString().trim()).toBe('');
  }, 120_000);

  it.runIf(probe.available && probe.langs.includes('vie'))(
    'is what ocrPdf reads when asked (extractImages: true): no pdftoppm',
    async () => {
      const spawned: string[] = [];
      const r = await ocrPdf(path.join(SCANS_DIR, 'cv-bnv-11902-seal.pdf'), {
        extractImages: true,
        signerBand: false,
        onSpawn: ({ tool }) => spawned.push(tool),
      });
      expect(spawned).toContain('pdfimages');
      expect(spawned).not.toContain('pdftoppm');
      expect(r.pages[0]).toMatchObject({ width: 2481, dpi: 300 });
      expect(r.pages[0].text).toContain('11902');
    },
    300_000,
  );

  it('is refused over the pixel cap (the page is then rendered, and refused there)', async () => {
    const file = path.join(SCANS_DIR, 'cv-bnv-11902-seal.pdf');
    const info = await pdfInfo(file, 1);
    const img = soleImage(await listImages(file, 1, 1, {}), info.sizes[0])!;
    expect(await extractPageImage(file, 1, img, tmp, sharp!, { maxPixels: 4e6, dpi: 300 })).toBeNull();
  });
});
