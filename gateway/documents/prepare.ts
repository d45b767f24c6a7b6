/**
 * Turns raw extracted text into clean lines the rules can read: legacy encodings converted,
 * NFC, web-table pipes split into cells, decorative rules ("******", "-----") and empty lines
 * dropped. Each line keeps a length-preserving folded twin for diacritic-insensitive matching.
 */
import { fixLegacyEncoding, type LegacyEncoding } from './legacy-encoding.ts';
import { foldSameLength } from './text.ts';

export interface Doc {
  lines: string[];
  folded: string[];
  /** A blank line (paragraph break) came before this line in the source. */
  breakBefore: boolean[];
  /** Line breaks reflect the page layout (PDF): a line without a break before it continues its paragraph. */
  layout: boolean;
  legacy: LegacyEncoding | null;
}

const DECORATIVE = /^[\s*_\-=–—.~•·#+]+$/;

/** What cleanLine would change: a wide or no-break space, two spaces, white space at either end. */
const UNCLEAN = /[\u00A0\u2000-\u200A\u202F\u3000]| {2}|^\s|\s$/;

export function cleanLine(line: string): string {
  // Most cells are clean already: one test instead of two replacements and a trim.
  if (!UNCLEAN.test(line)) return line;
  return line
    .replace(/[\u00A0\u2000-\u200A\u202F\u3000]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** The national motto, and the Party's in its place on Party documents ("TỈNH ỦY LÀO CAI ĐẢNG CỘNG SẢN VIỆT NAM"). */
const TITLE_PARTS = ['cong hoa xa hoi chu nghia viet nam', 'doc lap - tu do - hanh phuc', 'dang cong san viet nam'];

/** A line and its folded twin (foldSameLength): the rules read both. */
interface Folded {
  text: string;
  folded: string;
}

/**
 * A flattened copy runs the two header columns together: "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI…".
 * The folded twin is sliced along (same length), not folded again.
 */
function splitNationalTitle(line: string, folded: string, out: Folded[]): void {
  for (const part of TITLE_PARTS) {
    const at = folded.indexOf(part);
    if (at > 0) {
      out.push({ text: line.slice(0, at), folded: folded.slice(0, at) });
      return splitNationalTitle(line.slice(at), folded.slice(at), out);
    }
    const end = at === 0 ? part.length : -1;
    if (end > 0 && line.slice(end).trim()) {
      out.push({ text: line.slice(0, end), folded: folded.slice(0, end) });
      return splitNationalTitle(line.slice(end), folded.slice(end), out);
    }
  }
  out.push({ text: line, folded });
}

const CELL_BREAK = /\||\t+| {3,}/;

/**
 * A web-table row "Số hiệu | 25/CT-UBND |" becomes one line per cell, and so do columns that plain
 * text separates by tabs or wide runs of spaces ("Nơi nhận:<tab><tab>KT. CỤC TRƯỞNG").
 */
function splitCells(line: string): Folded[] {
  const out: Folded[] = [];
  for (const raw of CELL_BREAK.test(line) ? line.split(/\||\t+| {3,}/) : [line]) {
    const cell = raw.trim();
    if (cell) splitNationalTitle(cell, foldSameLength(cell), out);
  }
  return out;
}

/** Latin oi (U+01A2/U+01A3) is what some fonts' ToUnicode gives for "Ư"/"ư": Vietnamese has no oi. */
function withoutOi(text: string): string {
  return /[Ƣƣ]/.test(text) ? text.replace(/Ƣ/g, 'Ư').replace(/ƣ/g, 'ư') : text;
}

export function prepareText(raw: string, maxChars = 400_000, layout = false): Doc {
  const clipped = raw.length > maxChars ? raw.slice(0, maxChars / 2) + '\n' + raw.slice(-maxChars / 2) : raw;
  // Legacy detection runs before anything else: TCVN3 uses the soft hyphen (U+00AD) as "ư".
  const { text, encoding } = fixLegacyEncoding(clipped);
  const unified = withoutOi(text)
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200B-\u200D\uFEFF\u00AD]/g, '')
    .replace(/[\u2028\u2029\f\v]/g, '\n');
  const lines: string[] = [];
  const folded: string[] = [];
  const breakBefore: boolean[] = [];
  let blank = false;
  for (const rawLine of unified.split('\n')) {
    if (!rawLine.trim()) blank = true;
    for (const cell of splitCells(rawLine)) {
      const line = cleanLine(cell.text);
      if (line && !DECORATIVE.test(line)) {
        lines.push(line);
        // Most cells are clean already: their fold is reused, not recomputed.
        folded.push(line === cell.text ? cell.folded : foldSameLength(line));
        breakBefore.push(blank);
        blank = false;
      }
    }
  }
  return { lines, folded, breakBefore, layout, legacy: encoding };
}

/** Builds a Doc from lines that are already clean (tests, edXML fields). */
export function docFromLines(lines: string[], layout = false): Doc {
  return { lines, folded: lines.map(foldSameLength), breakBefore: lines.map(() => false), layout, legacy: null };
}
