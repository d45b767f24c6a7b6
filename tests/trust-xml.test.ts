/**
 * edXML envelopes signed with XMLDSig against the fixture matrix.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyDocument, verifyFile, verifyMessage, type SignatureReport, type TrustStore } from '../gateway/trust/index.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { fixtureStore } from './fixtures/trust/store.ts';
import { XML_CASES, type XmlCase } from './fixtures/trust/xml.ts';

let fx: Fixtures;
let trust: TrustStore;
beforeAll(async () => {
  fx = await ensureFixtures();
  trust = await fixtureStore(fx);
});

const verify = (name: XmlCase) => verifyDocument(readFileSync(fx.xml[name]), 'xml', { trust });

const EXPECTED: Record<XmlCase, SignatureReport['verdict'][]> = {
  valid: ['valid'],
  tampered: ['invalid'],
  untrusted: ['untrusted'],
  expired: ['expired'],
  revoked: ['revoked'],
  sha1: ['indeterminate'],
  partial: ['indeterminate'],
  badusage: ['invalid'],
  unsigned: [],
  malformed: ['indeterminate'],
};

describe('edXML signature matrix', () => {
  it.each(XML_CASES)('%s', (name) => {
    const report = verify(name);
    expect(report.signatures.map((s) => s.verdict)).toEqual(EXPECTED[name]);
    expect(report.verdict).toBe(EXPECTED[name][0] ?? 'unsigned');
    expect(report.signatures.every((s) => s.layer === 'xml')).toBe(true);
  });

  it('names the signer from the KeyInfo certificate and explains failures', () => {
    expect(verify('valid').signatures[0].signer?.commonName).toBe('Nguyễn Văn An');
    expect(verify('tampered').signatures[0].reasons[0]).toMatch(/changed after signing/);
    expect(verify('partial').signatures[0].reasons[0]).toMatch(/does not cover the whole document/);
    expect(verify('sha1').signatures[0].reasons.join()).toMatch(/SHA-1/);
    expect(verify('malformed').signatures[0].reasons[0]).toMatch(/not well-formed XML/);
  });

  it('catches a change to the signature value itself', () => {
    const xml = readFileSync(fx.xml.valid, 'utf8').replace(/<SignatureValue>(.)/, (_, c: string) => `<SignatureValue>${c === 'A' ? 'B' : 'A'}`);
    const [sig] = verifyDocument(Buffer.from(xml), 'xml', { trust }).signatures;
    expect(sig.verdict).toBe('invalid');
  });

  it('verifies the envelope and attachments of an edXML package (MIME, parts named by Content-ID)', async () => {
    const pdf = readFileSync(fx.pdf.valid).toString('base64');
    const tampered = readFileSync(fx.xml.tampered, 'utf8');
    const pkg =
      'From: vanthu@lamdong.gov.vn\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="E"; type="text/xml"\r\n\r\n' +
      `--E\r\nContent-Type: text/xml; charset=utf-8\r\nContent-ID: <edxml-envelope>\r\n\r\n${tampered}\r\n` +
      `--E\r\nContent-Type: application/pdf\r\nContent-ID: <ct25>\r\nContent-Transfer-Encoding: base64\r\n\r\n${pdf}\r\n--E--\r\n`;
    const report = await verifyMessage(Buffer.from(pkg), { trust });
    expect(report.signatures.slice(4).map((s) => [s.layer, s.verdict, s.attachment])).toEqual([
      ['xml', 'invalid', 'edxml-envelope'],
      ['pdf', 'valid', 'ct25'],
    ]);
    expect(report.verdict).toBe('invalid');
  });

  it('verifies a .xml file by its extension', async () => {
    expect((await verifyFile(fx.xml.valid, { trust })).verdict).toBe('valid');
  });
});
