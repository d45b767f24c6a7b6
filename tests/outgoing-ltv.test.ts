/**
 * Long-term validation of an issued document (PAdES B-LT / B-LTA, docs/issuance.md and
 * docs/security-signatures.md): after the unit signs, a DSS with the certificates and the CRLs
 * (`openssl ca -gencrl`) or OCSP answers (`openssl ocsp` as a server) of every signature is added in an
 * incremental update. vanthu's verifier then validates both signatures from the file alone — no
 * configured CRL, no network — at the time of the time-stamp, eleven years later when every
 * certificate has expired; pdfsig still says every signature is valid.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outgoingConfigSchema } from '../gateway/config/outgoing.ts';
import { issueDocument, loadIssueKey, loadIssueKeys, type IssueInput } from '../gateway/outgoing/issue/issue.ts';
import { IncrementalUpdate } from '../gateway/outgoing/issue/incremental.ts';
import { addValidationData } from '../gateway/outgoing/issue/ltv.ts';
import { loadTrustStore, verifyDocument, type SignatureReport, type TrustStore } from '../gateway/trust/index.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { makeLtvPki, startOcspResponder, type LtvPki } from './fixtures/issue/ltv-pki.ts';
import { Ca } from './fixtures/trust/pki.ts';
import { startTestTsa, type TestTsa } from './fixtures/issue/tsa.ts';

let dir: string;
let pki: LtvPki;
let tsa: TestTsa;
let seal: Buffer;
/** The root as the only anchor, and no CRL: whatever the verifier knows of revocation comes from the file. */
let bare: TrustStore;
let crls: string[];

/** Eleven years on: every certificate of the PKI (ten years) has expired. */
const LATER = new Date(Date.now() + 11 * 365 * 86_400_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vanthu-ltv-'));
  pki = makeLtvPki(join(dir, 'pki'));
  seal = await sealPng();
  tsa = await startTestTsa(pki, dir);
  bare = await loadTrustStore({ anchors: [pki.root.cert] });
  crls = [pki.crl(pki.root, join(dir, 'root.crl')), pki.crl(pki.inter, join(dir, 'inter.crl'))];
}, 180_000);

