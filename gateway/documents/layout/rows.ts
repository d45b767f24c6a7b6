/**
 * Runs → rows → cells. Runs on one baseline form a row; inside a row a gap wider than a column
 * gutter starts a new cell, a narrower one (or a space run) a space. Word processors write one face
 * as several font objects and draw bold by overprinting, so style is read from the face name and
 * duplicate runs are dropped. Stamped runs (annotations) fall into the row whose baseline they share.
 */
import type { Cell, Row, Run } from './types.ts';

/** The white space of `\s` in a regular expression (ECMA-262 WhiteSpace and LineTerminator). */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** Only white space (or nothing): `!/\S/.test(s)` without a regular expression per run (most runs answer at their first unit). */
export function blank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

/** A gap this wide between two runs separates cells (two columns of the header, Nơi nhận | signer). */
export function cellGap(size: number): number {
  return Math.max(12, 2 * size);
}

function sameBaseline(a: { y: number; size: number }, b: { y: number; size: number }): boolean {
  return Math.abs(a.y - b.y) <= Math.max(1, 0.35 * Math.min(a.size, b.size));
}

/** Groups runs by baseline, top of the page first. */
function groupRows(runs: Run[]): Run[][] {
  const sorted = runs.filter((r) => r.str.length > 0 && Number.isFinite(r.x) && Number.isFinite(r.y)).sort((a, b) => b.y - a.y);
  const rows: Run[][] = [];
  let current: Run[] = [];
  let anchor: Run | null = null;
  for (const r of sorted) {
    // A blank run (a space drawn on its own) never starts a row.
    if (anchor && (sameBaseline(anchor, r) || (blank(r.str) && current.length > 0 && anchor.y - r.y < anchor.size))) {
      current.push(r);
      if (!blank(r.str) && blank(anchor.str)) anchor = r;
      continue;
    }
    if (current.length) rows.push(current);
    current = [r];
    anchor = r;
  }
  if (current.length) rows.push(current);
  return rows.filter((row) => row.some((r) => !blank(r.str)));
}

/** Overprinted (fake bold) text: the same string again within a fraction of its size. */
function isDuplicate(r: Run, prev: Run | undefined): boolean {
  return !!prev && prev.str === r.str && Math.abs(prev.x - r.x) < Math.min(0.3 * r.size, 0.5 * r.width) && Math.abs(prev.y - r.y) < 0.3 * r.size;
}

const MAX_STAMPS_PER_ROW = 50;
/** Rows made only of stamped text (a number, a day, a signature stamp) that are joined to the page's. */
const MAX_STAMP_ROWS = 200;

/** A printed run split into its words (widths by share of characters), spaces as blank runs. */
function words(r: Run): Run[] {
  if (!/\S\s+\S/.test(r.str.trim()) && !/^\s|\s$/.test(r.str)) return [r];
  // A space is about a quarter of an em; the letters share the rest of the width.
  const spaces = (r.str.match(/\s/g) ?? []).length;
  const space = Math.min(0.25 * r.size, r.width / Math.max(r.str.length, 1));
  const letter = (r.width - spaces * space) / Math.max(r.str.length - spaces, 1);
  const out: Run[] = [];
  let x = r.x;
  for (const part of r.str.match(/\s+|\S+/g) ?? []) {
    const width = part.length * (/\s/.test(part) ? space : letter);
    out.push({ ...r, str: part, x, width });
    x += width;
  }
  return out;
}

/**
 * Where a stamped run reads in the row: a number stamped a little off its blank ("ngày t24háng",
 * "Số: /2003CĐ-VPCP") goes into the blank nearby — the widest word gap within a few letters of
 * its middle, the nearest gap otherwise — never inside a printed word.
 */
