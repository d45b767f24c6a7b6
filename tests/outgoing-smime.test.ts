/**
 * S/MIME on outgoing documents, checked by outside tools: a CA and the unit's certificate made by
 * `openssl` (PKCS#12 with OpenSSL's default encryption, as an administrator would export it), the
 * message captured at a real smtp-server, verified by `openssl cms -verify`, DKIM by mailauth,
 * and by vanthu's own trust stage; one changed byte makes both signatures fail.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyMessage } from '../gateway/documents/message.ts';
import { zoneResolver } from '../gateway/trust/dns.ts';
import { loadTrustStore, verifyMessage } from '../gateway/trust/index.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { startRawSink, type RawSink } from './helpers/mail-sink.ts';
import { makeSmimePki } from './helpers/openssl-pki.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-smime-out-'));
const file = (name: string) => path.join(dir, name);
const PASSWORD = 'mat-khau-p12';

/** A root CA and the unit's signing certificate (emailProtection), exported as PKCS#12 with OpenSSL 3 defaults. */
function makePki(): void {
  makeSmimePki(dir, {
    key: ['-newkey', 'rsa:2048'],
    caSubject: '/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=Test Root CA',
    caExtensions: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'],
    unitSubject: '/O=Sở Tài chính tỉnh Lâm Đồng/CN=Văn thư Sở Tài chính/emailAddress=vanthu@stc.lamdong.gov.vn',
    address: 'vanthu@stc.lamdong.gov.vn',
    password: PASSWORD,
    p12Name: 'stc',
  });
}

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
writeFileSync(file('dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
const resolver = zoneResolver([
  {
    name: 'vanthu._domainkey.stc.lamdong.gov.vn',
    type: 'TXT',
    value: [`v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`],
  },
]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** `openssl cms -verify` of a message file: exit status and what it wrote. */
function cmsVerify(eml: string, out: string) {
  const r = spawnSync('openssl', ['cms', '-verify', '-CAfile', file('ca.pem'), '-in', eml, '-out', out], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

const dkimResults = async (raw: Buffer) =>
  (await dkimVerify(raw, { resolver: resolver as never })).results.map((r: { status: { result: string } }) => r.status.result);

describe('S/MIME-signed outgoing documents', () => {
  let smtp: RawSink;
  let gw: TestGateway;
  let raw: Buffer;

  beforeAll(async () => {
    makePki();
    smtp = await startRawSink({ queuedAs: 'S' });
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => {
        cfg.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false, user: null, pass: null };
        cfg.directory = [{ name: 'Sở Tư pháp tỉnh Lâm Đồng', address: 'vanthu@stp.lamdong.gov.vn', organId: '000.00.20.H41', aliases: [] }];
        cfg.outgoing.units.stc = {
          codeSuffix: 'STC-VP',
          dkim: { domain: 'stc.lamdong.gov.vn', selector: 'vanthu', privateKey: file('dkim.pem') },
          smime: { pkcs12: file('unit.p12'), password: PASSWORD },
        };
        cfg.outgoing.delivery = { attempts: 3, backoffMs: 200, concurrency: 1 };
      },
    });
    const res = await gw.api('/api/outgoing', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        unit: 'stc',
        to: ['Sở Tư pháp tỉnh Lâm Đồng'],
        subject: 'Báo cáo quyết toán ngân sách năm 2026',
        typeCode: 'BC',
        signer: 'Nguyễn Văn An',
        smime: true,
        edxml: true,
        document: { filename: 'bao-cao.pdf', content: PDF.toString('base64') },
      }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(201);
    expect(JSON.parse(body)).toMatchObject({ notation: '1/BC-STC-VP', signing: { smime: true, dkim: true, edxml: true } });
    raw = (await waitFor(() => smtp.received.find((m) => m.to.includes('vanthu@stp.lamdong.gov.vn')), 20_000, 'the signed message at the SMTP server')).raw;
    writeFileSync(file('msg.eml'), raw);
  }, 90_000);

  afterAll(async () => {
    await gw?.close();
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies with openssl cms -verify against the CA, over the document and the edXML envelope', () => {
    expect(raw.toString('latin1')).toMatch(/Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-256;/);
    const r = cmsVerify(file('msg.eml'), file('content.eml'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Verification successful/);
    const content = readFileSync(file('content.eml'), 'latin1');
    expect(content).toContain('filename=bao-cao.pdf');
    expect(content).toContain('filename=edxml.xml');
  });

  it('fails openssl and DKIM once one byte of the signed part is changed', async () => {
    const original = raw.toString('latin1');
    const at = original.indexOf('filename=bao-cao.pdf');
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(original.slice(0, at) + 'filename=bao-cao.pdX' + original.slice(at + 'filename=bao-cao.pdf'.length), 'latin1');
    writeFileSync(file('tampered.eml'), tampered);
    const r = cmsVerify(file('tampered.eml'), file('tampered-content.eml'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/digest failure|Verification failure/i);
    // mailauth reports a body-hash mismatch as "neutral"; anything but "pass" is a failed signature here.
    expect(await dkimResults(tampered)).not.toContain('pass');
    expect(
      (await verifyMessage(tampered, { trust: await loadTrustStore({ anchors: [file('ca.pem')], crls: [] }) })).signatures.find((s) => s.layer === 'smime')
        ?.verdict,
    ).toBe('invalid');
  });

  it('keeps the DKIM signature valid over the S/MIME-signed message (mailauth)', async () => {
    expect(raw.toString('latin1').indexOf('DKIM-Signature:')).toBe(0);
    expect(await dkimResults(raw)).toEqual(['pass']);
  });

  it("is valid for vanthu's own trust stage and still classifies from the edXML envelope", async () => {
    const trust = await loadTrustStore({ anchors: [file('ca.pem')], crls: [] });
    const report = await verifyMessage(raw, { trust, dns: resolver });
    const smime = report.signatures.find((s) => s.layer === 'smime')!;
    expect(smime.verdict, smime.reasons.join('; ')).toBe('valid');
    expect(smime.signer).toMatchObject({ commonName: 'Văn thư Sở Tài chính', organization: 'Sở Tài chính tỉnh Lâm Đồng', email: 'vanthu@stc.lamdong.gov.vn' });
    expect(report.signatures.find((s) => s.layer === 'dkim')?.verdict).toBe('valid');
    const parsed = await simpleParser(raw);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['edxml.xml', 'bao-cao.pdf', 'smime.p7s']);
    const result = await classifyMessage(raw);
    expect(result.document).toMatchObject({
      notation: '1/BC-STC-VP',
      typeCode: 'BC',
      typeName: 'Báo cáo',
      subject: 'Báo cáo quyết toán ngân sách năm 2026',
      source: 'edxml',
    });
  });
});
