/**
 * PDF signatures against the fixture matrix, cross-checked with poppler's pdfsig on integrity.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyDocument, TrustStore, type SignatureReport } from '../gateway/trust/index.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { fixtureStore } from './fixtures/trust/store.ts';
import { PDF_CASES, type PdfCase } from './fixtures/trust/pdf.ts';

let fx: Fixtures;
let trust: TrustStore;
beforeAll(async () => {
  fx = await ensureFixtures();
  trust = await fixtureStore(fx);
});

const verify = (name: PdfCase) => verifyDocument(readFileSync(fx.pdf[name]), 'pdf', { trust });

const SEVERITY = ['invalid', 'revoked', 'expired', 'untrusted', 'indeterminate', 'valid'] as const;

/** Expected [verdict, modifiedAfterSigning] per signature, in file order. */
const EXPECTED: Record<PdfCase, Array<[SignatureReport['verdict'], boolean]>> = {
  valid: [['valid', false]],
  ecdsa: [['valid', false]],
  pss: [['valid', false]],
  sha1: [['indeterminate', false]],
  expired: [['expired', false]],
  revoked: [['revoked', false]],
  untrusted: [['untrusted', false]],
  badusage: [['invalid', false]],
  timestamped: [['valid', false]],
  'timestamp-mismatch': [['valid', false]],
  'doc-timestamp': [['valid', false]],
  'twice-signed': [['valid', true], ['valid', false]],
  'changed-byte': [['invalid', false]],
  incremental: [['valid', true]],
  'truncated-signature': [['invalid', false]],
  'lying-length': [['invalid', false]],
  'gap-too-wide': [['invalid', false]],
  'not-from-start': [['invalid', false]],
  placeholder: [['indeterminate', false]],
  unsigned: [],
  garbage: [['indeterminate', false]],
  hostile: [['invalid', false], ['invalid', false], ['invalid', false]],
};

describe('PDF signature matrix', () => {
  it.each(PDF_CASES)('%s', (name) => {
    const report = verify(name);
    expect(report.signatures.map((s) => [s.verdict, s.modifiedAfterSigning])).toEqual(EXPECTED[name]);
    expect(report.signatures.every((s) => s.layer === 'pdf' && s.attachment === null)).toBe(true);
    const expected = EXPECTED[name].map(([v]) => v);
    expect(report.verdict).toBe(expected.length ? SEVERITY.find((v) => expected.includes(v)) : 'unsigned');
  });

  it('reports the signer, the signing time and why a verdict is not valid', () => {
    const valid = verify('valid').signatures[0];
    expect(valid.signer).toEqual({ commonName: 'Nguyễn Văn An', organization: 'Sở Thông tin và Truyền thông tỉnh Lâm Đồng', email: 'an@sotttt.lamdong.gov.vn' });
    expect(Date.parse(valid.signedAt!)).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(verify('changed-byte').signatures[0].reasons.join()).toMatch(/content digest mismatch/);
    expect(verify('expired').signatures[0].reasons.join()).toMatch(/not valid at signing time/);
    expect(verify('revoked').signatures[0].reasons.join()).toMatch(/was revoked on/);
    expect(verify('untrusted').signatures[0].reasons.join()).toMatch(/does not chain to a configured trust anchor/);
    expect(verify('sha1').signatures[0].reasons.join()).toMatch(/SHA-1/);
    expect(verify('badusage').signatures[0].reasons.join()).toMatch(/key usage/);
    expect(verify('lying-length').signatures[0].reasons.join()).toMatch(/claims \d+ bytes but the file has only/);
    expect(verify('incremental').signatures[0].reasons.join()).toMatch(/added after the signed revision/);
  });

  it('takes the signing time from a verified RFC 3161 time-stamp, and ignores one that does not match', () => {
    const stamped = verify('timestamped').signatures[0];
    expect(stamped.reasons.join()).toMatch(/time from RFC 3161 time-stamp by CN=vanthu Test TSA/);
    expect(stamped.signedAt).not.toBeNull();
    expect(verify('timestamp-mismatch').signatures[0].reasons.join()).toMatch(/time-stamp imprint does not match/);
    const doc = verify('doc-timestamp').signatures[0];
    expect(doc.signer?.commonName).toBe('vanthu Test TSA');
    expect(doc.reasons[0]).toMatch(/document time-stamp/);
  });

  it('needs the CRL to see a revocation, and the anchor to trust anyone', async () => {
    const noCrl = await fixtureStore(fx, { crl: false });
    expect(verifyDocument(readFileSync(fx.pdf.revoked), 'pdf', { trust: noCrl }).verdict).toBe('valid');
    expect(verifyDocument(readFileSync(fx.pdf.valid), 'pdf', { trust: TrustStore.empty() }).verdict).toBe('untrusted');
  });
});

interface PdfsigSignature {
  validation: string;
  total: boolean | null;
}

async function pdfsig(file: string): Promise<PdfsigSignature[] | 'none' | 'unparseable'> {
  const { stdout, stderr } = await promisify(execFile)('pdfsig', ['-nocert', file]).catch((err) => err as { stdout: string; stderr: string });
  if (/does not contain any signatures/.test(stdout + stderr)) return 'none';
  const blocks = stdout.split(/^Signature #\d+:$/m).slice(1);
  if (blocks.length === 0) return 'unparseable';
  return blocks.map((b) => ({
    validation: /Signature Validation: (.*)$/m.exec(b)?.[1] ?? '',
    total: /Not total document signed/.test(b) ? false : /Total document signed/.test(b) ? true : null,
  }));
}

describe('agreement with poppler pdfsig on integrity', () => {
  it.each(PDF_CASES)('%s', async (name) => {
    const ours = verify(name).signatures;
    const theirs = await pdfsig(fx.pdf[name]);
    if (theirs === 'none') return expect(ours).toEqual([]);
    if (theirs === 'unparseable') return expect(ours.every((s) => s.verdict === 'invalid' || s.verdict === 'indeterminate')).toBe(true);
    expect(ours).toHaveLength(theirs.length);
    theirs.forEach((p, i) => {
      const s = ours[i];
      if (p.validation === 'Signature is Valid.') {
        // pdfsig -nocert does not look at the certificate, so key usage is the one stricter verdict.
        expect(s.verdict !== 'invalid' || s.reasons.some((r) => r.includes('key usage'))).toBe(true);
      } else if (/Digest Mismatch|Invalid|Failure/.test(p.validation)) {
        expect(s.verdict).toBe('invalid');
      } else {
        // "not yet verified": pdfsig could not check it (lying range, placeholder, document time-stamp)
        expect(s.verdict === 'valid' ? name === 'doc-timestamp' : true).toBe(true);
      }
      if (p.total === false) expect(s.modifiedAfterSigning || s.verdict === 'invalid').toBe(true);
      if (p.total === true && s.modifiedAfterSigning) throw new Error(`${name}: pdfsig says the whole file is signed`);
    });
  });
});
