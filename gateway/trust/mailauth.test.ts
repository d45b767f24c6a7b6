import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { describe, expect, it } from 'vitest';
import { headerOverLimit, mailAuthInput, MAX_ADDRESS_HEADER_BYTES, MAX_HEADER_LINES, verifyMailAuth } from './mailauth.ts';

const mail = (headers: string) => Buffer.from(`${headers}\r\nSubject: x\r\n\r\nbody\r\n`, 'latin1');

describe('header blocks mailauth would take minutes over', () => {
  it('finds an oversized From, folded or on one line, and leaves ordinary headers alone', () => {
    const long = `${'a'.repeat(MAX_ADDRESS_HEADER_BYTES)}@x.example`;
    expect(headerOverLimit(mail(`From: ${long}`))).toMatch(/^the From header .*limit:address-header-bytes$/);
    expect(headerOverLimit(mail(`To: a@x.example,\r\n ${long}`))).toMatch(/^the To header /);
    expect(headerOverLimit(mail(`X-Long: ${long}\r\nFrom: a@x.example`))).toBeNull();
    expect(headerOverLimit(mail('From: Sở Tài chính <vanthu@stc.lamdong.gov.vn>'))).toBeNull();
    // A whole message on one line (no header block end): the fuzz input that hung verify.
    expect(headerOverLimit(Buffer.from(`From: x <v@x.example>To: y${'@y'.repeat(300_000)}`))).toMatch(/^the From header .*limit:address-header-bytes$/);
  });

  it('reports every mail layer indeterminate with the limit instead of parsing a 5 MB From header', async () => {
    const raw = Buffer.from(`From: x <v@x.example>To: y${'@y z'.repeat(1_300_000)}\r\n\r\nbody`);
    const reports = await verifyMailAuth(raw, {});
    expect(reports.map((r) => [r.layer, r.verdict])).toEqual([
      ['dkim', 'indeterminate'],
      ['spf', 'indeterminate'],
      ['dmarc', 'indeterminate'],
      ['arc', 'indeterminate'],
    ]);
    expect(reports[0].reasons[0]).toMatch(/limit:address-header-bytes/);
  });

  it('refuses a header block of more lines than MAX_HEADER_LINES, folded or not, and passes a long relay chain', async () => {
    const received = (i: number) =>
      `Received: from relay${i}.example (relay${i}.example [192.0.2.${i % 250}])\r\n\tby mx.example with ESMTP id ${i}; Mon, 23 Nov 2026 09:00:01 +0700`;
    const relayed = mail(Array.from({ length: 300 }, (_, i) => received(i)).join('\r\n'));
    expect(headerOverLimit(relayed)).toBeNull();
    expect(headerOverLimit(mail(`X-A: a${'\r\n b'.repeat(MAX_HEADER_LINES)}`))).toMatch(/limit:header-lines$/);
    expect(headerOverLimit(mail(Array.from({ length: MAX_HEADER_LINES }, (_, i) => `X-${i}: v`).join('\r\n')))).toMatch(/limit:header-lines$/);
    // The fuzz input (seed 20261207, verify #1187): 110,000 folded lines in 5.5 MB kept mailauth's
    // header splitter busy for minutes; now answered at once.
    const raw = Buffer.from(
      `DKIM-Signature: v=1; d=x.example;${'\r\n b=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'.repeat(110_000)}\r\nFrom: a@x.example\r\n\r\nbody`,
    );
    const reports = await verifyMailAuth(raw, {});
    expect(reports.every((r) => r.verdict === 'indeterminate' && /limit:header-lines/.test(r.reasons[0]))).toBe(true);
  });
});

describe('what mailauth is given (bench/e2e/FINDINGS.md, "Ninth round")', () => {
  const body = `--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${'QUFBQUFB\r\n'.repeat(1000)}--b--\r\n`;
  const head = 'From: a@x.example\r\nTo: b@y.example\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n';

  it('the header block only when no DKIM or ARC signature asks for a body hash', () => {
    expect(mailAuthInput(Buffer.from(head + body)).toString()).toBe(head);
    expect(mailAuthInput(Buffer.from(head.replace(/\r\n/g, '\n') + body)).toString()).toBe(head.replace(/\r\n/g, '\n'));
    // A header that merely mentions a signature, or a signature header inside the body, changes nothing.
    const note = 'X-Note: DKIM-Signature: none\r\n';
    expect(mailAuthInput(Buffer.from(`${note}${head}${body}DKIM-Signature: v=1\r\n`)).toString()).toBe(note + head);
  });

  it('the whole message when the top header block has a DKIM or ARC signature, or no end', () => {
    for (const sig of ['DKIM-Signature: v=1; d=x.example', 'dkim-signature : v=1', 'ARC-Seal: i=1; cv=none', 'ARC-Message-Signature: i=1'])
      expect(mailAuthInput(Buffer.from(`Received: from a\r\n ${sig}\r\n${sig}\r\n${head}${body}`)).length).toBe(
        Buffer.byteLength(`Received: from a\r\n ${sig}\r\n${sig}\r\n${head}${body}`),
      );
    const endless = Buffer.from('From: a@x.example\r\nSubject: x');
    expect(mailAuthInput(endless)).toBe(endless);
  });

  it('still checks the body hash of a DKIM-signed message', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const raw = Buffer.from(head + body);
    const signed = await dkimSign(raw, {
      canonicalization: 'relaxed/relaxed',
      signatureData: [{ signingDomain: 'x.example', selector: 's1', privateKey: pem, algorithm: 'rsa-sha256' }],
    } as never);
    const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const dns = (async (name: string, type: string) => {
      if (type === 'TXT' && name === 's1._domainkey.x.example') return [[`v=DKIM1; k=rsa; p=${p}`]];
      throw Object.assign(new Error('no record'), { code: 'ENOTFOUND' });
    }) as never;
    const message = Buffer.concat([Buffer.from(signed.signatures), raw]);
    const dkim = async (m: Buffer) => (await verifyMailAuth(m, { dns })).find((r) => r.layer === 'dkim')?.verdict;
    expect(await dkim(message)).toBe('valid');
    expect(await dkim(Buffer.from(message.toString('latin1').replace('QUFBQUFB', 'QkJCQkJC'), 'latin1'))).toBe('invalid');
  });
});
