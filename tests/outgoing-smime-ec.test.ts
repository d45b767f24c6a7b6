/**
 * S/MIME with EC keys (ECDSA P-256), checked both ways against OpenSSL: an outgoing document
 * composed and signed by vanthu with a unit key from an openssl-made PKCS#12 verifies with
 * `openssl cms -verify` and `openssl smime -verify` and with vanthu's own trust stage; a message
 * OpenSSL signs with an EC key (`openssl cms -sign`) is valid for vanthu's verifier. One changed
 * byte makes each invalid.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDocument } from '../gateway/outgoing/compose.ts';
import { loadPkcs12 } from '../gateway/outgoing/sign.ts';
import { loadTrustStore, verifyMessage, type TrustStore } from '../gateway/trust/index.ts';
import { makeSmimePki, opensslIn } from './helpers/openssl-pki.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-smime-ec-'));
const file = (name: string) => path.join(dir, name);
const openssl = opensslIn(dir);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
const ADDRESS = 'vanthu@stc.lamdong.gov.vn';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Title(ec)>>endobj\ntrailer<<>>\n%%EOF\n');

let trust: TrustStore;

beforeAll(async () => {
  makeSmimePki(dir, {
    key: EC,
    caSubject: '/O=Ban Cơ yếu (thử nghiệm)/CN=Test EC Root',
    unitSubject: `/O=Sở Tài chính tỉnh Lâm Đồng/CN=Văn thư Sở Tài chính/emailAddress=${ADDRESS}`,
    address: ADDRESS,
    password: 'mật khẩu',
  });
  trust = await loadTrustStore({ anchors: [file('ca.pem')], crls: [] });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const smimeOf = async (raw: Buffer) => (await verifyMessage(raw, { trust })).signatures.find((s) => s.layer === 'smime');

function tamper(raw: Buffer, from: string, to: string): Buffer {
  const text = raw.toString('latin1');
  expect(text.indexOf(from)).toBeGreaterThan(0);
  return Buffer.from(text.replace(from, to), 'latin1');
}

describe('S/MIME with an EC (P-256) key', () => {
  it('signs an outgoing document that openssl cms, openssl smime and vanthu verify', async () => {
    const key = loadPkcs12(file('unit.p12'), 'mật khẩu');
    expect('ec' in key).toBe(true);
    const { raw } = await composeDocument(
      {
        from: { name: 'Sở Tài chính tỉnh Lâm Đồng', address: ADDRESS, organId: null },
        to: [{ name: null, address: 'vanthu@stp.lamdong.gov.vn', organId: null }],
        notation: '7/BC-STC-VP',
        issuedDate: '2026-11-23',
        typeCode: 'BC',
        typeName: 'Báo cáo',
        subject: 'Báo cáo quyết toán ngân sách năm 2026',
        body: null,
        document: { filename: 'bao-cao.pdf', content: PDF, contentType: 'application/pdf' },
        edxml: false,
        signer: 'Nguyễn Văn An',
        now: new Date('2026-11-23T02:00:00Z'),
      },
      { dkim: null, smime: key },
    );
    writeFileSync(file('out.eml'), raw);
    expect(raw.toString('latin1')).toMatch(/Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-256;/);

    for (const tool of ['cms', 'smime']) {
      const r = spawnSync('openssl', [tool, '-verify', '-CAfile', file('ca.pem'), '-in', file('out.eml'), '-out', file(`${tool}.out`)], { encoding: 'utf8' });
      expect(r.status, `${tool}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toMatch(/Verification successful/);
    }
    const printed = openssl(['cms', '-cmsout', '-print', '-in', file('out.eml')]).toString();
    expect(printed).toMatch(/ecdsa-with-SHA256/);

    const smime = await smimeOf(raw);
    expect(smime?.verdict, smime?.reasons.join('; ')).toBe('valid');
    expect(smime?.signer).toMatchObject({ commonName: 'Văn thư Sở Tài chính', email: ADDRESS });

    const tampered = tamper(raw, 'filename=bao-cao.pdf', 'filename=bao-cao.pdX');
    writeFileSync(file('tampered.eml'), tampered);
    expect(spawnSync('openssl', ['cms', '-verify', '-CAfile', file('ca.pem'), '-in', file('tampered.eml'), '-out', file('t.out')]).status).not.toBe(0);
    expect((await smimeOf(tampered))?.verdict).toBe('invalid');
  });

  it('verifies incoming mail that openssl signed with an EC key', async () => {
    const entity = Buffer.from(
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCông văn số 12/STC-VP về việc quyết toán.\r\n',
      'utf8',
    );
    writeFileSync(file('entity.txt'), entity);
    const signed = openssl([
      'cms',
      '-sign',
      '-md',
      'sha256',
      '-signer',
      'unit.pem',
      '-inkey',
      'unit.key',
      '-certfile',
      'ca.pem',
      '-in',
      'entity.txt',
      '-binary',
    ]);
    const raw = Buffer.concat([
      Buffer.from(`From: ${ADDRESS}\r\nTo: vanthu@stp.lamdong.gov.vn\r\nSubject: EC\r\nMessage-ID: <ec-1@stc.lamdong.gov.vn>\r\n`),
      signed,
    ]);
    expect(raw.toString('latin1')).toMatch(/multipart\/signed/);
    const smime = await smimeOf(raw);
    expect(smime?.verdict, smime?.reasons.join('; ')).toBe('valid');
    expect(smime?.signer?.commonName).toBe('Văn thư Sở Tài chính');
    expect((await smimeOf(tamper(raw, '12/STC-VP', '13/STC-VP')))?.verdict).toBe('invalid');
  });
});