afterAll(() => {
  tsa?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function issue(leaderP12: string, ltv: IssueInput['ltv'], unitP12 = pki.unit.p12) {
  return issueDocument(await leaderPdf(leaderP12), {
    notation: '125/UBND-VP',
    issuedDate: '2026-03-05',
    place: 'Lâm Đồng',
    unitName: 'Ủy ban nhân dân tỉnh Lâm Đồng',
    key: loadIssueKey(unitP12, ''),
    seal,
    tsa: tsa.url,
    ltv,
    now: new Date(Math.floor(Date.now() / 1000) * 1000),
  });
}

const verify = (pdf: Buffer, trust = bare) => verifyDocument(pdf, 'pdf', { trust, now: LATER }).signatures;

function pdfsig(pdf: Buffer, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  const r = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

const levels = (reports: SignatureReport[]) => reports.map((r) => r.longTermValidation?.level ?? null);
const sources = (r: SignatureReport) => r.longTermValidation?.revocation.map((x) => `${x.status}/${x.source}/${x.kind}`);

describe('long-term validation of issued documents', () => {
  it('B-LT with CRLs: both signatures validate from the file alone, years later; without the DSS revocation stays unchecked', async () => {
    const out = await issue(pki.leader.p12, { crls, certificates: [pki.root.cert], ocsp: null, archive: false });
    // root, intermediate, leader, unit, TSA; the CRLs of the root and of the intermediate.
    expect(out.validation).toEqual({ certificates: 5, crls: 2, ocsps: 0, missing: [] });
    expect(out.revisions).toHaveLength(3);
    const reports = verify(out.pdf);
    expect(reports.map((r) => r.verdict)).toEqual(['valid', 'valid']);
    expect(levels(reports)).toEqual(['B-LT', 'B-LT']);
    const [leader, unit] = reports;
    expect(unit.longTermValidation).toMatchObject({ timeSource: 'signature-timestamp', dss: true });
    // The leader signed without a time-stamp: the unit's time-stamped signature over it proves when.
    expect(leader.longTermValidation).toMatchObject({ timeSource: 'later-timestamp', dss: true });
    expect(leader.longTermValidation?.validatedAt).toBe(unit.longTermValidation?.validatedAt);
    expect(leader.reasons.join('\n')).toMatch(/existence proven at .* by the time-stamp on the signature of CN=Ủy ban nhân dân tỉnh Lâm Đồng/);
    for (const r of reports) expect(sources(r)).toEqual(['good/dss/crl', 'good/dss/crl']);
    expect(leader.longTermValidation?.revocation.map((x) => x.certificate)).toEqual([
      'CN=Nguyễn Văn An, O=Ủy ban nhân dân tỉnh Lâm Đồng',
      'CN=vanthu LTV Government CA, O=vanthu LTV test',
    ]);
    expect(unit.changes.map((c) => c.en)).toEqual(['validation data (DSS) was added or updated']);
    expect(unit.changesAfterSigning).toBe('permitted');
    expect(pdfsig(out.pdf, 'b-lt.pdf').match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);

    // The same document before the DSS (B-T): nothing tells the verifier about revocation.
    const bt = await issue(pki.leader.p12, null);
    expect(bt.validation).toBeNull();
    const before = verify(bt.pdf);
    expect(levels(before)).toEqual(['B-T', 'B-T']);
    expect(sources(before[1])).toEqual(['unchecked/null/null', 'unchecked/null/null']);
    expect(before[1].reasons.join('\n')).toMatch(/revocation of CN=Ủy ban nhân dân tỉnh Lâm Đồng.* not checked/);
  }, 120_000);

  it('a certificate revoked before signing is revoked by the CRL in the DSS, with no CRL configured', async () => {
    const gone = pki.inter.issue('gone', '/C=VN/O=Ủy ban nhân dân tỉnh Lâm Đồng/CN=Lê Văn Đã Thôi', { chain: [pki.inter.cert] });
    pki.revoke(gone.cert);
    const fresh = [crls[0], pki.crl(pki.inter, join(dir, 'inter-gone.crl'))];
    const out = await issue(gone.p12, { crls: fresh, certificates: [pki.root.cert], ocsp: null, archive: false });
    const [leader, unit] = verify(out.pdf);
    expect(leader.verdict).toBe('revoked');
    expect(leader.reasons[0]).toMatch(/^certificate CN=Lê Văn Đã Thôi.* was revoked on .* \(CRL in the document \(the signature's VRI\), DSS \/CRLs \d\)$/);
    expect(leader.longTermValidation?.revocation[0]).toMatchObject({ status: 'revoked', source: 'dss', kind: 'crl' });
    expect(unit.verdict).toBe('valid');
    // Without the DSS the verifier has no way to know.
    expect(verify((await issue(gone.p12, null)).pdf)[0].verdict).toBe('valid');
  }, 120_000);

  it('a revocation after the time-stamp does not undo the signature', async () => {
    const unit2 = pki.inter.issue('unit2', '/C=VN/O=Ủy ban nhân dân tỉnh Lâm Đồng/CN=Văn thư UBND tỉnh', { chain: [pki.inter.cert], keyType: 'ec' });
    const bt = await issue(pki.leader.p12, null, unit2.p12);
    await new Promise((r) => setTimeout(r, 1_100)); // revocation dates have whole seconds
    pki.revoke(unit2.cert);
    const fresh = [crls[0], pki.crl(pki.inter, join(dir, 'inter-unit2.crl'))];
    const lt = await addValidationData(bt.pdf, { crls: fresh, certificates: [pki.root.cert], ocsp: null });
    const [leader, unit] = verify(lt.pdf);
    expect([leader.verdict, unit.verdict]).toEqual(['valid', 'valid']);
    expect(unit.reasons.join('\n')).toMatch(/CN=Văn thư UBND tỉnh.* was revoked on .*, after the time-stamped signing time/);
    expect(unit.longTermValidation?.revocation[0]).toMatchObject({ status: 'good', source: 'dss', revokedAt: expect.any(String) });
    expect(pdfsig(lt.pdf, 'revoked-later.pdf').match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
  }, 120_000);

  it('OCSP: the responder’s signed answers go into the DSS and decide, good or revoked', async () => {
    const gone = pki.inter.issue('gone-ocsp', '/C=VN/O=Ủy ban nhân dân tỉnh Lâm Đồng/CN=Trần Văn Nghỉ', { chain: [pki.inter.cert] });
    pki.revoke(gone.cert);
    const responder = await startOcspResponder(pki);
    try {
      // Only the root's CRL: the intermediate's certificates are answered by OCSP.
      const out = await issue(pki.leader.p12, { crls: [crls[0]], certificates: [pki.root.cert], ocsp: responder.url, archive: false });
      expect(out.validation).toMatchObject({ crls: 1, ocsps: 3, missing: [] }); // leader, unit, TSA
      const reports = verify(out.pdf);
      expect(reports.map((r) => r.verdict)).toEqual(['valid', 'valid']);
      expect(levels(reports)).toEqual(['B-LT', 'B-LT']);
      for (const r of reports) expect(sources(r)).toEqual(['good/dss/ocsp', 'good/dss/crl']);

      const revoked = verify((await issue(gone.p12, { crls: [crls[0]], certificates: [pki.root.cert], ocsp: responder.url, archive: false })).pdf);
      expect(revoked[0].verdict).toBe('revoked');
      expect(revoked[0].reasons[0]).toMatch(/CN=Trần Văn Nghỉ.* was revoked on .* \(OCSP response in the document, DSS \/OCSPs \d\)/);
      expect(revoked[0].longTermValidation?.revocation[0]).toMatchObject({ status: 'revoked', source: 'dss', kind: 'ocsp' });
    } finally {
      responder.close();
    }
  }, 120_000);

  it('B-LTA: a document time-stamp over the DSS', async () => {
    const out = await issue(pki.leader.p12, { crls, certificates: [pki.root.cert], ocsp: null, archive: true });
    expect(out.revisions).toHaveLength(4);
    const reports = verify(out.pdf);
    expect(reports.map((r) => r.verdict)).toEqual(['valid', 'valid', 'valid']);
    expect(levels(reports)).toEqual(['B-LTA', 'B-LTA', null]);
    expect(reports[2].reasons).toContain('document time-stamp (ETSI.RFC3161)');
    expect(reports[1].changes.map((c) => c.en)).toEqual(['a document time-stamp was added', 'validation data (DSS) was added or updated']);
    // poppler 22 validates the two signatures; it does not implement ETSI.RFC3161 document time-stamps.
    const sig = pdfsig(out.pdf, 'b-lta.pdf');
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(sig).toMatch(/Signature Field Name: VanThu-DocTimeStamp[\s\S]*Unable to validate this type of signature/);
  }, 120_000);

  it('a CRL in the DSS that the issuer did not sign counts for nothing', async () => {
    // A CA of the same name as the intermediate, with its own key, revokes the leader's serial.
    const fake = new Ca(join(dir, 'fake'), 'fake', '/C=VN/O=vanthu LTV test/CN=vanthu LTV Government CA');
    writeFileSync(join(fake.dir, 'serial'), `${new X509Certificate(readFileSync(pki.leader.cert)).serialNumber}\n`);
    const victim = fake.issue('victim', '/C=VN/CN=Nguyễn Văn An');
    const forged = join(dir, 'forged.crl');
    fake.revoke(victim.cert, forged);
    expect(new X509Certificate(readFileSync(victim.cert)).serialNumber).toBe(new X509Certificate(readFileSync(pki.leader.cert)).serialNumber);

    const bt = await issue(pki.leader.p12, null);
    const u = await IncrementalUpdate.load(bt.pdf);
    const ctx = u.doc.context;
    const der = Buffer.from(readFileSync(forged, 'latin1').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    u.doc.catalog.set(u.name('DSS'), ctx.register(ctx.obj({ CRLs: [ctx.register(ctx.flateStream(new Uint8Array(der)))] })));
    u.touch(u.catalogRef);
    const [leader] = verify(await u.bytes());
    expect(leader.verdict).toBe('valid');
    expect(leader.longTermValidation).toMatchObject({ dss: true, level: 'B-T' });
    expect(leader.longTermValidation?.revocation[0]).toMatchObject({ status: 'unchecked', source: null });
    // The same CRL configured instead is not used either: the check is the signature, wherever it comes from.
    const configured = await loadTrustStore({ anchors: [pki.root.cert], crls: [forged] });
    expect(verify(bt.pdf, configured)[0].verdict).toBe('valid');
  }, 120_000);

  it('configuration: outgoing.units.<id>.issue.ltv reaches issuance, defaults filled in', () => {
    writeFileSync(join(dir, 'seal.png'), seal);
    const cfg = outgoingConfigSchema.parse({
      units: {
        ubnd: {
          issue: {
            place: 'Lâm Đồng',
            pkcs12: pki.unit.p12,
            seal: join(dir, 'seal.png'),
            tsa: tsa.url,
            ltv: { crls: [join(dir, 'root.crl')], ocsp: 'http://127.0.0.1:9/' },
          },
        },
      },
    });
    const keys = loadIssueKeys(cfg.units.ubnd as Parameters<typeof loadIssueKeys>[0]);
    expect(keys.ltv).toEqual({ crls: [join(dir, 'root.crl')], certificates: [], ocsp: 'http://127.0.0.1:9/', archive: false, fetchCrl: expect.any(Function) });
    expect(() => outgoingConfigSchema.parse({ units: { ubnd: { issue: { place: 'x', pkcs12: 'a', seal: 'b', ltv: { ocsp: 'not a url' } } } } })).toThrow();
  });
});
