/**
 * The printable book: landscape A4, the Decree 30 columns, Vietnamese text in DejaVu Sans
 * (embedded, so the clerk's printout and `pdftotext` read the same words), the header row
 * repeated on every page, and a closing line for the clerk's signature.
 */
import { readFileSync } from 'node:fs';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { BookTable } from './book-data.ts';

export const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const BOLD_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';

const PAGE: [number, number] = [841.89, 595.28]; // A4 landscape
const MARGIN = 28;
const SIZE = 7.5;
const LINE = SIZE * 1.3;
const PAD = 3;

/** Greedy word wrap by measured width; words longer than a line are cut. */
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  for (const para of text.normalize('NFC').split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(next, size) <= width) {
        line = next;
        continue;
      }
      if (line) out.push(line);
      let w = word;
      while (font.widthOfTextAtSize(w, size) > width && w.length > 1) {
        let cut = w.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(w.slice(0, cut), size) > width) cut--;
        out.push(w.slice(0, cut));
        w = w.slice(cut);
      }
      line = w;
    }
    out.push(line);
  }
  return out;
}

function readFont(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new Error(`Thiếu phông chữ ${file} (install fonts-dejavu-core to print books)`);
  }
}

export async function bookPdf(t: BookTable, printedAt: string): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  // Loaded on first use: fontkit is 2.7 MB of source a started gateway would otherwise keep (docs/operations.md, "Memory").
  pdf.registerFontkit((await import('@pdf-lib/fontkit')).default);
  pdf.setTitle(t.title);
  pdf.setCreator('vanthu');
  const font = await pdf.embedFont(readFont(FONT_FILE), { subset: true });
  const bold = await pdf.embedFont(readFont(BOLD_FILE), { subset: true });
  const usable = PAGE[0] - 2 * MARGIN;
  const total = t.columns.reduce((a, c) => a + c.width, 0);
  const widths = t.columns.map((c) => (c.width / total) * usable);

  let page: PDFPage = pdf.addPage(PAGE);
  let y = 0;
  const drawRow = (cells: string[], f: PDFFont, shade: boolean) => {
    const wrapped = cells.map((c, i) => wrap(c, f, SIZE, widths[i] - 2 * PAD));
    const height = Math.max(...wrapped.map((l) => l.length)) * LINE + 2 * PAD;
    if (y - height < MARGIN + 20) {
      page = pdf.addPage(PAGE);
      y = header(page);
    }
    let x = MARGIN;
    wrapped.forEach((lines, i) => {
      page.drawRectangle({
        x,
        y: y - height,
        width: widths[i],
        height,
        borderColor: rgb(0, 0, 0),
        borderWidth: 0.5,
        color: shade ? rgb(0.92, 0.92, 0.92) : undefined,
      });
      lines.forEach((line, j) => page.drawText(line, { x: x + PAD, y: y - PAD - SIZE - j * LINE, size: SIZE, font: f }));
      x += widths[i];
    });
    y -= height;
  };
  const header = (p: PDFPage): number => {
    p.drawText(t.title, { x: MARGIN, y: PAGE[1] - MARGIN - 12, size: 12, font: bold });
    y = PAGE[1] - MARGIN - 24;
    drawRow(
      t.columns.map((c) => c.label),
      bold,
      true,
    );
    return y;
  };
  y = header(page);
  for (const r of t.rows)
    drawRow(
      t.columns.map((c) => r[c.key] ?? ''),
      font,
      false,
    );
  if (!t.rows.length) page.drawText('(Chưa có văn bản nào trong sổ — the book is empty)', { x: MARGIN, y: y - 14, size: SIZE + 1, font });
  const closing = `Sổ gồm ${t.rows.length} văn bản, in ngày ${printedAt}. Người lập sổ (ký, ghi rõ họ tên): ......................................`;
  if (y - 30 < MARGIN) {
    page = pdf.addPage(PAGE);
    y = PAGE[1] - MARGIN;
  }
  page.drawText(closing, { x: MARGIN, y: y - 24, size: SIZE + 1, font });
  const pages = pdf.getPages();
  pages.forEach((p, i) => p.drawText(`Trang ${i + 1}/${pages.length}`, { x: PAGE[0] - MARGIN - 60, y: MARGIN / 2, size: SIZE, font }));
  return Buffer.from(await pdf.save());
}
