import { createHash } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { decodeCleanBase64, restoreLeaves } from './base64-leaves.ts';
import { checkMimeLeaves } from './mime-guard.ts';
import { type FullParse, parseCounters, parseMail } from './parse.ts';

const MiB = 1024 * 1024;

/** Incompressible bytes, the same every run. */
function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i + 4 <= n; i += 4) b.writeUInt32LE((Math.imul(i + seed, 2654435761) ^ (i >>> 7)) >>> 0, i);
  for (let i = n - (n % 4); i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function lines(b64: string, width: number, eol: string): string {
  const out: string[] = [];
  for (let i = 0; i < b64.length; i += width) out.push(b64.slice(i, i + width));
  return out.join(eol);
}

/** A multipart/mixed message: a text part and the given attachment parts (header lines, body). */
function message(parts: Array<{ head: string[]; body: string }>, eol = '\r\n'): Buffer {
  const head = ['From: a@so.example.vn', 'To: vanthu@ubnd.example.vn', 'Subject: thử', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', ''];
  const body = ['--b1', 'Content-Type: text/plain; charset=utf-8', '', 'Gửi kèm.'];
  for (const p of parts) body.push('--b1', ...p.head, '', p.body);
  body.push('--b1--', '');
  return Buffer.from([...head, ...body].join(eol), 'utf8');
}

const pdfHead = (name = 'scan.pdf', type = 'application/pdf') => [
  `Content-Type: ${type}; name="${name}"`,
  `Content-Disposition: attachment; filename="${name}"`,
  'Content-Transfer-Encoding: base64',
];

/** Everything parseMail returns, attachment bytes as hashes: equal when both parses give the same. */
function shape(p: FullParse): string {
  const hash = (b: Buffer) => `${b.length}:${createHash('sha256').update(b).digest('hex')}`;
  return JSON.stringify({
    message: { ...p.message, attachments: p.message.attachments.map((a) => ({ ...a, content: hash(a.content) })) },
    text: p.mail.text,
    html: p.mail.html,
    attachments: p.mail.attachments.map((a) => ({ ...a, content: hash(a.content), headers: [...a.headers.entries()], release: null })),
  });
}

async function both(raw: Buffer): Promise<{ fast: FullParse; slow: FullParse; decoded: number }> {
  const before = parseCounters.leavesDecoded;
  const fast = await parseMail(raw, undefined, { largeLeafBytes: 1 });
  const decoded = parseCounters.leavesDecoded - before;
  const slow = await parseMail(raw, undefined, { largeLeafBytes: Number.POSITIVE_INFINITY });
  return { fast, slow, decoded };
}

describe('large base64 leaves decoded without mailparser', () => {
  it('gives what mailparser gives, for clean bodies of any line width and line break', async () => {
    const cases: Array<[string, Buffer, number]> = [
      ['76, CRLF, 3 MiB', message([{ head: pdfHead(), body: lines(bytes(3 * MiB).toString('base64'), 76, '\r\n') }]), 1],
      ['78 (not whole groups), CRLF, 2 MiB + 1', message([{ head: pdfHead(), body: lines(bytes(2 * MiB + 1).toString('base64'), 78, '\r\n') }]), 1],
      ['77, LF only, 2 MiB + 2', message([{ head: pdfHead(), body: lines(bytes(2 * MiB + 2, 7).toString('base64'), 77, '\n') }], '\n'), 1],
      ['one line, "=" padding', message([{ head: pdfHead(), body: bytes(4001).toString('base64') }]), 1],
      [
        'two attachments, octet-stream named .pdf',
        message([
          { head: pdfHead('a.pdf', 'application/octet-stream'), body: lines(bytes(5000, 3).toString('base64'), 76, '\r\n') },
          { head: pdfHead('b.png', 'image/png'), body: lines(bytes(7000, 5).toString('base64'), 64, '\r\n') },
        ]),
        2,
      ],
      ['blank lines after the body', message([{ head: pdfHead(), body: `${lines(bytes(3000).toString('base64'), 76, '\r\n')}\r\n\r\n` }]), 1],
    ];
    const single = ['From: a@so.example.vn', 'Subject: x', 'Content-Type: application/pdf; name="a.pdf"', 'Content-Transfer-Encoding: base64', '', ''].join(
      '\r\n',
    );
    cases.push(['the whole message one base64 part', Buffer.from(single + lines(bytes(6000, 9).toString('base64'), 76, '\r\n')), 1]);
    for (const [name, raw, n] of cases) {
      const { fast, slow, decoded } = await both(raw);
      expect(decoded, name).toBe(n);
      expect(shape(fast), name).toBe(shape(slow));
      expect(fast.message.attachments.length, name).toBeGreaterThan(0);
    }
  });

  it('leaves to mailparser what it might read otherwise, with the same result', async () => {
    const b64 = lines(bytes(3000).toString('base64'), 76, '\r\n');
    const cases: Array<[string, Buffer]> = [
      ['a stray character', message([{ head: pdfHead(), body: b64.replace('\r\n', '\r\n!') }])],
      ['padding in the middle', message([{ head: pdfHead(), body: `${Buffer.from('ab').toString('base64')}\r\n${b64}` }])],
      ['not whole groups', message([{ head: pdfHead(), body: `${b64}QUJ` }])],
      ['a lone CR', message([{ head: pdfHead(), body: b64.replace('\r\n', '\r') }])],
      [
        'a text part in base64',
        message([
          {
            head: ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'],
            body: lines(Buffer.from('Công văn số 1. '.repeat(300)).toString('base64'), 76, '\r\n'),
          },
        ]),
      ],
      ['white space', message([{ head: pdfHead(), body: b64.replace('\r\n', ' \r\n') }])],
      ['a tab inside a line', message([{ head: pdfHead(), body: b64.replace('\r\n', '\t\r\n').replace(/\t\r\n(....)/, '\r\n$1\t') }])],
      ['base64url characters', message([{ head: pdfHead(), body: b64.replace(/\+/g, '-').replace(/\//g, '_') }])],
      [
        'an 8-bit byte',
        Buffer.concat([
          message([{ head: pdfHead(), body: b64.replace('\r\n', '\r\nQUJD') }]).subarray(0, 400),
          Buffer.from([0xe9]),
          message([{ head: pdfHead(), body: b64.replace('\r\n', '\r\nQUJD') }]).subarray(401),
        ]),
      ],
    ];
    for (const [name, raw] of cases) {
      const { fast, slow, decoded } = await both(raw);
      expect(decoded, name).toBe(0);
      expect(shape(fast), name).toBe(shape(slow));
    }
    // Inside an embedded message: decoded here or not, the same as mailparser's.
    const inner = message([{ head: pdfHead(), body: b64 }]).toString('utf8');
    const outer = message([{ head: ['Content-Type: message/rfc822'], body: inner }]);
    const { fast, slow } = await both(outer);
    expect(shape(fast)).toBe(shape(slow));
  });

  it('a 2 MiB attachment: mailparser reads the message without its body (counted), the bytes come back whole', async () => {
    const content = bytes(2 * MiB, 11);
    const raw = message([{ head: pdfHead(), body: lines(content.toString('base64'), 76, '\r\n') }]);
    const before = { ...parseCounters };
    const { message: m } = await parseMail(raw);
    expect(m.attachments.map((a) => [a.filename, a.size, a.contentType])).toEqual([['scan.pdf', 2 * MiB, 'application/pdf']]);
    expect(m.attachments[0].content.equals(content)).toBe(true);
    expect(parseCounters.leavesDecoded - before.leavesDecoded).toBe(1);
    // mailparser itself read the headers, the text part and a 32-character marker: well under one 64 KiB slice.
    expect(parseCounters.mailparserBytes - before.mailparserBytes).toBeLessThan(1024);
    expect(parseCounters.leafBytes - before.leafBytes).toBeGreaterThan(2.7 * MiB);
  });

  it('decodeCleanBase64 refuses what is not clean base64, and decodes what is', () => {
    const ok = Buffer.from(`x${lines(bytes(10).toString('base64'), 4, '\r\n')}\r\ny`);
    expect(decodeCleanBase64(ok, 1, ok.length - 1)?.equals(bytes(10))).toBe(true);
    for (const bad of ['QUJD=EFG', 'QUJD\r\n=', 'QUI===', 'QUJ', 'QU-D', 'QU\rJD', '====', '']) {
      expect(decodeCleanBase64(Buffer.from(bad), 0, bad.length), JSON.stringify(bad)).toBeNull();
    }
    expect(decodeCleanBase64(Buffer.from('QUI=\r\n'), 0, 6)?.toString()).toBe('AB');
    expect(decodeCleanBase64(Buffer.from('QQ==\n\n'), 0, 6)?.toString()).toBe('A');
  });

  it('restoreLeaves gives up unless each marker is exactly one attachment', () => {
    const marker = Buffer.from('marker');
    const att = (content: Buffer) => ({ content, size: content.length }) as ParsedMail['attachments'][number];
    const replaced = [{ marker, content: Buffer.from('decoded') }];
    expect(restoreLeaves({ attachments: [] } as unknown as ParsedMail, replaced)).toBe(false);
    expect(restoreLeaves({ attachments: [att(marker), att(Buffer.from(marker))] } as unknown as ParsedMail, replaced)).toBe(false);
    const mail = { attachments: [att(Buffer.from('other')), att(Buffer.from(marker))] } as unknown as ParsedMail;
    expect(restoreLeaves(mail, replaced)).toBe(true);
    expect(mail.attachments.map((a) => [a.content.toString(), a.size])).toEqual([
      ['other', 5],
      ['decoded', 7],
    ]);
  });

  it('the MIME guard gives each leaf body with its offsets', () => {
    const raw = message([{ head: pdfHead(), body: 'QUJD\r\nREVG' }]);
    const leaves = checkMimeLeaves(raw).leaves;
    expect(leaves.map((l) => [l.type, l.encoding, raw.toString('utf8', l.start, l.end)])).toEqual([
      ['text/plain', '', 'Gửi kèm.\r\n'],
      ['application/pdf', 'base64', 'QUJD\r\nREVG\r\n'],
    ]);
  });
});
