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

function cleanLine(line: string): string {
  return line
    .replace(/[\u00A0\u2000-\u200A\u202F\u3000]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

const TITLE_PARTS = ['cong hoa xa hoi chu nghia viet nam', 'doc lap - tu do - hanh phuc'];

/** A flattened copy runs the two header columns together: "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI…". */
function splitNationalTitle(line: string): string[] {
  const folded = foldSameLength(line);
  for (const part of TITLE_PARTS) {
    const at = folded.indexOf(part);
    if (at > 0) return [line.slice(0, at), ...splitNationalTitle(line.slice(at))];
    const end = at === 0 ? part.length : -1;
    if (end > 0 && line.slice(end).trim()) return [line.slice(0, end), ...splitNationalTitle(line.slice(end))];
  }
  return [line];
}

/**
 * A web-table row "Số hiệu | 25/CT-UBND |" becomes one line per cell, and so do columns that plain
 * text separates by tabs or wide runs of spaces ("Nơi nhận:<tab><tab>KT. CỤC TRƯỞNG").
 */
function splitCells(line: string): string[] {
  const cells = line
    .split(/\||\t+| {3,}/)
    .map((c) => c.trim())
    .filter(Boolean);
  return cells.flatMap(splitNationalTitle);
}

export function prepareText(raw: string, maxChars = 400_000, layout = false): Doc {
  const clipped = raw.length > maxChars ? raw.slice(0, maxChars / 2) + '\n' + raw.slice(-maxChars / 2) : raw;
  // Legacy detection runs before anything else: TCVN3 uses the soft hyphen (U+00AD) as "ư".
  const { text, encoding } = fixLegacyEncoding(clipped);
  const unified = text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200B-\u200D\uFEFF\u00AD]/g, '')
    .replace(/[\u2028\u2029\f\v]/g, '\n');
  const lines: string[] = [];
  const breakBefore: boolean[] = [];
  let blank = false;
  for (const rawLine of unified.split('\n')) {
    if (!rawLine.trim()) blank = true;
    for (const cell of splitCells(rawLine)) {
      const line = cleanLine(cell);
      if (line && !DECORATIVE.test(line)) {
        lines.push(line);
        breakBefore.push(blank);
        blank = false;
      }
    }
  }
  return { lines, folded: lines.map(foldSameLength), breakBefore, layout, legacy: encoding };
}

/** Builds a Doc from lines that are already clean (tests, edXML fields). */
export function docFromLines(lines: string[], layout = false): Doc {
  return { lines, folded: lines.map(foldSameLength), breakBefore: lines.map(() => false), layout, legacy: null };
}
