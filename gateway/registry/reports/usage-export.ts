/**
 * The usage report (usage.ts) as the files a unit sends to the province: XLSX (exceljs) and a
 * printable PDF (pdf-lib with the embedded DejaVu font) — the libraries and the font the incoming
 * book's export uses (gateway/registry/books/). One table: per unit, each indicator with its
 * figures, the target and whether it is met; then the raw counts (XLSX) and the actions per channel
 * (PDF: a second table, each channel marked "tự khai" unless the gateway recorded it itself, usage.ts
 * VERIFIED_CHANNELS).
 */
import { readFileSync } from 'node:fs';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { vnDate } from '../books/book-data.ts';
import { FONT_FILE, wrap } from '../books/book-pdf.ts';
import { CHANNELS, type ChannelKey, type Indicator, type IndicatorKey, type UsageReport } from './usage.ts';
import { localDate } from '../../clock.ts';

export const INDICATOR_LABELS: Record<IndicatorKey, string> = {
  receivedElectronic: 'Văn bản đến nhận qua mạng (điện tử)',
  receivedSigned: 'Văn bản đến có chữ ký số hợp lệ',
  receivedScans: 'Văn bản đến là bản quét (OCR)',
  receivedPaper: 'Văn bản đến nhập tay từ bản giấy',
  sentElectronic: 'Văn bản đi gửi qua mạng',
  sentSigned: 'Văn bản đi gửi qua mạng có chữ ký số',
  officersElectronic: 'Cán bộ xử lý văn bản trên môi trường mạng',
  registerHours: 'Thời gian từ khi đến tới khi vào sổ (giờ, 90%)',
  doneDays: 'Thời gian từ khi đến tới khi xử lý xong (ngày, 90%)',
};

/** The channels as the console's report page names them (console/src/i18n-work.ts). */
export const CHANNEL_LABELS: Record<ChannelKey, string> = {
  console: 'Trang quản lý (trình duyệt)',
  addin: 'Outlook (add-in)',
  mail: 'Trả lời thư thông báo',
  cli: 'Dòng lệnh',
  api: 'Phần mềm khác qua API',
  unknown: 'Chưa ghi kênh (trước khi có ghi nhận)',
};
export const CHANNEL_NOTE =
  'Kênh "tự khai": do ứng dụng tự ghi trong yêu cầu gửi tới hệ thống, chưa được xác thực; kênh "trả lời thư" do hệ thống ghi nhận khi nhận thư.';

const CHANNEL_COLUMNS = [
  { key: 'unit', label: 'Đơn vị', width: 16 },
  { key: 'channel', label: 'Kênh thao tác', width: 26 },
  { key: 'actions', label: 'Số thao tác', width: 10 },
  { key: 'people', label: 'Số người', width: 10 },
  { key: 'verified', label: 'Nguồn ghi kênh', width: 16 },
];

/** The actions on each unit's documents per channel, as rows of the PDF's second table. */
export function channelRows(r: UsageReport): Array<Record<string, string>> {
  return r.units.flatMap((u) =>
    CHANNELS.filter((c) => c !== 'unknown' || u.channels[c].actions > 0).map((c) => ({
      unit: u.unitName,
      channel: CHANNEL_LABELS[c],
      actions: String(u.channels[c].actions),
      people: String(u.channels[c].people),
      verified: u.channels[c].verified ? 'hệ thống ghi nhận' : 'tự khai',
    })),
  );
}

const COLUMNS = [
  { key: 'unit', label: 'Đơn vị', width: 16 },
  { key: 'indicator', label: 'Chỉ tiêu', width: 26 },
  { key: 'figures', label: 'Số liệu', width: 12 },
  { key: 'value', label: 'Kết quả', width: 8 },
  { key: 'target', label: 'Mục tiêu', width: 8 },
  { key: 'met', label: 'Đánh giá', width: 8 },
];

const fmt = (v: number) => v.toLocaleString('vi-VN', { maximumFractionDigits: 1 });
const suffix = (i: Indicator) => (i.unit === 'pct' ? ' %' : i.unit === 'hours' ? ' giờ' : ' ngày');

