/**
 * The unit's signature on an issued document is PAdES baseline (docs/issuance.md): SubFilter
 * ETSI.CAdES.detached, the ESS signing-certificate-v2 signed attribute naming the unit's
 * certificate, no signing-time (the time is the dictionary's /M), and a signature time-stamp with a
 * TSA (B-T). RSA and EC (P-256) unit keys both sign; pdfsig, `openssl cms` and vanthu's own verifier
 * (gateway/trust/pdf.ts, cms.ts) check what is written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDocument, IssueError, loadIssueKey, loadIssueKeys, type IssueKey } from '../gateway/outgoing/issue/issue.ts';
import { cadesDetached } from '../gateway/outgoing/issue/pades.ts';
import { checkSigners, parseSignedData } from '../gateway/trust/cms.ts';
import { verifyDocument, type TrustStore } from '../gateway/trust/index.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { fixtureStore } from './fixtures/trust/store.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { startTestTsa, type TestTsa } from './fixtures/issue/tsa.ts';

let fx: Fixtures;
let trust: TrustStore;
let dir: string;
let seal: Buffer;
let tsa: TestTsa;

beforeAll(async () => {
  fx = await ensureFixtures();
  trust = await fixtureStore(fx);
  dir = mkdtempSync(join(tmpdir(), 'vanthu-pades-'));
  seal = await sealPng();
  tsa = await startTestTsa(fx, dir);
}, 120_000);

afterAll(() => {
  tsa?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The signing time, whole seconds (a PDF date has no fractions); the test certificates are new, so "now". */
