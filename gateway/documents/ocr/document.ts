/**
 * What every OCR of a document sets up first (docs/ocr.md, "Bounds"): the defaults, the document's
 * own signal (the caller's plus the time budget), the languages and tools this machine has, and a
 * private temporary folder removed whatever happens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VanthuError } from '../../errors.ts';
import { OcrAborted, OcrTimeout, OcrUnavailable } from './errors.ts';
import { probeOcrCached, REASON_NO_POPPLER, REASON_NO_VIE } from './probe.ts';
import { abortError } from './run.ts';
import type { OcrOptions } from './types.ts';

export const DEFAULTS = {
  dpi: 300,
  lang: ['vie'],
  fallbackLang: ['vie', 'eng'],
  fallbackBelow: 50,
  psm: 3,
  maxPages: 20,
  timeBudgetMs: 180_000,
  maxSkewDegrees: 5,
  maxPixels: 40_000_000,
  threads: 1,
};

/** A signal for one document: the caller's, plus the time budget. */
export function documentSignal(opts: OcrOptions): { signal: AbortSignal; done: () => void } {
  const ctl = new AbortController();
  const budget = opts.timeBudgetMs ?? DEFAULTS.timeBudgetMs;
  const cancel = (opts.budgetTimer ?? startTimer)(budget, () => ctl.abort(new OcrTimeout(budget)));
  const outer = opts.signal;
  const onOuter = () => ctl.abort(outer?.reason instanceof VanthuError ? outer.reason : new OcrAborted({ cause: outer?.reason }));
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: ctl.signal,
    done: () => {
      cancel();
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** The budget's default timer: the clock's own, not keeping the process alive. */
function startTimer(ms: number, expire: () => void): () => void {
  const timer = setTimeout(expire, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
}

export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

export interface Ready {
  engine: string;
  /** tesseract's major version (5 has its own Sauvola binarisation: `-c thresholding_method=2`). */
  major: number;
  lang: string[];
  fallback: string[] | null;
  /** osd.traineddata is installed (orientation detection). */
  osd: boolean;
}

export async function ready(opts: OcrOptions, needPdf: boolean): Promise<Ready> {
  const probe = await probeOcrCached(opts.tools);
  if (!probe.available) throw new OcrUnavailable(probe.reason);
  if (needPdf && !probe.pdf) throw new OcrUnavailable(REASON_NO_POPPLER);
  const installed = (l: string[]) => l.filter((x) => probe.langs.includes(x));
  const wanted = opts.lang ?? DEFAULTS.lang;
  const lang = installed(wanted);
  if (lang.length === 0 || (wanted.includes('vie') && !lang.includes('vie'))) throw new OcrUnavailable(REASON_NO_VIE);
  const fb = opts.fallbackLang === null ? null : installed(opts.fallbackLang ?? DEFAULTS.fallbackLang);
  const fallback = fb && fb.length > 0 && fb.join('+') !== lang.join('+') ? fb : null;
  const major = Number.parseInt(probe.version, 10) || 0;
  return { engine: `tesseract ${probe.version}`, major, lang, fallback, osd: probe.langs.includes('osd') };
}

export async function withWorkDir<T>(opts: OcrOptions, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(opts.tmpDir ?? tmpdir(), 'vanthu-ocr-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
