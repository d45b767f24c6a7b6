/**
 * The signer band read a second time (gateway/documents/ocr/signer-band.ts, docs/ocr.md "The signer
 * band"): where the band lies, what the lexicon vouches for in it, the red channel of the crop, the
 * second reading merged in; then on real tesseract, the degraded scans whose signer block the page
 * reading loses (the block dropped whole on a JPEG-20 scan, the title under a seal garbled).
 * The tesseract part needs tesseract-ocr, tesseract-ocr-vie and poppler-utils.
 */
import { describe, expect, it } from 'vitest';
import { probeOcr } from '../gateway/documents/ocr/index.ts';
import { BAND_LINES, checkBand, cleanLine, cropBand, mergeBand, signerBand, wordsIn } from '../gateway/documents/ocr/signer-band.ts';
import type { OcrWord } from '../gateway/documents/ocr/tsv.ts';
import { loadCases, readScan, type ScanRun } from './corpus/scans/score.ts';

const W = 2480;
const H = 3508;
let lineNo = 0;
/** One tesseract line of words, laid left to right from x at y (30 px per letter). */
function line(text: string, x: number, y: number, block = 1): OcrWord[] {
  const id = lineNo++;
  let at = x;
  return text.split(' ').map((t) => {
    const w: OcrWord = { text: t, x: at, y, w: t.length * 30, h: 45, conf: 90, block, par: 1, line: id };
    at += t.length * 30 + 20;
    return w;
  });
}

/** A Decree 30 closing: the last body line, "Nơi nhận:" and its list on the left, the signature block on the right, a footnote across. */
function closingPage(): OcrWord[] {
  return [
    ...line('Sở Tài chính gửi ý kiến để Sở Nội vụ tổng hợp chung./.', 400, 1500),
    ...line('Nơi nhận:', 400, 1650, 2),
    ...line('KT. GIÁM ĐỐC', 1600, 1650, 3),
    ...line('- Như trên;', 400, 1710, 2),
    ...line('- Lưu: VT, VP.', 400, 1770, 2),
    ...line('Bùi Thị Tuyết Mai', 1560, 2210, 3),
    ...line('Ghi chú: số điện thoại liên hệ của phòng chuyên môn 0263.123.456', 300, 3000, 4),
  ];
}

describe('where the signer band lies', () => {
  it('is the right column from just above "Nơi nhận:" down to the first line across the page', () => {
    const band = signerBand(closingPage(), W, H)!;
    expect(band).not.toBeNull();
    expect(band.x).toBeGreaterThanOrEqual(0.45 * W);
    expect(band.x + band.w).toBe(W);
    expect(band.y).toBeLessThan(1650);
    expect(band.y).toBeGreaterThan(1500); // not the body above
    expect(band.y + band.h).toBeGreaterThan(2255); // the name
    expect(band.y + band.h).toBeLessThan(3000); // not the footnote
    const inside = wordsIn(closingPage(), band).map((w) => w.text);
    expect(inside).toEqual(['KT.', 'GIÁM', 'ĐỐC', 'Bùi', 'Thị', 'Tuyết', 'Mai']);
  });

  it('ends a line past the block, not 40 % of the page down: past the name read, or BAND_LINES lines when none was', () => {
    const noFootnote = closingPage().filter((w) => w.y < 3000);
    const band = signerBand(noFootnote, W, H)!;
    expect(band.y + band.h).toBeGreaterThan(2255); // the name's foot
    expect(band.y + band.h).toBeLessThanOrEqual(2255 + 45);
    // The block lost whole by the page reading: only "Nơi nhận:" and its list anchor it.
    const lost = noFootnote.filter((w) => w.x < W / 2);
    const blind = signerBand(lost, W, H)!;
    expect(blind.y + blind.h).toBe(1650 + BAND_LINES * 45);
    expect(blind.y + blind.h).toBeLessThan(1650 + 0.4 * H);
  });

  it('is found from an authority on the right when "Nơi nhận" was not read, and not at all without either', () => {
    const words = closingPage().filter((w) => !/^Nơi|^nhận/.test(w.text));
    expect(signerBand(words, W, H)?.y).toBeLessThan(1650);
    expect(signerBand(line('Sở Tài chính gửi ý kiến để Sở Nội vụ tổng hợp chung./.', 400, 2000), W, H)).toBeNull();
  });
});

