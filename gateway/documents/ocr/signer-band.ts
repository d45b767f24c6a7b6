/**
 * The signer band read a second time (docs/ocr.md, "The signer band"). tesseract's page layout
 * analysis (`--psm 3`) takes the seal and the signature for a picture, and with them it drops or
 * garbles the lines around them: the title above the seal ("THỨ ˆ"), the name under it
 * ("(guyễn Đức Vũ"), or the whole block. When the words of the page's signature block do not give
 * a title and a name the lexicon vouches for, the block is cropped out of the page (the right
 * column, from a little above "Nơi nhận:" down to the block's foot, BAND_LINES lines lower),
 * separated from red ink by the red channel (a red seal is light there, black print stays black),
 * and read as one block of text (`--psm 6`, which looks for no pictures). The second reading
 * replaces the first's words in the crop only when it vouches for more: a title of the lexicon
 * (rules/signer.ts), a name whose family name is known (lexicon.ts) and whose words are all
 * Vietnamese syllables (classify.ts, `misread`).
 */
import { AUTHORITY, isPersonName } from '../rules/layout.ts';
import { TITLE_WORDS } from '../rules/signer.ts';
import { foldSameLength, isUpperLine } from '../text.ts';
import { misread } from './classify.ts';
import { correctTokens, isFamilyName } from './lexicon.ts';
import type { GrayImage, RgbImage } from './raster.ts';
import { round1, type OcrLine, type OcrWord } from './tsv.ts';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A reading's words, lines and text (tsv.ts's ParsedTsv, with the language). */
export interface BandReading {
  text: string;
  words: OcrWord[];
  lines: OcrLine[];
  meanConfidence: number;
}

/**
 * How far below its anchor the band reaches, in lines of the page: the authority, the title, the
 * signature and seal, the name, with room to spare (docs/ocr.md, "The signer band").
 */
export const BAND_LINES = 12;

/** Blocks of the second reading are numbered from here, apart from the page's. */
export const BAND_BLOCK = 1000;

const fold = (s: string) => foldSameLength(s.normalize('NFC'));
const centreX = (b: Rect) => b.x + b.w / 2;
const centreY = (b: Rect) => b.y + b.h / 2;
const inside = (b: Rect, r: Rect) => centreX(b) >= r.x && centreX(b) < r.x + r.w && centreY(b) >= r.y && centreY(b) < r.y + r.h;

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function wordsByLine(words: OcrWord[]): OcrWord[][] {
  const by = new Map<number, OcrWord[]>();
  for (const w of words) {
    const l = by.get(w.line);
    if (l) l.push(w);
    else by.set(w.line, [w]);
  }
  return [...by.values()].map((ws) => ws.sort((a, b) => a.x - b.x));
}

/** A line whose print runs across the middle of the page (body text, a footnote): not the two columns of the closing band. */
function acrossMiddle(ws: OcrWord[], width: number, gap: number): boolean {
  const cx = width / 2;
  if (ws[0].x > 0.3 * width) return false;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (w.x <= cx && w.x + w.w >= cx) return true;
    const next = ws[i + 1];
    if (next && w.x + w.w < cx && next.x > cx && next.x - (w.x + w.w) < gap) return true;
  }
  return false;
}

/**
 * Where the signature block lies on a page: the right column, from two lines above its first
 * anchor — "Nơi nhận" on the left, or an authority ("KT.", "TM.", …) or a title in capitals on the
 * right, in the lower two thirds — down to BAND_LINES lines below the anchor (further when a word
 * of the right column is read lower), the first line running across the page, or 40 % of the page
 * further, whichever comes first. Null when there is no anchor.
 */