function placeStamps(runs: Run[]): { runs: Run[]; keys: Map<Run, number> } {
  const keys = new Map<Run, number>();
  let stamps = 0;
  for (const r of runs) if (r.stamped && !blank(r.str)) stamps++;
  // A row with more stamped runs than any real blank-filling is read as drawn (bounded work).
  if (stamps === 0 || stamps > MAX_STAMPS_PER_ROW) return { runs, keys };
  const all = runs.flatMap((r) => (r.stamped ? [r] : words(r)));
  const printed = all.filter((r) => !r.stamped && !blank(r.str)).sort((a, b) => a.x - b.x);
  if (printed.length === 0) return { runs: all, keys };
  const last = printed[printed.length - 1];
  const gaps: Array<{ at: number; width: number }> = [
    { at: printed[0].x - 0.01, width: 0 },
    { at: last.x + last.width + 0.01, width: 0 },
  ];
  const spaces = all
    .filter((r) => blank(r.str) && !r.stamped)
    .map((r) => ({ mid: r.x + r.width / 2, r }))
    .sort((a, b) => a.mid - b.mid);
  /** A space drawn between x0 and x1, of the size and on the baseline of `b` (binary search, then a short scan). */
  const spaceBetween = (x0: number, x1: number, b: Run) => {
    let lo = 0;
    let hi = spaces.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (spaces[m].mid < x0) lo = m + 1;
      else hi = m;
    }
    for (let k = lo; k < spaces.length && spaces[k].mid <= x1; k++) if (spaces[k].r.size >= 0.6 * b.size && sameBaseline(spaces[k].r, b)) return true;
    return false;
  };
  /** wordGap[i]: a word gap between printed[i - 1] and printed[i]. */
  const wordGap = printed.map((b, i) => {
    if (i === 0) return true;
    const a = printed[i - 1];
    const end = a.x + a.width;
    const open = b.x - end > 0.15 * b.size || spaceBetween(end - 0.05 * b.size, b.x + 0.15 * b.size, b);
    if (open) gaps.push({ at: (end + b.x) / 2, width: b.x - end });
    return open;
  });
  for (const r of all) {
    if (!r.stamped || blank(r.str)) continue;
    const mid = r.x + r.width / 2;
    const inside = printed.some(
      (p, i) => (mid > p.x && mid < p.x + p.width) || (i > 0 && !wordGap[i] && mid >= printed[i - 1].x + printed[i - 1].width && mid <= p.x),
    );
    if (!inside) continue;
    const near = gaps.filter((g) => Math.abs(g.at - mid) <= 3 * r.size);
    const blanks = near.filter((g) => g.width >= 0.9 * r.size);
    const pick = (xs: typeof gaps) => xs.reduce((best, g) => (Math.abs(g.at - mid) < Math.abs(best.at - mid) ? g : best), xs[0]);
    keys.set(r, (blanks.length ? blanks.reduce((a, b) => (b.width > a.width ? b : a)) : pick(near.length ? near : gaps)).at);
  }
  return { runs: all, keys };
}

/** White space other than single spaces: only then is the text rewritten. */
const UNTIDY = /\s\s|[^\S ]|^\s|\s$/;

/** "ƣ"/"Ƣ" (Latin oi, U+01A3/U+01A2): what some Vietnamese fonts' ToUnicode maps "ư"/"Ư" to; Vietnamese has no oi. */
const OI = /[Ƣƣ]/;

/** NFC, runs of white space as one space, trimmed (most cells are already so); "ƣ" read as "ư". */
function tidy(text: string): string {
  let nfc = text.normalize('NFC');
  if (OI.test(nfc)) nfc = nfc.replace(/Ƣ/g, 'Ư').replace(/ƣ/g, 'ư').normalize('NFC');
  return UNTIDY.test(nfc) ? nfc.replace(/\s+/g, ' ').trim() : nfc;
}

