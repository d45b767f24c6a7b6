/**
 * Test fixtures (used by the layout tests only): PDFs laid out as Decree 30/2020/NĐ-CP Appendix I
 * prints a document, drawn with pdf-lib at explicit positions — the two-column header band, the
 * centred title block, the body, the closing band (Nơi nhận | signature) — with the quirks real
 * files have: columns that nearly touch, the right column a point higher, Word's habit of writing
 * one face as two font objects, blanks after "Số:" and "ngày" that the signing tool fills in with
 * a signature widget, a FreeText annotation, or widgets added by an incremental update.
 */
import fontkit from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { PDFDocument, PDFName, PDFRef, PDFString, type PDFFont, type PDFPage } from 'pdf-lib';

const FONTS = '/usr/share/fonts/truetype/dejavu/';
const FACES = {
  regular: 'DejaVuSerifCondensed.ttf',
  bold: 'DejaVuSerifCondensed-Bold.ttf',
  italic: 'DejaVuSerifCondensed-Italic.ttf',
  bolditalic: 'DejaVuSerifCondensed-BoldItalic.ttf',
};
type Face = keyof typeof FACES;

export interface Line {
  text: string;
  face?: Face;
  size?: number;
}

/** Where the signing tool writes: the blank after "Số:" or after "ngày". */
export interface Stamp {
  text: string;
  at: 'number' | 'day';
  how: 'widget' | 'freetext' | 'update';
}

export interface Decree30Spec {
  /** Header, left column, top-down: parent agency, unit, "Số: {} /QĐ-SNV" ({} = the blank). */
  left: Line[];
  /** Header, right column: motto, place and date. */
  right: Line[];
  /** Type name and trích yếu lines, centred. */
  title?: Line[];
  /** Body lines, already wrapped, left-aligned (an indent with leading spaces is not needed). */
  body: Line[];
  recipients: Line[];
  /** Authority and title lines of the signature block. */
  signature: Line[];
  name: string;
  /** Header columns [x0, x1]; the text of each line is centred in its column. */
  leftColumn?: [number, number];
  rightColumn?: [number, number];
  /** The right column's baselines this much higher than the left's (a table cell's padding). */
  rightRaise?: number;
  /** Words with only ASCII letters in a second font object, as Word writes one face. */
  dualFonts?: boolean;
  stamps?: Stamp[];
}

const BLANK = 30;
const MARGIN = { left: 85, right: 538 };

interface Fonts {
  get(face: Face, ascii: boolean): PDFFont;
}

async function loadFonts(pdf: PDFDocument, dual: boolean): Promise<Fonts> {
  pdf.registerFontkit(fontkit);
  const main = new Map<Face, PDFFont>();
  const ascii = new Map<Face, PDFFont>();
  for (const [face, file] of Object.entries(FACES) as Array<[Face, string]>) {
    const bytes = readFileSync(FONTS + file);
    main.set(face, await pdf.embedFont(bytes, { subset: true, customName: `VTFIX+${face}` }));
    if (dual) ascii.set(face, await pdf.embedFont(bytes, { subset: true, customName: `VTFIA+${face}` }));
  }
  return { get: (face, isAscii) => (dual && isAscii ? ascii.get(face)! : main.get(face)!) };
}

/** Draws one line from x, word by word when the face is split in two objects; returns its end. */
function draw(page: PDFPage, fonts: Fonts, text: string, x: number, y: number, face: Face, size: number): number {
  let at = x;
  for (const word of text.split(/(?<= )/)) {
    const font = fonts.get(face, /^[\x20-\x7e]*$/.test(word));
    page.drawText(word, { x: at, y, size, font });
    at += font.widthOfTextAtSize(word, size);
  }
  return at;
}

function width(fonts: Fonts, text: string, face: Face, size: number): number {
  return text.split(/(?<= )/).reduce((w, word) => w + fonts.get(face, /^[\x20-\x7e]*$/.test(word)).widthOfTextAtSize(word, size), 0);
}

type Slots = Partial<Record<Stamp['at'], { x: number; y: number }>>;