export function signerBand(words: OcrWord[], width: number, height: number): Rect | null {
  const lines = wordsByLine(words);
  const lineH = median(lines.map((ws) => Math.max(...ws.map((w) => w.y + w.h)) - Math.min(...ws.map((w) => w.y)))) || height / 60;
  let anchor = Number.POSITIVE_INFINITY;
  for (const ws of lines) {
    const top = Math.min(...ws.map((w) => w.y));
    if (top < height / 3) continue;
    ws.forEach((w, i) => {
      const f = fold(w.text);
      const recipients = /^nhan:?$/.test(f) && w.x + w.w < 0.45 * width && i <= 2;
      const rest = ws
        .slice(i)
        .map((x) => x.text)
        .join(' ');
      const right =
        w.x >= 0.45 * width && isUpperLine(rest) && (AUTHORITY.test(f + (ws[i + 1] ? ` ${fold(ws[i + 1].text)}` : '')) || TITLE_WORDS.test(fold(rest)));
      if (recipients || right) anchor = Math.min(anchor, w.y);
    });
  }
  if (!Number.isFinite(anchor)) return null;
  const y0 = Math.max(0, Math.round(anchor - 2 * lineH));
  let y1 = Math.min(height, Math.round(anchor + 0.4 * height));
  for (const ws of lines) {
    const top = Math.min(...ws.map((w) => w.y));
    if (top > anchor + lineH && top < y1 && acrossMiddle(ws, width, 3 * lineH)) y1 = Math.round(top - lineH / 4);
  }
  // The block's own height: BAND_LINES lines from the anchor (the name under a seal lies 7–8.5 lines
  // below it in the corpus), or a line past the lowest word read in the right column when that is lower.
  let lowest = 0;
  for (const w of words) if (w.x + w.w / 2 >= 0.45 * width && w.y >= anchor && w.y < y1) lowest = Math.max(lowest, w.y + w.h);
  y1 = Math.min(y1, Math.round(Math.max(anchor + BAND_LINES * lineH, lowest + lineH)));
  // The left column's longest lines push the crop's left edge, within reason.
  let x0 = Math.round(0.45 * width);
  for (const w of words) {
    const right = w.x + w.w;
    if (centreX(w) < width / 2 && right > x0 && right < 0.6 * width && centreY(w) >= y0 && centreY(w) < y1) x0 = Math.round(right + lineH / 2);
  }
  if (y1 - y0 < 2 * lineH) return null;
  return { x: x0, y: y0, w: width - x0, h: y1 - y0 };
}

/**
 * The band as tesseract reads it: the red channel of a colour page (colour separation: red ink is
 * as light as the paper there, black print stays black), or the prepared grey page.
 */
export function cropBand(image: RgbImage | GrayImage, r: Rect): GrayImage {
  const out = new Uint8Array(r.w * r.h);
  const c = image.channels;
  // A plane (one byte a pixel): each row of the band is one copy.
  if (c === 1) {
    for (let y = 0; y < r.h; y++) out.set(image.data.subarray((r.y + y) * image.width + r.x, (r.y + y) * image.width + r.x + r.w), y * r.w);
    return { width: r.w, height: r.h, channels: 1, data: out };
  }
  for (let y = 0; y < r.h; y++) {
    const row = ((r.y + y) * image.width + r.x) * c;
    for (let x = 0; x < r.w; x++) out[y * r.w + x] = image.data[row + x * c];
  }
  return { width: r.w, height: r.h, channels: 1, data: out };
}

export interface BandCheck {
  /** A line of the band is a signer's title the lexicon knows (after corrections). */
  title: boolean;
  /** A line is a person's name starting with a known family name, every word a Vietnamese syllable. */
  name: boolean;
}

/** A line's text as the classifier will see it: phrases corrected (lexicon.ts), ends trimmed. */
function lineText(tokens: string[]): string {
  return correctTokens(tokens)
    .filter((t) => t.trim())
    .join(' ')
    .normalize('NFC')
    .replace(/^[\s\p{P}\p{S}]+|[\s.,;:]+$/gu, '');
}

/** A title stands on its own line: "KT. BỘ TRƯỞNG" is the authority, not the signer's title. */
function isTitle(text: string): boolean {
  const f = fold(text);
  return isUpperLine(text) && !AUTHORITY.test(f) && TITLE_WORDS.test(f) && !/[^\p{L}\s]/u.test(text);
}

function isName(text: string): boolean {
  const parts = text.split(/\s+/);
  return isPersonName(text) && !isUpperLine(text) && isFamilyName(parts[0]) && !TITLE_WORDS.test(fold(text)) && !parts.some(misread);
}