/** Splits one row's runs into cells and gives each its text. */
export function cellsOf(input: Run[]): Cell[] {
  const { runs, keys } = placeStamps(input);
  // Where a run reads: a stamp at the blank it fills (placeStamps), anything else where it is drawn.
  const sorted = keys.size ? [...runs].sort((a, b) => (keys.get(a) ?? a.x) - (keys.get(b) ?? b.x)) : [...runs].sort((a, b) => a.x - b.x);
  const cells: Cell[] = [];
  let cell: Cell | null = null;
  let end = -Infinity;
  let spaceRun: Run | null = null;
  let prev: Run | undefined;
  for (const r of sorted) {
    if (blank(r.str)) {
      // A space drawn on its own (not one an annotation drew, nor a tiny one of an empty line
      // nearby) marks a word gap.
      if (!r.stamped && (!prev || (r.size >= 0.6 * prev.size && sameBaseline(r, prev)))) spaceRun = r;
      if (cell && r.x <= end + cellGap(r.size)) cell.runs.push(r);
      continue;
    }
    if (isDuplicate(r, prev)) continue;
    const x = keys.get(r) ?? r.x;
    const gap = x - end;
    // It counts where it sits between the two runs (condensed text leaves almost no gap between
    // words), not where it overlaps a letter.
    const mid = spaceRun ? spaceRun.x + spaceRun.width / 2 : NaN;
    const spaced = mid >= end - 0.05 * r.size && mid <= x + 0.15 * r.size;
    const newBox = prev !== undefined && prev.box !== r.box;
    if (!cell || gap > cellGap(r.size) || newBox) {
      cell = { text: '', x0: r.x, x1: r.x + r.width, runs: [] };
      cells.push(cell);
    } else if ((spaced || gap > 0.18 * r.size || !!prev?.stamped !== !!r.stamped) && !cell.text.endsWith(' ') && !r.str.startsWith(' ')) {
      cell.text += ' ';
    }
    cell.text += r.str;
    cell.runs.push(r);
    cell.x0 = Math.min(cell.x0, r.x);
    cell.x1 = Math.max(cell.x1, r.x + r.width);
    end = Math.max(end, keys.has(r) ? x : r.x + r.width);
    spaceRun = null;
    prev = r;
  }
  for (const c of cells) c.text = tidy(c.text);
  return cells.filter((c) => c.text.length > 0);
}

const families = new Map<string, string>();

/** "ABCDEF+TimesNewRomanPS-BoldMT" → "timesnewromanps": the family, without subset and weight. */
function family(r: Run): string {
  const face = r.face ?? r.font ?? '';
  let f = families.get(face);
  if (f === undefined) {
    f = face
      .replace(/^[A-Z]{6}\+/, '')
      .replace(/[-,]?(bold|italic|oblique|regular|black|heavy|semibold|demi|mt|ps)+$/gi, '')
      .toLowerCase();
    if (families.size < 10_000) families.set(face, f);
  }
  return f;
}

/** Runs looked at to tell a row's style: its majority shows long before the end of a long row. */
const STYLE_SAMPLE = 64;

function styleOf(runs: Run[]): Pick<Row, 'size' | 'bold' | 'italic' | 'style'> {
  const votes = new Map<string, { n: number; r: Run }>();
  const step = Math.max(1, Math.floor(runs.length / STYLE_SAMPLE));
  for (let i = 0; i < runs.length; i += step) {
    const r = runs[i];
    if (blank(r.str)) continue;
    const key = `${family(r)}|${r.bold ? 'b' : ''}${r.italic ? 'i' : ''}|${Math.round(r.size * 2) / 2}`;
    const v = votes.get(key) ?? { n: 0, r };
    v.n += r.str.trim().length;
    votes.set(key, v);
  }
  let best: { key: string; n: number; r: Run } | null = null;
  for (const [key, v] of votes) if (!best || v.n > best.n) best = { key, ...v };
  const r = best?.r;
  return { size: r?.size ?? 0, bold: !!r?.bold, italic: !!r?.italic, style: best?.key ?? '' };
}

export function rowOf(runs: Run[], page: number): Row | null {
  const cells = cellsOf(runs);
  if (cells.length === 0) return null;
  const solid = runs.filter((r) => !blank(r.str));
  return {
    page,
    y: solid.reduce((sum, r) => sum + r.y, 0) / solid.length,
    ...styleOf(solid),
    cells,
    x0: cells.reduce((m, c) => Math.min(m, c.x0), Infinity),
    x1: cells.reduce((m, c) => Math.max(m, c.x1), -Infinity),
    stamped: solid.some((r) => r.stamped),
  };
}

/**
 * A stamp whose rectangle was drawn a little off the line it fills ("12094" half a line above
 * "Số:      /BNV-CCHC") joins the nearest printed row within a line height, at its own x.
 */
