/** OCR word boxes as positioned rows (layout.ts), and the broken-text-layer check (text-quality.ts). */
import { describe, expect, it } from 'vitest';
import { layoutBlocks } from '../layout/bands.ts';
import { hasBoxes, type OcrPageBoxes, ocrLayouts, ocrPageLayout } from './layout.ts';
import { parseOsd, rotatePlanes, rotateQuarter, standing, turnedIsBetter } from './orient.ts';
import { unrotatePoint } from './deskew.ts';
import { textQuality } from './text-quality.ts';

/** An A4 page at 300 dpi with lines of words: [x (px), y top (px), text], 40 px high words. */
function page(lines: Array<[number, number, string]>, skewDegrees = 0): OcrPageBoxes {
  const words: OcrPageBoxes['words'] = [];
  lines.forEach(([x0, y, text], line) => {
    let x = x0;
    for (const t of text.split(' ')) {
      const w = 22 * t.length;
      // Boxes as stored: on the page as rendered, i.e. turned by the skew about the centre.
      const [cx, cy] = skewDegrees ? unrotatePoint(x + w / 2, y + 20, 2480, 3508, -skewDegrees) : [x + w / 2, y + 20];
      words.push([t, 90, Math.round(cx - w / 2), Math.round(cy - 20), w, 40, line]);
      x += w + 14;
    }
  });
  return { width: 2480, height: 3508, dpi: 300, skewDegrees, words };
}

