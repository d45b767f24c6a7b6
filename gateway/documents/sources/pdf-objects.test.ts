import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pdfWithContent } from '../../../tests/helpers/hostile.ts';
import { openFastPdf, PageBudget } from './pdf-fast.ts';
import { Lexer, PdfRef } from './pdf-objects.ts';

// Hostile inputs here are sized so that super-linear work would run for minutes: the suite's
// 30 s test time-out catches that, without asserting how fast this machine is (docs/testing.md).

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('PDF object lexer', () => {
  it('reads references, numbers and nested arrays', () => {
    const v = new Lexer(bytes('[1 0 R 2 [3 4] -5.5 .5 6 0 obj]')).value();
    expect(v).toEqual([new PdfRef(1, 0), 2, [3, 4], -5.5, 0.5, 6, 0, 'obj']);
  });

  it('is linear on a long run of digits (the number pattern does not backtrack)', () => {
    expect(new Lexer(bytes('1'.repeat(300_000) + 'x')).next()).toBe('1'.repeat(300_000) + 'x');
  });

  it('looks ahead for "n g R" without parsing whole objects twice per level', () => {
    const deep = '[1 '.repeat(60) + ']'.repeat(60);
    expect(Array.isArray(new Lexer(bytes(deep)).value())).toBe(true);
  });

  it('a text operator without its string operand shows nothing (no TypeError)', () => {
    const pdf = pdfWithContent(deflateSync(Buffer.from('BT /F1 12 Tf Tj 5 Tj 5 \' 1 2 3 " 7 TJ [(a) 3 (b)] TJ ET')));
    const items = openFastPdf(pdf).pageItems(0, new PageBudget(1_000_000, Date.now() + 5000));
    expect(items.map((i) => i.str).join('')).toBe('ab');
  });
});