function snapStamps(groups: Run[][]): Run[][] {
  const printed = groups.filter((g) => g.some((r) => !r.stamped && !blank(r.str)));
  const isPrinted = new Set(printed);
  const stampedOnly = groups.filter((g) => !isPrinted.has(g));
  if (stampedOnly.length === 0 || stampedOnly.length > MAX_STAMP_ROWS) return groups;
  // Printed rows by baseline, top first (groups come sorted so): the nearest by binary search.
  const ys = printed.map(baseline);
  const out = [...printed];
  for (const g of stampedOnly) {
    const y = baseline(g);
    const size = g.reduce((m, r) => Math.max(m, r.size), 1);
    let lo = 0;
    let hi = ys.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (ys[m] > y) lo = m + 1;
      else hi = m;
    }
    const near = [lo - 1, lo].filter((k) => k >= 0 && k < ys.length).sort((a, b) => Math.abs(ys[a] - y) - Math.abs(ys[b] - y))[0];
    if (near !== undefined && Math.abs(ys[near] - y) <= 1.0 * size) printed[near].push(...g.map((r) => ({ ...r, y: ys[near] })));
    else out.push(g);
  }
  return out.sort((a, b) => baseline(b) - baseline(a));
}

function baseline(g: Run[]): number {
  const solid = g.filter((r) => !blank(r.str));
  const use = solid.length ? solid : g;
  return use.reduce((s, r) => s + r.y, 0) / Math.max(1, use.length);
}

/** The rows of one page, top first. */
export function buildRows(runs: Run[], page = 0): Row[] {
  return snapStamps(groupRows(runs))
    .map((g) => rowOf(g, page))
    .filter((r): r is Row => r !== null);
}

/** Splits a cell at x: runs left of it and right of it (by their middle), as two cells. */
export function splitCellAt(cell: Cell, x: number): [Cell | null, Cell | null] {
  const left: Run[] = [];
  const right: Run[] = [];
  for (const r of cell.runs) {
    if (r.x + r.width / 2 < x || r.x + r.width <= x) left.push(r);
    else if (r.x >= x) right.push(r);
    else {
      // A run across x: cut it at the word boundary nearest x, by the share of its width.
      const at = cutIndex(r.str, Math.round(((x - r.x) / Math.max(r.width, 1e-6)) * r.str.length));
      const w = r.width * (at / Math.max(r.str.length, 1));
      if (at > 0) left.push({ ...r, str: r.str.slice(0, at), width: w });
      if (at < r.str.length) right.push({ ...r, str: r.str.slice(at), x: r.x + w, width: r.width - w });
    }
  }
  const a = left.length ? cellsOf(left) : [];
  const b = right.length ? cellsOf(right) : [];
  return [a.length ? merge(a) : null, b.length ? merge(b) : null];
}

function cutIndex(s: string, guess: number): number {
  if (guess <= 0 || guess >= s.length) return Math.max(0, Math.min(s.length, guess));
  for (let d = 0; d < s.length; d++) {
    if (s[guess - d] === ' ') return guess - d;
    if (s[guess + d] === ' ') return guess + d;
  }
  return guess;
}

/** Cells of one column in one row, read as one. */
export function merge(cells: Cell[]): Cell {
  if (cells.length === 1) return cells[0];
  const sorted = [...cells].sort((a, b) => a.x0 - b.x0);
  return {
    text: sorted
      .map((c) => c.text)
      .join(' ')
      .normalize('NFC')
      .replace(/\s+/g, ' ')
      .trim(),
    x0: sorted[0].x0,
    x1: sorted.reduce((m, c) => Math.max(m, c.x1), -Infinity),
    runs: sorted.flatMap((c) => c.runs),
  };
}

/** The rows as the lines of flattened text: each cell its own line, an empty line at a paragraph break. */
export function rowsToLines(rows: Row[]): string[] {
  const out: string[] = [];
  let prev: Row | null = null;
  for (const row of rows) {
    if (prev && isBreak(prev, row)) out.push('');
    for (const c of row.cells) out.push(c.text);
    prev = row;
  }
  return out;
}

/** A paragraph break between two rows: a change of style or size, or a gap wider than the leading. */
export function isBreak(prev: Row, row: Row): boolean {
  if (prev.page !== row.page) return true;
  const drop = prev.y - row.y;
  return prev.style !== row.style || Math.abs(prev.size - row.size) > 0.5 || drop > 1.7 * Math.max(row.size, 1);
}