describe('what the lexicon vouches for in a band', () => {
  const check = (...lines: string[]) => {
    const { title, name } = checkBand(lines.flatMap((t, i) => line(t, 1500, 1600 + 60 * i)));
    return { title, name };
  };

  it('a title of its own line and a name with a known family name', () => {
    expect(check('KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐÓC', 'Bùi Thị Tuyết Mai')).toEqual({ title: true, name: true });
    // The authority names a title, but is not the signer's.
    expect(check('KT. BỘ TRƯỞNG')).toEqual({ title: false, name: false });
  });

  it('not a garbled title, nor a name cut short or misread', () => {
    expect(check('THỨ ˆ', 'HỦ TRƯƠNG', 'Th Trường', 'Phìng Tô Lơn', 'Trần Lÿấn Hiệp')).toEqual({ title: false, name: false });
  });

  it('drops the specks read before a title or a name, never an authority or a word', () => {
    expect(cleanLine(line('ft) CHÁNH VĂN PHÒNG', 1500, 1600)).words.map((w) => w.text)).toEqual(['CHÁNH', 'VĂN', 'PHÒNG']);
    expect(cleanLine(line('Z5 7PHÓ GIÁM ĐÓC', 1500, 1600)).words.map((w) => w.text)).toEqual(['PHÓ', 'GIÁM', 'ĐÓC']);
    expect(cleanLine(line('“Nguyên Đức Vũ', 1500, 1600))).toMatchObject({ name: true });
    const kt = cleanLine(line('KT. PHÓ GIÁM ĐỐC', 1500, 1600));
    expect(kt.words.map((w) => w.text)).toEqual(['KT.', 'PHÓ', 'GIÁM', 'ĐỐC']);
    expect(kt.title).toBe(false);
  });
});

describe('the crop and the merge', () => {
  it('crops the red channel of a colour page: a red seal is light, black print stays black', () => {
    const img = { width: 4, height: 2, channels: 3 as const, data: new Uint8Array(4 * 2 * 3) };
    img.data.set([230, 40, 40], (1 * 4 + 2) * 3); // red ink
    img.data.set([20, 20, 20], (1 * 4 + 3) * 3); // black ink
    const crop = cropBand(img, { x: 2, y: 1, w: 2, h: 1 });
    expect([...crop.data]).toEqual([230, 20]);
    expect(crop).toMatchObject({ width: 2, height: 1, channels: 1 });
  });

  it('puts the second reading in place of the page words inside the band, boxes moved onto the page', () => {
    const page = closingPage();
    const band = signerBand(page, W, H)!;
    const reading = (words: OcrWord[]) => ({ text: '', words, lines: [], meanConfidence: 90 });
    // The second reading, in the crop's pixels.
    const again = [...line('KT. GIÁM ĐỐC', 100, 60), ...line('PHÓ GIÁM ĐỐC', 80, 120), ...line('Bùi Thị Tuyết Mai', 60, 560)];
    const merged = mergeBand(reading(page), reading(again), band);
    expect(merged.text.split('\n').filter(Boolean)).toEqual([
      'Sở Tài chính gửi ý kiến để Sở Nội vụ tổng hợp chung./.',
      'Nơi nhận:',
      '- Như trên;',
      '- Lưu: VT, VP.',
      'KT. GIÁM ĐỐC',
      'PHÓ GIÁM ĐỐC',
      'Bùi Thị Tuyết Mai',
      'Ghi chú: số điện thoại liên hệ của phòng chuyên môn 0263.123.456',
    ]);
    const pho = merged.words.find((w) => w.text === 'PHÓ')!;
    expect(pho).toMatchObject({ x: band.x + 80, y: band.y + 120 });
    expect(pho.block).toBeGreaterThanOrEqual(1000);
    // Every word points at its line, in order.
    for (const w of merged.words) expect(merged.lines[w.line].text.split(' ')).toContain(w.text);
  });
});

const probe = await probeOcr();
const ready = probe.available && probe.pdf && probe.langs.includes('vie');
const cases = new Map(loadCases().map((c) => [c.file, c]));
const field = (run: ScanRun, name: string) => run.fields.find((f) => f.field === name);

describe.runIf(ready)('the signer band of degraded scans, read again', () => {
  it('finds the signature block a JPEG-20 scan lost whole in the page reading', async () => {
    const run = await readScan(cases.get('cv-stp-lamdong-125-jpeg.pdf')!);
    expect(run.read.classification.document?.signer).toMatchObject({ name: 'Phạm Thị Trà My', title: 'Giám đốc' });
    for (const f of ['signerName', 'signerTitle']) expect(field(run, f)?.ok, f).toBe(true);
    expect(run.ocr.pages[0].signerBandReread).toBe(true);
  }, 300_000);

  it('reads the title a seal garbles ("THỨ ˆ") from the red channel', async () => {
    const run = await readScan(cases.get('cv-bnv-11902-seal.pdf')!);
    expect(run.read.classification.document?.signer).toMatchObject({ name: 'Vũ Chiến Thắng', title: 'Thứ trưởng', authority: 'KT. Bộ trưởng' });
    expect(run.ocr.pages[0].signerBandReread).toBe(true);
  }, 300_000);
});
