/**
 * The header band of a Decree 30 first page (Appendix I, boxes 1–4 and 10): the issuer over "Số:"
 * (and, for a công văn, "V/v …") in the left column; the national motto over the place and date in
 * the right one. The column boundary is where the motto starts, or failing it where the place and
 * date start; cells that run across it (flattened producers, tight tables) are cut there.
 */
import { foldSameLength } from '../text.ts';
import { headingType } from '../rules/heading.ts';
import { continuesSentence, isBodyOpener } from '../rules/layout.ts';
import { cellsOf, merge, splitCellAt } from './rows.ts';
import { blockLine } from './block-line.ts';
import type { BlockLine, Cell, Geometry, Row, Run } from './types.ts';

/** Folded text without spaces or punctuation: "CỘNGHÒAXÃHỘI" and "CỘNG HOÀ XÃ HỘI" read alike. */
export function squeeze(text: string): string {
  return foldSameLength(text).replace(/[^a-z0-9]/g, '');
}

/**
 * The national motto, and what stands in its place on documents of the Party and of the Youth
 * Union, which follow the Party's rules on form: "ĐẢNG CỘNG SẢN VIỆT NAM", "ĐOÀN TNCS HỒ CHÍ MINH".
 */
const MOTTO_STARTS = ['conghoaxahoi', 'doclaptudo', 'chunghiavietnam', 'dangcongsanvietnam', 'doantncshochiminh'];

/** Where the motto starts in a text (character index), or -1. */
export function mottoAt(text: string): number {
  return mottoAtFolded(foldSameLength(text));
}

/** mottoAt of a text already folded (foldSameLength keeps the length, so indexes agree). */
export function mottoAtFolded(folded: string): number {
  // Most lines hold no motto: say so without mapping every letter.
  const plain = folded.replace(/[^a-z0-9]/g, '');
  if (!MOTTO_STARTS.some((key) => plain.includes(key))) return -1;
  const map: number[] = [];
  let sq = '';
  for (let i = 0; i < folded.length; i++) {
    if (/[a-z0-9]/.test(folded[i])) {
      sq += folded[i];
      map.push(i);
    }
  }
  let best = -1;
  for (const key of MOTTO_STARTS) {
    const at = sq.indexOf(key);
    if (at >= 0 && (best < 0 || map[at] < best)) best = map[at];
  }
  return best;
}

/** The run and character of a cell's k-th letter or digit (spaces and punctuation do not count). */
function alnumAt(cell: Cell, k: number): { run: number; char: number; x: number } | null {
  if (k <= 0) return null;
  let seen = 0;
  for (let j = 0; j < cell.runs.length; j++) {
    const r = cell.runs[j];
    const n = squeeze(r.str).length;
    if (k < seen + n) {
      const f = foldSameLength(r.str);
      let left = k - seen;
      let char = 0;
      for (; char < f.length; char++) if (/[a-z0-9]/.test(f[char]) && left-- === 0) break;
      return { run: j, char, x: r.x + (r.width * char) / Math.max(r.str.length, 1) };
    }
    seen += n;
  }
  return null;
}

/** The run and character at which the motto starts in a cell, when it does not start the cell. */
function mottoCut(cell: Cell): { run: number; char: number; x: number } | null {
  const whole = cell.runs.map((r) => squeeze(r.str)).join('');
  let at = -1;
  for (const key of MOTTO_STARTS) {
    const k = whole.indexOf(key);
    if (k >= 0 && (at < 0 || k < at)) at = k;
  }
  return alnumAt(cell, at);
}

/** "Số: 788/STP-HCBT Bình Thuận, ngày …" run together: where the place begins. */
function placeCut(cell: Cell): { run: number; char: number; x: number } | null {
  const m = /^(so\s*:?\s*[^\s/]*\s*\/\s*\S+)\s+[^,\d:]{2,48},\s*ngay\b/.exec(foldSameLength(cell.text));
  return m ? alnumAt(cell, squeeze(m[1]).length) : null;
}

function cutRuns(cell: Cell, cut: { run: number; char: number }): [Cell | null, Cell | null] {
  const left: Run[] = [];
  const right: Run[] = [];
  cell.runs.forEach((r, j) => {
    if (j < cut.run) left.push(r);
    else if (j > cut.run) right.push(r);
    else {
      const w = (r.width * cut.char) / Math.max(r.str.length, 1);
      if (cut.char > 0) left.push({ ...r, str: r.str.slice(0, cut.char), width: w });
      right.push({ ...r, str: r.str.slice(cut.char), x: r.x + w, width: r.width - w });
    }
  });
  const a = cellsOf(left);
  const b = cellsOf(right);
  return [a.length ? merge(a) : null, b.length ? merge(b) : null];
}

/** The widest gap between the runs of a cell near x: where two columns that touched meet. */
function widestGap(cell: Cell, x: number, reach: number): number | null {
  const solid = cell.runs.filter((r) => r.str.trim()).sort((a, b) => a.x - b.x);
  let best: { gap: number; at: number } | null = null;
  for (let i = 1; i < solid.length; i++) {
    const end = solid[i - 1].x + solid[i - 1].width;
    const gap = solid[i].x - end;
    const mid = (end + solid[i].x) / 2;
    if (Math.abs(mid - x) <= reach && gap > 0.4 * solid[i].size && (!best || gap > best.gap)) best = { gap, at: mid };
  }
  return best?.at ?? null;
}

/** "Số: 05/QĐ-UBND", "Số:" alone (the value on the next line), "Số 11/2005/CT-UBND", "Số:      /STC-VP". */
export function isNumberLine(text: string): boolean {
  return isNumberLineFolded(foldSameLength(text));
}

