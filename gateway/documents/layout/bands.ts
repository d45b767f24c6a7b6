/**
 * Positioned pages → the bands of a Decree 30 document (Appendix I): header (left | right), title,
 * body, closing (Nơi nhận | signature). Null when the first page has no header band (fewer than two
 * of motto, "Số:", place and date): the caller then reads the flattened text by line heuristics.
 */
import { blockLine } from './block-line.ts';
import { continuesHeader, headerAnchors, headerColumns } from './header.ts';
import { readClosing } from './closing.ts';
import { merge } from './rows.ts';
import { readTitle } from './title.ts';
import type { BlockLine, Blocks, Geometry, PageLayout, Row } from './types.ts';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
}

/** The text area, from the rows long enough to be body text (A4 margins when there are none). */
export function geometry(rows: Row[], pageWidth: number): Geometry {
  const long = rows.filter((r) => r.cells.reduce((n, c) => n + c.text.length, 0) >= 30);
  const left = long.length
    ? percentile(
        long.map((r) => r.x0),
        0.05,
      )
    : 0.14 * pageWidth;
  const right = long.length
    ? percentile(
        long.map((r) => r.x1),
        0.95,
      )
    : 0.9 * pageWidth;
  const width = Math.max(right - left, 0.3 * pageWidth);
  return { left, right: left + width, cx: left + width / 2, width };
}

function lines(rows: Row[]): BlockLine[] {
  const out: BlockLine[] = [];
  let prev: Row | null = null;
  for (const row of rows) {
    out.push(blockLine(merge(row.cells), row, prev));
    prev = row;
  }
  return out;
}

export function layoutBlocks(pages: PageLayout[]): Blocks | null {
  const rows = pages.flatMap((p) => p.rows);
  if (rows.length === 0) return null;
  const g = geometry(rows, pages[0].width);
  const firstPage = rows.filter((r) => r.page === rows[0].page);
  const anchors = headerAnchors(firstPage, g);
  if (!anchors) return null;
  let h = anchors.last;
  while (h + 1 < firstPage.length && continuesHeader(firstPage[h + 1], firstPage[h], anchors.split)) h++;
  const header = headerColumns(firstPage.slice(0, h + 1), anchors.split, g);
  const title = readTitle(rows, h + 1, g);
  const closing = readClosing(rows, title.end, g);
  const bodyEnd = closing ? closing.start : rows.length;
  return {
    headerLeft: header.left,
    headerRight: header.right,
    title: title.lines,
    body: lines(rows.slice(title.end, bodyEnd)),
    closingLeft: closing?.left ?? [],
    closingRight: closing?.right ?? [],
    from: 'layout',
  };
}
