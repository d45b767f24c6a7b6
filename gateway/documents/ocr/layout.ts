/**
 * OCR word boxes → the positioned page the layout reader works on (layout/types.ts), so a scan is
 * read by its bands (header columns split at the motto, title, closing | signature) exactly as a
 * PDF with a text layer is (docs/ocr.md, "Into the layout reader").
 *
 * Each word becomes a run in PDF points (x·72/dpi, baseline measured upwards from the bottom).
 * tesseract gives boxes, not baselines: every word of one tesseract line takes the line's baseline
 * (the median bottom of its words, which a descender or a hanging diacritic does not move), and
 * all words take one font size, the page's median line height (OCR cannot tell 13 pt from 14 pt
 * reliably, and a size that wobbled from line to line would break paragraphs that are one). Boxes
 * are stored on the page as rendered; the skew found is undone here, so a line stays on one
 * baseline however the sheet lay on the scanner.
 */
import { buildRows } from '../layout/rows.ts';
import type { PageLayout, Run } from '../layout/types.ts';
import { unrotatePoint } from './deskew.ts';

/** A word as stored in message_ocr.result: text, confidence, box (px) and tesseract line index. */
export type BoxedWord = [text: string, conf: number, x: number, y: number, w: number, h: number, line: number];

export interface OcrPageBoxes {
  width: number;
  height: number;
  dpi: number;
  /** Skew found (and undone before recognition), degrees; boxes are on the page as rendered. */
  skewDegrees?: number;
  words: Array<readonly [string, number, ...number[]]>;
}

/** Line height ÷ font size: a tesseract line box spans ascenders, stacked diacritics and descenders. */
const LINE_TO_SIZE = 1.1;

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Whether the stored words of a page carry boxes (rows written before boxes were stored do not). */
export function hasBoxes(page: Pick<OcrPageBoxes, 'words' | 'dpi'>): boolean {
  return page.dpi > 0 && page.words.length > 0 && page.words.every((w) => w.length >= 7);
}

/** One OCR page as positioned rows (page: 0-based index for the rows). */
export function ocrPageLayout(p: OcrPageBoxes, page = 0): PageLayout {
  const k = 72 / p.dpi;
  const skew = p.skewDegrees ?? 0;
  const words = p.words
    .filter((w) => w.length >= 7 && String(w[0]).trim())
    .map((w) => {
      const [text, conf, x, y, wd, h, line] = w as unknown as BoxedWord;
      // Back onto the deskewed image: the inverse of the turn that moved them onto the page.
      const [cx, cy] = skew ? unrotatePoint(x + wd / 2, y + h / 2, p.width, p.height, skew) : [x + wd / 2, y + h / 2];
      return { text, conf, x: cx - wd / 2, bottom: cy + h / 2, w: wd, h, line };
    });
  const byLine = new Map<number, typeof words>();
  for (const w of words) {
    const l = byLine.get(w.line);
    if (l) l.push(w);
    else byLine.set(w.line, [w]);
  }
  const lineHeights = [...byLine.values()].map((ws) => Math.max(...ws.map((w) => w.bottom)) - Math.min(...ws.map((w) => w.bottom - w.h)));
  const size = Math.max(4, Math.round(((median(lineHeights) * k) / LINE_TO_SIZE) * 2) / 2);
  const runs: Run[] = [];
  for (const ws of byLine.values()) {
    const base = (p.height - median(ws.map((w) => w.bottom))) * k;
    for (const w of ws) runs.push({ str: w.text.normalize('NFC'), x: w.x * k, y: base, width: w.w * k, size, font: 'ocr', face: 'ocr' });
  }
  return { width: p.width * k, height: p.height * k, rows: buildRows(runs, page) };
}

/** The pages of a scan as the layout reader takes them; empty when the words carry no boxes. */
export function ocrLayouts(pages: OcrPageBoxes[]): PageLayout[] {
  if (!pages.length || !pages.every(hasBoxes)) return [];
  return pages.map((p, i) => ocrPageLayout(p, i));
}
