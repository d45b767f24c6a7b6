/**
 * How well OCR read a value: the confidence of the words a field's value was taken from (docs/ocr.md,
 * "Confidence"). A field found in the recognised text gets the mean confidence of its words as
 * tesseract read them; a value whose words cannot be found (reassembled across lines, normalised)
 * gets the document's mean.
 */
import type { OcrPage } from './types.ts';

/**
 * A word as stored: its text and tesseract's confidence (0–100), then its box on the page image
 * (x, y, w, h in pixels) and its line's index (layout.ts reads these; rows stored before boxes were
 * kept have the first two only).
 */
export type WordConfidence = [text: string, conf: number, ...box: number[]];

/** The words of the pages read, compactly (what the pipeline stores per page). */
export function wordConfidences(page: Pick<OcrPage, 'words'>): WordConfidence[] {
  return page.words.map((w) => [w.text, Math.round(w.conf), w.x, w.y, w.w, w.h, w.line]);
}

/** Letters and digits only, NFC, lower case: "Số:" and "số" are one word; "05/QĐ-UBND" stays "05qđubnd". */
export function wordKey(s: string): string {
  return s
    .normalize('NFC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Mean word confidence over pages, weighted by their word counts (0–100; 0 without words). */
export function meanConfidence(pages: Array<{ words: WordConfidence[] }>): number {
  let sum = 0;
  let n = 0;
  for (const p of pages)
    for (const [, c] of p.words) {
      if (c < 0) continue;
      sum += c;
      n++;
    }
  return n ? Math.round((sum / n) * 10) / 10 : 0;
}

/**
 * The mean confidence (0–100) of the words of `value` found among `words`; each word of the value
 * takes the best-read occurrence. null when none of its words is found.
 */
export function valueConfidence(value: string, words: WordConfidence[]): number | null {
  const index = new Map<string, number>();
  for (const [t, c] of words) {
    const k = wordKey(t);
    if (k && c >= 0 && c > (index.get(k) ?? -1)) index.set(k, c);
  }
  const wanted = value
    .split(/\s+/)
    .map(wordKey)
    .filter((k) => k.length > 0);
  const found = wanted.map((k) => index.get(k)).filter((c): c is number => c !== undefined);
  if (!found.length) return null;
  return found.reduce((a, b) => a + b, 0) / found.length;
}
