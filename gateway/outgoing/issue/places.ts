/**
 * Where the number and the date go: the header of an administrative document (Decree 30/2020,
 * Appendix I, docs/domain.md) has "Số: …/…" at the left under the issuing body and
 * "<place>, ngày … tháng … năm …" at the right under the national motto. Their positions are read
 * with pdfjs (the guarded copy of gateway/documents/sources/pdfjs-guard.ts) from the first page.
 */
import { importPdfjs } from '../../documents/sources/pdfjs-guard.ts';

export interface TextPlace {
  /** Baseline start of the text to write, PDF user space of page `page` (0-based). */
  x: number;
  y: number;
  page: number;
  /** Font size of the text it follows. */
  size: number;
  /** A code already printed after the blank ("/UBND-VP"), and the x where it starts. */
  code?: { text: string; x: number };
}

export interface HeaderPlaces {
  number: TextPlace | null;
  /** After "ngày", "tháng", "năm" when the line leaves them blank. */
  day: TextPlace | null;
  month: TextPlace | null;
  year: TextPlace | null;
  /** The page's width and height. */
  page: { width: number; height: number };
}

type PdfJs = Awaited<ReturnType<typeof importPdfjs>>['pdfjs'];
let loading: Promise<PdfJs> | null = null;

function pdfjs(): Promise<PdfJs> {
  loading ??= (async () => {
    const nativePush = Array.prototype.push;
    try {
      const { pdfjs: lib, worker } = await importPdfjs();
      (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
      lib.GlobalWorkerOptions.workerSrc ||= 'pdfjs-dist/legacy/build/pdf.worker.mjs';
      return lib;
    } finally {
      // The legacy build's core-js replaces Array.prototype.push (gateway/documents/sources/pdf.ts).
      Object.defineProperty(Array.prototype, 'push', { value: nativePush, writable: true, configurable: true, enumerable: false });
    }
  })();
  return loading;
}

interface Item {
  str: string;
  x: number;
  y: number;
  width: number;
  size: number;
}

/** Reads the first page's text items and finds the number and date places. */
export async function findHeaderPlaces(pdf: Buffer): Promise<HeaderPlaces> {
  const lib = await pdfjs();
  const task = lib.getDocument({ data: new Uint8Array(pdf), verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false });
  try {
    const doc = await task.promise;
    const page = await doc.getPage(1);
    const view = page.view;
    const content = await page.getTextContent();
    const items: Item[] = [];
    for (const it of content.items) {
      if (!('str' in it) || !it.str.trim()) continue;
      const [a, b, , , e, f] = it.transform as number[];
      items.push({ str: it.str.normalize('NFC'), x: e, y: f, width: it.width, size: Math.hypot(a, b) || it.height || 12 });
    }
    return headerPlaces(items, { width: view[2] - view[0], height: view[3] - view[1] });
  } finally {
    await task.destroy();
  }
}

/** The x where the text after `word` (and one space) starts within an item; widths are proportional. */
function after(item: Item, end: number): number {
  const perChar = item.str.length ? item.width / item.str.length : item.size / 2;
  return item.x + perChar * end + item.size * 0.3;
}

export function headerPlaces(items: Item[], page: { width: number; height: number }): HeaderPlaces {
  // Only the top of the page: the header sits above the title; "Số" elsewhere is body text.
  const top = items.filter((i) => i.y > page.height * 0.55).sort((p, q) => q.y - p.y || p.x - q.x);
  let number: TextPlace | null = null;
  for (const it of top) {
    const m = /(^|\s)Số\s*:/u.exec(it.str);
    if (!m) continue;
    const end = m.index + m[0].length;
    // "Số: 125/UBND-VP" already numbered: nothing to write.
    if (/\d/.test(it.str.slice(end, end + 6))) break;
    number = { x: after(it, end), y: it.y, page: 0, size: it.size };
    const slash = it.str.indexOf('/', end);
    if (slash >= 0) number.code = { text: it.str.slice(slash).trim(), x: after(it, slash) - it.size * 0.3 };
    else if (!it.str.slice(end).trim()) {
      // pdfjs splits a line at a wide blank: the code may be the next item on the line.
      const next = top.find((o) => o !== it && Math.abs(o.y - it.y) < it.size / 2 && o.x > it.x && o.x - it.x < page.width * 0.4);
      if (next?.str.trim().startsWith('/')) number.code = { text: next.str.trim().split(/\s/)[0], x: next.x };
    }
    break;
  }
  const blank = (it: Item, word: string, next: RegExp): TextPlace | null => {
    const m = new RegExp(`(^|[\\s,])${word}`, 'u').exec(it.str);
    if (!m) return null;
    const end = m.index + m[0].length;
    const rest = it.str.slice(end);
    const following = next.exec(rest);
    const gap = following ? rest.slice(0, following.index) : rest;
    // Digits already there (a dated document): leave it as it is.
    if (/\d/.test(gap)) return null;
    return { x: after(it, end), y: it.y, page: 0, size: it.size };
  };
  let day: TextPlace | null = null;
  let month: TextPlace | null = null;
  let year: TextPlace | null = null;
  for (const it of top) {
    if (!/ngày/u.test(it.str)) continue;
    day = blank(it, 'ngày', /tháng/u);
    // "tháng" and "năm" may be items of their own on the same line.
    const line = top.filter((o) => Math.abs(o.y - it.y) < it.size / 2 && o.x >= it.x);
    for (const o of line) {
      month ??= /tháng/u.test(o.str) ? blank(o, 'tháng', /năm/u) : null;
      year ??= /năm/u.test(o.str) ? blank(o, 'năm', /$^/u) : null;
    }
    break;
  }
  return { number, day, month, year, page };
}