/** One indicator as the cells of a row (Vietnamese, as the province reads it). */
export function indicatorCells(i: Indicator): { indicator: string; figures: string; value: string; target: string; met: string } {
  const figures =
    i.unit === 'pct' ? (i.count === null ? (i.total ? `? / ${i.total}` : '') : `${i.count} / ${i.total}`) : i.total ? `${i.total} văn bản` : 'chưa có';
  return {
    indicator: INDICATOR_LABELS[i.key],
    figures,
    value: i.value === null ? '—' : `${fmt(i.value)}${suffix(i)}`,
    target: i.target === null ? '' : `${i.unit === 'pct' ? '≥' : '≤'} ${fmt(i.target)}${suffix(i)}`,
    met: i.met === null ? '' : i.met ? 'Đạt' : 'Chưa đạt',
  };
}

export function reportTitle(r: UsageReport): string {
  const [y, m] = r.month.split('-');
  return `BÁO CÁO TÌNH HÌNH SỬ DỤNG VĂN BẢN ĐIỆN TỬ — THÁNG ${m}/${y}`;
}

function reportRows(r: UsageReport): Array<Record<string, string>> {
  return r.units.flatMap((u) => u.indicators.map((i) => ({ unit: u.unitName, ...indicatorCells(i) })));
}

