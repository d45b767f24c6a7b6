/**
 * Text layer of a PDF through pdfjs-dist (legacy build, the one meant for Node), rebuilt into
 * lines: items on one baseline form a line, and a wide horizontal gap starts a new cell, so the
 * two columns of the header ("ỦY BAN NHÂN DÂN" | "CỘNG HÒA XÃ HỘI…") come out as separate lines.
 * Page and time caps keep hostile files bounded; errors become reasons, never exceptions.
 */
import { LimitExceeded } from '../../limits.ts';
import type { ClassifyLimits } from '../types.ts';
import { buildRows, rowsToLines } from '../layout/rows.ts';
import type { PageLayout } from '../layout/types.ts';
import { openFastPdf, OverBudget, PageBudget, type FastPdf, type TextItem as Item } from './pdf-fast.ts';
import { DecodeBudget, importPdfjs, PdfjsTimeout, withDecodeBudget } from './pdfjs-guard.ts';
import { PDFJS_ON_THREAD, pdfjsInThread } from './pdfjs-worker.ts';

export interface PdfText {
  text: string;
  pages: number;
  reasons: string[];
  /** The pages read, as positioned rows, for the layout reader (layout/bands.ts). */
  layout: PageLayout[];
  /**
   * Fast reader only, one per page of `layout`: at most what share of the page images cover, null
   * when it cannot tell (FastPdf.imageShare); the scan check reads it (documents/ocr/text-layer.ts).
   */
  imageShare?: Array<number | null>;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let loading: Promise<PdfJs> | null = null;

/**
 * Loads pdfjs and its worker in this thread. The legacy build bundles core-js, which replaces
 * Array.prototype.push with a much slower polyfill for the whole process (a V8 length-check it
 * distrusts); the native method is put back, which changes nothing for ordinary arrays.
 */
function loadPdfJs(): Promise<PdfJs> {
  loading ??= (async () => {
    const nativePush = Array.prototype.push;
    try {
      // Preloading the worker module makes pdfjs run it in this thread (its "fake worker"); the
      // guarded copy bounds every stream it decodes (pdfjs-guard.ts). If it cannot be had, this
      // rejects (and stays rejected): unbounded pdfjs is never used.
      const { pdfjs, worker } = await importPdfjs();
      (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
      pdfjs.GlobalWorkerOptions.workerSrc ||= 'pdfjs-dist/legacy/build/pdf.worker.mjs';
      return pdfjs;
    } finally {
      Object.defineProperty(Array.prototype, 'push', { value: nativePush, writable: true, configurable: true, enumerable: false });
    }
  })();
  return loading;
}

class Timeout extends Error {}

const TIME_BUDGET = 'PDF text extraction exceeded its time budget';

function withDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  // A promise abandoned at the deadline still rejects later (pdfjs: "Loading aborted"); mark it handled.
  p.catch(() => undefined);
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new Timeout());
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), left);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Groups items into lines (same baseline) and cells (separated by a wide gap). An empty line marks
 * a paragraph break: a change of face, weight or size (the bold summary gives way to the regular
 * body) or a vertical gap wider than the leading. (layout/rows.ts)
 */
/**
 * Text drawn smaller than this (points) cannot be read on the page: a stray glyph at 1 pt before
 * "Nơi nhận:" ("ơNơi nhận:") would otherwise hide the closing from the reader.
 */
const INVISIBLE_SIZE = 2;

/** The runs a reader of the printed page sees: drops text too small to read. */
export function visibleItems(items: Item[]): Item[] {
  return items.some((it) => it.size < INVISIBLE_SIZE) ? items.filter((it) => !(it.size < INVISIBLE_SIZE)) : items;
}

export function itemsToLines(items: Item[]): string[] {
  return rowsToLines(buildRows(items));
}

/**
 * 1-based page numbers to read: the first `first` pages (header, title, body) and the last `last`
 * (the signer block of a report sits before its annexes, not always on the last page) — at most
 * first + last pages whatever the length of the file.
 */
