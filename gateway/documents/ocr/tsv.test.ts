import { describe, expect, it } from 'vitest';
import { parseTsv } from './tsv.ts';

const HEAD = 'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
const row = (...f: Array<string | number>) => f.join('\t');

describe('parseTsv', () => {
  it('reads words with boxes, groups lines and paragraphs, and averages confidence', () => {
    const tsv = [
      HEAD,
      row(1, 1, 0, 0, 0, 0, 0, 0, 2480, 3508, -1, ''),
      row(2, 1, 1, 0, 0, 0, 300, 200, 500, 60, -1, ''),
      row(4, 1, 1, 1, 1, 0, 300, 200, 500, 60, -1, ''),
      row(5, 1, 1, 1, 1, 1, 300, 200, 80, 60, 96.5, 'Số:'),
      row(5, 1, 1, 1, 1, 2, 400, 202, 300, 58, 91.25, '05/QĐ-UBND'),
      row(5, 1, 1, 1, 2, 1, 300, 280, 200, 50, 88, 'QUYẾT'),
      row(5, 1, 1, 1, 2, 2, 520, 281, 180, 50, 90, 'ĐỊNH'),
      row(5, 1, 2, 1, 1, 1, 300, 900, 100, 40, 50, 'Điều'),
      row(5, 1, 2, 1, 1, 2, 410, 900, 20, 40, 0, '   '), // empty words are dropped
    ].join('\n');
    const p = parseTsv(tsv);
    expect(p.words.map((w) => w.text)).toEqual(['Số:', '05/QĐ-UBND', 'QUYẾT', 'ĐỊNH', 'Điều']);
    expect(p.words[1]).toEqual({ text: '05/QĐ-UBND', x: 400, y: 202, w: 300, h: 58, conf: 91.25, block: 1, par: 1, line: 0 });
    expect(p.lines).toHaveLength(3);
    expect(p.lines[0]).toMatchObject({ id: 0, text: 'Số: 05/QĐ-UBND', x: 300, y: 200, w: 400, h: 60, conf: 93.9 });
    expect(p.lines[1]).toMatchObject({ id: 1, text: 'QUYẾT ĐỊNH', x: 300, y: 280, w: 400, h: 51 });
    expect(p.text).toBe('Số: 05/QĐ-UBND\nQUYẾT ĐỊNH\n\nĐiều');
    expect(p.meanConfidence).toBe(83.2);
  });

  it('never throws on damaged output and keeps tabs inside a word', () => {
    const tsv = [HEAD, 'garbage', row(5, 1, 1, 1, 1, 1, 'x', 0, 1, 1, 90, 'bad'), row(5, 1, 1, 1, 1, 2, 0, 0, 1, 1, 90, 'a\tb'), '5\t1', ''].join('\r\n');
    const p = parseTsv(tsv);
    expect(p.words.map((w) => w.text)).toEqual(['a\tb']);
    expect(parseTsv('').words).toEqual([]);
    expect(parseTsv('').meanConfidence).toBe(0);
  });

  it('stops at maxWords', () => {
    const rows = [HEAD];
    for (let i = 0; i < 100; i++) rows.push(row(5, 1, 1, 1, 1, i, i * 10, 0, 8, 8, 90, `w${i}`));
    expect(parseTsv(rows.join('\n'), { maxWords: 10 }).words).toHaveLength(10);
  });
  it('reads the Latin eth tesseract gives for Đ as Đ, once', () => {
    const tsv = [
      HEAD,
      row(5, 1, 1, 1, 1, 1, 300, 200, 300, 58, 90, '05/QĐÐ-UBND'),
      row(5, 1, 1, 1, 1, 2, 610, 200, 90, 58, 90, 'Ðồng'),
      row(5, 1, 1, 1, 1, 3, 710, 200, 90, 58, 90, 'ðộc'),
    ].join('\n');
    expect(parseTsv(tsv).words.map((w) => w.text)).toEqual(['05/QĐ-UBND', 'Đồng', 'độc']);
  });
});
