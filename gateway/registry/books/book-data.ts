/**
 * A book as a table: the columns of Decree 30/2020/NĐ-CP (Appendix VI) for the incoming and the
 * outgoing book, one row per entry in number order. Shared by the PDF, CSV and XLSX renderings.
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../store/db.ts';
import { documents, outgoingEntries, users } from '../schema.ts';
import type { BookKind } from './books.ts';
import { localDate } from '../../clock.ts';
import { marksText } from '../../documents/rules/marks.ts';
import { type BookFilter, filterConditions } from './search.ts';

export interface BookTable {
  kind: BookKind;
  unitId: string;
  year: number;
  title: string;
  columns: Array<{ key: string; label: string; width: number }>;
  rows: Array<Record<string, string>>;
}

const INCOMING_COLUMNS = [
  { key: 'arrival', label: 'Ngày đến', width: 7 },
  { key: 'number', label: 'Số đến', width: 5 },
  { key: 'author', label: 'Tác giả', width: 14 },
  { key: 'notation', label: 'Số, ký hiệu', width: 10 },
  { key: 'date', label: 'Ngày tháng', width: 7 },
  { key: 'summary', label: 'Tên loại và trích yếu nội dung', width: 24 },
  { key: 'receiver', label: 'Đơn vị hoặc người nhận', width: 12 },
  { key: 'handling', label: 'Ký nhận / ghi chú xử lý', width: 12 },
  { key: 'remarks', label: 'Ghi chú', width: 9 },
];

const OUTGOING_COLUMNS = [
  { key: 'notation', label: 'Số, ký hiệu văn bản', width: 11 },
  { key: 'date', label: 'Ngày tháng văn bản', width: 8 },
  { key: 'summary', label: 'Tên loại và trích yếu nội dung', width: 27 },
  { key: 'signer', label: 'Người ký', width: 12 },
  { key: 'recipients', label: 'Nơi nhận văn bản', width: 16 },
  { key: 'keeping', label: 'Đơn vị, người nhận bản lưu', width: 11 },
  { key: 'copies', label: 'Số lượng bản', width: 6 },
  { key: 'remarks', label: 'Ghi chú', width: 9 },
];

/** dd/mm/yyyy, the way the paper book is written. */
export function vnDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

export async function bookTable(
  db: Db,
  unitId: string,
  year: number,
  kind: BookKind,
  units: Array<{ id: string; name: string }>,
  departments: Array<{ id: string; name: string }>,
  tz: string,
  /** The incoming book as the console shows it filtered (GET /api/documents' filters, the same conditions). */
  filter: BookFilter = {},
): Promise<BookTable> {
  const unitName = units.find((u) => u.id === unitId)?.name ?? unitId;
  if (kind === 'outgoing') {
    const list = await db
      .select()
      .from(outgoingEntries)
      .where(and(eq(outgoingEntries.unitId, unitId), eq(outgoingEntries.year, year)))
      .orderBy(asc(outgoingEntries.number));
    return {
      kind,
      unitId,
      year,
      title: `SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM ${year} — ${unitName}`,
      columns: OUTGOING_COLUMNS,
      rows: list.map((o) => ({
        notation: o.notation,
        date: vnDate(o.issuedDate),
        summary: [o.typeName, o.subject].filter(Boolean).join(': '),
        signer: o.signer ?? '',
        recipients: o.recipients.join('; '),
        keeping: o.keepingUnit ?? '',
        copies: o.copies === null ? '' : String(o.copies),
        // Độ khẩn and độ mật (migration 0017) in the remarks, as the incoming book notes the deadline there.
        remarks: [o.remarks, marksText(o.urgency, o.secrecy)].filter(Boolean).join('\n'),
      })),
    };
  }
  const { anyType, type } = filterConditions(filter);
  const list = await db
    .select({ d: documents, assignee: users.name })
    .from(documents)
    .leftJoin(users, eq(users.id, documents.assigneeId))
    .where(and(eq(documents.unitId, unitId), eq(documents.bookYear, year), isNotNull(documents.bookNumber), ...anyType, ...type))
    .orderBy(asc(documents.bookNumber));
  const deptName = (id: string | null) => (id ? (departments.find((x) => x.id === id)?.name ?? id) : '');
  return {
    kind,
    unitId,
    year,
    title: `SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM ${year} — ${unitName}`,
    columns: INCOMING_COLUMNS,
    rows: list.map(({ d, assignee }) => ({
      arrival: vnDate(localDate(d.arrivalAt, tz)),
      number: String(d.bookNumber),
      author: d.issuer ?? '',
      notation: d.notation ?? '',
      date: vnDate(d.issuedDate),
      summary: [d.typeName, d.subject].filter(Boolean).join(': '),
      receiver: [deptName(d.department), assignee].filter(Boolean).join(' — '),
      handling: [d.handlingNotes, d.status === 'done' && d.doneAt ? `Đã xử lý xong ${vnDate(localDate(d.doneAt, tz))}` : null].filter(Boolean).join('\n'),
      remarks: [d.remarks, d.dueDate ? `Hạn: ${vnDate(d.dueDate)}` : null].filter(Boolean).join('\n'),
    })),
  };
}

/** RFC 4180 CSV with a BOM, so spreadsheet programs read the Vietnamese text as UTF-8. */
export function bookCsv(t: BookTable): Buffer {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [t.columns.map((c) => cell(c.label)).join(','), ...t.rows.map((r) => t.columns.map((c) => cell(r[c.key] ?? '')).join(','))];
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function bookXlsx(t: BookTable): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(t.kind === 'incoming' ? `Van ban den ${t.year}` : `Van ban di ${t.year}`, {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.mergeCells(1, 1, 1, t.columns.length);
  ws.getCell(1, 1).value = t.title;
  ws.getCell(1, 1).font = { bold: true, size: 13 };
  ws.getRow(2).values = t.columns.map((c) => c.label);
  ws.getRow(2).font = { bold: true };
  t.columns.forEach((c, i) => (ws.getColumn(i + 1).width = c.width * 1.6));
  for (const r of t.rows) ws.addRow(t.columns.map((c) => r[c.key] ?? '')).alignment = { wrapText: true, vertical: 'top' };
  ws.views = [{ state: 'frozen', ySplit: 2 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
