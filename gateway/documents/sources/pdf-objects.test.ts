import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pdfWithContent } from '../../../tests/helpers/hostile.ts';
import { openFastPdf, PageBudget } from './pdf-fast.ts';
import { Lexer, PdfRef, Unsupported } from './pdf-objects.ts';
import { MAX_TOKEN_BYTES } from './pdf-lexer.ts';

// Hostile inputs here are sized so that super-linear work would run for minutes: the suite's
// 30 s test time-out catches that, without asserting how fast this machine is (docs/testing.md).

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('PDF object lexer', () => {
  it('refuses a bare token longer than MAX_TOKEN_BYTES instead of reading it all', () => {
    // The fuzz input (seed 20261209, pdf #1182): six million "0" after a signature dictionary; each
    // object looked up there read the whole run, seconds of CPU outside the time budget.
    const zeros = new TextEncoder().encode(`1 0 obj ${'0'.repeat(6_000_000)} endobj`);
    expect(() => new Lexer(zeros, 8).next()).toThrow(Unsupported);
    expect(() => new Lexer(new TextEncoder().encode(`/${'N'.repeat(MAX_TOKEN_BYTES + 1)} 1`)).next()).toThrow(Unsupported);
    expect(new Lexer(new TextEncoder().encode(`/${'N'.repeat(MAX_TOKEN_BYTES)} 1`)).next()).toMatchObject({ n: 'N'.repeat(MAX_TOKEN_BYTES) });
    expect(new Lexer(new TextEncoder().encode('123456789012345 0 R')).value()).toEqual(new PdfRef(123456789012345, 0));
  });

  it('reads references, numbers and nested arrays', () => {
    const v = new Lexer(bytes('[1 0 R 2 [3 4] -5.5 .5 6 0 obj]')).value();
    expect(v).toEqual([new PdfRef(1, 0), 2, [3, 4], -5.5, 0.5, 6, 0, 'obj']);
  });

  it('stops at once on a long run of digits (no pattern over it, refused past MAX_TOKEN_BYTES)', () => {
    expect(() => new Lexer(bytes(`${'1'.repeat(300_000)}x`)).next()).toThrow(Unsupported);
    expect(new Lexer(bytes(`${'1'.repeat(4000)}x`)).next()).toBe(`${'1'.repeat(4000)}x`);
  });

  it('looks ahead for "n g R" without parsing whole objects twice per level', () => {
    const deep = '[1 '.repeat(60) + ']'.repeat(60);
    expect(Array.isArray(new Lexer(bytes(deep)).value())).toBe(true);
  });

  it('reads "n g R" by its bytes: any number as the generation, R only as a word of its own', () => {
    const v = new Lexer(bytes('[5 00 R 6 1.0 R 7 0 Rx 8 0R << /A 9 0 R >>]')).value();
    expect(v).toEqual([new PdfRef(5, 0), new PdfRef(6, 1), 7, 0, 'Rx', 8, '0R', new Map([['A', new PdfRef(9, 0)]])]);
    // A string without escapes is read as is, nested brackets and all; one with escapes is decoded.
    const lx = new Lexer(bytes('(a(b)c) (x\\)y\\101)'));
    expect(Buffer.from(lx.next() as Uint8Array).toString('latin1')).toBe('a(b)c');
    expect(Buffer.from(lx.next() as Uint8Array).toString('latin1')).toBe('x)yA');
  });

  it('joins glyphs placed one by one into one run, never across a drawn space or a word gap', () => {
    const glyph = (x: number, s: string) => `1 0 0 1 ${x} 700 Tm (${s}) Tj`;
    const content = `BT /F1 10 Tf ${glyph(100, 'A')} ${glyph(105, 'B')} ${glyph(110.3, 'C')} ${glyph(115, ' ')} ${glyph(120, 'D')} ${glyph(140, 'E')} ET`;
    const items = openFastPdf(pdfWithContent(deflateSync(Buffer.from(content)))).pageItems(0, new PageBudget(1_000_000, Date.now() + 5000));
    expect(items.map((i) => i.str)).toEqual(['ABC', ' ', 'D', 'E']);
    expect(items[0].x).toBe(100);
    expect(items[0].width).toBeCloseTo(15.3, 6);
  });

  it('a text operator without its string operand shows nothing (no TypeError)', () => {
    const pdf = pdfWithContent(deflateSync(Buffer.from('BT /F1 12 Tf Tj 5 Tj 5 \' 1 2 3 " 7 TJ [(a) 3 (b)] TJ ET')));
    const items = openFastPdf(pdf).pageItems(0, new PageBudget(1_000_000, Date.now() + 5000));
    expect(items.map((i) => i.str).join('')).toBe('ab');
  });
});
