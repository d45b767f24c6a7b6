/**
 * PDF bombs against both readers: the fast reader (pdf-objects.ts) and pdfjs-dist (bounded through
 * pdfjs-guard.ts). Each must stop with a named LimitExceeded, and the process's peak memory while
 * it happens (VmHWM, reset before) must stay small. Before, pdfjs inflated a 10 GB bomb until the
 * process held 4.9 GB.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { nestedBomb, pdfWithContent, zerosZlib } from '../../../tests/helpers/hostile.ts';
import { LimitExceeded } from '../../limits.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { attachmentText } from './attachment.ts';
import { fastPdfText, pdfjsText, pdfText } from './pdf.ts';
import { guardedWorkerSource, PdfjsUnguarded } from './pdfjs-guard.ts';

const MiB = 1024 * 1024;

function vm(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m![1]) * 1024;
}

/** Runs fn; returns what it threw and how far the peak RSS rose above the RSS before. */
async function peakOf(fn: () => unknown): Promise<{ error: unknown; growth: number }> {
  writeFileSync('/proc/self/clear_refs', '5');
  const before = vm('VmRSS');
  let error: unknown = null;
  try {
    await fn();
  } catch (err) {
    error = err;
  }
  return { error, growth: vm('VmHWM') - before };
}

const text = (s: string) => deflateSync(Buffer.from(s, 'latin1'));
const hello = text('BT /F1 12 Tf 72 720 Td (Hello) Tj ET');

describe('PDF limits, fast reader', () => {
  it('stops a flate bomb (1 GiB of zeros) at the stream limit', async () => {
    const { error, growth } = await peakOf(() => fastPdfText(pdfWithContent(zerosZlib(1024)), DEFAULT_LIMITS));
    expect(error).toBeInstanceOf(LimitExceeded);
    expect(error).toMatchObject({ code: 'limit:pdf-inflated-bytes', max: DEFAULT_LIMITS.maxPdfStreamBytes });
    expect(growth).toBeLessThan(160 * MiB);
  });

  it('stops a nested bomb (/FlateDecode /FlateDecode, 10 GiB in 24 KB)', async () => {
    const { stream, filters } = nestedBomb(10 * 1024);
    const { error, growth } = await peakOf(() => fastPdfText(pdfWithContent(stream, filters), DEFAULT_LIMITS));
    expect(error).toMatchObject({ code: 'limit:pdf-inflated-bytes' });
    expect(growth).toBeLessThan(160 * MiB);
  });

  it('counts every stream of the document against the document limit', () => {
    const limits = { ...DEFAULT_LIMITS, maxPdfStreamBytes: 8 * MiB, maxPdfDocumentBytes: 4 * MiB };
    expect(() => fastPdfText(pdfWithContent(zerosZlib(6)), limits)).toThrow(expect.objectContaining({ code: 'limit:pdf-document-bytes', max: 4 * MiB }));
    expect(fastPdfText(pdfWithContent(hello), limits)?.text.trim()).toBe('Hello');
  });

  it('refuses more pages than the limit', () => {
    expect(() => fastPdfText(pdfWithContent(hello, ['FlateDecode'], { pages: 3 }), { ...DEFAULT_LIMITS, maxPdfPageCount: 2 })).toThrow(
      expect.objectContaining({ code: 'limit:pdf-pages' }),
    );
    expect(fastPdfText(pdfWithContent(hello, ['FlateDecode'], { pages: 2 }), { ...DEFAULT_LIMITS, maxPdfPageCount: 2 })?.pages).toBe(2);
  });
});