/** A speck read before a title or a name ("ft)", "Z5", "__"): not a word, or two letters at most, and no authority ("KT."). */
const speck = (t: string) => (/[^\p{L}]/u.test(t) || t.length <= 2) && !/^(kt|tm|tl|tuq|q|t\/m)\.?$/.test(fold(t));

/**
 * One line of a band: its title or name, once up to three specks read before it are dropped
 * ("ft) CHÁNH VĂN PHÒNG", "Z5 7PHÓ GIÁM ĐÓC"). The words kept: the line's own when it is neither.
 */
export function cleanLine(ws: OcrWord[]): { words: OcrWord[]; title: boolean; name: boolean } {
  for (let k = 0; k <= Math.min(3, ws.length - 1); k++) {
    if (k > 0 && !speck(ws[k - 1].text)) break;
    const rest = ws
      .slice(k)
      .map((w, i) => (i === 0 ? { ...w, text: w.text.replace(/^[^\p{L}]+/u, '') } : w))
      .filter((w) => w.text);
    const text = lineText(rest.map((w) => w.text));
    if (!text) continue;
    if (isTitle(text)) return { words: rest, title: true, name: false };
    if (isName(text)) return { words: rest, title: false, name: true };
  }
  return { words: ws, title: false, name: false };
}

/** What the words of a band vouch for (a known title, a plausible name), and its words with the specks before them dropped. */
export function checkBand(words: OcrWord[]): BandCheck & { words: OcrWord[] } {
  const out: BandCheck & { words: OcrWord[] } = { title: false, name: false, words: [] };
  for (const ws of wordsByLine(words)) {
    const line = cleanLine(ws);
    out.title ||= line.title;
    out.name ||= line.name;
    out.words.push(...line.words);
  }
  return out;
}

export const bandScore = (c: BandCheck) => Number(c.title) + Number(c.name);

/**
 * The page's reading with the band's words replaced by the second reading's (boxes moved from the
 * crop onto the page, blocks numbered from BAND_BLOCK). The band's lines come where the first of
 * the page's lines below the band would have come.
 */
export function mergeBand(page: BandReading, band: BandReading, r: Rect): BandReading {
  const kept = page.words.filter((w) => !inside(w, r));
  const moved = band.words.map((w) => ({ ...w, x: w.x + r.x, y: w.y + r.y, block: w.block + BAND_BLOCK, line: -1 - w.line }));
  // Lines in reading order: the page's (those left with words), the band's before the first page line below it.
  const pageLines = wordsByLine(kept).sort((a, b) => a[0].line - b[0].line);
  const bandLines = wordsByLine(moved).sort((a, b) => b[0].line - a[0].line);
  const at = pageLines.findIndex((ws) => Math.min(...ws.map((w) => w.y)) >= r.y + r.h);
  const ordered = at < 0 ? [...pageLines, ...bandLines] : [...pageLines.slice(0, at), ...bandLines, ...pageLines.slice(at)];
  const words: OcrWord[] = [];
  const lines: OcrLine[] = [];
  for (const ws of ordered) {
    const id = lines.length;
    const x0 = Math.min(...ws.map((w) => w.x));
    const y0 = Math.min(...ws.map((w) => w.y));
    const x1 = Math.max(...ws.map((w) => w.x + w.w));
    const y1 = Math.max(...ws.map((w) => w.y + w.h));
    const conf = round1(ws.reduce((s, w) => s + w.conf, 0) / ws.length);
    lines.push({ id, text: ws.map((w) => w.text).join(' '), x: x0, y: y0, w: x1 - x0, h: y1 - y0, conf, block: ws[0].block, par: ws[0].par });
    for (const w of ws) words.push({ ...w, line: id });
  }
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) text += lines[i].block !== lines[i - 1].block || lines[i].par !== lines[i - 1].par ? '\n\n' : '\n';
    text += lines[i].text;
  }
  const meanConfidence = words.length ? round1(words.reduce((s, w) => s + w.conf, 0) / words.length) : 0;
  return { text, words, lines, meanConfidence };
}

/** The words of a reading inside a rectangle. */
export function wordsIn(words: OcrWord[], r: Rect): OcrWord[] {
  return words.filter((w) => inside(w, r));
}