/** A line centred in [x0, x1]; "{}" in it is a blank, whose place is recorded. */
function centred(page: PDFPage, fonts: Fonts, line: Line, [x0, x1]: [number, number], y: number, slots: Slots): void {
  const face = line.face ?? 'regular';
  const size = line.size ?? 13;
  const parts = line.text.split('{}');
  const total = parts.reduce((w, p) => w + width(fonts, p, face, size), 0) + (parts.length - 1) * BLANK;
  let x = x0 + Math.max(0, (x1 - x0 - total) / 2);
  parts.forEach((p, i) => {
    x = draw(page, fonts, p, x, y, face, size);
    if (i < parts.length - 1) {
      slots[/^Số/.test(line.text) ? 'number' : 'day'] = { x: x + 2, y };
      x += BLANK;
    }
  });
}

function stampWidget(pdf: PDFDocument, page: PDFPage, s: Stamp, at: { x: number; y: number }): void {
  const ctx = pdf.context;
  const font = ctx.register(ctx.obj({ Type: 'Font', Subtype: 'Type1', BaseFont: 'Times-Roman', Encoding: 'WinAnsiEncoding' }));
  const content = `BT /F1 13 Tf 2 5.3 Td (${s.text}) Tj ET`;
  const ap = ctx.register(ctx.stream(content, { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 28, 22], Resources: { Font: { F1: font } } }));
  const base = { Type: 'Annot', Rect: [at.x, at.y - 5.3, at.x + 28, at.y + 16.7], F: 4 };
  const annot =
    s.how === 'widget'
      ? ctx.obj({ ...base, Subtype: 'Widget', FT: 'Sig', T: PDFString.of('Signature1'), AP: { N: ap } })
      : ctx.obj({ ...base, Subtype: 'FreeText', Contents: PDFString.of(s.text), DA: PDFString.of('/Helv 13 Tf 0 g') });
  page.node.addAnnot(ctx.register(annot));
}

/**
 * The stamps added by an incremental update, as signing tools add them: each a signature widget
 * whose appearance draws the text, the page's new version listing them in /Annots.
 */
