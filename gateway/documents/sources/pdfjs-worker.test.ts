// own-process: checks that pdfjs is never loaded into the calling thread.
/**
 * pdfjs on a thread of its own (pdfjs-worker.ts; docs/operations.md, "Memory"): the caller gets
 * what pdfjsText would have given it — the text, or the same named LimitExceeded — while pdfjs
 * itself is never loaded into the caller's thread, so nothing of it stays there, and the thread
 * leaves out the native canvas library that pdfjs loads only to render. The thread reads PDF
 * after PDF, and is replaced when idle, after a limit, a bomb, a hang or a crash: the PDFs queued
 * behind one that hung or crashed are still read.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pdfWithContent, zerosZlib } from '../../../tests/helpers/hostile.ts';
import { LimitExceeded } from '../../limits.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { PdfjsThreads, pdfjsInThread } from './pdfjs-worker.ts';

/** Content behind ASCIIHexDecode: a filter the fast reader hands over to pdfjs. */
const hexOnly = (content: Buffer) => pdfWithContent(Buffer.from(`${content.toString('hex')}>`, 'latin1'), ['ASCIIHexDecode']);
const loadedHere = () => (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker !== undefined;
/** @napi-rs/canvas (skia) mapped into this process: a native library, once loaded by any thread, stays. */
const canvasLoaded = () => readFileSync('/proc/self/maps', 'utf8').includes('skia');

describe('pdfjs on a thread of its own', () => {
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

const hello = (word: string) => hexOnly(Buffer.from(`BT /F1 12 Tf 72 720 Td (${word}) Tj ET`, 'latin1'));
const bomb = () => pdfWithContent(Buffer.from(`${zerosZlib(1024).toString('hex')}>`, 'latin1'), ['ASCIIHexDecode', 'FlateDecode']);
/** A thread that hangs on a "PDF" starting with STUCK and dies on one starting with CRASH. */
/**
 * No recycling by heap unless a test asks for it: a thread started from the sources loads tsx too
 * and holds more than the compiled thread's ~50 MiB, so the default bound (128 MiB) is nearer there.
 */
const HEAP = { recycleHeapMb: 4096 };
/** The reason pdf.ts gives a PDF that ran out of its time budget (pdfText passes it as timeBudgetReason). */
const TIME_BUDGET = 'PDF text extraction exceeded its time budget';
const TEST_THREAD = new URL('../../../tests/helpers/pdfjs-test-thread.mjs', import.meta.url);

describe('the pdfjs thread is kept for the next PDF and replaced when it must be', () => {
  let threads: PdfjsThreads | null = null;
  afterEach(() => threads?.close());

  it('reads PDF after PDF, queued or one by one, on one thread that loads pdfjs once', async () => {
    threads = new PdfjsThreads(HEAP);
    const t = threads;
    const first = await Promise.all(['Mot', 'Hai', 'Ba'].map((w) => t.read(hello(w), DEFAULT_LIMITS, 'time')));
    expect(first.map((r) => r.text.trim())).toEqual(['Mot', 'Hai', 'Ba']);
    for (const w of ['Bon', 'Nam']) expect((await t.read(hello(w), DEFAULT_LIMITS, 'time')).text).toContain(w);
    expect(t.stats).toMatchObject({ started: 1, reads: 5, ended: {} });
    expect(t.alive).toBe(1);
  }, 120_000);

  it('an idle thread ends, and the next PDF starts a new one', async () => {
    threads = new PdfjsThreads({ ...HEAP, idleMs: 50 });
    const t = threads;
    await t.read(hello('Mot'), DEFAULT_LIMITS, 'time');
    await vi.waitFor(() => expect(t.alive).toBe(0), { timeout: 30_000 });
    expect(t.stats.ended).toEqual({ idle: 1 });
    expect((await t.read(hello('Hai'), DEFAULT_LIMITS, 'time')).text).toContain('Hai');
    expect(t.stats.started).toBe(2);
  }, 120_000);

  it('a thread whose read passed a limit ends; the next PDF is read on a new one', async () => {
    threads = new PdfjsThreads(HEAP);
    const t = threads;
    await t.read(hello('Mot'), DEFAULT_LIMITS, 'time');
    await expect(t.read(bomb(), DEFAULT_LIMITS, 'time')).rejects.toMatchObject({ limit: 'pdf-inflated-bytes' });
    expect(t.stats.ended).toEqual({ limit: 1 });
    expect(t.alive).toBe(0);
    expect((await t.read(hello('Hai'), DEFAULT_LIMITS, 'time')).text).toContain('Hai');
    expect(t.stats.started).toBe(2);
  }, 120_000);

  it('a thread ends after a read that decoded more than recycleDecodedBytes, held more than recycleHeapMb, or its maxReads', async () => {
    for (const [opts, why] of [
      [{ ...HEAP, recycleDecodedBytes: 0 }, 'decoded'],
      [{ recycleHeapMb: 1 }, 'heap'],
      [{ ...HEAP, maxReads: 2 }, 'reads'],
    ] as const) {
      threads = new PdfjsThreads(opts);
      const t = threads;
      for (const w of ['Mot', 'Hai']) expect((await t.read(hello(w), DEFAULT_LIMITS, 'time')).text).toContain(w);
      expect(t.stats.ended[why]).toBe(why === 'reads' ? 1 : 2);
      expect(t.stats.started).toBe(why === 'reads' ? 1 : 2);
      expect(t.alive).toBe(0);
    }
  }, 120_000);

  it('a thread whose read ran out of its time budget ends; the next PDF is read on a new one', async () => {
    threads = new PdfjsThreads(HEAP);
    const t = threads;
    await t.read(hello('Mot'), DEFAULT_LIMITS, 'time'); // started, pdfjs loaded: the budget below is the read's alone
    expect((await t.read(hello('Hai'), { ...DEFAULT_LIMITS, pdfTimeBudgetMs: 0 }, TIME_BUDGET)).reasons).toEqual([TIME_BUDGET]);
    expect(t.stats.ended).toEqual({ timeout: 1 });
    expect((await t.read(hello('Ba'), DEFAULT_LIMITS, TIME_BUDGET)).text).toContain('Ba');
    expect(t.stats.started).toBe(2);
  }, 120_000);

  it('a read stuck past its time budget gets the time-budget reason; its thread is replaced and the PDFs queued behind it are read', async () => {
    threads = new PdfjsThreads({ ...HEAP, entry: TEST_THREAD, runGraceMs: 0 });
    const t = threads;
    await t.read(hello('Mot'), DEFAULT_LIMITS, 'time'); // the thread has started and loaded pdfjs
    const stuck = t.read(Buffer.from('STUCK'), { ...DEFAULT_LIMITS, pdfTimeBudgetMs: 200 }, 'over its time');
    const queued = [t.read(hello('Hai'), DEFAULT_LIMITS, 'time'), t.read(hello('Ba'), DEFAULT_LIMITS, 'time')];
    expect(await stuck).toEqual({ text: '', pages: 0, reasons: ['over its time'], layout: [] });
    expect((await Promise.all(queued)).map((r) => r.text.trim())).toEqual(['Hai', 'Ba']);
    expect(t.stats).toMatchObject({ started: 2, ended: { timeout: 1 } });
  }, 120_000);

  it('a thread that dies fails only the read in hand; the PDFs queued behind it are read on a new thread', async () => {
    threads = new PdfjsThreads({ ...HEAP, entry: TEST_THREAD });
    const t = threads;
    await t.read(hello('Mot'), DEFAULT_LIMITS, 'time');
    const crash = t.read(Buffer.from('CRASH'), DEFAULT_LIMITS, 'time');
    const queued = t.read(hello('Hai'), DEFAULT_LIMITS, 'time');
    expect((await crash).reasons).toEqual(['PDF could not be read: its reader stopped (exit code 3)']);
    expect((await queued).text).toContain('Hai');
    expect(t.stats).toMatchObject({ started: 2, ended: { crash: 1 } });
  }, 120_000);
});
