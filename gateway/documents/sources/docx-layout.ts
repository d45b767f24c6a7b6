/**
 * A DOCX laid out as the layout reader's runs (layout/types.ts), on one tall virtual page. Word lays
 * out the two-column header and the closing (Nơi nhận | signature) as tables: each cell is placed
 * at its grid column, its paragraphs stacked from the top of the row, so the issuer sits left of the
 * motto and "Số:" left of the date, as on paper. Paragraphs outside tables take their alignment
 * (w:jc); widths are estimated from the font size, lines wrapped to the cell or the text area.
 */
import type { PageLayout, Run } from '../layout/types.ts';
import { buildRows } from '../layout/rows.ts';

type Ordered = Array<Record<string, unknown>>;

interface Piece {
  text: string;
  bold: boolean;
  italic: boolean;
  size: number;
  /** A tab run before this piece. */
  tab: boolean;
}

interface Para {
  pieces: Piece[];
  align: 'left' | 'center' | 'right' | 'both';
  /** Space before, in points (w:spacing w:before). */
  before: number;
}

type Block = { kind: 'p'; p: Para } | { kind: 'table'; widths: number[]; rows: Array<Array<{ span: number; paras: Para[] }>> };

const PAGE = { width: 595, height: 842, left: 85, right: 538, top: 790 };
/** Average advance of a letter, in ems (Times New Roman, Vietnamese text). */
const EM = 0.47;
/** More paragraphs than any document: the rest are not laid out. */
const MAX_PARAS = 5000;

const children = (v: unknown): Ordered => (Array.isArray(v) ? (v as Ordered) : []);
const attrs = (node: Record<string, unknown>): Record<string, string> => (node[':@'] as Record<string, string> | undefined) ?? {};
const tagOf = (node: Record<string, unknown>): string => Object.keys(node).find((k) => k !== ':@') ?? '';

function find(nodes: Ordered, tag: string): Record<string, unknown> | undefined {
  return nodes.find((n) => tagOf(n) === tag);
}

function on(node: Record<string, unknown> | undefined): boolean {
  if (!node) return false;
  const v = attrs(node).val;
  return v === undefined || !/^(0|false|off|none)$/i.test(v);
}

interface RunStyle {
  bold: boolean;
  italic: boolean;
  size: number;
}

function runStyle(rPr: Ordered | undefined, base: RunStyle): RunStyle {
  if (!rPr) return base;
  const sz = find(rPr, 'sz');
  const half = sz ? Number(attrs(sz).val) : NaN;
  return {
    bold: find(rPr, 'b') ? on(find(rPr, 'b')) : base.bold,
    italic: find(rPr, 'i') ? on(find(rPr, 'i')) : base.italic,
    size: Number.isFinite(half) && half > 0 ? half / 2 : base.size,
  };
}

/** The pieces of a paragraph; w:br starts a new paragraph with the same alignment. */
function readParagraph(p: Ordered, out: Para[]): void {
  const pPr = children(find(p, 'pPr')?.pPr);
  const jc = attrs(find(pPr, 'jc') ?? {}).val ?? 'left';
  const align = jc === 'center' ? 'center' : jc === 'right' || jc === 'end' ? 'right' : jc === 'both' || jc === 'distribute' ? 'both' : 'left';
  const spacing = attrs(find(pPr, 'spacing') ?? {});
  const base = runStyle(children(find(pPr, 'rPr')?.rPr), { bold: false, italic: false, size: 13 });
  let para: Para = { pieces: [], align, before: Number(spacing.before) / 20 || 0 };
  out.push(para);
  let tab = false;
  const walk = (nodes: Ordered, style: RunStyle) => {
    for (const node of nodes) {
      const tag = tagOf(node);
      const kids = children(node[tag]);
      if (tag === 'r') {
        walk(kids, runStyle(children(find(kids, 'rPr')?.rPr), base));
      } else if (tag === 't') {
        const text = kids.map((c) => (typeof c['#text'] === 'string' || typeof c['#text'] === 'number' ? String(c['#text']) : '')).join('');
        if (text) para.pieces.push({ text, ...style, tab });
        tab = false;
      } else if (tag === 'tab' || tag === 'ptab') {
        tab = true;
      } else if (tag === 'br' || tag === 'cr') {
        para = { pieces: [], align, before: 0 };
        out.push(para);
      } else if (tag !== 'pPr' && tag !== 'rPr' && tag !== 'instrText' && tag !== 'delText' && tag !== 'txbxContent') {
        walk(kids, style);
      }
    }
  };
  walk(p, base);
}

function readCell(tc: Ordered): { span: number; paras: Para[] } {
  const tcPr = children(find(tc, 'tcPr')?.tcPr);
  const span = Number(attrs(find(tcPr, 'gridSpan') ?? {}).val) || 1;
  const paras: Para[] = [];
  const walk = (nodes: Ordered) => {
    for (const node of nodes) {
      const tag = tagOf(node);
      if (tag === 'p') readParagraph(children(node.p), paras);
      else if (tag !== 'tcPr') walk(children(node[tag]));
    }
  };
  walk(tc);
  return { span, paras };
}