function incrementalUpdate(saved: Uint8Array, pdf: PDFDocument, page: PDFPage, stamps: Array<{ s: Stamp; at: { x: number; y: number } }>): Uint8Array {
  const text = Buffer.from(saved).toString('latin1');
  const prev = Number(/startxref\s+(\d+)/.exec(text.slice(text.lastIndexOf('startxref')))![1]);
  let next = pdf.context.largestObjectNumber + 1;
  const fontNum = next++;
  const objects: Array<[number, string]> = [[fontNum, '<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding /WinAnsiEncoding >>']];
  const annots: number[] = [];
  for (const { s, at } of stamps) {
    const content = `BT /F1 13 Tf 2 5.3 Td (${s.text}) Tj ET`;
    const [apNum, annotNum] = [next++, next++];
    objects.push([
      apNum,
      `<< /Type /XObject /Subtype /Form /BBox [0 0 28 22] /Resources << /Font << /F1 ${fontNum} 0 R >> >> /Length ${content.length} >>\nstream\n${content}\nendstream`,
    ]);
    const rect = [at.x, at.y - 5.3, at.x + 28, at.y + 16.7].map((v) => v.toFixed(2)).join(' ');
    objects.push([annotNum, `<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature${annotNum}) /F 132 /Rect [${rect}] /AP << /N ${apNum} 0 R >> >>`]);
    annots.push(annotNum);
  }
  page.node.set(PDFName.of('Annots'), pdf.context.obj(annots.map((n) => PDFRef.of(n))));
  objects.push([page.ref.objectNumber, page.node.toString()]);
  let body = '\n';
  const offsets: Array<[number, number]> = [];
  for (const [num, obj] of objects) {
    offsets.push([num, saved.length + body.length]);
    body += `${num} 0 obj\n${obj}\nendobj\n`;
  }
  const xrefAt = saved.length + body.length;
  body += 'xref\n' + offsets.map(([num, off]) => `${num} 1\n${String(off).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${next} /Root ${String(pdf.context.trailerInfo.Root)} /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([Buffer.from(saved), Buffer.from(body, 'latin1')]);
}

export async function decree30Pdf(spec: Decree30Spec): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setCreationDate(new Date('2025-01-01T00:00:00Z'));
  pdf.setModificationDate(new Date('2025-01-01T00:00:00Z'));
  const fonts = await loadFonts(pdf, !!spec.dualFonts);
  const page = pdf.addPage([595.32, 841.92]);
  const slots: Slots = {};
  const lc: [number, number] = spec.leftColumn ?? [85, 265];
  const rc: [number, number] = spec.rightColumn ?? [265, 538];
  let y = 785;
  const rows = Math.max(spec.left.length, spec.right.length);
  for (let i = 0; i < rows; i++) {
    if (spec.left[i]) centred(page, fonts, spec.left[i], lc, y, slots);
    if (spec.right[i]) centred(page, fonts, spec.right[i], rc, y + (spec.rightRaise ?? 0), slots);
    y -= 16;
  }
  y -= 22;
  for (const line of spec.title ?? []) {
    centred(page, fonts, { face: 'bold', ...line }, [MARGIN.left, MARGIN.right], y, slots);
    y -= 17;
  }
  y -= 14;
  for (const line of spec.body) {
    draw(page, fonts, line.text, MARGIN.left, y, line.face ?? 'regular', line.size ?? 13);
    y -= 18;
  }
  y -= 14;
  const closing = y;
  spec.recipients.forEach((line, i) =>
    draw(page, fonts, line.text, MARGIN.left, closing - i * 13, line.face ?? (i === 0 ? 'bolditalic' : 'regular'), line.size ?? (i === 0 ? 12 : 11)),
  );
  spec.signature.forEach((line, i) => centred(page, fonts, { face: 'bold', ...line }, [330, 538], closing - i * 16, slots));
  centred(page, fonts, { text: spec.name, face: 'bold' }, [330, 538], closing - spec.signature.length * 16 - 70, slots);

  const stamps = (spec.stamps ?? []).map((s) => ({ s, at: slots[s.at]! })).filter((x) => x.at);
  for (const { s, at } of stamps) if (s.how !== 'update') stampWidget(pdf, page, s, at);
  const saved = await pdf.save({ useObjectStreams: false });
  const updates = stamps.filter(({ s }) => s.how === 'update');
  return updates.length ? incrementalUpdate(saved, pdf, page, updates) : saved;
}

/** A decision of a provincial department, in the layout of Appendix I. */
export function decision(over: Partial<Decree30Spec> = {}): Decree30Spec {
  return {
    left: [{ text: 'UBND TỈNH LÂM ĐỒNG' }, { text: 'SỞ NỘI VỤ', face: 'bold' }, { text: 'Số: 05/QĐ-SNV' }],
    right: [
      { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', face: 'bold', size: 12 },
      { text: 'Độc lập - Tự do - Hạnh phúc', face: 'bold' },
      { text: 'Lâm Đồng, ngày 05 tháng 3 năm 2024', face: 'italic' },
    ],
    title: [{ text: 'QUYẾT ĐỊNH' }, { text: 'Về việc ban hành Quy chế công tác văn thư, lưu trữ' }, { text: 'của Sở Nội vụ tỉnh Lâm Đồng' }],
    body: [
      { text: 'GIÁM ĐỐC SỞ NỘI VỤ TỈNH LÂM ĐỒNG', face: 'bold' },
      { text: 'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ', face: 'italic' },
      { text: 'về công tác văn thư;', face: 'italic' },
      { text: 'QUYẾT ĐỊNH:', face: 'bold' },
      { text: 'Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư, lưu trữ.' },
      { text: 'Điều 2. Quyết định này có hiệu lực kể từ ngày ký./.' },
    ],
    recipients: [{ text: 'Nơi nhận:' }, { text: '- Như Điều 2;' }, { text: '- Lưu: VT, VP.' }],
    signature: [{ text: 'KT. GIÁM ĐỐC' }, { text: 'PHÓ GIÁM ĐỐC' }],
    name: 'Nguyễn Văn An',
    ...over,
  };
}
