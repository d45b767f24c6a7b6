/**
 * A công văn from UBND tỉnh Vĩnh Long as the console's browser tests mail it: a Vietnamese
 * subject, a plain-text body, and optionally a one-page PDF. With the PDF it lands in the review
 * queue (the PDF holds only the number); without one it is registered from the body.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A one-page PDF with these lines (ASCII: the standard font), base64. */
export async function pdfBase64(lines: string[]): Promise<string> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  lines.forEach((l, i) => page.drawText(l, { x: 50, y: 780 - i * 20, size: 12, font }));
  return Buffer.from(await doc.save()).toString('base64');
}

/** The raw message (CRLF) and its Message-ID `<id@ubnd.vinhlong.gov.vn>`. */
export function officialMail(to: string, id: string, subject: string, body: string[], pdf?: string): { mid: string; raw: string } {
  const mid = `<${id}@ubnd.vinhlong.gov.vn>`;
  const head = [
    'From: =?UTF-8?Q?V=C4=83n_th=C6=B0_UBND_t=E1=BB=89nh_V=C4=A9nh_Long?= <vanthu@ubnd.vinhlong.gov.vn>',
    `To: ${to}`,
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: ${mid}`,
    'Date: Mon, 23 Nov 2026 08:30:00 +0700',
    'MIME-Version: 1.0',
  ];
  const text = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', ...body, ''];
  if (!pdf) return { mid, raw: [...head, ...text].join('\r\n') };
  const b = 'official-mail-boundary';
  const raw = [
    ...head,
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    ...text,
    `--${b}`,
    'Content-Type: application/pdf; name="cong-van.pdf"',
    'Content-Disposition: attachment; filename="cong-van.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    ...(pdf.match(/.{1,76}/g) ?? []),
    `--${b}--`,
    '',
  ].join('\r\n');
  return { mid, raw };
}
