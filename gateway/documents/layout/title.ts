/**
 * The title block under the header (Decree 30 Appendix I, box 5a): the type name in capitals,
 * centred, and the trích yếu under it, in the same bold face, centred, over one or several lines.
 * It ends where the face, the case or the alignment changes, at a wider gap, at a rule, or where
 * the body opens ("Căn cứ", "Kính gửi", the preamble authority "CHỦ TỊCH ỦY BAN NHÂN DÂN …").
 */
import { findTitleHeading } from '../rules/heading.ts';
import { isBodyOpener, isPreambleAuthority } from '../rules/layout.ts';
import { foldSameLength, isUpperLine } from '../text.ts';
import { blockLine } from './block-line.ts';
import { merge } from './rows.ts';
import type { BlockLine, Geometry, Row } from './types.ts';

const DECORATIVE = /^[\s*_\-=–—.~•·#+]+$/;

export function rowText(row: Row): string {
  return row.cells.map((c) => c.text).join(' ');
}

function centred(row: Row, g: Geometry): boolean {
  return Math.abs((row.x0 + row.x1) / 2 - g.cx) <= Math.max(24, 0.12 * g.width);
}

/** Where the body opens, whatever the face: never part of a title. */
const OPENS_BODY = /^(can cu|kinh gui|dieu \d)/;

function endsTitle(text: string, strict: boolean): boolean {
  const f = foldSameLength(text);
  if (DECORATIVE.test(text) || OPENS_BODY.test(f) || /:\s*$/.test(text) || (isUpperLine(text) && isPreambleAuthority(f))) return true;
  // "Thực hiện nhiệm vụ …" may be a trích yếu; in the body's face it opens the body.
  return strict && isBodyOpener(f);
}

/** The title block starting within a few rows after `from`; `end` is the first row after it. */
export function readTitle(rows: Row[], from: number, g: Geometry): { lines: BlockLine[]; end: number } {
  let at = -1;
  let inline: number | null = null;
  for (let i = from; i < Math.min(rows.length, from + 6); i++) {
    if (rows[i].page !== rows[from].page) break;
    const h = findTitleHeading(rowText(rows[i]));
    if (h) {
      at = i;
      inline = h.inline;
      break;
    }
    if (endsTitle(rowText(rows[i]), true) && !DECORATIVE.test(rowText(rows[i]))) break;
  }
  if (at < 0) return { lines: [], end: from };
  const lines: BlockLine[] = [blockLine(merge(rows[at].cells), rows[at], null)];
  let first: Row | null = inline !== null ? rows[at] : null;
  let prev = rows[at];
  let i = at + 1;
  for (; i < rows.length; i++) {
    const row = rows[i];
    const text = rowText(row);
    if (row.page !== prev.page || prev.y - row.y > 2.6 * Math.max(row.size, prev.size, 1) || endsTitle(text, !row.bold && !centred(row, g))) break;
    if (first) {
      const sameFace = row.bold === first.bold && Math.abs(row.size - first.size) <= 1;
      // Same face and case: the trích yếu goes on (wrapped by the column, or its next line).
      if (!sameFace || isUpperLine(text) !== isUpperLine(rowText(first))) break;
    } else {
      // The first line of the trích yếu: bold or centred, not a body paragraph.
      if (!row.bold && !centred(row, g)) break;
      first = row;
    }
    lines.push(blockLine(merge(row.cells), row, prev));
    prev = row;
  }
  return { lines, end: i };
}
