/**
 * A sample công văn as the competent person signs it, for `vanthu demo` (docs/issuance.md): the
 * Decree 30 header with an empty "Số:" and "ngày … tháng … năm …", the body, and the leader's
 * visible, signed signature widget over "CHỦ TỊCH" — the document a clerk then issues. The leader's
 * signature is a PAdES signature made with the same signer as the unit's (pades.ts).
 */
import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFName, PDFString, beginText, endText, moveText, setFontAndSize, showText } from 'pdf-lib';
import { DEFAULT_FONT } from './issue.ts';
import type { IssueKey } from './keys.ts';
import { signPlaceholder, signatureDict } from './pades.ts';

const BOLD = '/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf';

export interface SampleDocument {
  /** Upper line of the issuing body ("ỦY BAN NHÂN DÂN") and its second line ("TỈNH LÂM ĐỒNG"). */
  body: [string, string];
  place: string;
  subject: string;
  to: string;
  paragraphs: string[];
  /** "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" and the signer's name. */
  capacity: [string, string];
  signer: string;
  at: Date;
}

/** The leader's widget on the page (points). */
export const SAMPLE_SIGNATURE_RECT: [number, number, number, number] = [330, 300, 510, 380];

export async function sampleSignedDocument(doc: SampleDocument, leader: IssueKey): Promise<Buffer> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.registerFontkit(fontkit);
  const font = await pdf.embedFont(readFileSync(DEFAULT_FONT), { subset: true });
  const bold = await pdf.embedFont(readFileSync(BOLD), { subset: true });
  const page = pdf.addPage([595.28, 841.89]);
  const put = (text: string, x: number, y: number, f = font, size = 13) => page.drawText(text, { x, y, size, font: f });
  put(doc.body[0], 80, 790);
  put(doc.body[1], 90, 774, bold);
  put('Số:            ', 80, 745);
  put('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 285, 790, bold, 12);
  put('Độc lập - Tự do - Hạnh phúc', 330, 774, bold);
  put(`${doc.place}, ngày       tháng       năm        `, 300, 745);
  put(`V/v ${doc.subject}`, 70, 720, font, 12);
  put(`Kính gửi: ${doc.to}.`, 200, 680);
  doc.paragraphs.forEach((p, i) => put(p, 70, 640 - i * 20, font, 12));
  put(doc.capacity[0], 350, 420, bold);
  put(doc.capacity[1], 385, 404, bold);
  put(doc.signer, 375, 280, bold);

  const ctx = pdf.context;
  const [x1, y1, x2, y2] = SAMPLE_SIGNATURE_RECT;
  const ap = ctx.register(
    ctx.formXObject([beginText(), setFontAndSize('F1', 10), moveText(8, (y2 - y1) / 2), showText(font.encodeText(`Ký bởi: ${doc.signer}`)), endText()], {
      BBox: [0, 0, x2 - x1, y2 - y1],
      Resources: { Font: { F1: font.ref } },
    }),
  );
  const sig = ctx.register(signatureDict(ctx, { name: doc.signer, reason: 'Ký ban hành', location: doc.place, at: doc.at }));
  const widget = ctx.register(
    ctx.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', T: PDFString.of('ChuTich'), Rect: SAMPLE_SIGNATURE_RECT, V: sig, F: 4, P: page.ref, AP: { N: ap } }),
  );
  page.node.set(PDFName.of('Annots'), ctx.obj([widget]));
  pdf.catalog.set(PDFName.of('AcroForm'), ctx.obj({ Fields: [widget], SigFlags: 3 }));
  return signPlaceholder(Buffer.from(await pdf.save({ useObjectStreams: false })), leader);
}