const AT = new Date(Math.floor(Date.now() / 1000) * 1000);
const pdfDate = `D:${AT.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

async function issue(key: IssueKey, tsa?: string) {
  return issueDocument(await leaderPdf(fx.pki.signer.p12), {
    tsa,
    notation: '125/UBND-VP',
    issuedDate: '2026-03-05',
    place: 'Lâm Đồng',
    unitName: 'Ủy ban nhân dân tỉnh Lâm Đồng',
    key,
    seal,
    now: AT,
  });
}

/** stdout and stderr of a tool (pdfsig exits non-zero when a signature is not valid; openssl reports on stderr). */
function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The last signature of `pdf`: its dictionary text, the CMS (DER, without /Contents padding) and the signed bytes. */
function lastSignature(pdf: Buffer): { dict: string; cms: Buffer; signed: Buffer } {
  const text = pdf.toString('latin1');
  const at = text.lastIndexOf('/ByteRange');
  const [a, b, c, d] = /\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(at))!.slice(1).map(Number);
  const hex = Buffer.from(text.slice(b + 1, c - 1), 'hex');
  // 30 82 hh ll: a SEQUENCE with a two-byte length.
  expect(hex.subarray(0, 2).toString('hex')).toBe('3082');
  const cms = hex.subarray(0, 4 + hex.readUInt16BE(2));
  const from = text.lastIndexOf(' obj', at);
  return { dict: text.slice(from, text.indexOf('endobj', c)), cms, signed: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]) };
}

/** `openssl cms -cmsout -print` of the unit's CMS. */
function printed(cms: Buffer): string {
  const file = join(dir, `cms-${createHash('sha256').update(cms).digest('hex').slice(0, 8)}.der`);
  writeFileSync(file, cms);
  return run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file]).out;
}

/** The signed attributes' section of the printout (up to the signature algorithm). */
function signedAttrs(print: string): string {
  return print.slice(print.indexOf('signedAttrs:'), print.indexOf('signatureAlgorithm:', print.indexOf('signedAttrs:')));
}

function certSha256(pem: string): string {
  return createHash('sha256')
    .update(new X509Certificate(readFileSync(pem)).raw)
    .digest('hex');
}

describe('PAdES baseline signature of the unit', () => {
  it('loads RSA and EC (P-256) unit keys from PKCS#12, certificate bytes as issued', () => {
    const rsa = loadIssueKey(fx.pki.pss.p12, '');
    expect(rsa.privateKey.asymmetricKeyType).toBe('rsa');
    expect(rsa.certificate.equals(new X509Certificate(readFileSync(fx.pki.pss.cert)).raw)).toBe(true);
    expect(rsa.chain.map((c) => new X509Certificate(c).subject)).toEqual([new X509Certificate(readFileSync(fx.pki.intermediate)).subject]);
    const ec = loadIssueKey(fx.pki.ecdsa.p12, '');
    expect(ec.privateKey.asymmetricKeyType).toBe('ec');
    expect(ec.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(ec.certificate.equals(new X509Certificate(readFileSync(fx.pki.ecdsa.cert)).raw)).toBe(true);
    expect(() => loadIssueKey(fx.pki.ecdsa.p12, 'wrong')).toThrow(IssueError);
    // OpenSSL 3's default PKCS#12 (AES-256-CBC, PBKDF2, SHA-256 MAC) loads as well.
    const aes = join(dir, 'aes.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', fx.pki.ecdsa.key, '-in', fx.pki.ecdsa.cert, '-out', aes, '-passout', 'pass:x']);
    expect(loadIssueKey(aes, 'x').certificate.equals(ec.certificate)).toBe(true);
  });

  it('keeps issuer names as issued (UTF-8, Vietnamese) in the signer identifier and signing-certificate-v2; loadIssueKeys takes an EC key', async () => {
    const ca = join(dir, 'vn');
    const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const subject = '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Ủy ban nhân dân tỉnh Lâm Đồng';
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
      '-subj',
      subject,
      '-utf8',
      '-days',
      '30',
    ]);
    openssl([
      'pkcs12',
      '-export',
      '-inkey',
      `${ca}.key`,
      '-in',
      `${ca}.pem`,
      '-out',
      `${ca}.p12`,
      '-passout',
      'pass:bí mật',
      '-keypbe',
      'PBE-SHA1-3DES',
      '-certpbe',
      'PBE-SHA1-3DES',
      '-macalg',
      'sha1',
    ]);
    const key = loadIssueKey(`${ca}.p12`, 'bí mật');
    const content = Buffer.from('văn bản');
    const [check] = checkSigners(parseSignedData(await cadesDetached(content, key)), [content]);
    expect(check.certificate?.label).toMatch(/Ủy ban nhân dân tỉnh Lâm Đồng/);
    expect(check.signingCertificate).toBe('v2');
    expect(check.findings.filter((f) => f.verdict !== 'valid')).toEqual([]);

    writeFileSync(`${ca}.png`, seal);
    process.env.VANTHU_TEST_PADES_PW = 'bí mật';
    const keys = loadIssueKeys({
      codeSuffix: 'UBND-VP',
      issue: { place: 'Lâm Đồng', pkcs12: `${ca}.p12`, passwordEnv: 'VANTHU_TEST_PADES_PW', seal: `${ca}.png`, sealMm: 38 },
    } as Parameters<typeof loadIssueKeys>[0]);
    expect(keys.key.algorithm).toEqual({ name: 'ECDSA', namedCurve: 'P-256' });
  });

  it('RSA: ETSI.CAdES.detached with signing-certificate-v2 (SHA-256 of the unit certificate, issuerSerial) and no signing-time', async () => {
    const out = await issue(loadIssueKey(fx.pki.pss.p12, ''));
    const file = join(dir, 'rsa.pdf');
    writeFileSync(file, out.pdf);
    const { dict, cms } = lastSignature(out.pdf);
    expect(dict).toMatch(/\/SubFilter\s*\/ETSI\.CAdES\.detached/);
    expect(dict).toContain(`/M (${pdfDate}`);

    const print = printed(cms);
    const attrs = signedAttrs(print);
    expect(attrs).toMatch(/object: contentType \(1\.2\.840\.113549\.1\.9\.3\)/);
    expect(attrs).toMatch(/object: messageDigest \(1\.2\.840\.113549\.1\.9\.4\)/);
    expect(attrs).toMatch(/object: id-smime-aa-signingCertificateV2 \(1\.2\.840\.113549\.1\.9\.16\.2\.47\)/);
    expect(attrs).not.toMatch(/signingTime|1\.2\.840\.113549\.1\.9\.5\)/);
    // The ESSCertIDv2's hash is the SHA-256 of the unit's certificate, and its issuerSerial names it.
    expect(parseSignedData(cms).signerInfos).toHaveLength(1);
    expect(essCertId(cms)).toEqual({
      hash: certSha256(fx.pki.pss.cert),
      serial: new X509Certificate(readFileSync(fx.pki.pss.cert)).serialNumber.toLowerCase(),
    });
    expect(print).toMatch(/algorithm: sha256WithRSAEncryption|algorithm: rsaEncryption/);

    const sig = run('pdfsig', [file]).out;
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(sig).toMatch(/Signature Type: ETSI\.CAdES\.detached/);
    const reports = verifyDocument(out.pdf, 'pdf', { trust }).signatures;
    expect(reports.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    // No signing-time attribute: the time the verifier reports is /M.
    expect(reports[1].signedAt).toBe(AT.toISOString());
  }, 60_000);

  it('EC P-256: the unit signs with ECDSA/SHA-256, pdfsig and the verifier say valid, openssl cms -verify -cades too', async () => {
    const key = loadIssueKey(fx.pki.ecdsa.p12, '');
    const out = await issue(key);
    const file = join(dir, 'ec.pdf');
    writeFileSync(file, out.pdf);
    const { cms, signed } = lastSignature(out.pdf);
    const print = printed(cms);
    expect(print).toMatch(/algorithm: ecdsa-with-SHA256/);
    expect(signedAttrs(print)).toMatch(/id-smime-aa-signingCertificateV2/);
    expect(signedAttrs(print)).not.toMatch(/signingTime/);
    expect(essCertId(cms).hash).toBe(certSha256(fx.pki.ecdsa.cert));

    const sig = run('pdfsig', [file]).out;
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(sig).toMatch(/Signature Type: ETSI\.CAdES\.detached/);
    const reports = verifyDocument(out.pdf, 'pdf', { trust }).signatures;
    expect(reports.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    expect(reports[0].changesAfterSigning).toBe('permitted');
    expect(JSON.stringify(reports[1].signer)).toMatch(/Trần Thị Bình/);

    // OpenSSL checks the signature, the chain and (with -cades) the ESS signing certificate.
    const content = join(dir, 'ec.signed');
    const der = join(dir, 'ec.p7s');
    writeFileSync(content, signed);
    writeFileSync(der, cms);
    const verified = run('openssl', [
      'cms',
      '-verify',
      '-cades',
      '-binary',
      '-inform',
      'DER',
      '-in',
      der,
      '-content',
      content,
      '-CAfile',
      fx.pki.root,
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);
    expect(verified.out).toMatch(/Verification successful/);
    expect(verified.ok).toBe(true);
  }, 60_000);

  it('EC and RSA with a TSA: the signature time-stamp makes B-T, and both verify', async () => {
    for (const [name, p12] of [
      ['ec', fx.pki.ecdsa.p12],
      ['rsa', fx.pki.pss.p12],
    ] as const) {
      const before = tsa.asked();
      const out = await issue(loadIssueKey(p12, ''), tsa.url);
      expect(tsa.asked()).toBe(before + 1);
      const file = join(dir, `${name}-stamped.pdf`);
      writeFileSync(file, out.pdf);
      const print = printed(lastSignature(out.pdf).cms);
      expect(print).toMatch(/unsignedAttrs:\s*\n\s*object: id-smime-aa-timeStampToken \(1\.2\.840\.113549\.1\.9\.16\.2\.14\)/);
      expect(signedAttrs(print)).not.toMatch(/signingTime/);
      const reports = verifyDocument(out.pdf, 'pdf', { trust }).signatures;
      expect(reports.map((s) => s.verdict)).toEqual(['valid', 'valid']);
      expect(reports[1].reasons.join()).toMatch(/time from RFC 3161 time-stamp by CN=vanthu Test TSA/);
      expect(run('pdfsig', [file]).out.match(/Signature is Valid\./g)).toHaveLength(2);
    }
  }, 90_000);

  it("the verifier rejects a signing-certificate-v2 that names another certificate than the signer's", async () => {
    const key = loadIssueKey(fx.pki.ecdsa.p12, '');
    const content = Buffer.from('nội dung được ký');
    const good = await cadesDetached(content, key);
    const [ok] = checkSigners(parseSignedData(good), [content]);
    expect(ok.findings.filter((f) => f.verdict !== 'valid')).toEqual([]);
    expect(ok.signingCertificate).toBe('v2');
    // The same key, but the attribute names the RSA unit's certificate: a substituted certificate.
    const other = loadIssueKey(fx.pki.pss.p12, '');
    const forged = await cadesDetached(content, key, { essCertificate: other.certificate });
    const [bad] = checkSigners(parseSignedData(forged), [content]);
    expect(bad.findings.map((f) => `${f.verdict}: ${f.reason}`).join('\n')).toMatch(/invalid: .*signing-certificate-v2/);
  }, 60_000);
});

/** The first ESSCertIDv2 of the signed attributes: certHash and issuerSerial's serial, hex. */
function essCertId(cms: Buffer): { hash: string; serial: string } {
  const print = signedAttrs(printed(cms));
  const at = print.indexOf('id-smime-aa-signingCertificateV2');
  const section = print.slice(at, print.indexOf('object:', at + 10) > 0 ? print.indexOf('object:', at + 10) : undefined);
  // openssl prints the attribute value as a DER dump; find the OCTET STRING of 32 bytes and the serial.
  const hash = /OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]{64})/.exec(section)?.[1]?.toLowerCase() ?? '';
  const serial = /INTEGER\s+:([0-9A-F]+)/.exec(section)?.[1]?.toLowerCase() ?? '';
  return { hash, serial };
}
