/**
 * Hostile inputs for the limit tests (issue 13 §3): a flate bomb inside a valid PDF, a huge header,
 * thousands of MIME parts, deep nesting, a DOCX zip bomb, NUL and lone surrogates in header text.
 * Built directly, cheaply: the 10 GB bomb is written as 10,240 copies of one deflate block, not by
 * compressing 10 GB.
 */
import { deflateRawSync, deflateSync, constants } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

const MiB = 1024 * 1024;

/**
 * A zlib stream that inflates to `mib` MiB of zeros. One MiB of zeros deflated with a full flush
 * is a block sequence that refers to nothing before it, so it can be repeated; an empty final
 * block and the Adler-32 of the whole output close the stream.
 */
export function zerosZlib(mib: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(MiB), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const final = deflateRawSync(Buffer.alloc(0));
  const n = BigInt(mib) * BigInt(MiB);
  const adler = (Number(n % 65521n) << 16) | 1; // a = 1 (only zeros added), b = n·a mod 65521
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(adler >>> 0);
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < mib; i++) parts.push(block);
  parts.push(final, trailer);
  return Buffer.concat(parts);
}

/**
 * A one-page PDF whose page content is `stream` with the given filters (and a valid xref), e.g.
 * a flate bomb: `bombPdf(zerosZlib(10 * 1024))`, or a nested one with two FlateDecode filters.
 */
export function pdfWithContent(stream: Buffer, filters: string[] = ['FlateDecode'], extra: { pages?: number; encrypt?: boolean } = {}): Buffer {
  const pages = extra.pages ?? 1;
  const filter = filters.length === 1 ? `/${filters[0]}` : `[${filters.map((f) => `/${f}`).join(' ')}]`;
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(' ');
  const objs: Array<string | Buffer[]> = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    [Buffer.from(`<< /Length ${stream.length} /Filter ${filter} >>\nstream\n`, 'latin1'), stream, Buffer.from('\nendstream', 'latin1')],
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...Array.from({ length: pages }, () => '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>'),
  ];
  const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let at = chunks[0].length;
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(at);
    const body = [Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), ...(typeof o === 'string' ? [Buffer.from(o, 'latin1')] : o), Buffer.from('\nendobj\n', 'latin1')];
    for (const b of body) {
      chunks.push(b);
      at += b.length;
    }
  });
  const encrypt = extra.encrypt ? ' /Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>' : '';
  const xref = `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${objs.length + 1} /Root 1 0 R${encrypt} >>\nstartxref\n${at}\n%%EOF\n`;
  chunks.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(chunks);
}

/** The same bomb wrapped once more: /Filter [/FlateDecode /FlateDecode], a few kilobytes for 10 GB. */
export function nestedBomb(mib: number): { stream: Buffer; filters: string[] } {
  return { stream: deflateSync(zerosZlib(mib), { level: 9 }), filters: ['FlateDecode', 'FlateDecode'] };
}

const CRLF = '\r\n';

export function headers(subject: string, extra: string[] = [], id = `<${Math.random().toString(36).slice(2)}@hostile.example>`): string {
  return [
    `From: "Sở Thử nghiệm" <test@hostile.example>`,
    'To: vanthu@vpubnd.lamdong.gov.vn',
    `Subject: ${subject}`,
    `Message-ID: ${id}`,
    'Date: Mon, 17 Nov 2025 08:00:00 +0700',
    'MIME-Version: 1.0',
    ...extra,
  ].join(CRLF);
}

/** A message with one attachment (base64). */
export function withAttachment(subject: string, filename: string, contentType: string, content: Buffer): Buffer {
  const b = 'b-attach';
  const body = [
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Gửi kèm tài liệu.',
    `--${b}`,
    `Content-Type: ${contentType}; name="${filename}"`,
    `Content-Disposition: attachment; filename="${filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    content.toString('base64').replace(/.{76}/g, '$&\r\n'),
    `--${b}--`,
    '',
  ].join(CRLF);
  return Buffer.from(`${headers(subject, [`Content-Type: multipart/mixed; boundary="${b}"`])}${CRLF}${CRLF}${body}`, 'utf8');
}

/** A header block of about `bytes` bytes (lines of 998 characters), then a short body. */
export function hugeHeader(bytes: number): Buffer {
  const line = `X-Filler: ${'a'.repeat(988)}`;
  const lines = Array.from({ length: Math.ceil(bytes / (line.length + 2)) }, () => line);
  return Buffer.from(`${headers('Thư có phần đầu rất lớn', lines)}${CRLF}${CRLF}Nội dung.${CRLF}`, 'utf8');
}

/** multipart/mixed with `n` small text parts. */
export function manyParts(n: number): Buffer {
  const b = 'b-many';
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`--${b}${CRLF}Content-Type: text/plain${CRLF}${CRLF}part ${i}`);
  return Buffer.from(
    `${headers(`Thư có ${n} phần`, [`Content-Type: multipart/mixed; boundary="${b}"`])}${CRLF}${CRLF}${parts.join(CRLF)}${CRLF}--${b}--${CRLF}`,
    'utf8',
  );
}

/** `levels` multiparts, each the only part of the one around it. */
export function deepNesting(levels: number): Buffer {
  let inner = `Content-Type: text/plain${CRLF}${CRLF}Đáy.${CRLF}`;
  for (let i = levels - 1; i >= 1; i--) inner = `Content-Type: multipart/mixed; boundary="b${i}"${CRLF}${CRLF}--b${i}${CRLF}${inner}--b${i}--${CRLF}`;
  return Buffer.from(
    `${headers(`Thư lồng ${levels} cấp`, [`Content-Type: multipart/mixed; boundary="b0"`])}${CRLF}${CRLF}--b0${CRLF}${inner}--b0--${CRLF}`,
    'utf8',
  );
}

/** NUL and other control bytes in Subject, a display name and a file name; a lone surrogate through UTF-16 encoded words. */
export function nulSubject(): Buffer {
  const loneSurrogate = `=?UTF-16BE?B?${Buffer.from([0xd8, 0x00, 0x00, 0x41]).toString('base64')}?=`;
  const b = 'b-nul';
  const head = [
    `From: "Nguy\u0000\u0007n V\u0001n A" <an@hostile.example>`,
    `Reply-To: ${loneSurrogate} <reply@hostile.example>`,
    'To: vanthu@vpubnd.lamdong.gov.vn',
    'Subject: C\u00f4ng v\u0103n\u0000 s\u1ed1 25\u0000/UBND',
    `Message-ID: <nul-\u0000\u0001${Math.random().toString(36).slice(2)}@hostile.example>`,
    'Date: Mon, 17 Nov 2025 08:00:00 +0700',
    'MIME-Version: 1.0',
    `X-Note: a\u0000b`,
    `Content-Type: multipart/mixed; boundary="${b}"`,
  ].join(CRLF);
  const body = [
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'N\u1ed9i dung\u0000 th\u01b0.',
    `--${b}`,
    'Content-Type: application/octet-stream; name="bi\u0000a.txt"',
    'Content-Disposition: attachment; filename="bi\u0000a.txt"',
    '',
    'x',
    `--${b}--`,
    '',
  ].join(CRLF);
  return Buffer.from(`${head}${CRLF}${CRLF}${body}`, 'utf8');
}

/** The corpus's DOCX zip bomb (a document.xml that would inflate to 64 MiB). */
export function zipBombMessage(): Buffer {
  return readFileSync(path.join(PROJECT_ROOT, 'tests', 'corpus', 'cases', 'zip-bomb-docx.eml'));
}
