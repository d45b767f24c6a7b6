import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pdfWithContent } from '../../../tests/helpers/hostile.ts';
import { openFastPdf, PageBudget, type TextItem } from './pdf-fast.ts';
import { Lexer } from './pdf-lexer.ts';

const items = (content: string): TextItem[] =>
  openFastPdf(pdfWithContent(deflateSync(Buffer.from(content, 'latin1')))).pageItems(0, new PageBudget(1_000_000, Date.now() + 5000));
const place = (runs: TextItem[]) => runs.map(({ str, x, y, width, size }) => ({ str, x, y, width, size }));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the content-stream reader', () => {
  it('reads operators without making a string for each or testing them as numbers', () => {
    // A page has thousands of operators: each was a string built a byte at a time, then matched
    // against the number pattern (bench/e2e/FINDINGS.md, "Fifteenth round").
    const ops = 'q Q BT ET Tf Td TD Tm T* Tj TJ \' " Tc Tw Tz TL Ts cm Do gs re f S n W W* BDC EMC rg RG g G k K cs CS sc scn SC SCN';
    const made = vi.spyOn(String, 'fromCharCode');
    const tested = vi.spyOn(RegExp.prototype, 'test');
    const lx = new Lexer(Buffer.from(`${ops} ${ops}`, 'latin1'));
    const read: unknown[] = [];
    for (let t = lx.next(); t !== undefined; t = lx.next()) read.push(t);
    expect(read).toEqual([...ops.split(' '), ...ops.split(' ')]);
    expect(made).not.toHaveBeenCalled();
    expect(tested).not.toHaveBeenCalled();
    // Words that are not operators are still read whole, and numbers as numbers.
    const other = new Lexer(Buffer.from('Tjx TJJ abc 1.5.2 -3 .5', 'latin1'));
    expect([other.next(), other.next(), other.next(), other.next(), other.next(), other.next()]).toEqual(['Tjx', 'TJJ', 'abc', '1.5.2', -3, 0.5]);
  });

  it('places runs through the text and line matrices as before: Tm, Td, TD, T*, \', ", TJ kerning, Tz and Ts', () => {
    // Helvetica without widths: 500 units a glyph. Figures worked out by hand from ISO 32000-1 §9.4.
    const runs = items(
      'BT /F1 10 Tf 2 0 0 2 100 700 Tm (ab) Tj [(c) -500 (d)] TJ 12 TL T* (e) Tj 0 -20 Td (f) Tj 5 -6 TD (g) Tj (h) \' 1 2 (i) " ET ' +
        'BT /F1 10 Tf 50 Tz 3 Ts 10 100 Td (jk) Tj ET',
    );
    expect(place(runs)).toEqual([
      { str: 'abc', x: 100, y: 700, width: 30, size: 20 },
      { str: 'd', x: 140, y: 700, width: 10, size: 20 },
      { str: 'e', x: 100, y: 676, width: 10, size: 20 },
      { str: 'f', x: 100, y: 636, width: 10, size: 20 },
      { str: 'g', x: 110, y: 624, width: 10, size: 20 },
      { str: 'h', x: 110, y: 612, width: 10, size: 20 },
      { str: 'i', x: 110, y: 600, width: 14, size: 20 },
      // Tc and Tw are text state: the 2 and 1 that " set hold in the next BT too (ISO 32000-1 §9.3.1).
      { str: 'jk', x: 10, y: 103, width: 7, size: 5 },
    ]);
  });

  it('carries a damaged matrix (a name where a number goes) through as NaN, and the next BT starts afresh', () => {
    const runs = items('BT /F1 10 Tf /X 0 0 1 5 700 Tm (a) Tj [(b) 100 (c)] TJ 0 -10 Td (d) Tj ET BT /F1 10 Tf 7 8 Td (e) Tj ET');
    expect(place(runs)).toEqual([
      { str: 'a', x: 5, y: 700, width: Number.NaN, size: Number.NaN },
      // NaN × 0 is NaN: once the matrix holds it, every later term does.
      { str: 'b', x: Number.NaN, y: Number.NaN, width: Number.NaN, size: Number.NaN },
      { str: 'c', x: Number.NaN, y: Number.NaN, width: Number.NaN, size: Number.NaN },
      { str: 'd', x: Number.NaN, y: Number.NaN, width: Number.NaN, size: Number.NaN },
      { str: 'e', x: 7, y: 8, width: 5, size: 10 },
    ]);
  });
});
