import fontkit from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../limits.ts';
import { fastPdfText, itemsToLines, pagesToRead, pdfjsText, pdfText, visibleItems } from './pdf.ts';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

async function vietnamesePdf(objectStreams: boolean): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(readFileSync(FONT), { subset: true });
  const bold = await pdf.embedFont(readFileSync(FONT.replace('.ttf', '-Bold.ttf')), { subset: true });
  for (let p = 0; p < 2; p++) {
    const page = pdf.addPage([595, 842]);
    page.drawText('ỦY BAN NHÂN DÂN', { x: 80, y: 790, size: 11, font: bold });
    page.drawText('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { x: 300, y: 790, size: 11, font: bold });
    page.drawText('Số: 25/CT-UBND', { x: 90, y: 770, size: 11, font });
    page.drawText(`Trang ${p + 1}: Đẩy mạnh ứng dụng công nghệ thông tin`, { x: 70, y: 700, size: 12.5, font });
  }
  return Buffer.from(await pdf.save({ useObjectStreams: objectStreams }));
}

/** A hand-written PDF: literal strings with escapes, TJ kerning, T*, the ' operator and a form XObject. */
function handWrittenPdf(): Buffer {
  const content = "BT /F1 12 Tf 14 TL 72 720 Td (Hello \\(world\\)) Tj T* [(Ke) 20 (rn) -400 (ing)] TJ (next line) ' ET q 1 0 0 1 0 -100 cm /X1 Do Q";
  const form = 'BT /F1 10 Tf 72 600 Td (inside a form) Tj ET';
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Length ${form.length} >>\nstream\n${form}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe('PDF text: the fast path reads what pdfjs reads', () => {
  it.each([false, true])('pdf-lib output, object streams %s', async (objectStreams) => {
    const data = await vietnamesePdf(objectStreams);
    const fast = fastPdfText(data, DEFAULT_LIMITS);
    expect(fast).not.toBeNull();
    expect(fast!.pages).toBe(2);
    expect(fast!.text).toBe((await pdfjsText(data, DEFAULT_LIMITS)).text);
    expect(fast!.text.split('\n').filter(Boolean).slice(0, 3)).toEqual(['ỦY BAN NHÂN DÂN', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Số: 25/CT-UBND']);
  });

  it('a standard font, kerning, T*, the quote operator and a form XObject', async () => {
    const data = handWrittenPdf();
    const fast = fastPdfText(data, DEFAULT_LIMITS)!;
    expect(fast.text.split('\n').filter(Boolean)).toEqual(['Hello (world)', 'Kern ing', 'next line', 'inside a form']);
    expect((await pdfjsText(data, DEFAULT_LIMITS)).text.split('\n').filter(Boolean)).toEqual(['Hello (world)', 'Kern ing', 'next line', 'inside a form']);
  });

  it('a Helvetica text drawn by pdf-lib', async () => {
    const pdf = await PDFDocument.create();
    const page = pdf.addPage();
    page.drawText('Delivery report', { x: 50, y: 700, size: 12, font: await pdf.embedFont(StandardFonts.Helvetica) });
    const data = Buffer.from(await pdf.save());
    expect(fastPdfText(data, DEFAULT_LIMITS)?.text.trim()).toBe('Delivery report');
  });
});

describe('PDF text: hostile and broken files', () => {
  it('reports a corrupt file instead of throwing', async () => {
    const r = await pdfText(Buffer.from('%PDF-1.7\n1 0 obj <<>> garbage\n%%EOF'), DEFAULT_LIMITS);
    expect(r.text).toBe('');
    expect(r.reasons.join()).toMatch(/PDF/);
  });

  it('reports an encrypted file (the fast path leaves it to pdfjs)', async () => {
    const base = await vietnamesePdf(false);
    const tail = base.toString('latin1');
    const prevXref = Number(/startxref\s+(\d+)/.exec(tail.slice(tail.lastIndexOf('startxref')))![1]);
    const size = Number(/\/Size (\d+)/.exec(tail)![1]);
    const hex = 'A'.repeat(64);
    const update = `${size} 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <${hex}> /U <${hex}> /P -4 >>\nendobj\n`;
    const at = base.length;
    const xref = at + update.length;
    const trailer = `xref\n${size} 1\n${String(at).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size + 1} /Root 1 0 R /Prev ${prevXref} /Encrypt ${size} 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>] >>\nstartxref\n${xref}\n%%EOF\n`;
    const data = Buffer.concat([base, Buffer.from(update + trailer, 'latin1')]);
    expect(fastPdfText(data, DEFAULT_LIMITS)).toBeNull();
    const r = await pdfText(data, DEFAULT_LIMITS);
    expect(r.text).toBe('');
    expect(r.reasons.join()).toMatch(/encrypted|could not be read/);
  });

  it('stops at the time budget', async () => {
    const r = await pdfjsText(await vietnamesePdf(false), { ...DEFAULT_LIMITS, pdfTimeBudgetMs: 0 });
    expect(r.reasons).toEqual(['PDF text extraction exceeded its time budget']);
  });

  it('reads only the first and last pages of a long document', async () => {
    const r = await pdfText(await vietnamesePdf(false), { ...DEFAULT_LIMITS, maxPdfPages: 1, maxPdfLastPages: 0 });
    expect(r.reasons[0]).toMatch(/2 pages; read 1 \(the first 1 and the last 0\)/);
    const both = await pdfText(await vietnamesePdf(false), { ...DEFAULT_LIMITS, maxPdfPages: 1, maxPdfLastPages: 1 });
    expect(both.reasons).toEqual([]);
  });
});

describe('invisible text', () => {
  it('leaves out a glyph drawn at 1 pt, so "Nơi nhận:" still opens the closing', async () => {
    const pdf = await PDFDocument.create();
    pdf.registerFontkit(fontkit);
    const font = await pdf.embedFont(readFileSync(FONT), { subset: true });
    const page = pdf.addPage([595, 842]);
    page.drawText('ơ', { x: 90.5, y: 479, size: 0.96, font });
    page.drawText('Nơi nhận:', { x: 91, y: 479, size: 12, font });
    page.drawText('GIÁM ĐỐC', { x: 380, y: 479, size: 12, font });
    const bytes = Buffer.from(await pdf.save());
    const fast = fastPdfText(bytes, DEFAULT_LIMITS);
    expect(fast?.text.split('\n')).toContain('Nơi nhận:');
    const slow = await pdfjsText(bytes, DEFAULT_LIMITS);
    expect(slow.text.split('\n')).toContain('Nơi nhận:');
    expect(visibleItems([{ str: 'a', x: 0, y: 0, width: 1, size: 12 }])).toHaveLength(1);
  });
});

describe('pagesToRead', () => {
  it('reads the first pages and the last ones, never more than both together', () => {
    expect(pagesToRead(5, 20, 15)).toEqual([1, 2, 3, 4, 5]);
    // A 35-page report signed on page 24, its annexes after: read whole under the defaults.
    expect(pagesToRead(35, 20, 15)).toContain(24);
    const long = pagesToRead(100, 20, 15);
    expect(long).toHaveLength(35);
    expect(long.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(long.slice(20)).toEqual(Array.from({ length: 15 }, (_, i) => 86 + i));
    expect(pagesToRead(40, 19, 1)).toEqual([...Array.from({ length: 19 }, (_, i) => i + 1), 40]);
  });
});

describe('itemsToLines', () => {
  it('splits two columns on one baseline into cells and marks a change of font as a break', () => {
    const items = [
      { str: 'ỦY BAN NHÂN DÂN', x: 100, y: 790, width: 110, size: 11, font: 'b' },
      { str: 'CỘNG HÒA XÃ HỘI', x: 300, y: 790, width: 120, size: 11, font: 'b' },
      { str: 'Căn cứ Luật', x: 70, y: 700, width: 60, size: 12, font: 'r' },
      { str: 'Tổ chức', x: 134, y: 700.2, width: 40, size: 12, font: 'r' },
    ];
    expect(itemsToLines(items)).toEqual(['ỦY BAN NHÂN DÂN', 'CỘNG HÒA XÃ HỘI', '', 'Căn cứ Luật Tổ chức']);
  });
});

describe('PDF text: damaged files never throw', () => {
  it('survives 40 randomly corrupted copies of a valid PDF', async () => {
    const good = await vietnamesePdf(true);
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let k = 0; k < 40; k++) {
      const bad = Buffer.from(good);
      for (let j = 0; j < 1 + k; j++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      const r = await pdfText(bad, { ...DEFAULT_LIMITS, pdfTimeBudgetMs: 2000 });
      expect(typeof r.text).toBe('string');
    }
  }, 60_000);
});
