import { execFileSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { checkSigners, parseSignedData, CmsError } from './cms.ts';
import { signatureScheme } from './algorithms.ts';
import { match, parseDer, timeOf, Type } from './der.ts';

describe('CMS parsing of hostile input', () => {
  it('rejects garbage, truncation and non-SignedData with CmsError', () => {
    expect(() => parseSignedData(Buffer.from('not der at all'))).toThrow(CmsError);
    expect(() => parseSignedData(Buffer.from('3082ffff3003', 'hex'))).toThrow(CmsError);
    // ContentInfo { id-data, [0] OCTET STRING "x" }: valid DER, wrong content type
    const data = Buffer.from('3012' + '06092a864886f70d010701' + 'a005' + '040378797a', 'hex');
    expect(() => parseSignedData(data)).toThrow(/not SignedData/);
    expect(() => parseSignedData(Buffer.alloc(0))).toThrow(CmsError);
  });

  it('rejects SignedData whose [0] EXPLICIT content is empty with CmsError, not a TypeError', () => {
    // ContentInfo { id-signedData, [0] {} }
    const empty = Buffer.from('300d' + '06092a864886f70d010702' + 'a000', 'hex');
    expect(() => parseSignedData(empty)).toThrow(CmsError);
    expect(match(undefined, { name: 'x' })).toBeNull();
  });

  it('reads an impossible time as no time (not an Invalid Date that toISOString throws on)', () => {
    expect(timeOf(parseDer(Buffer.from('170d' + Buffer.from('ab1123020000Z').toString('hex'), 'hex')))).toBeNull();
    expect(timeOf({ tagClass: 0, type: Type.GENERALIZEDTIME, constructed: false, composed: false, value: '2026ab23020000Z' } as never)).toBeNull();
    expect(timeOf(parseDer(Buffer.from('170d' + Buffer.from('261123020000Z').toString('hex'), 'hex')))?.toISOString()).toBe('2026-11-23T02:00:00.000Z');
  });

  it('refuses deep nesting without blowing the stack', () => {
    const deep = Buffer.concat([Buffer.from('3080'.repeat(5000), 'hex'), Buffer.alloc(10000)]);
    expect(() => parseSignedData(deep)).toThrow(CmsError);
  });
});

describe('signature algorithms', () => {
  const alg = (hex: string) => {
    const node = parseDer(Buffer.from(hex, 'hex'));
    const [oid, params] = node.value as ReturnType<typeof parseDer>[];
    return { oid: forge.asn1.derToOid(oid.value as string), params: params ?? null };
  };

  it('maps RSA, RSA-PSS and ECDSA identifiers, and says why others are not supported', () => {
    expect(signatureScheme({ oid: '1.2.840.113549.1.1.11', params: null }, null)).toEqual({ kind: 'rsa-pkcs1', hash: 'sha256' });
    expect(signatureScheme({ oid: '1.2.840.10045.4.3.2', params: null }, null)).toEqual({ kind: 'ecdsa', hash: 'sha256' });
    expect(signatureScheme({ oid: '1.2.840.113549.1.1.1', params: null }, 'sha384')).toEqual({ kind: 'rsa-pkcs1', hash: 'sha384' });
    expect(signatureScheme({ oid: '1.2.840.113549.1.1.1', params: null }, null)).toMatch(/unsupported/);
    expect(signatureScheme({ oid: '1.2.3.4', params: null }, 'sha256')).toMatch(/unsupported signature algorithm 1\.2\.3\.4/);
    // RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32
    const pss = alg(
      '3041' +
        '06092a864886f70d01010a' +
        '3034' +
        'a00f300d06096086480165030402010500' +
        'a11c301a06092a864886f70d010108300d06096086480165030402010500' +
        'a203020120',
    );
    expect(signatureScheme(pss, null)).toEqual({ kind: 'rsa-pss', hash: 'sha256', saltLength: 32 });
  });
});

describe('ESS signing-certificate-v2 (CAdES, PAdES)', () => {
  it('accepts the attribute when it names the signer certificate and finds a changed certificate hash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vanthu-ess-'));
    try {
      const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      openssl([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'k.pem',
        '-out',
        'c.pem',
        '-subj',
        '/CN=Văn thư',
        '-utf8',
        '-days',
        '2',
      ]);
      const content = Buffer.from('nội dung được ký');
      writeFileSync(join(dir, 'data'), content);
      // OpenSSL's -cades adds signing-certificate-v2 (an independent encoder).
      openssl([
        'cms',
        '-sign',
        '-cades',
        '-binary',
        '-md',
        'sha256',
        '-in',
        'data',
        '-signer',
        'c.pem',
        '-inkey',
        'k.pem',
        '-outform',
        'DER',
        '-out',
        'sig.der',
      ]);
      const der = readFileSync(join(dir, 'sig.der'));
      const [ok] = checkSigners(parseSignedData(der), [content]);
      expect(ok.signingCertificate).toBe('v2');
      expect(ok.findings.filter((f) => f.verdict !== 'valid')).toEqual([]);

      const certHash = createHash('sha256')
        .update(new X509Certificate(readFileSync(join(dir, 'c.pem'))).raw)
        .digest();
      const at = der.indexOf(certHash);
      expect(at).toBeGreaterThan(0);
      const changed = Buffer.from(der);
      changed[at] ^= 0xff;
      const [bad] = checkSigners(parseSignedData(changed), [content]);
      const reasons = bad.findings.map((f) => `${f.verdict}: ${f.reason}`);
      expect(reasons).toContainEqual(
        expect.stringMatching(/^invalid: the signing-certificate-v2 signed attribute names another certificate than the signer's/),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