describe('PDF limits, pdfjs', () => {
  it('stops a flate bomb inside pdfjs at the stream limit, without growing the process', async () => {
    const { error, growth } = await peakOf(() => pdfjsText(pdfWithContent(zerosZlib(1024)), DEFAULT_LIMITS));
    expect(error).toBeInstanceOf(LimitExceeded);
    expect(error).toMatchObject({ code: 'limit:pdf-inflated-bytes' });
    expect(growth).toBeLessThan(200 * MiB);
  });

  it('bounds a bomb the fast reader hands over (a filter it does not read: ASCIIHex before Flate)', async () => {
    const hex = Buffer.from(zerosZlib(1024).toString('hex') + '>', 'latin1');
    const pdf = pdfWithContent(hex, ['ASCIIHexDecode', 'FlateDecode']);
    expect(fastPdfText(pdf, DEFAULT_LIMITS)).toBeNull(); // unsupported filter: pdfjs reads it
    const { error, growth } = await peakOf(() => pdfText(pdf, DEFAULT_LIMITS));
    expect(error).toMatchObject({ code: 'limit:pdf-inflated-bytes' });
    expect(growth).toBeLessThan(200 * MiB);
  });

  it('applies the document limit and the page limit', async () => {
    const limits = { ...DEFAULT_LIMITS, maxPdfStreamBytes: 8 * MiB, maxPdfDocumentBytes: 4 * MiB };
    await expect(pdfjsText(pdfWithContent(zerosZlib(6)), limits)).rejects.toMatchObject({ code: 'limit:pdf-document-bytes' });
    await expect(pdfjsText(pdfWithContent(hello, ['FlateDecode'], { pages: 3 }), { ...DEFAULT_LIMITS, maxPdfPageCount: 2 })).rejects.toMatchObject({
      code: 'limit:pdf-pages',
    });
    expect((await pdfjsText(pdfWithContent(hello), limits)).text.trim()).toBe('Hello');
  });

  it('refuses to run an unguarded pdfjs: the hook goes in exactly once or not at all', () => {
    expect(() => guardedWorkerSource('class DecodeStream { ensureBuffer(requested) { return new Uint8Array(requested); } }')).toThrow(PdfjsUnguarded);
    const real = readFileSync(new URL(import.meta.resolve('pdfjs-dist/legacy/build/pdf.worker.mjs')), 'utf8');
    const guarded = guardedWorkerSource(real);
    // Two stream decoders, the lexer's literal and hex strings; the time budget at every token.
    expect(guarded.split('vanthu.pdfjs.ensureBuffer').length).toBe(5);
    expect(guarded.split('vanthu.pdfjs.tick').length).toBe(2);
  });

  it('stops pdfjs re-reading an unterminated string from each repeated object (quadratic repair)', async () => {
    const body = Array.from({ length: 3000 }, () => '1 0 obj\n(' + 'x'.repeat(20)).join('\n');
    const pdf = Buffer.from(`%PDF-1.7\n${body}${'y'.repeat(2_000_000)}\n`);
    const r = await pdfjsText(pdf, { ...DEFAULT_LIMITS, pdfTimeBudgetMs: 500 }).catch((e: unknown) => e);
    if (r instanceof Error) expect(r).toBeInstanceOf(LimitExceeded);
    else expect((r as { text: string }).text).toBe('');
  });
});

describe('PDF limits through attachmentText', () => {
  const bomb = pdfWithContent(zerosZlib(64));
  const small = { ...DEFAULT_LIMITS, maxPdfStreamBytes: 16 * MiB };

  it('notes the outcome as a reason by default (CLI, corpus)', async () => {
    const r = await attachmentText('bom.pdf', 'application/pdf', bomb, small);
    expect(r.text).toBe('');
    expect(r.reasons).toEqual([expect.stringMatching(/^bom\.pdf: limit:pdf-inflated-bytes: /)]);
  });

  it("throws it, naming the attachment, with onLimit 'throw' (the pipeline)", async () => {
    const err = await attachmentText('bom.pdf', 'application/pdf', bomb, small, 'throw').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    expect(err).toMatchObject({ code: 'limit:pdf-inflated-bytes', where: 'bom.pdf' });
    expect((err as LimitExceeded).reasonVi()).toContain('"bom.pdf"');
  });
});
