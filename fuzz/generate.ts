/**
 * Inputs made from nothing but a seed: small grammars for MIME messages, edXML, DER, PDF, DOCX,
 * Vietnamese administrative text and SMTP sessions. They reach shapes no corpus file has (deep
 * trees, odd counts, every element in the wrong place); the mutators then work on them too.
 */
import { deflateSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { E } from '../gateway/documents/edxml/names.ts';
import { CHARSETS, HEADER_VALUES, MIME_TOKENS, TRANSFER_ENCODINGS } from './dictionary/mime.ts';
import { PDF_TOKENS } from './dictionary/pdf.ts';
import { SMTP_ADDRESSES, SMTP_PARAMS, SMTP_VERBS } from './dictionary/smtp.ts';
import { TEXT_TOKENS } from './dictionary/text.ts';
import type { Format } from './mutate/ops.ts';
import { prng, randomBytes } from './rng.ts';

type Rand = () => number;
/**
 * The entries' modification time: fflate stamps the current time otherwise, and an input must be a
 * pure function of (seed, target, index). Local-time components, so the DOS date is the same in any zone.
 */
const ZIP_TIME = new Date(2026, 0, 1);
const int = (r: Rand, n: number) => Math.floor(r() * n);
const one = <T>(r: Rand, list: readonly T[]): T => list[int(r, list.length)];
/** Mostly small, sometimes large: 0..n with a heavy head. */
const size = (r: Rand, n: number) => Math.floor(n ** r() - 1);

export function generate(format: Format, seed: number, corpus: readonly Buffer[]): Buffer {
  const r = prng(seed);
  switch (format) {
    case 'mime':
      return Buffer.from(mimeMessage(r, corpus, 0), 'latin1');
    case 'xml':
      return Buffer.from(edxml(r), 'utf8');
    case 'der':
      return der(r, 0);
    case 'pdf':
      return pdf(r);
    case 'zip':
      return docx(r);
    case 'text':
      return Buffer.from(text(r), 'utf8');
    case 'smtp':
      return Buffer.from(smtpSession(r, corpus), 'latin1');
  }
}

const HEADER_NAMES = [
  'From',
  'To',
  'Cc',
  'Subject',
  'Date',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Reply-To',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-Disposition',
  'Content-ID',
  'MIME-Version',
  'Auto-Submitted',
  'X-Autoreply',
  'Received',
  'DKIM-Signature',
  'Return-Path',
  'Sender',
  'X-Priority',
  'Importance',
  'Disposition-Notification-To',
  'Original-Recipient',
  'X-' + 'a'.repeat(100),
];

function mimeMessage(r: Rand, corpus: readonly Buffer[], depth: number): string {
  const headers: string[] = [];
  const n = size(r, 30);
  for (let i = 0; i < n; i++) {
    const name = one(r, HEADER_NAMES);
    const value = r() < 0.5 ? Buffer.from(one(r, HEADER_VALUES), 'utf8').toString('latin1') : randomWord(r);
    headers.push(`${name}: ${value}`);
  }
  const kind = depth > 6 ? 3 : int(r, 6);
  const eol = r() < 0.85 ? '\r\n' : '\n';
  if (kind <= 1) {
    const bd = r() < 0.1 ? '' : `b${depth}_${int(r, 1000)}`;
    headers.push(`Content-Type: multipart/${one(r, ['mixed', 'alternative', 'related', 'signed', 'report', 'digest', 'x-unknown'])}; boundary="${bd}"`);
    const parts = Array.from({ length: size(r, 12) }, () => mimeMessage(r, corpus, depth + 1));
    const close = r() < 0.9 ? `--${bd}--${eol}` : '';
    return headers.join(eol) + eol + eol + parts.map((p) => `--${bd}${eol}${p}${eol}`).join('') + close;
  }
  if (kind === 2) {
    headers.push('Content-Type: message/rfc822');
    return headers.join(eol) + eol + eol + mimeMessage(r, corpus, depth + 1);
  }
  const type = one(r, [
    'text/plain',
    'text/html',
    'application/pdf',
    'application/xml',
    'application/octet-stream',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/pkcs7-signature',
    'message/delivery-status',
    'text/rfc822-headers',
  ]);
  headers.push(`Content-Type: ${type}; charset=${one(r, CHARSETS)}; name="${randomWord(r)}.${one(r, ['pdf', 'docx', 'xml', 'txt', 'doc', 'p7s', 'edxml'])}"`);
  const cte = one(r, TRANSFER_ENCODINGS);
  headers.push(`Content-Transfer-Encoding: ${cte}`);
  let body: string;
  const src = corpus.length && r() < 0.5 ? one(r, corpus) : randomBytes(int(r, 1 << 30), size(r, 5000));
  const piece = src.subarray(0, size(r, Math.min(src.length, 200_000) + 1));
  if (/base64/i.test(cte)) body = piece.toString('base64').replace(/.{76}/g, `$&${eol}`);
  else if (/quoted/i.test(cte))
    body = piece.toString('latin1').replace(/[^\x20-\x3c\x3e-\x7e\r\n]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  else body = piece.toString('latin1');
  if (r() < 0.2) body += Buffer.from(one(r, MIME_TOKENS), 'utf8').toString('latin1');
  return headers.join(eol) + eol + eol + body;
}

function randomWord(r: Rand): string {
  const pieces = ['Ủy ban', 'Công văn', '123/UBND-VX', '=?utf-8?B?w4E=?=', 'a@b.c', '<x@y>', '"q"', ' ', ';', '(c)', 'x'.repeat(int(r, 300)), '\t', 'ngày'];
  return Array.from({ length: 1 + int(r, 5) }, () => one(r, pieces))
    .join('')
    .replace(/[\r\n]/g, '');
}

const EDXML_NAMES = Object.values(E);

function edxml(r: Rand): string {
  const prefix = one(r, ['edXML:', '', 'a:', 'EDXML:', 'x-y:']);
  const root = r() < 0.8 ? E.envelope : r() < 0.5 ? E.status : one(r, EDXML_NAMES);
  const ns = r() < 0.8 ? ` xmlns${prefix ? `:${prefix.slice(0, -1)}` : ''}="http://www.mic.gov.vn/TBT/QCVN_102_2016"` : '';
  const element = (depth: number): string => {
    const name = one(r, EDXML_NAMES);
    if (depth > 8 || r() < 0.4) {
      const value =
        r() < 0.5
          ? one(r, TEXT_TOKENS)
          : one(r, ['12', 'UBND-VX', '2026-11-23', '2026/02/30', '0', '4', '-1', '', '000.00.00.H41', '9'.repeat(400), '&amp;', '<![CDATA[<x>]]>']);
      return `<${prefix}${name}>${value}</${prefix}${name}>`;
    }
    const kids = Array.from({ length: size(r, 10) }, () => element(depth + 1)).join('');
    return `<${prefix}${name}${r() < 0.1 ? ' Id="x" a="&lt;"' : ''}>${kids}</${prefix}${name}>`;
  };
  const decl = r() < 0.8 ? '<?xml version="1.0" encoding="UTF-8"?>' : '';
  const kids = Array.from({ length: 1 + size(r, 8) }, () => element(1)).join('');
  return `${decl}<${prefix}${root}${ns}>${kids}</${prefix}${root}>`;
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return [0x80 | out.length, ...out];
}

const OIDS = [
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02], // signedData
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01], // data
  [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01], // sha256
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b], // sha256WithRSA
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04], // messageDigest
  [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x04], // tstInfo
  [0x55, 0x04, 0x03], // CN
  [0x88, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // huge arc
];

