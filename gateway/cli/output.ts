/**
 * Human output on a terminal (docs/cli.md, "Output"): tables sized to the terminal, times in Hà Nội
 * local time ("dd/MM/yyyy HH:mm", Asia/Ho_Chi_Minh), units and departments by name. JSON stays
 * for scripts: with --json, and by default whenever stdout is not a terminal for the commands whose
 * JSON scripts already read (docs/contracts.md, docs/operations-recovery.md).
 */
import type { Config } from '../config/load.ts';

export type OutputMode = 'json' | 'table';

/** --json or --table when given; else a table on a terminal and `offTerminal` otherwise. */
export function outputMode(values: { json?: boolean; table?: boolean }, offTerminal: OutputMode, stdout: { isTTY?: boolean } = process.stdout): OutputMode {
  if (values.json) return 'json';
  if (values.table) return 'table';
  return stdout.isTTY ? 'table' : offTerminal;
}

export const HANOI = 'Asia/Ho_Chi_Minh';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** "05/03/2026 14:07" in the zone (Hà Nội unless the configuration says otherwise); "" for none. */
export function localTime(at: string | Date | null | undefined, timeZone = HANOI): string {
  if (at === null || at === undefined || at === '') return '';
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** A calendar date "2026-03-05" as "05/03/2026" (dates carry no time zone). */
export function localDay(date: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (date ?? '');
}

/** Names for the ids the API answers with: units and departments from the configuration. */
export interface Names {
  timeZone: string;
  unit(id: string | null | undefined): string;
  department(unitId: string | null | undefined, id: string | null | undefined): string;
}

export function namesFrom(config: Config): Names {
  const units = new Map(config.units.map((u) => [u.id, u.name]));
  return {
    timeZone: config.registry?.timezone ?? HANOI,
    unit: (id) => (id ? (units.get(id) ?? id) : ''),
    department: (unitId, id) => {
      if (!id) return '';
      const d = unitId ? config.registry?.units?.[unitId]?.departments?.find((x) => x.id === id) : undefined;
      return d?.name ?? id;
    },
  };
}

/** Columns of a terminal a string takes: combining marks take none (NFD input, or a stray accent). */
export function displayWidth(s: string): number {
  return [...s.replace(/\p{M}/gu, '')].length;
}

function clip(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  let out = '';
  for (const ch of s) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}

export interface Column {
  title: string;
  /** Takes what is left of the terminal's width (at most one column; clipped with "…"). */
  flex?: boolean;
  /** Never wider than this. */
  max?: number;
}

/** A plain-text table; on a terminal of `width` columns the flex column is clipped to fit. */
export function renderTable(columns: Column[], rows: string[][], width?: number): string {
  const clean = rows.map((r) => r.map((c) => (c ?? '').replace(/\s+/g, ' ').trim()));
  const widths = columns.map((col, i) =>
    Math.min(col.max ?? Number.POSITIVE_INFINITY, Math.max(displayWidth(col.title), ...clean.map((r) => displayWidth(r[i] ?? '')))),
  );
  const flex = columns.findIndex((c) => c.flex);
  if (width && flex >= 0) {
    const others = widths.reduce((a, w, i) => (i === flex ? a : a + w + 2), 0);
    widths[flex] = Math.max(12, Math.min(widths[flex], width - others - 1));
  }
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const v = clip(c ?? '', widths[i]);
        return i === cells.length - 1 ? v : v + ' '.repeat(widths[i] - displayWidth(v) + 2);
      })
      .join('')
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '─'.repeat(w))), ...clean.map(line)].join('\n');
}

/** Prints a table on stdout, sized to the terminal when there is one. */
export function printTable(columns: Column[], rows: string[][], empty = 'Không có mục nào (nothing to show)'): void {
  if (!rows.length) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  process.stdout.write(`${renderTable(columns, rows, process.stdout.isTTY ? process.stdout.columns : undefined)}\n`);
}

/**
 * Action commands (register, review approve, assign, done, send-document, ingest, book print,
 * audit verify; docs/cli.md, "Output"): on a terminal a short line in Vietnamese with English in
 * brackets; with --json, or piped or redirected, the JSON the API answers, as scripts read it.
 */
export function printAction(values: { json?: boolean }, result: unknown, human: () => string | string[], stdout: { isTTY?: boolean } = process.stdout): void {
  if (outputMode({ json: values.json }, 'json', stdout) === 'json') {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const lines = human();
  process.stdout.write(`${(Array.isArray(lines) ? lines : [lines]).join('\n')}\n`);
}

/** The fields of a document an action line names (the API's document object). */
export interface DocumentLike {
  id: string;
  unitId: string;
  status?: string | null;
  bookYear?: number | null;
  bookNumber?: number | null;
  notation?: string | null;
  subject?: string | null;
  department?: string | null;
}

/** "số 12/2026 (9/UBND-VP) — Thư cảm ơn": the book number when there is one, else the document id. */
export function documentLabel(doc: DocumentLike): string {
  const number = doc.bookNumber != null ? `số ${doc.bookNumber}/${doc.bookYear}` : doc.id;
  const notation = doc.notation ? ` (${doc.notation})` : '';
  const subject = doc.subject ? ` — ${clip(doc.subject.replace(/\s+/g, ' ').trim(), 60)}` : '';
  return `${number}${notation}${subject}`;
}

/** "Đã vào sổ đến số 12/2026 của Sở Tài chính (9/UBND-VP) … → Phòng … (registered …)", or where the document stands. */
export function registeredLine(doc: DocumentLike, names: Names): string {
  if (doc.bookNumber == null) return `Chưa vào sổ, trạng thái: ${doc.status ?? ''} (not registered; document ${doc.id})`;
  const dept = doc.department ? ` → ${names.department(doc.unitId, doc.department)}` : '';
  return `Đã vào sổ đến ${documentLabel(doc)}, ${names.unit(doc.unitId)}${dept} (registered as incoming no. ${doc.bookNumber}/${doc.bookYear}; document ${doc.id})`;
}

/** 12345 → "12.345", as Vietnamese writes numbers. */
export function viNumber(n: number): string {
  return n.toLocaleString('vi-VN');
}