function isNumberLineFolded(folded: string): boolean {
  return /^so\s*(?::|\.\s|\s*$|\s*\d|\s*[.…_]{2}|\s*\/)/.test(folded.trim());
}

/** "Hà Nội, ngày …", also broken after "ngày" or before "năm". */
export function isPlaceDateStart(text: string): boolean {
  return isPlaceDateStartFolded(foldSameLength(text));
}

function isPlaceDateStartFolded(f: string): boolean {
  return /^[^,\d:]{2,48},\s*(ngay\b|\d{1,2}\s*[/.-])/.test(f) || /^ngay\s*[\d.…_ ]*thang/.test(f);
}

export interface HeaderAnchors {
  /** Index of the last row of the band's anchors (motto, number, place-date). */
  last: number;
  found: number;
  split: number;
}

/** Finds the anchors among the first rows of the first page; null when fewer than two are there. */
export function headerAnchors(rows: Row[], g: Geometry, limit = 24): HeaderAnchors | null {
  let last = -1;
  let motto: number | null = null;
  let place: number | null = null;
  const kinds = new Set<string>();
  for (let i = 0; i < Math.min(rows.length, limit); i++) {
    const row = rows[i];
    if (i > 0 && isHeading(row)) break;
    // The band ends where the letter opens ("Kính gửi:") or the body does: a "Cộng hòa xã hội
    // chủ nghĩa Việt Nam" quoted there is not the motto.
    if (i > 0 && kinds.size > 0 && opensLetterOrBody(row)) break;
    for (const c of row.cells) {
      // One folding per cell for the three tests.
      const f = foldSameLength(c.text);
      const m = mottoAtFolded(f);
      // Before the motto in its cell only the issuer may stand (capitals: flattened columns); a
      // "Cộng hòa xã hội chủ nghĩa Việt Nam" inside a sentence is not the motto.
      if (m >= 0 && !/\p{Ll}/u.test(c.text.slice(0, m))) {
        kinds.add('motto');
        last = i;
        const x = mottoCut(c)?.x ?? c.x0;
        motto = motto === null ? x : Math.min(motto, x);
      } else if (isNumberLineFolded(f)) {
        kinds.add('number');
        last = i;
      } else if (isPlaceDateStartFolded(f)) {
        kinds.add('date');
        last = i;
        if (c.x0 > g.left + 0.3 * g.width) place = place === null ? c.x0 : Math.min(place, c.x0);
      }
    }
  }
  if (kinds.size < 2) return null;
  const split = (motto ?? place ?? g.cx) - 4;
  return { last, found: kinds.size, split };
}

function opensLetterOrBody(row: Row): boolean {
  const f = foldSameLength(row.cells[0]?.text ?? '');
  return /^kinh gui\b/.test(f) || isBodyOpener(f);
}

function isHeading(row: Row): boolean {
  const text = row.cells.map((c) => c.text).join(' ');
  return headingType(text, foldSameLength(text)) !== undefined;
}

/** Whether the band goes on with this row (below the anchors): still two columns, not the title or the body. */
export function continuesHeader(row: Row, prev: Row, split: number): boolean {
  const text = row.cells.map((c) => c.text).join(' ');
  const f = foldSameLength(text);
  // "thực hiện …" in lower case goes on with the summary above; "Thực hiện …" opens the body.
  if (isHeading(row) || /^kinh gui\b/.test(f) || (isBodyOpener(f) && !continuesSentence(text))) return false;
  if (row.page !== prev.page || prev.y - row.y > 3.2 * Math.max(row.size, prev.size, 1)) return false;
  // A row across the boundary is the title or the body.
  return row.cells.every((c) => c.x1 <= split + 6 || c.x0 >= split - 6);
}

/**
 * Cuts a cell that runs across the boundary: at the motto when it is inside, else at the widest gap
 * near the boundary (two cells that touched), else at the boundary itself.
 */
function sides(cell: Cell, split: number, reach: number): [Cell | null, Cell | null] {
  if (cell.x1 <= split + 6) return [cell, null];
  if (cell.x0 >= split - 6) return [null, cell];
  const motto = mottoCut(cell);
  if (motto) return cutRuns(cell, motto);
  // A motto or a place and date wider than the motto above it: the right column.
  if (mottoAt(cell.text) === 0 || isPlaceDateStart(cell.text)) return [null, cell];
  const gap = widestGap(cell, split, reach);
  if (gap !== null) return splitCellAt(cell, gap);
  const place = isNumberLine(cell.text) ? placeCut(cell) : null;
  if (place) return cutRuns(cell, place);
  return (cell.x0 + cell.x1) / 2 < split ? [cell, null] : [null, cell];
}

/** The header rows as the left and right blocks, each top-down. */
export function headerColumns(rows: Row[], split: number, g: Geometry): { left: BlockLine[]; right: BlockLine[] } {
  const left: BlockLine[] = [];
  const right: BlockLine[] = [];
  const last: Record<'l' | 'r', Row | null> = { l: null, r: null };
  for (const row of rows) {
    const l: Cell[] = [];
    const r: Cell[] = [];
    for (const c of row.cells) {
      const [a, b] = sides(c, split, 0.25 * g.width);
      if (a) l.push(a);
      if (b) r.push(b);
    }
    if (l.length) {
      left.push(blockLine(merge(l), row, last.l));
      last.l = row;
    }
    if (r.length) {
      right.push(blockLine(merge(r), row, last.r));
      last.r = row;
    }
  }
  return { left, right };
}