function der(r: Rand, depth: number): Buffer {
  const choice = depth > 12 ? 2 + int(r, 6) : int(r, 9);
  let tag: number;
  let body: Buffer;
  switch (choice) {
    case 0:
    case 1:
      tag = one(r, [0x30, 0x31, 0xa0, 0xa1, 0xa3]);
      body = Buffer.concat(Array.from({ length: size(r, 8) }, () => der(r, depth + 1)));
      break;
    case 2:
      tag = 0x06;
      body = Buffer.from(one(r, OIDS));
      break;
    case 3:
      tag = 0x02;
      body = randomBytes(int(r, 1 << 30), size(r, 600));
      break;
    case 4:
      tag = one(r, [0x17, 0x18]);
      body = Buffer.from(one(r, ['261123090000Z', '20261123090000Z', '991332256161Z', '0', '', '20261123090000+0700', '9'.repeat(40)]));
      break;
    case 5:
      tag = one(r, [0x0c, 0x13, 0x16, 0x1e, 0x14]);
      body = Buffer.from(one(r, ['Nguyễn Văn An', 'Sở TTTT', '', '\0\0\0', 'a'.repeat(300)]), 'utf8');
      break;
    case 6:
      tag = one(r, [0x04, 0x03]);
      body = randomBytes(int(r, 1 << 30), size(r, 2000));
      break;
    case 7:
      tag = 0x05;
      body = Buffer.alloc(0);
      break;
    default:
      tag = one(r, [0x30, 0x04]);
      body = Buffer.concat([Buffer.from([0x30, 0x80]), der(r, depth + 1), Buffer.from([0, 0])]);
  }
  const len = r() < 0.05 ? [0x84, 0xff, 0xff, 0xff, 0xff] : derLength(body.length);
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

function pdf(r: Rand): Buffer {
  const parts: string[] = [`%PDF-1.${int(r, 8)}\n%\xe2\xe3\xcf\xd3\n`];
  const offsets: number[] = [];
  const objects = 1 + size(r, 30);
  let length = parts[0].length;
  const push = (s: string) => {
    parts.push(s);
    length += s.length;
  };
  for (let i = 1; i <= objects; i++) {
    offsets.push(length);
    const content = `BT /F1 12 Tf 72 712 Td (${one(r, ['ỦY BAN', 'Số: 12/QĐ-UBND', 'CỘNG HOÀ', 'x'])}) Tj ${one(r, PDF_TOKENS)} ET`;
    const stream = r() < 0.5 ? deflateSync(Buffer.from(content, 'latin1')).toString('latin1') : content;
    const dicts = [
      `<< /Type /Catalog /Pages ${1 + int(r, objects)} 0 R >>`,
      `<< /Type /Pages /Kids [${Array.from({ length: size(r, 6) }, () => `${1 + int(r, objects)} 0 R`).join(' ')}] /Count ${one(r, ['1', '0', '-1', '999999999'])} >>`,
      `<< /Type /Page /Parent ${1 + int(r, objects)} 0 R /Contents ${1 + int(r, objects)} 0 R /Resources << /Font << /F1 ${1 + int(r, objects)} 0 R >> >> >>`,
      `<< /Type /Font /Subtype /${one(r, ['Type1', 'TrueType', 'Type0', 'Type3'])} /BaseFont /Helvetica /ToUnicode ${1 + int(r, objects)} 0 R >>`,
      `<< /Length ${r() < 0.8 ? stream.length : int(r, 100000)}${stream === content ? '' : ' /Filter /FlateDecode'} >>\nstream\n${stream}\nendstream`,
      `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 ${int(r, 5000)} ${int(r, 5000)} ${int(r, 5000)}] /Contents <${randomBytes(int(r, 1 << 30), size(r, 300)).toString('hex')}> /M (D:20261123090000+07'00') >>`,
      `<< /Type /ObjStm /N ${size(r, 50)} /First ${int(r, 100)} /Length 20 >>\nstream\n1 0 2 5 << >> [ ]\nendstream`,
    ];
    push(`${i} 0 obj\n${one(r, dicts)}\nendobj\n`);
  }
  const xref = length;
  push(`xref\n0 ${objects + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(r() < 0.9 ? o : int(r, 99999)).padStart(10, '0')} 00000 n \n`).join('')}`);
  push(
    `trailer\n<< /Size ${objects + 1} /Root 1 0 R${r() < 0.2 ? ' /Prev 0' : ''}${r() < 0.1 ? ' /Encrypt << >>' : ''} >>\nstartxref\n${r() < 0.9 ? xref : int(r, 99999)}\n%%EOF\n`,
  );
  return Buffer.from(parts.join(''), 'latin1');
}

function docx(r: Rand): Buffer {
  const para = () => {
    const runs = Array.from(
      { length: size(r, 6) },
      () =>
        `<w:r><w:t${r() < 0.3 ? ' xml:space="preserve"' : ''}>${one(r, TEXT_TOKENS).replace(/[<&]/g, '')}</w:t>${r() < 0.2 ? '<w:tab/>' : ''}${r() < 0.1 ? '<w:br/>' : ''}</w:r>`,
    ).join('');
    return `<w:p>${runs}</w:p>`;
  };
  const body = Array.from({ length: size(r, 60) }, () =>
    r() < 0.1 ? `<w:tbl><w:tr><w:tc>${para()}</w:tc><w:tc>${para()}</w:tc></w:tr></w:tbl>` : para(),
  ).join('');
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`;
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': new TextEncoder().encode('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
  };
  if (r() < 0.95) files[r() < 0.95 ? 'word/document.xml' : 'Word/Document.xml'] = new TextEncoder().encode(xml);
  return Buffer.from(zipSync(files, { level: one(r, [0, 6, 9] as const), mtime: ZIP_TIME }));
}