/** Body-level paragraphs and tables, in order (content controls and nested sections looked into). */
function readBlocks(nodes: Ordered, out: Block[]): void {
  for (const node of nodes) {
    if (out.length > MAX_PARAS) return;
    const tag = tagOf(node);
    const kids = children(node[tag]);
    if (tag === 'p') {
      const paras: Para[] = [];
      readParagraph(kids, paras);
      for (const p of paras) out.push({ kind: 'p', p });
    } else if (tag === 'tbl') {
      const grid = children(find(kids, 'tblGrid')?.tblGrid)
        .filter((n) => tagOf(n) === 'gridCol')
        .map((n) => Number(attrs(n).w) || 0);
      const rows = kids
        .filter((n) => tagOf(n) === 'tr')
        .map((tr) =>
          children(tr.tr)
            .filter((n) => tagOf(n) === 'tc')
            .map((tc) => readCell(children(tc.tc))),
        );
      out.push({ kind: 'table', widths: grid, rows });
    } else if (tag !== 'sectPr') {
      readBlocks(kids, out);
    }
  }
}

/** Words of a paragraph wrapped to a width; each line keeps its pieces' styles. */
function wrap(para: Para, width: number): Piece[][] {
  const lines: Piece[][] = [];
  let line: Piece[] = [];
  let used = 0;
  for (const piece of para.pieces) {
    const words = piece.text.split(/(?<= )/);
    words.forEach((w, k) => {
      const ww = w.length * EM * piece.size;
      if (used + ww > width && used > 0 && w.trim()) {
        lines.push(line);
        line = [];
        used = 0;
      }
      line.push({ ...piece, text: w, tab: k === 0 && piece.tab });
      used += ww;
    });
  }
  if (line.length) lines.push(line);
  return lines;
}

/** Runs of one line placed in [x0, x1] by alignment; a tab moves what follows to the right half. */
function place(line: Piece[], align: Para['align'], x0: number, x1: number, y: number, out: Run[], box: Box): void {
  const width = line.reduce((s, p) => s + p.text.length * EM * p.size, 0);
  let x = align === 'center' ? x0 + Math.max(0, (x1 - x0 - width) / 2) : align === 'right' ? Math.max(x0, x1 - width) : x0;
  let id = box.id;
  for (const p of line) {
    if (p.tab) {
      // What follows a tab is its own cell ("Số: 05/QĐ-UBND<tab><tab>Hà Nội, ngày …").
      x = Math.max(x + 2 * p.size, x0 + (x1 - x0) / 2);
      id = ++box.next;
    }
    const w = p.text.length * EM * p.size;
    out.push({ str: p.text, x, y, width: w, size: p.size, face: 'docx', bold: p.bold, italic: p.italic, box: id });
    x += w;
  }
}

/** The table cell (or tab stop) runs belong to; `next` hands out new ones. */
interface Box {
  id: number;
  next: number;
}

/** Lays the paragraphs out top-down from y; returns the y below the last line. */
function layParas(paras: Para[], x0: number, x1: number, y: number, out: Run[], boxes: { next: number }): number {
  const box: Box = { id: ++boxes.next, next: boxes.next };
  for (const para of paras) {
    const size = para.pieces[0]?.size ?? 13;
    y -= para.before;
    const lines = para.pieces.some((p) => p.text.trim()) ? wrap(para, x1 - x0) : [[]];
    for (const line of lines) {
      y -= 1.25 * size;
      box.next = Math.max(box.next, boxes.next);
      if (line.length) place(line, para.align, x0, x1, y, out, box);
      boxes.next = Math.max(boxes.next, box.next);
    }
  }
  return y;
}

export function docxLayout(xml: Ordered): PageLayout[] {
  const blocks: Block[] = [];
  readBlocks(xml, blocks);
  const runs: Run[] = [];
  const boxes = { next: 0 };
  let y = PAGE.top;
  for (const b of blocks) {
    if (b.kind === 'p') {
      y = layParas([b.p], PAGE.left, PAGE.right, y, runs, boxes);
      continue;
    }
    const total = b.widths.reduce((s, w) => s + w, 0);
    for (const row of b.rows) {
      const cols = Math.max(
        1,
        row.reduce((s, c) => s + c.span, 0),
      );
      let col = 0;
      let bottom = y;
      for (const cell of row) {
        const share = (from: number, n: number) =>
          total > 0 && b.widths.length >= cols ? b.widths.slice(from, from + n).reduce((s, w) => s + w, 0) / total : n / cols;
        const cx0 = PAGE.left + share(0, col) * (PAGE.right - PAGE.left);
        const cx1 = cx0 + share(col, cell.span) * (PAGE.right - PAGE.left);
        bottom = Math.min(bottom, layParas(cell.paras, cx0 + 3, cx1 - 3, y, runs, boxes));
        col += cell.span;
      }
      y = bottom;
    }
  }
  return [{ width: PAGE.width, height: PAGE.height, rows: buildRows(runs, 0) }];
}
