/**
 * The table of documents shared by `vanthu search`, `vanthu review` and `vanthu book list`: the
 * rows GET /api/documents answers (gateway/registry/books/search.ts listColumns), with units and
 * departments by name and times in Hà Nội time (docs/cli.md, "Output").
 */
import { statusText } from './describe.ts';
import { type Column, localDay, localTime, type Names, printTable } from './output.ts';

export interface DocumentRow {
  id: string;
  unitId: string;
  status: string;
  bookYear: number | null;
  bookNumber: number | null;
  arrivalAt: string | Date | null;
  notation: string | null;
  issuer: string | null;
  issuedDate: string | null;
  subject: string | null;
  department: string | null;
  assigneeEmail?: string | null;
  dueDate: string | null;
  reasons?: string[];
}

export function printDocuments(items: DocumentRow[], names: Names, opts: { reasons?: boolean; empty?: string } = {}): void {
  const multiUnit = new Set(items.map((d) => d.unitId)).size > 1;
  const columns: Column[] = [
    { title: 'MÃ (ID)' },
    { title: 'SỐ ĐẾN (NO.)' },
    { title: 'ĐẾN LÚC (ARRIVED)' },
    { title: 'SỐ KÝ HIỆU (NOTATION)', max: 24 },
    { title: 'NGÀY (DATE)' },
    { title: 'CƠ QUAN BAN HÀNH (ISSUER)', max: 30 },
    ...(multiUnit ? [{ title: 'ĐƠN VỊ (UNIT)', max: 24 }] : []),
    { title: 'TRẠNG THÁI (STATUS)' },
    { title: 'PHÒNG / NGƯỜI XỬ LÝ (DEPT / OFFICER)', max: 32 },
    { title: 'HẠN (DUE)' },
    { title: opts.reasons ? 'TRÍCH YẾU — LÝ DO (SUBJECT — WHY)' : 'TRÍCH YẾU (SUBJECT)', flex: true },
  ];
  const rows = items.map((d) => [
    d.id,
    d.bookNumber !== null ? `${d.bookNumber}/${d.bookYear}` : '',
    localTime(d.arrivalAt, names.timeZone),
    d.notation ?? '',
    localDay(d.issuedDate),
    d.issuer ?? '',
    ...(multiUnit ? [names.unit(d.unitId)] : []),
    statusText(d.status),
    [names.department(d.unitId, d.department), d.assigneeEmail ?? ''].filter(Boolean).join(' / '),
    localDay(d.dueDate),
    opts.reasons && d.reasons?.length ? `${d.subject ?? ''} — ${d.reasons.join('; ')}` : (d.subject ?? ''),
  ]);
  printTable(columns, rows, opts.empty);
}
