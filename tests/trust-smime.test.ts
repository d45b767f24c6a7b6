/**
 * S/MIME (detached and opaque) against the fixture matrix, cross-checked with `openssl cms -verify`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyMessage, type SignatureReport, type TrustStore } from '../gateway/trust/index.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { fixtureStore } from './fixtures/trust/store.ts';
import { SMIME_CASES, type SmimeCase } from './fixtures/trust/smime.ts';

let fx: Fixtures;
let trust: TrustStore;
beforeAll(async () => {
  fx = await ensureFixtures();
  trust = await fixtureStore(fx);
});

async function verify(name: SmimeCase) {
  return verifyMessage(readFileSync(fx.smime[name]), { trust });
}

const documentLayers = (signatures: SignatureReport[]) => signatures.filter((s) => ['smime', 'pdf', 'xml'].includes(s.layer));

const EXPECTED: Record<SmimeCase, Array<[SignatureReport['layer'], SignatureReport['verdict']]>> = {
  detached: [['smime', 'valid']],
  'detached-lf': [['smime', 'valid']],
  opaque: [['smime', 'valid']],
  ecdsa: [['smime', 'valid']],
  pss: [['smime', 'valid']],
  sha1: [['smime', 'indeterminate']],
  expired: [['smime', 'expired']],
  revoked: [['smime', 'revoked']],
  untrusted: [['smime', 'untrusted']],
  badusage: [['smime', 'invalid']],
  'tampered-detached': [['smime', 'invalid']],
  'tampered-opaque': [['smime', 'invalid']],
  'broken-cms': [['smime', 'invalid']],
  encrypted: [['smime', 'indeterminate']],
  unsigned: [],
  'with-attachments': [
    ['smime', 'valid'],
    ['pdf', 'valid'],
    ['xml', 'valid'],
  ],
};

describe('S/MIME matrix', () => {
  it.each(SMIME_CASES)('%s', async (name) => {
    const report = await verify(name);
    expect(documentLayers(report.signatures).map((s) => [s.layer, s.verdict])).toEqual(EXPECTED[name]);
    // mail-authentication layers are always there, and without --dns they never claim anything
    expect(report.signatures.slice(0, 4).map((s) => s.layer)).toEqual(['dkim', 'spf', 'dmarc', 'arc']);
    expect(report.signatures.slice(0, 4).every((s) => s.verdict === 'indeterminate')).toBe(true);
  });

  it('names the signer and the signing time, and the attachments inside the signed part', async () => {
    const [smime, pdf, xml] = documentLayers((await verify('with-attachments')).signatures);
    expect(smime.signer).toEqual({
      commonName: 'Nguyễn Văn An',
      organization: 'Sở Thông tin và Truyền thông tỉnh Lâm Đồng',
      email: 'an@sotttt.lamdong.gov.vn',
    });
    expect(smime.signedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect([pdf.attachment, xml.attachment]).toEqual(['valid.pdf', 'valid.xml']);
    expect((await verify('ecdsa')).signatures[4].signer?.commonName).toBe('Trần Thị Bình');
  });

  it('explains non-valid verdicts', async () => {
    const reason = async (name: SmimeCase) => documentLayers((await verify(name)).signatures)[0].reasons.join(' | ');
    expect(await reason('tampered-detached')).toMatch(/content digest mismatch/);
    expect(await reason('tampered-opaque')).toMatch(/content digest mismatch/);
    expect(await reason('sha1')).toMatch(/SHA-1/);
    expect(await reason('encrypted')).toMatch(/encrypted/);
    expect(await reason('broken-cms')).toMatch(/not a readable CMS signature/);
  });

  it('checks the certificate at signing time: an expired signer is fine for a signature made back then', async () => {
    const report = await verifyMessage(readFileSync(fx.smime.detached), { trust, now: new Date('2040-01-01T00:00:00Z') });
    const smime = documentLayers(report.signatures)[0];
    expect(smime.verdict).toBe('valid');
    expect(smime.reasons.join()).toMatch(/has expired since/);
  });
});

const run = promisify(execFile);
async function opensslVerifies(file: string, args: string[]): Promise<boolean> {
  return run('openssl', ['cms', '-verify', '-in', file, ...args]).then(
    () => true,
    () => false,
  );
}

describe('agreement with openssl cms -verify', () => {
  // openssl cms has no -CRLfile: the CRL goes into the CA file
  let caWithCrl: string;
  beforeAll(() => {
    caWithCrl = join(mkdtempSync(join(tmpdir(), 'vanthu-cms-')), 'ca-crl.pem');
    writeFileSync(caWithCrl, Buffer.concat([readFileSync(fx.pki.root), readFileSync(fx.pki.crl)]));
  });
  const cases = SMIME_CASES.filter((c) => c !== 'unsigned' && c !== 'encrypted');

  it.each(cases)('%s: integrity (signature and digest, no chain)', async (name) => {
    const ours = documentLayers((await verify(name)).signatures)[0];
    const theirs = await opensslVerifies(fx.smime[name], ['-noverify']);
    // openssl -noverify ignores the certificate, so key usage is the one stricter verdict
    const certificateOnly = ours.reasons.every((r) => r.includes('key usage') || !/digest|signature value|readable/.test(r));
    expect(ours.verdict !== 'invalid' || certificateOnly).toBe(theirs);
  });

  it.each(cases)('%s: trust (chain to the root, CRL, S/MIME purpose)', async (name) => {
    const ours = documentLayers((await verify(name)).signatures)[0];
    const theirs = await opensslVerifies(fx.smime[name], ['-CAfile', caWithCrl, '-crl_check']);
    // SHA-1 is the deliberate difference: openssl still accepts it, vanthu says indeterminate
    expect(ours.verdict === 'valid' || name === 'sha1').toBe(theirs);
  });
});
