/**
 * PDF signatures against the fixture matrix, cross-checked with poppler's pdfsig on integrity,
 * and what changed after signing (DocMDP-style classification) cross-checked with pdfsig and
 * pdftotext on the file and on the signed revision vanthu extracts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { signedRevisions, verifyDocument, TrustStore, type SignatureReport } from '../gateway/trust/index.ts';
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

/** Expected [verdict, modifiedAfterSigning, changesAfterSigning] per signature, in file order. */
type Expected = [SignatureReport['verdict'], boolean, SignatureReport['changesAfterSigning']?];
const EXPECTED: Record<PdfCase, Expected[]> = {
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
  'twice-signed': [
    ['valid', true, 'permitted'],
    ['valid', false],
  ],
  'changed-byte': [['invalid', false]],
  incremental: [['invalid', true, 'forbidden']],
  'truncated-signature': [['invalid', false]],
  'lying-length': [['invalid', false]],
  'gap-too-wide': [['invalid', false]],
  'not-from-start': [['invalid', false]],
  placeholder: [['indeterminate', false]],
  unsigned: [],
  garbage: [['indeterminate', false]],
  hostile: [
    ['invalid', false],
    ['invalid', false],
    ['invalid', false],
  ],
  'page-replaced': [['invalid', true, 'forbidden']],
  'page-added': [['invalid', true, 'forbidden']],
  'page-removed': [['invalid', true, 'forbidden']],
  'font-replaced': [['invalid', true, 'forbidden']],
  'shadow-xref': [['invalid', true, 'forbidden']],
  'annotation-added': [['invalid', true, 'forbidden']],
  'open-action': [['invalid', true, 'forbidden']],
  'dss-added': [['valid', true, 'permitted']],
  'doc-timestamp-added': [
    ['valid', true, 'permitted'],
    ['valid', false],
  ],
  resaved: [['valid', true, 'permitted']],
  'certified-p1': [['valid', false]],
  'certified-p1-signed': [
    ['invalid', true, 'forbidden'],
    ['valid', false],
  ],
  'certified-p1-dss': [['valid', true, 'permitted']],
  'certified-p3-annotation': [['valid', true, 'permitted']],
  'certified-p2-annotation': [['invalid', true, 'forbidden']],
};

describe('PDF signature matrix', () => {
  it.each(PDF_CASES)('%s', (name) => {
    const report = verify(name);
    expect(report.signatures.map((s) => [s.verdict, s.modifiedAfterSigning, s.changesAfterSigning])).toEqual(
      EXPECTED[name].map(([v, m, c]) => [v, m, c ?? 'none']),
    );
    for (const s of report.signatures) {
      // A signature that does not cover the file names the revision it does cover, and every change.
      expect(s.signedRevision !== null).toBe(s.modifiedAfterSigning && s.changesAfterSigning !== 'none');
      expect(s.changes.length > 0).toBe(s.changesAfterSigning !== 'none');
    }
    expect(report.signatures.every((s) => s.layer === 'pdf' && s.attachment === null)).toBe(true);
    const expected = EXPECTED[name].map(([v]) => v);
    expect(report.verdict).toBe(expected.length ? SEVERITY.find((v) => expected.includes(v)) : 'unsigned');
  });

  it('reports the signer, the signing time and why a verdict is not valid', () => {
    const valid = verify('valid').signatures[0];
    expect(valid.signer).toEqual({
      commonName: 'Nguyễn Văn An',
      organization: 'Sở Thông tin và Truyền thông tỉnh Lâm Đồng',
      email: 'an@sotttt.lamdong.gov.vn',
    });
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
        // pdfsig -nocert does not look at the certificate, so key usage is one stricter verdict;
        // the other is a forbidden change after signing, which pdfsig does not judge.
        expect(s.verdict !== 'invalid' || s.reasons.some((r) => r.includes('key usage')) || s.changesAfterSigning === 'forbidden').toBe(true);
      } else if (/Digest Mismatch|Invalid|Failure/.test(p.validation)) {
        expect(s.verdict).toBe('invalid');
      } else {
        // "not yet verified": pdfsig could not check it (lying range, placeholder, document time-stamp)
        expect(s.verdict === 'valid' ? s.reasons[0].includes('document time-stamp') : true).toBe(true);
      }
      if (p.total === false) expect(s.modifiedAfterSigning || s.verdict === 'invalid').toBe(true);
      if (p.total === true && s.modifiedAfterSigning) throw new Error(`${name}: pdfsig says the whole file is signed`);
    });
  });
});