export function pagesToRead(count: number, first: number, last: number): number[] {
  if (count <= first + last) return Array.from({ length: count }, (_, i) => i + 1);
  const head = Array.from({ length: first }, (_, i) => i + 1);
  const tail = Array.from({ length: last }, (_, i) => count - last + 1 + i);
  return [...head, ...tail];
}

function readReason(pages: number, wanted: number[], limits: ClassifyLimits): string[] {
  return wanted.length < pages
    ? [`PDF has ${pages} pages; read ${wanted.length} (the first ${limits.maxPdfPages} and the last ${limits.maxPdfLastPages})`]
    : [];
}

/**
 * The fast path (pdf-fast.ts) for the common producers, pdfjs for everything else. pdfjs builds a
 * positioned item per glyph run and passes it between its "worker" and main sides, which costs
 * about 10 ms for a two-page document; the fast path reads the same runs in about 1 ms. In the
 * compiled gateway pdfjs runs on a thread of its own, kept for the next PDF and ended when idle or
 * after a bomb, so its memory does not stay (pdfjs-worker.ts).
 */
export async function pdfText(data: Uint8Array, limits: ClassifyLimits): Promise<PdfText> {
  return fastPdfText(data, limits) ?? (PDFJS_ON_THREAD ? pdfjsInThread(data, limits, TIME_BUDGET) : pdfjsText(data, limits));
}

/**
 * Null when the file needs pdfjs (unsupported feature, damage, or no text found). A limit passed
 * (decoded bytes, pages) throws LimitExceeded: pdfjs would only decode the same bomb.
 */
export function fastPdfText(data: Uint8Array, limits: ClassifyLimits): PdfText | null {
  try {
    const doc = openFastPdf(data, { maxStreamBytes: limits.maxPdfStreamBytes, maxDocumentBytes: limits.maxPdfDocumentBytes, maxPages: limits.maxPdfPageCount });
    const wanted = pagesToRead(doc.pages, limits.maxPdfPages, limits.maxPdfLastPages);
    const budget = new PageBudget(5_000_000, Date.now() + limits.pdfTimeBudgetMs);
    const lines: string[] = [];
    const layout: PageLayout[] = [];
    const imageShare: Array<number | null> = [];
    for (const n of wanted) {
      const rows = buildRows(visibleItems(doc.pageItems(n - 1, budget)), n - 1);
      layout.push({ ...doc.pageSize(n - 1), rows });
      imageShare.push(doc.imageShare(n - 1));
      lines.push(...rowsToLines(rows), '');
    }
    if (!lines.some((l) => l.trim())) return null;
    const reasons = readReason(doc.pages, wanted, limits);
    return { text: lines.join('\n'), pages: doc.pages, reasons, layout, imageShare };
  } catch (err) {
    if (err instanceof LimitExceeded) throw err;
    if (err instanceof OverBudget) return { text: '', pages: 0, reasons: [TIME_BUDGET], layout: [] };
    return null;
  }
}

/**
 * Text through pdfjs, every stream it decodes charged to this document's budget (pdfjs-guard.ts).
 * pdfjs swallows many errors of a damaged file and reads on, so a limit it hit is taken from the
 * budget afterwards and thrown as LimitExceeded whatever pdfjs made of it.
 */
export async function pdfjsText(data: Uint8Array, limits: ClassifyLimits): Promise<PdfText> {
  let pdfjs: PdfJs;
  try {
    pdfjs = await loadPdfJs();
  } catch (err) {
    return { text: '', pages: 0, reasons: [`PDF could not be read: ${(err as Error).message}`], layout: [] };
  }
  // The deadline is checked inside pdfjs too: it parses synchronously, where no timer can stop it.
  const budget = new DecodeBudget(limits.maxPdfStreamBytes, limits.maxPdfDocumentBytes, Date.now() + limits.pdfTimeBudgetMs);
  const result = await withDecodeBudget(budget, () => pdfjsRead(pdfjs, data, limits, budget.deadline));
  if (budget.exceeded) throw budget.exceeded;
  if (budget.timedOut && !result.reasons.includes(TIME_BUDGET)) return { text: '', pages: result.pages, reasons: [TIME_BUDGET], layout: [] };
  return result;
}