export async function usageXlsx(r: UsageReport): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(`Bao cao ${r.month}`, { pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.mergeCells(1, 1, 1, COLUMNS.length);
  ws.getCell(1, 1).value = reportTitle(r);
  ws.getCell(1, 1).font = { bold: true, size: 13 };
  ws.getRow(2).values = COLUMNS.map((c) => c.label);
  ws.getRow(2).font = { bold: true };
  COLUMNS.forEach((c, i) => (ws.getColumn(i + 1).width = c.width * 1.6));
  for (const row of reportRows(r)) ws.addRow(COLUMNS.map((c) => row[c.key] ?? '')).alignment = { wrapText: true, vertical: 'top' };
  ws.views = [{ state: 'frozen', ySplit: 2 }];

  // The figures behind the indicators, one row per unit, numbers as numbers (for the province's own sums).
  const raw = wb.addWorksheet(`So lieu ${r.month}`);
  const head = [
    ['unitId', 'Mã đơn vị'],
    ['unitName', 'Đơn vị'],
    ['received', 'VB đến'],
    ['receivedElectronic', 'VB đến điện tử'],
    ['receivedSigned', 'VB đến ký số hợp lệ'],
    ['receivedScans', 'VB đến bản quét'],
    ['receivedPaper', 'VB đến nhập tay'],
    ['sent', 'VB đi (lấy số)'],
    ['sentElectronic', 'VB đi gửi điện tử'],
    ['officers', 'Cán bộ có việc'],
    ['officersApp', 'Xử lý trên phần mềm'],
    ['officersMail', 'Xử lý qua thư trả lời'],
    ['officersNone', 'Chưa xử lý điện tử'],
    ['actionsConsole', 'Thao tác trên trang quản lý'],
    ['actionsAddin', 'Thao tác trong Outlook'],
    ['actionsMail', 'Thao tác qua thư trả lời'],
    ['actionsCli', 'Thao tác bằng dòng lệnh'],
    ['actionsApi', 'Thao tác qua API khác'],
    ['registerMedianH', 'Vào sổ trung vị (giờ)'],
    ['registerP90H', 'Vào sổ 90% (giờ)'],
    ['doneMedianD', 'Xong trung vị (ngày)'],
    ['doneP90D', 'Xong 90% (ngày)'],
  ] as const;
  raw.addRow(head.map(([, label]) => label)).font = { bold: true };
  for (const u of r.units)
    raw.addRow([
      u.unitId,
      u.unitName,
      u.received.total,
      u.received.electronic,
      u.received.signed,
      u.received.scans,
      u.received.paper,
      u.sent.numbered,
      u.sent.electronic,
      u.officers.withItems,
      u.officers.app,
      u.officers.mail,
      u.officers.none,
      u.channels.console.actions,
      u.channels.addin.actions,
      u.channels.mail.actions,
      u.channels.cli.actions,
      u.channels.api.actions,
      u.times.registerHours.median,
      u.times.registerHours.p90,
      u.times.doneDays.median,
      u.times.doneDays.p90,
    ]);
  head.forEach((_, i) => (raw.getColumn(i + 1).width = i === 1 ? 36 : 14));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const PAGE: [number, number] = [841.89, 595.28]; // A4 landscape
const MARGIN = 36;
const SIZE = 9;
const LINE = SIZE * 1.3;
const PAD = 3;

export async function usagePdf(r: UsageReport, tz: string): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  // Loaded on first use: fontkit is 2.7 MB of source a started gateway would otherwise keep (docs/operations.md, "Memory").
  pdf.registerFontkit((await import('@pdf-lib/fontkit')).default);
  pdf.setTitle(reportTitle(r));
  pdf.setCreator('vanthu');
  let fontBytes: Buffer;
  try {
    fontBytes = readFileSync(FONT_FILE);
  } catch {
    throw new Error(`Thiếu phông chữ ${FONT_FILE} (install fonts-dejavu-core to print reports)`);
  }
  const font = await pdf.embedFont(fontBytes, { subset: true });
  const usable = PAGE[0] - 2 * MARGIN;
  const widthsOf = (cols: Array<{ width: number }>) => cols.map((c) => (c.width / cols.reduce((a, x) => a + x.width, 0)) * usable);
  let widths = widthsOf(COLUMNS);
  let page: PDFPage = pdf.addPage(PAGE);
  let y = PAGE[1] - MARGIN;
  const text = (s: string, size: number, f: PDFFont = font) => {
    page.drawText(s, { x: MARGIN, y: y - size, size, font: f });
    y -= size * 1.6;
  };
  const row = (cells: string[], shade: boolean) => {
    const lines = cells.map((c, i) => wrap(c, font, SIZE, widths[i] - 2 * PAD));
    const height = Math.max(...lines.map((l) => l.length), 1) * LINE + 2 * PAD;
    if (y - height < MARGIN) {
      page = pdf.addPage(PAGE);
      y = PAGE[1] - MARGIN;
    }
    let x = MARGIN;
    lines.forEach((ls, i) => {
      page.drawRectangle({
        x,
        y: y - height,
        width: widths[i],
        height,
        borderColor: rgb(0, 0, 0),
        borderWidth: 0.5,
        color: shade ? rgb(0.92, 0.92, 0.92) : undefined,
      });
      ls.forEach((l, j) => page.drawText(l, { x: x + PAD, y: y - PAD - SIZE - j * LINE, size: SIZE, font }));
      x += widths[i];
    });
    y -= height;
  };
  text(reportTitle(r), 13);
  const made = localDate(new Date(r.generatedAt), tz);
  text(`Lập ngày ${vnDate(made)} từ sổ văn bản của hệ thống văn thư điện tử.`, SIZE);
  y -= 4;
  row(
    COLUMNS.map((c) => c.label),
    true,
  );
  for (const cells of reportRows(r))
    row(
      COLUMNS.map((c) => cells[c.key] ?? ''),
      false,
    );
  if (!r.units.length) text('(Không có đơn vị nào — no unit in scope)', SIZE);
  // The actions per channel (the page's channel tables), each marked as the gateway's record or the client's claim.
  if (r.units.length) {
    y -= 12;
    if (y < MARGIN + 60) {
      page = pdf.addPage(PAGE);
      y = PAGE[1] - MARGIN;
    }
    text('Thao tác trên văn bản theo kênh', 11);
    widths = widthsOf(CHANNEL_COLUMNS);
    row(
      CHANNEL_COLUMNS.map((c) => c.label),
      true,
    );
    for (const cells of channelRows(r))
      row(
        CHANNEL_COLUMNS.map((c) => cells[c.key] ?? ''),
        false,
      );
    y -= 4;
    for (const l of wrap(CHANNEL_NOTE, font, SIZE, usable)) text(l, SIZE);
  }
  y -= 12;
  if (y < MARGIN + 20) {
    page = pdf.addPage(PAGE);
    y = PAGE[1] - MARGIN;
  }
  text('Người lập báo cáo (ký, ghi rõ họ tên): ......................................', SIZE);
  return Buffer.from(await pdf.save());
}