const pdftotext = async (file: string, page?: number) =>
  (await promisify(execFile)('pdftotext', [...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'])).stdout.replace(/\s+/g, ' ');

describe('changes after signing (DocMDP / PAdES)', () => {
  const changes = (name: PdfCase, i = 0) => verify(name).signatures[i].changes;

  it('names each forbidden change in Vietnamese and English', () => {
    expect(changes('page-replaced')).toEqual([{ permitted: false, vi: 'trang 2 bị thay thế', en: 'page 2 was replaced' }]);
    expect(changes('incremental')).toEqual([{ permitted: false, vi: 'nội dung trang 1 bị thay đổi', en: 'the content of page 1 was changed' }]);
    expect(changes('page-added')[0]).toMatchObject({ permitted: false, vi: 'thêm 1 trang (từ 2 thành 3 trang)' });
    expect(changes('page-removed')[0]).toMatchObject({ permitted: false, vi: 'bớt 1 trang (từ 2 còn 1 trang)' });
    expect(changes('font-replaced')[0]).toMatchObject({ permitted: false, en: 'the resources (fonts, images) of page 1 were changed' });
    expect(changes('open-action')[0]).toMatchObject({ permitted: false, en: 'the document catalog entry /OpenAction was added' });
    // An annotation painted over the number: vanthu's default without a certification is P=2.
    expect(changes('annotation-added')[0]).toMatchObject({ permitted: false, en: expect.stringMatching(/FreeText annotation was added on page 1 .*P ≥ 3/) });
    expect(changes('certified-p2-annotation')[0]).toMatchObject({ permitted: false });
    expect(changes('certified-p1-signed')[0]).toMatchObject({ permitted: false, en: expect.stringMatching(/later signature was added .*P ≥ 2/) });
    expect(verify('page-replaced').signatures[0].reasons[0]).toMatch(/changed after signing in ways the signature does not allow: page 2 was replaced/);
    expect(verify('certified-p1-signed').signatures[0].reasons[0]).toMatch(/DocMDP P=1/);
  });

  it('allows later signatures, time-stamps, validation data and, where DocMDP P=3, annotations', () => {
    expect(changes('twice-signed')).toEqual([
      { permitted: true, vi: 'thêm chữ ký số sau (trường “Signature2”)', en: 'a later signature was added (field “Signature2”)' },
    ]);
    expect(changes('doc-timestamp-added')[0]).toMatchObject({ permitted: true, en: 'a document time-stamp was added' });
    expect(changes('dss-added')[0]).toMatchObject({ permitted: true, en: 'validation data (DSS) was added or updated' });
    expect(changes('certified-p1-dss')[0]).toMatchObject({ permitted: true });
    expect(changes('certified-p3-annotation')[0]).toMatchObject({ permitted: true, en: 'a /Text annotation was added on page 1' });
    expect(changes('resaved')[0]).toMatchObject({ permitted: true, en: expect.stringMatching(/change nothing/) });
  });

  it('the changes are real: poppler renders what was added after signing', async () => {
    expect(await pdftotext(fx.pdf['page-replaced'], 2)).toContain('da bi thay');
    expect(await pdftotext(fx.pdf['shadow-xref'])).toContain('99/CT-UBND'); // no new object, only an xref entry
    expect(await pdftotext(fx.pdf['page-added'])).toContain('PHU LUC');
  });

  it('extracts the signed revision: what the signer signed, fully covered and valid for pdfsig too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vanthu-revision-'));
    for (const name of ['page-replaced', 'shadow-xref', 'twice-signed', 'certified-p1-signed'] as const) {
      const bytes = readFileSync(fx.pdf[name]);
      const [rev, ...more] = signedRevisions(bytes);
      expect(more).toEqual([]); // the last signature of each covers its whole file
      const report = verifyDocument(bytes, 'pdf', { trust }).signatures[0];
      expect(report.signedRevision).toEqual({ length: rev.length, sha256: rev.sha256 });
      const file = join(dir, `${name}.pdf`);
      writeFileSync(file, rev.bytes);
      const mine = verifyDocument(rev.bytes, 'pdf', { trust }).signatures[0];
      expect([mine.verdict, mine.modifiedAfterSigning, mine.changesAfterSigning]).toEqual(['valid', false, 'none']);
      const theirs = await pdfsig(file);
      expect(theirs).toEqual([{ validation: 'Signature is Valid.', total: true }]);
    }
    const original = join(dir, 'page-replaced.pdf');
    expect(await pdftotext(original, 2)).toContain('Noi nhan: So TTTT');
    expect(await pdftotext(original, 2)).not.toContain('da bi thay');
    expect(await pdftotext(join(dir, 'shadow-xref.pdf'))).toContain('So: 25/CT-UBND');
    expect(signedRevisions(readFileSync(fx.pdf.valid))).toEqual([]);
  });
});
