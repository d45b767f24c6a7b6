/**
 * tesseract's TSV output (`tesseract IMAGE stdout tsv`) parsed into words, lines and text.
 *
 *   level page_num block_num par_num line_num word_num left top width height conf text
 *
 * Level 5 rows are words (conf 0–100); levels 1–4 (page, block, paragraph, line) carry conf -1
 * and no text. Rows that do not have 12 fields, or whose numbers do not parse, are skipped: the
 * parser never throws on what the engine printed.
 */

export interface OcrWord {
  text: string;
  /** Box in pixels of the page image (origin top left). */
  x: number;
  y: number;
  w: number;
  h: number;
  /** tesseract's word confidence, 0–100. */
  conf: number;
  /** tesseract's block and paragraph numbers on this page. */
  block: number;
  par: number;
  /** Index into the page's `lines`. */
  line: number;
}

export interface OcrLine {
  id: number;
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** Mean confidence of the line's words. */
  conf: number;
  block: number;
  par: number;
}

export interface ParsedTsv {
  words: OcrWord[];
  lines: OcrLine[];
  /** Lines joined by "\n", paragraphs separated by an empty line. */
  text: string;
  /** Mean word confidence (0–100), 0 when no word was found. */
  meanConfidence: number;
}

export interface TsvOptions {
  /** Words kept per page; the rest are dropped (default 50,000: a dense A4 page has ~1,000). */
  maxWords?: number;
}

const SLASHES = /[\u2044\u2215]/g;
/**
 * Latin eth (Ð U+00D0, ð U+00F0), which tesseract's vie model reads for Đ and đ, at times twice
 * over one letter ("QĐÐ-UBND"): Vietnamese has no eth and never two Đ running.
 */
const ETH = /[ĐÐ]?Ð|[đð]?ð/g;

export function parseTsv(tsv: string, opts: TsvOptions = {}): ParsedTsv {
  const maxWords = opts.maxWords ?? 50_000;
  const words: OcrWord[] = [];
  const lines: OcrLine[] = [];
  const lineIndex = new Map<string, number>();
  const lineWords: OcrWord[][] = [];
  for (const row of tsv.split('\n')) {
    if (words.length >= maxWords) break;
    const f = row.replace(/\r$/, '').split('\t');
    if (f.length < 12 || f[0] !== '5') continue;
    // tesseract reads the slash of "V/v" and "Số: 05/QĐ" as a fraction or division slash at times.
    const text = f
      .slice(11)
      .join('\t')
      .trim()
      .replace(SLASHES, '/')
      .replace(ETH, (m) => (m.endsWith('Ð') ? 'Đ' : 'đ'));
    if (!text) continue;
    const n = f.slice(1, 11).map(Number);
    if (n.some((v) => !Number.isFinite(v))) continue;
    const [, block, par, lineNum, , x, y, w, h, conf] = n;
    const key = `${block}.${par}.${lineNum}`;
    let line = lineIndex.get(key);
    if (line === undefined) {
      line = lines.length;
      lineIndex.set(key, line);
      lines.push({ id: line, text: '', x, y, w: 0, h: 0, conf: 0, block, par });
      lineWords.push([]);
    }
    const word: OcrWord = { text, x, y, w, h, conf: Math.max(0, Math.min(100, conf)), block, par, line };
    words.push(word);
    lineWords[line].push(word);
  }
  for (const l of lines) {
    const ws = lineWords[l.id];
    const x0 = Math.min(...ws.map((w) => w.x));
    const y0 = Math.min(...ws.map((w) => w.y));
    const x1 = Math.max(...ws.map((w) => w.x + w.w));
    const y1 = Math.max(...ws.map((w) => w.y + w.h));
    Object.assign(l, {
      text: ws.map((w) => w.text).join(' '),
      x: x0,
      y: y0,
      w: x1 - x0,
      h: y1 - y0,
      conf: round1(ws.reduce((s, w) => s + w.conf, 0) / ws.length),
    });
  }
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) text += lines[i].block !== lines[i - 1].block || lines[i].par !== lines[i - 1].par ? '\n\n' : '\n';
    text += lines[i].text;
  }
  const meanConfidence = words.length ? round1(words.reduce((s, w) => s + w.conf, 0) / words.length) : 0;
  return { words, lines, text, meanConfidence };
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