function text(r: Rand): string {
  return Array.from({ length: size(r, 200) }, () => one(r, TEXT_TOKENS) + (r() < 0.3 ? '\n' : '')).join('');
}

/** An SMTP client's side of a session, pipelined, with a message body taken from the corpus. */
function smtpSession(r: Rand, corpus: readonly Buffer[]): string {
  const lines: string[] = [];
  const eol = () => (r() < 0.9 ? '\r\n' : one(r, ['\n', '\r', '\r\r\n', '\n\r']));
  if (r() < 0.9)
    lines.push(`${one(r, ['EHLO', 'HELO', 'ehlo', 'LHLO'])} ${one(r, ['client.example', '[127.0.0.1]', '', 'x'.repeat(300), 'ủy-ban.vn'])}${eol()}`);
  const commands = 1 + size(r, 12);
  for (let i = 0; i < commands; i++) {
    const c = r();
    if (c < 0.25) {
      lines.push(`MAIL FROM:${one(r, SMTP_ADDRESSES)}${one(r, SMTP_PARAMS)}${eol()}`);
      for (let j = 0, n = 1 + size(r, 8); j < n; j++) lines.push(`RCPT TO:${one(r, SMTP_ADDRESSES)}${one(r, SMTP_PARAMS)}${eol()}`);
    } else if (c < 0.55) {
      lines.push(`DATA${eol()}`);
      const body = corpus.length ? one(r, corpus).toString('latin1') : 'Subject: x\r\n\r\nbody';
      const stuffed = r() < 0.7 ? body.replace(/(^|\r\n)\./g, '$1..') : body;
      lines.push(stuffed.slice(0, size(r, stuffed.length + 1)));
      lines.push(one(r, ['\r\n.\r\n', '\r\n.\r\n', '\n.\n', '\r.\r', '\n.\r\n', '.\r\n', '']));
    } else if (c < 0.6) {
      lines.push(`BDAT ${one(r, ['0', '10', '100 LAST', '99999999999', '-1', 'x'])}${eol()}${randomBytes(int(r, 1 << 30), int(r, 200)).toString('latin1')}`);
    } else if (c < 0.7) {
      lines.push(`${one(r, SMTP_VERBS)}${r() < 0.5 ? ` ${randomWord(r)}` : ''}${eol()}`);
    } else if (c < 0.75) {
      lines.push(`AUTH PLAIN ${Buffer.from(`\0user\0${'p'.repeat(int(r, 100))}`).toString('base64')}${eol()}`);
    } else if (c < 0.8) {
      lines.push(randomBytes(int(r, 1 << 30), size(r, 2000)).toString('latin1'));
    } else if (c < 0.85) {
      lines.push(`${'A'.repeat(one(r, [510, 513, 4096, 70000]))}${eol()}`);
    } else {
      lines.push(`${one(r, ['RSET', 'NOOP', 'HELP', 'VRFY vanthu', 'STARTTLS', 'QUIT'])}${eol()}`);
    }
  }
  return lines.join('');
}
