import { describe, expect, it } from 'vitest';
import { isNumberLine, mottoAt } from './header.ts';
import { blank, buildRows, cellsOf } from './rows.ts';
import type { Run } from './types.ts';

/** Runs of one word each, at the advance of a 13 pt serif (about 6.5 pt a letter). */
function runs(text: string, x: number, y: number, extra: Partial<Run> = {}): Run[] {
  const out: Run[] = [];
  for (const word of text.split(/(?<= )/)) {
    out.push({ str: word, x, y, width: word.length * 6.5, size: 13, ...extra });
    x += word.length * 6.5;
  }
  return out;
}

describe('rows and cells', () => {
  it('puts the two columns of a header row into two cells, and a paragraph break where the face changes', () => {
    const rows = buildRows([
      ...runs('UBND TỈNH LÂM ĐỒNG', 100, 780, { face: 'Times', bold: false }),
      ...runs('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 290, 781, { face: 'Times-Bold', bold: true }),
      ...runs('Căn cứ Luật', 85, 700, { face: 'Times-Italic', italic: true }),
    ]);
    expect(rows.map((r) => r.cells.map((c) => c.text))).toEqual([['UBND TỈNH LÂM ĐỒNG', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'], ['Căn cứ Luật']]);
  });

  it('reads a space drawn on its own between condensed words, not one that overlaps a letter', () => {
    const cells = cellsOf([
      { str: 'SỞ', x: 86, y: 774, width: 13, size: 11 },
      { str: ' ', x: 98.2, y: 774, width: 2.7, size: 11 },
      { str: 'VĂN', x: 100, y: 774, width: 20, size: 11 },
      { str: ' ', x: 105, y: 774, width: 2.7, size: 11 },
      { str: 'HÓA', x: 120.1, y: 774, width: 20, size: 11 },
    ]);
    expect(cells.map((c) => c.text)).toEqual(['SỞ VĂNHÓA']);
  });

  it('drops overprinted (fake bold) text', () => {
    const cells = cellsOf([...runs('QUYẾT ĐỊNH', 200, 700), ...runs('QUYẾT ĐỊNH', 200.4, 700)]);
    expect(cells.map((c) => c.text)).toEqual(['QUYẾT ĐỊNH']);
  });

  it('puts a stamped number into the blank nearest it, not inside a printed word', () => {
    const printed = runs('Lâm Đồng, ngày', 300, 726);
    const after = runs('tháng 3 năm 2024', 300 + 14 * 6.5 + 30, 726);
    // The signing tool placed "05" half over "tháng".
    const stamp: Run = { str: '05', x: 300 + 14 * 6.5 + 24, y: 727, width: 13, size: 13, stamped: true };
    expect(cellsOf([...printed, ...after, stamp]).map((c) => c.text)).toEqual(['Lâm Đồng, ngày 05 tháng 3 năm 2024']);
  });

  it('joins a stamp drawn half a line off to the row it fills', () => {
    const rows = buildRows([
      ...runs('Số:', 100, 731.9),
      ...runs('/BNV-CCHC', 150, 731.9),
      { str: '12094', x: 118, y: 742.5, width: 30, size: 14, stamped: true },
    ]);
    expect(rows.map((r) => r.cells.map((c) => c.text))).toEqual([['Số: 12094 /BNV-CCHC']]);
  });
});

describe('header anchors', () => {
  it('finds the motto inside a line, spaced or not, and the Party and Youth Union forms', () => {
    expect(mottoAt('UBND TỈNH LÂM ĐỒNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')).toBe(19);
    expect(mottoAt('HTỈNHLÂMĐỒNG CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM')).toBe(13);
    expect(mottoAt('SỞ NỘI VỤ Ðộc lập - Tự do - Hạnh phúc')).toBe(10);
    expect(mottoAt('ĐOÀN TNCS HỒ CHÍ MINH')).toBe(0);
    expect(mottoAt('SỞ NỘI VỤ')).toBe(-1);
  });

  it('tells the number line from other lines that start with "Số"', () => {
    for (const line of ['Số: 05/QĐ-UBND', 'Số:', 'SỐ: 1234/UBND-VX', 'Số 11/2005/CT-UBND', 'Số:        /STC-VP', 'Số: 156 -CV/TĐTN'])
      expect(isNumberLine(line), line).toBe(true);
    for (const line of ['Sở Nội vụ kính báo cáo', 'Số hiệu: 11/2005/CT-UBND', 'Số liệu của các bộ']) expect(isNumberLine(line), line).toBe(false);
  });
});

describe('look-alike letters of a text layer', () => {
  it('reads Latin oi (U+01A3), which some fonts map "ư" to, as ư in a cell', () => {
    // cv-dck-bct-1178.pdf: "V/v hƣớng dẫn về công tác quản".
    const [cell] = cellsOf(runs('V/v h\u01a3\u1edbng dẫn', 60, 700));
    expect(cell.text).toBe('V/v hướng dẫn');
  });
});

describe('blank runs', () => {
  it('takes for white space what \\s does: every BMP unit', () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      expect(blank(ch), `U+${c.toString(16)}`).toBe(!/\S/.test(ch));
      expect(blank(` ${ch}\t`)).toBe(!/\S/.test(` ${ch}\t`));
    }
    expect(blank('')).toBe(true);
  });
});
