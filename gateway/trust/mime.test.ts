import { describe, expect, it } from 'vitest';
import { canonicalCrlf, contentType, decodeBody, parseEntity, splitMultipart } from './mime.ts';

describe('raw MIME splitting', () => {
  it('keeps the exact bytes of each part, without the line break before the next delimiter', () => {
    const body = Buffer.from('preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n\r\n--b1 \r\nX: y\r\n\r\nsecond\r\n--b1--\r\nepilogue');
    const parts = splitMultipart(body, 'b1');
    expect(parts.map((p) => p.toString())).toEqual(['Content-Type: text/plain\r\n\r\nhello\r\n', 'X: y\r\n\r\nsecond']);
  });

  it('ignores lines that merely start with the boundary and delimiters not at a line start', () => {
    const body = Buffer.from('--b\nA\n--bx not a delimiter\n x--b\n--b\nB\n--b--\n');
    expect(splitMultipart(body, 'b').map((p) => p.toString())).toEqual(['A\n--bx not a delimiter\n x--b', 'B']);
  });

  it('tolerates a missing closing delimiter and an empty body', () => {
    expect(splitMultipart(Buffer.from('--b\r\none\r\n--b\r\ntwo'), 'b').map(String)).toEqual(['one']);
    expect(splitMultipart(Buffer.alloc(0), 'b')).toEqual([]);
  });

  it('parses folded headers, the first occurrence, and quoted parameters', () => {
    const e = parseEntity(
      Buffer.from(
        'Content-Type: multipart/signed;\r\n protocol="application/pkcs7-signature";\r\n\tboundary="a \\"b\\""\r\n' + 'Content-Type: text/plain\r\n\r\nbody',
      ),
    );
    expect(e.type).toBe('multipart/signed');
    expect(e.params).toEqual({ protocol: 'application/pkcs7-signature', boundary: 'a "b"' });
    expect(e.body.toString()).toBe('body');
    expect(contentType(undefined).type).toBe('text/plain');
  });

  it('decodes base64 and quoted-printable bodies and canonicalises line ends', () => {
    const b64 = parseEntity(Buffer.from('Content-Transfer-Encoding: base64\n\naGVs\nbG8=\n'));
    expect(decodeBody(b64).toString()).toBe('hello');
    const qp = parseEntity(Buffer.from('Content-Transfer-Encoding: quoted-printable\r\n\r\nS=E1=BB=9F=\r\n x'));
    expect(decodeBody(qp).toString('utf8')).toBe('Sở x');
    expect(canonicalCrlf(Buffer.from('a\nb\r\nc\n')).toString()).toBe('a\r\nb\r\nc\r\n');
  });
});

describe('attachmentKind', () => {
  it('treats a non-string content type or file name (an empty Content-Type header) as absent', async () => {
    const { attachmentKind } = await import('./verify.ts');
    expect(attachmentKind(undefined, undefined)).toBeNull();
    expect(attachmentKind({} as unknown, 'a.pdf')).toBe('pdf');
    expect(attachmentKind(' Application/XML ', undefined)).toBe('xml');
    expect(attachmentKind('text/plain', 42 as unknown)).toBeNull();
  });

  it('verifyMessage answers for a part whose Content-Type is empty', async () => {
    const { verifyMessage } = await import('./verify.ts');
    const { TrustStore } = await import('./store.ts');
    const raw = Buffer.from(' Content-Type:;boundary=b1_305\n\n--b1_305\nContent-Type:\n');
    const report = await verifyMessage(raw, { trust: new TrustStore([], []), now: new Date('2026-11-23T02:00:00Z') });
    expect(report.signatures.every((s) => s.verdict === 'valid' || s.reasons.length > 0)).toBe(true);
  });
});