async function pdfjsRead(pdfjs: PdfJs, data: Uint8Array, limits: ClassifyLimits, deadline: number): Promise<PdfText> {
  const reasons: string[] = [];
  const task = pdfjs.getDocument({
    data: new Uint8Array(data),
    verbosity: 0,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
  });
  const lines: string[] = [];
  const layout: PageLayout[] = [];
  let pages = 0;
  try {
    const pdf = await withDeadline(task.promise, deadline);
    pages = pdf.numPages;
    if (pages > limits.maxPdfPageCount)
      throw new LimitExceeded('pdf-pages', limits.maxPdfPageCount, pages, `PDF has ${pages} pages (more than ${limits.maxPdfPageCount})`);
    const wanted = pagesToRead(pages, limits.maxPdfPages, limits.maxPdfLastPages);
    reasons.push(...readReason(pages, wanted, limits));
    const stamps = stampReader(data, limits, deadline);
    for (const n of wanted) {
      const page = await withDeadline(pdf.getPage(n), deadline);
      const content = await withDeadline(page.getTextContent({ disableNormalization: true }), deadline);
      const items: Item[] = [];
      for (const raw of content.items) {
        if (!('str' in raw)) continue;
        const [a, b, , , x, y] = raw.transform as number[];
        items.push({ str: raw.str, x, y, width: raw.width, size: Math.hypot(a, b) || raw.height || 10, font: raw.fontName });
      }
      items.push(...stamps(n - 1));
      const rows = buildRows(visibleItems(items), n - 1);
      const [x0, y0, x1, y1] = page.view;
      layout.push({ width: x1 - x0 || 595, height: y1 - y0 || 842, rows });
      lines.push(...rowsToLines(rows), '');
      page.cleanup();
    }
    if (lines.join('').trim().length === 0) reasons.push('PDF has no text layer (scanned image?)');
  } catch (err) {
    if (err instanceof LimitExceeded) throw err;
    reasons.push(describePdfError(err));
  } finally {
    await task.destroy().catch(() => undefined);
  }
  return { text: lines.join('\n'), pages, reasons, layout };
}

/**
 * Annotation text for pages pdfjs reads (pdfjs leaves signature appearances out of its text
 * content): drawn by the fast reader when it can open the file, nothing otherwise.
 */
function stampReader(data: Uint8Array, limits: ClassifyLimits, deadline: number): (index: number) => Item[] {
  let doc: FastPdf | null = null;
  try {
    doc = openFastPdf(data, { maxStreamBytes: limits.maxPdfStreamBytes, maxDocumentBytes: limits.maxPdfDocumentBytes, maxPages: limits.maxPdfPageCount });
  } catch (err) {
    if (err instanceof LimitExceeded) throw err;
  }
  const budget = new PageBudget(1_000_000, deadline);
  return (index) => {
    try {
      return doc ? doc.stampedItems(index, budget) : [];
    } catch (err) {
      if (err instanceof LimitExceeded) throw err;
      return [];
    }
  };
}

function describePdfError(err: unknown): string {
  if (err instanceof Timeout || err instanceof PdfjsTimeout) return TIME_BUDGET;
  const name = (err as { name?: string })?.name ?? '';
  if (name === 'PasswordException') return 'PDF is encrypted with a password; its text cannot be read';
  if (name === 'InvalidPDFException') return 'PDF is corrupt or not a PDF';
  return `PDF could not be read: ${(err as Error)?.message ?? String(err)}`;
}
