/**
 * pdfjs on a thread of its own (pdfjs-worker.ts; docs/operations.md, "Memory"): the caller gets
 * what pdfjsText would have given it — the text, or the same named LimitExceeded — while pdfjs
 * itself is never loaded into the caller's thread, so nothing of it stays there, and the thread
 * leaves out the native canvas library that pdfjs loads only to render.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pdfWithContent, zerosZlib } from '../../../tests/helpers/hostile.ts';
import { LimitExceeded } from '../../limits.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { pdfjsInThread } from './pdfjs-worker.ts';

/** Content behind ASCIIHexDecode: a filter the fast reader hands over to pdfjs. */
const hexOnly = (content: Buffer) => pdfWithContent(Buffer.from(`${content.toString('hex')}>`, 'latin1'), ['ASCIIHexDecode']);
const loadedHere = () => (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker !== undefined;
/** @napi-rs/canvas (skia) mapped into this process: a native library, once loaded by any thread, stays. */
const canvasLoaded = () => readFileSync('/proc/self/maps', 'utf8').includes('skia');

describe('pdfjs on a thread that ends with the read', () => {
  it('returns the text of a PDF only pdfjs reads, and pdfjs is never loaded in the calling thread', async () => {
    const r = await pdfjsInThread(hexOnly(Buffer.from('BT /F1 12 Tf 72 720 Td (Hello) Tj ET', 'latin1')), DEFAULT_LIMITS, 'time');
    expect(r.reasons).toEqual([]);
    expect(r.pages).toBe(1);
    expect(r.text).toContain('Hello');
    expect(r.layout[0].rows.length).toBeGreaterThan(0);
    expect(loadedHere()).toBe(false);
    // Text extraction renders nothing: the thread never loads pdfjs's native canvas (pdfjs-guard.ts, CANVAS_STANDIN).
    expect(canvasLoaded()).toBe(false);
  }, 120_000);

  it('a bomb stopped on the thread is the same named LimitExceeded here', async () => {
    const bomb = pdfWithContent(Buffer.from(`${zerosZlib(1024).toString('hex')}>`, 'latin1'), ['ASCIIHexDecode', 'FlateDecode']);
    const err = await pdfjsInThread(bomb, DEFAULT_LIMITS, 'time').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LimitExceeded);
    expect(err).toMatchObject({ code: 'limit:pdf-inflated-bytes', limit: 'pdf-inflated-bytes', max: DEFAULT_LIMITS.maxPdfStreamBytes });
    expect(loadedHere()).toBe(false);
  }, 120_000);

  it('reads a PDF given as a view into a larger buffer (the raw message), which stays the caller’s: a copy goes over', async () => {
    const pdf = hexOnly(Buffer.from('BT /F1 12 Tf 72 720 Td (Xin chao) Tj ET', 'latin1'));
    const big = new Uint8Array(pdf.length + 4 * 1024 * 1024);
    big.set(pdf, 1024);
    const r = await pdfjsInThread(big.subarray(1024, 1024 + pdf.length), DEFAULT_LIMITS, 'time');
    expect(r.text).toContain('Xin chao');
    expect(big.byteLength).toBe(pdf.length + 4 * 1024 * 1024); // not detached by the transfer
  }, 120_000);
});
