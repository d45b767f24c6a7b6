/** A cell of a row as a line of a block, with what the layout says about it (layout/types.ts). */
import type { BlockLine, Cell, Row } from './types.ts';

/** `prev` is the row of the line above in the same block (null for the first). */
export function blockLine(cell: Cell, row: Row, prev: Row | null): BlockLine {
  const size = row.size || 1;
  const gap = prev ? (prev.y - row.y) / size - 1 : 0;
  const stamped = cell.runs.filter((r) => r.stamped && r.str.trim()).map((r) => r.str.trim());
  return {
    text: cell.text,
    breakBefore: prev !== null && (prev.style !== row.style || gap > 0.75 || prev.page !== row.page),
    bold: row.bold,
    size: row.size,
    gapBefore: prev && prev.page === row.page ? gap : 0,
    ...(stamped.length ? { stamped } : {}),
    at: { page: row.page, x0: cell.x0, x1: cell.x1, y: row.y, size: row.size },
  };
}
