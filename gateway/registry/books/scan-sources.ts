/**
 * Where each field of a scanned document was read (docs/console.md, "Review item"): the word boxes
 * OCR kept with its result (message_ocr.result, documents/ocr/layout.ts) are read again by the same
 * layout reader the classifier used, each field's lines are found as for a PDF with a text layer
 * (documents/layout/spans.ts), and each line is mapped back to the words tesseract boxed on that
 * line — narrowed to the words of the value when some of them are (the "464/STC-VP" of
 * "Số: 464/STC-VP", the "ngày 15 tháng 01 năm 2026" after the place name).
 *
 * Boxes are shares of the page image (origin top left), so the console draws them on whatever size
 * it shows the page at. The page image is the page as rendered for OCR; a page OCR turned a
 * quarter-turn to read has its boxes turned back onto the page as the file holds it (`upright:
 * false`), an image's boxes stay on its upright (straightened) sheet, which is the page the
 * searchable copy shows (`upright: true`).
 */
import { wordKey } from '../../documents/ocr/confidence.ts';
import { ocrLayouts, type BoxedWord, type OcrPageBoxes } from '../../documents/ocr/layout.ts';
import { unrotatePoint } from '../../documents/ocr/deskew.ts';
import { layoutBlocks } from '../../documents/layout/bands.ts';
import { documentLines, fieldSources, rowBlocks, type FieldSource, type Span, type SpanField } from '../../documents/layout/spans.ts';
import { foldDiacritics } from '../../documents/text.ts';

/** A page as stored in message_ocr.result (workers/ocr.ts). */
export interface StoredOcrPage extends OcrPageBoxes {
  /** 1-based page of the file. */
  page: number;
  /** Clockwise quarter-turn OCR applied to read the page upright (absent in rows written before it was kept). */
  rotated?: number;
}

/** A share of the page image: left, top, width, height in 0–1, origin top left. */
export interface PageRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ScanSpan extends Span {
  rect: PageRect;
}

export interface ScanSources {
  lines: string[];
  /** The file's 0-based pages read, with the page image's size in points (px · 72 / dpi). */
  pages: Array<{ page: number; width: number; height: number }>;
  fields: Partial<Record<SpanField, { band: FieldSource['band']; spans: ScanSpan[] }>>;
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

/** A box on the upright page image (shares) back onto the page as it lies in the file. */
function turnBack(r: PageRect, rotated: number): PageRect {
  const [u0, v0, u1, v1] = [r.left, r.top, r.left + r.width, r.top + r.height];
  // rotateQuarter (documents/ocr/orient.ts): 90 → (u, v) = (1 − y, x); 180 → (1 − x, 1 − y); 270 → (y, 1 − x).
  let x0: number, y0: number, x1: number, y1: number;
  if (rotated === 90) [x0, y0, x1, y1] = [v0, 1 - u1, v1, 1 - u0];
  else if (rotated === 180) [x0, y0, x1, y1] = [1 - u1, 1 - v1, 1 - u0, 1 - v0];
  else if (rotated === 270) [x0, y0, x1, y1] = [1 - v1, u0, 1 - v0, u1];
  else return r;
  return { left: x0, top: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The words of one laid-out line: tesseract words whose line has the span's baseline — computed as
 * the layout reader does (documents/ocr/layout.ts: the median bottom of the line's straightened
 * words) — and whose straightened centre lies within the span's width.
 */
function wordsOfLine(p: StoredOcrPage, span: Span): BoxedWord[] {
  const k = 72 / p.dpi;
  const skew = p.skewDegrees ?? 0;
  const placed = (p.words as unknown as BoxedWord[])
    .filter((w) => w.length >= 7 && String(w[0]).trim())
    .map((w) => {
      const [, , x, y, wd, h, line] = w;
      const [cx, cy] = skew ? unrotatePoint(x + wd / 2, y + h / 2, p.width, p.height, skew) : [x + wd / 2, y + h / 2];
      return { w, line, cx: cx * k, bottom: cy + h / 2 };
    });
  const bottoms = new Map<number, number[]>();
  for (const x of placed) bottoms.set(x.line, [...(bottoms.get(x.line) ?? []), x.bottom]);
  const base = new Map([...bottoms].map(([line, bs]) => [line, (p.height - median(bs)) * k]));
  const slack = span.size * 0.5;
  return placed
    .filter((x) => Math.abs((base.get(x.line) ?? Number.NaN) - span.y) <= span.size * 0.3 && x.cx >= span.x0 - slack && x.cx <= span.x1 + slack)
    .map((x) => x.w);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Length of the longest run of letters `a` and `b` share (both short: a word, a field). */
function longestCommon(a: string, b: string): number {
  let best = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < b.length; j++) {
      let n = 0;
      while (i + n < a.length && j + n < b.length && a[i + n] === b[j + n]) n++;
      if (n > best) best = n;
    }
  return best;
}

/** The words that are the value itself, when some are; else the whole line. */
function narrow(words: BoxedWord[], field: SpanField, value: string): BoxedWord[] {
  if (field === 'issuedDate' || field === 'dueDate') {
    const at = words.findIndex((w) => foldDiacritics(String(w[0])).replace(/[^a-z]/g, '') === 'ngay' || /\d{1,2}[/.-]\d{1,2}[/.-]\d{4}/.test(String(w[0])));
    return at > 0 ? words.slice(at) : words;
  }
  const whole = foldDiacritics(wordKey(value));
  // A word OCR glued to its label ("Số:464") still holds a good part of the value.
  const mine = words.filter((w) => {
    const key = foldDiacritics(wordKey(String(w[0])));
    if (!key) return false;
    if (whole.includes(key)) return true;
    const common = longestCommon(key, whole);
    return common >= 3 && common * 2 >= key.length;
  });
  return mine.length ? mine : words;
}

/** Fields found on the OCR'd pages of one file; null when its stored words carry no boxes. */
export function scanSources(
  stored: StoredOcrPage[],
  values: Partial<Record<SpanField, string | null>>,
  /** false: boxes stay on the upright page OCR read (an image, shown as its searchable copy). */
  onFile = true,
): ScanSources | null {
  const layouts = ocrLayouts(stored);
  if (!layouts.length) return null;
  const blocks = layoutBlocks(layouts) ?? rowBlocks(layouts);
  const found = fieldSources(blocks, values);
  const fields: ScanSources['fields'] = {};
  for (const [field, source] of Object.entries(found) as Array<[SpanField, FieldSource]>) {
    const spans: ScanSpan[] = [];
    const seen = new Set<string>();
    for (const span of source.spans) {
      const p = stored[span.page];
      if (!p) continue;
      for (const w of narrow(wordsOfLine(p, span), field, values[field] ?? '')) {
        const [text, , x, y, wd, h] = w;
        // Two laid-out lines can share tesseract's words (a line the reader split): each word once.
        const at = `${span.page}:${x}:${y}`;
        if (seen.has(at)) continue;
        seen.add(at);
        const rect = turnBack({ left: x / p.width, top: y / p.height, width: wd / p.width, height: h / p.height }, onFile ? (p.rotated ?? 0) : 0);
        spans.push({
          ...span,
          page: p.page - 1,
          text,
          rect: { left: round4(rect.left), top: round4(rect.top), width: round4(rect.width), height: round4(rect.height) },
        });
      }
    }
    if (spans.length) fields[field] = { band: source.band, spans };
  }
  return {
    lines: documentLines(blocks).map((l) => l.line.text),
    pages: stored.map((p) => ({ page: p.page - 1, width: (p.width * 72) / p.dpi, height: (p.height * 72) / p.dpi })),
    fields,
  };
}
