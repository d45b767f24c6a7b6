/**
 * The closing band (Decree 30 Appendix I, boxes 7 and 9): "Nơi nhận:" and its list on the left,
 * the signature block on the right — authority ("TM.", "KT.", "TL.", "TUQ.", "Q."), title, space
 * for the signature and seal, name. The block may start a row or two above "Nơi nhận:". Footnotes
 * under the band (contact numbers, a page of appendix) run across the page and end it.
 */
import { AUTHORITY, isPersonName } from '../rules/layout.ts';
import { TITLE_WORDS } from '../rules/signer.ts';
import { foldSameLength, isUpperLine } from '../text.ts';
import { blockLine } from './block-line.ts';
import { merge } from './rows.ts';
import { rowText } from './title.ts';
import type { BlockLine, Cell, Geometry, Row } from './types.ts';

export interface Closing {
  start: number;
  end: number;
  left: BlockLine[];
  right: BlockLine[];
}

/** "Nơi nhận:" (the letter test first: folding every cell of a long document costs). */
const isRecipientsHead = (c: Cell) => /^n/i.test(c.text) && /^noi nhan\b/.test(foldSameLength(c.text.slice(0, 12)));

function rightSide(c: Cell, g: Geometry): boolean {
  return c.x0 >= g.cx - 0.12 * g.width;
}

function acrossPage(row: Row, g: Geometry): boolean {
  return row.cells.some((c) => c.x0 < g.cx - 0.2 * g.width && c.x1 > g.cx + 0.2 * g.width);
}

/** Signature rows above "Nơi nhận:": right side only, in capitals, close above. */
function signatureAbove(rows: Row[], k: number, g: Geometry): number {
  let start = k;
  for (let i = k - 1; i >= 0 && k - i <= 3; i--) {
    const row = rows[i];
    const below = rows[i + 1];
    if (row.page !== below.page || row.y - below.y > 3 * Math.max(row.size, 1)) break;
    if (!row.cells.every((c) => rightSide(c, g)) || !isUpperLine(rowText(row))) break;
    start = i;
  }
  return start;
}

/** The signature block already ends in a name (a person's, not a title in capitals). */
function hasName(rows: Row[], g: Geometry): boolean {
  const named = (c: Cell) => {
    const f = foldSameLength(c.text);
    return isPersonName(c.text) && !TITLE_WORDS.test(f) && !AUTHORITY.test(f) && !isUpperLine(c.text);
  };
  return rows.some((r) => r.cells.some((c) => rightSide(c, g) && named(c)));
}

function lastAuthority(rows: Row[], from: number, g: Geometry): number {
  for (let i = rows.length - 1; i >= from; i--) {
    const right = rows[i].cells.filter((c) => rightSide(c, g));
    if (right.some((c) => /^[TKQ]/.test(c.text) && AUTHORITY.test(foldSameLength(c.text)) && isUpperLine(c.text))) return i;
  }
  return -1;
}

/** The closing band after row `from`, or null when there is none. */
export function readClosing(rows: Row[], from: number, g: Geometry): Closing | null {
  let k = -1;
  for (let i = from; i < rows.length && k < 0; i++) if (rows[i].cells.some((c) => isRecipientsHead(c) && !rightSide(c, g))) k = i;
  let start: number;
  if (k >= 0) start = signatureAbove(rows, k, g);
  else {
    start = lastAuthority(rows, from, g);
    if (start < 0) return null;
    start = signatureAbove(rows, start, g);
  }
  const page = rows[start].page;
  let end = start;
  while (end + 1 < rows.length && rows[end + 1].page === page && !acrossPage(rows[end + 1], g)) end++;
  // A band broken by the page end ("- Lưu: VT." and the name overleaf) goes on at the top of the
  // next page, when its signature has no name yet.
  if (end + 1 < rows.length && rows[end + 1].page === page + 1 && !hasName(rows.slice(start, end + 1), g)) {
    while (end + 1 < rows.length && rows[end + 1].page === page + 1 && !acrossPage(rows[end + 1], g)) if (hasName([rows[++end]], g)) break;
  }
  const left: BlockLine[] = [];
  const right: BlockLine[] = [];
  let prevLeft: Row | null = null;
  let prevRight: Row | null = null;
  for (let i = start; i <= end; i++) {
    const row = rows[i];
    const l: Cell[] = [];
    const r: Cell[] = [];
    // Whole cells: a recipient line running past the middle stays one line on the left.
    for (const c of row.cells) (rightSide(c, g) ? r : l).push(c);
    if (l.length) {
      left.push(blockLine(merge(l), row, prevLeft));
      prevLeft = row;
    }
    if (r.length) {
      right.push(blockLine(merge(r), row, prevRight));
      prevRight = row;
    }
  }
  return { start, end, left, right };
}