const HEADER: Array<[number, number, string]> = [
  [300, 300, 'ỦY BAN NHÂN DÂN'],
  [1250, 302, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'],
  [330, 360, 'TỈNH LÂM ĐỒNG'],
  [1400, 362, 'Độc lập - Tự do - Hạnh phúc'],
  [300, 460, 'Số: 05/QĐ-UBND'],
  [1300, 462, 'Lâm Đồng, ngày 05 tháng 3 năm 2024'],
  [1000, 640, 'QUYẾT ĐỊNH'],
  [700, 700, 'Về việc ban hành quy chế làm việc'],
  [300, 820, 'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;'],
];

describe('ocrPageLayout', () => {
  it('puts the two header columns of one line into one row of two cells, in points', () => {
    const layout = ocrPageLayout(page(HEADER));
    expect(layout.width).toBeCloseTo(595.2, 0);
    const first = layout.rows[0];
    expect(first.cells.map((c) => c.text)).toEqual(['ỦY BAN NHÂN DÂN', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM']);
    expect(first.cells[0].x0).toBeCloseTo(72, 0);
    expect(first.y).toBeGreaterThan(layout.rows[1].y);
  });

  it('gives the layout reader a header band: issuer, number, place and date in their columns', () => {
    const blocks = layoutBlocks(ocrLayouts([page(HEADER)]));
    expect(blocks?.headerLeft.map((l) => l.text)).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH LÂM ĐỒNG', 'Số: 05/QĐ-UBND']);
    expect(blocks?.headerRight.map((l) => l.text)).toContain('Lâm Đồng, ngày 05 tháng 3 năm 2024');
  });

  it('undoes the skew, so a line of a turned sheet stays one row', () => {
    const straight = ocrPageLayout(page(HEADER));
    const turned = ocrPageLayout(page(HEADER, 2.5));
    expect(turned.rows.map((r) => r.cells.map((c) => c.text))).toEqual(straight.rows.map((r) => r.cells.map((c) => c.text)));
    // Without undoing it the right column sits 2.5° lower: 40 px over 900 px, its own row.
    const naive = ocrPageLayout({ ...page(HEADER, 2.5), skewDegrees: 0 });
    expect(naive.rows.length).toBeGreaterThan(straight.rows.length);
  });

  it('reads no layout from words stored without boxes (rows read before boxes were kept)', () => {
    const old: OcrPageBoxes = { width: 2480, height: 3508, dpi: 300, words: [['Số:', 90]] };
    expect(hasBoxes(old)).toBe(false);
    expect(ocrLayouts([old])).toEqual([]);
  });
});

describe('orientation', () => {
  it('parses tesseract --psm 0', () => {
    expect(parseOsd('Page number: 0\nOrientation in degrees: 90\nRotate: 270\nOrientation confidence: 10.37\nScript: Latin\n')).toEqual({
      rotate: 270,
      confidence: 10.37,
    });
    expect(parseOsd('Too few characters. Skipping this page\n')).toBeNull();
  });

  it('turns an image by quarter turns exactly', () => {
    const img = { width: 3, height: 2, channels: 1 as const, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    expect([...rotateQuarter(img, 90).data]).toEqual([4, 1, 5, 2, 6, 3]);
    expect(rotateQuarter(img, 90)).toMatchObject({ width: 2, height: 3 });
    expect([...rotateQuarter(img, 180).data]).toEqual([6, 5, 4, 3, 2, 1]);
    expect([...rotateQuarter(img, 270).data]).toEqual([3, 6, 2, 5, 1, 4]);
    // A colour image: each pixel's three bytes move together, as a plane's one byte does.
    const rgb = { width: 3, height: 2, channels: 3 as const, data: Uint8Array.from([1, 2, 3, 4, 5, 6].flatMap((v) => [v, v + 10, v + 20])) };
    for (const turn of [90, 180, 270] as const)
      expect([...rotateQuarter(rgb, turn).data].filter((_, i) => i % 3 === 0)).toEqual([...rotateQuarter(img, turn).data]);
    // A page's planes: the grey one and the red one turned alike, the size swapped.
    const red = { ...img, data: img.data.map((v) => v * 10) };
    const turned = rotatePlanes({ width: 3, height: 2, gray: img, red, redFraction: 0.5 }, 90);
    expect(turned).toMatchObject({ width: 2, height: 3, redFraction: 0.5 });
    expect([...turned.gray.data]).toEqual([4, 1, 5, 2, 6, 3]);
    expect([...(turned.red?.data ?? [])]).toEqual([40, 10, 50, 20, 60, 30]);
  });

  it('takes words taller than wide for a sideways page, and prefers the reading whose lines run across', () => {
    const down = Array.from({ length: 30 }, () => ({ text: 'chữ_', w: 40, h: 160 }));
    const across = Array.from({ length: 30 }, () => ({ text: 'chữ_', w: 160, h: 40 }));
    expect(standing(down)).toBe(true);
    expect(standing(across)).toBe(false);
    expect(turnedIsBetter({ meanConfidence: 94, words: down }, { meanConfidence: 92, words: across })).toBe(true);
    expect(turnedIsBetter({ meanConfidence: 94, words: across }, { meanConfidence: 92, words: across })).toBe(false);
  });
});

describe('textQuality', () => {
  const good =
    'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Ủy ban nhân dân tỉnh Lâm Đồng giao Sở Nội vụ ' +
    'nghiên cứu thực hiện đề nghị trên theo thẩm quyền. Trường hợp vượt thẩm quyền báo cáo, đề xuất Ủy ban nhân dân tỉnh. ' +
    'Kính gửi: Sở Nội vụ. Nơi nhận: Như trên; Lưu: VT, NC. Chủ tịch Ủy ban nhân dân tỉnh giao các cơ quan, đơn vị theo dõi.';
  it('passes real Vietnamese, and English (not judged)', () => {
    expect(textQuality(good).broken).toBe(false);
    expect(textQuality('The committee of the province received the letter and asks the department to study it. '.repeat(5)).broken).toBe(false);
  });

  it('flags text that lost its diacritics, and letters mapped to look-alikes', () => {
    const flat = good
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[đĐ]/g, 'd');
    expect(textQuality(flat)).toMatchObject({ broken: true, reason: 'no-diacritics' });
    const lookAlike = 'CØNG HOÀXÃ HØI CHæNGH(AVIÆT NAM HiÇn nay, trên dËa bàn tÉinh Lâm ông có 4.289 ng°Ýi sí dång ma túy và nghiÇn ma túy ngoài xã hÙi. ';
    expect(textQuality(`${lookAlike}${good}`.repeat(2))).toMatchObject({ broken: true, reason: 'look-alikes' });
  });
});

describe('misread', () => {
  it('tells words no Vietnamese syllable is written as from real ones, codes and names', async () => {
    const { misread } = await import('./classify.ts');
    for (const w of ['Lâmđòng', 'chánhf', 'phòngh', 'tỉỉnh']) expect(misread(w), w).toBe(true);
    for (const w of ['Lâm', 'Đồng', 'người', 'khuyến', 'quốc', 'giữ', 'UBND', 'TTr', '05/QĐ-UBND', 'Nghị', 'nghiêng', '(Ủy', 'tỉnh,'])
      expect(misread(w), w).toBe(false);
  });
});
