/**
 * Renewing the archive time-stamp of an issued B-LTA document (docs/issuance.md "Renewing the
 * archive time-stamp"; ETSI EN 319 142-1 B-LTA): a DSS round with the validation data of the last
 * document time-stamp's TSA (fresh OCSP answers from `openssl ocsp`), then a second document
 * time-stamp from the local `openssl ts` TSA, as incremental updates. pdfsig and vanthu's verifier
 * accept the result, the verifier sees two document time-stamps, and the earlier bytes are unchanged.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDocument, loadIssueKey } from '../gateway/outgoing/issue/issue.ts';
import { documentTimestampFields, renewArchiveTimestamp } from '../gateway/outgoing/issue/renew.ts';
import { loadTrustStore, verifyDocument, type TrustStore } from '../gateway/trust/index.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { makeLtvPki, startOcspResponder, type LtvPki, type OcspResponder } from './fixtures/issue/ltv-pki.ts';
import { notAfter, pdfsig as pdfsigIn } from './fixtures/issue/signing.ts';
import { startTestTsa, type TestTsa } from './fixtures/issue/tsa.ts';
import { BIN, PROJECT_ROOT } from './helpers/paths.ts';

const exec = promisify(execFile);

let dir: string;
let pki: LtvPki;
let tsa: TestTsa;
let ocsp: OcspResponder;
let seal: Buffer;
let bare: TrustStore;
let rootCrl: string;
/** The issued B-LTA document (leader, unit, first document time-stamp). */
let lta: Buffer;

/** Eleven years on: every certificate of the PKI (ten years) has expired. */
const LATER = new Date(Date.now() + 11 * 365 * 86_400_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vanthu-renew-'));
  pki = makeLtvPki(join(dir, 'pki'));
  seal = await sealPng();
  tsa = await startTestTsa(pki, dir);
  ocsp = await startOcspResponder(pki);
  bare = await loadTrustStore({ anchors: [pki.root.cert] });
  rootCrl = pki.crl(pki.root, join(dir, 'root.crl'));
  const crls = [rootCrl, pki.crl(pki.inter, join(dir, 'inter.crl'))];
  const out = await issueDocument(await leaderPdf(pki.leader.p12), {
    notation: '125/UBND-VP',
    issuedDate: '2026-03-05',
    place: 'Lâm Đồng',
    unitName: 'Ủy ban nhân dân tỉnh Lâm Đồng',
    key: loadIssueKey(pki.unit.p12, ''),
    seal,
    tsa: tsa.url,
    ltv: { crls, certificates: [pki.root.cert], ocsp: null, archive: true },
    now: new Date(Math.floor(Date.now() / 1000) * 1000),
  });
  lta = out.pdf;
}, 180_000);

afterAll(() => {
  tsa?.close();
  ocsp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const verify = (pdf: Buffer) => verifyDocument(pdf, 'pdf', { trust: bare, now: LATER }).signatures;

const pdfsig = (pdf: Buffer, name: string) => pdfsigIn(dir, pdf, name);

/** The DSS as pdf-lib reads it: how many certificates, CRLs, OCSP answers and VRI entries. */
async function dssCounts(pdf: Buffer) {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const dss = doc.catalog.lookup(PDFName.of('DSS'), PDFDict);
  const size = (key: string) => dss.lookupMaybe(PDFName.of(key), PDFArray)?.size() ?? 0;
  return { certs: size('Certs'), crls: size('CRLs'), ocsps: size('OCSPs'), vri: dss.lookup(PDFName.of('VRI'), PDFDict).keys().length };
}

describe('renewing the archive time-stamp (B-LTA)', () => {
  it('adds the last time-stamp’s validation data and a second document time-stamp; every earlier byte stays', async () => {
    expect(await documentTimestampFields(lta)).toEqual(['VanThu-DocTimeStamp']);
    expect(await dssCounts(lta)).toEqual({ certs: 5, crls: 2, ocsps: 0, vri: 2 });

    const sources = { crls: [rootCrl], certificates: [pki.root.cert], ocsp: ocsp.url, fetchCrl: null };
    const renewed = await renewArchiveTimestamp(lta, { tsa: tsa.url, sources });
    expect(renewed.field).toBe('VanThu-DocTimeStamp-2');
    expect(renewed.previous).toEqual(['VanThu-DocTimeStamp']);
    // Fresh OCSP answers for the leader, the unit and the TSA; the certificates and the root's CRL
    // are already in the DSS and are pointed at, not added again.
    expect(renewed.validation).toEqual({ certificates: 0, crls: 0, ocsps: 3, missing: [] });
    expect(await dssCounts(renewed.pdf)).toEqual({ certs: 5, crls: 2, ocsps: 3, vri: 3 });

    // Incremental: the issued file is a prefix of the renewed one, the first signature's bytes included.
    expect(renewed.pdf.length).toBeGreaterThan(lta.length);
    expect(renewed.pdf.subarray(0, lta.length).equals(lta)).toBe(true);
    expect(renewed.before.length).toBe(lta.length);
    // The next round is due before the TSA certificate of the new time-stamp expires.
    expect(renewed.renewBefore).toBe(notAfter(pki.tsa.cert).toISOString());

    const reports = verify(renewed.pdf);
    expect(reports.map((r) => r.verdict)).toEqual(['valid', 'valid', 'valid', 'valid']);
    expect(reports.map((r) => r.longTermValidation?.level ?? null)).toEqual(['B-LTA', 'B-LTA', null, null]);
    expect(reports.filter((r) => r.reasons.includes('document time-stamp (ETSI.RFC3161)'))).toHaveLength(2);
    expect(reports[0].signedRevision?.sha256).toBe(verify(lta)[0].signedRevision?.sha256);
    expect(reports[2].changesAfterSigning).toBe('permitted');
    expect(reports[2].changes.map((c) => c.en)).toEqual(['a document time-stamp was added', 'validation data (DSS) was added or updated']);

    // poppler validates the two signatures and names both document time-stamps (which it does not check).
    const sig = pdfsig(renewed.pdf, 'renewed.pdf');
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(sig).not.toMatch(/Signature is Invalid|Digest Mismatch/);
    expect(sig).toMatch(/Signature Field Name: VanThu-DocTimeStamp\n[\s\S]*Signature Field Name: VanThu-DocTimeStamp-2\n/);

    // A third round names its field -3 and keeps the second round's bytes.
    const third = await renewArchiveTimestamp(renewed.pdf, { tsa: tsa.url, sources });
    expect([third.field, third.previous]).toEqual(['VanThu-DocTimeStamp-3', ['VanThu-DocTimeStamp', 'VanThu-DocTimeStamp-2']]);
    expect(third.pdf.subarray(0, renewed.pdf.length).equals(renewed.pdf)).toBe(true);
    expect(verify(third.pdf).map((r) => r.verdict)).toEqual(['valid', 'valid', 'valid', 'valid', 'valid']);
  }, 180_000);

  it('refuses a document with no signature, and a TSA that does not answer fails the renewal', async () => {
    const unsigned = await (await PDFDocument.create()).save().then((b) => Buffer.from(b));
    await expect(renewArchiveTimestamp(unsigned, { tsa: tsa.url, sources: { crls: [], certificates: [] } })).rejects.toMatchObject({
      code: 'outgoing.issue.ltv',
    });
    await expect(renewArchiveTimestamp(lta, { tsa: 'http://127.0.0.1:9/', sources: { crls: [rootCrl], certificates: [pki.root.cert] } })).rejects.toMatchObject(
      {
        code: 'outgoing.issue.tsa',
      },
    );
  }, 60_000);

  it('vanthu renew-timestamp: the unit’s TSA and OCSP from the configuration, one JSON object', async () => {
    const file = join(dir, 'cli.pdf');
    const out = join(dir, 'cli-renewed.pdf');
    writeFileSync(file, lta);
    writeFileSync(join(dir, 'seal.png'), seal);
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'outgoing:',
        '  units:',
        '    stc:',
        '      issue:',
        '        place: "Lâm Đồng"',
        `        pkcs12: ${JSON.stringify(pki.unit.p12)}`,
        `        seal: ${JSON.stringify(join(dir, 'seal.png'))}`,
        `        tsa: ${JSON.stringify(tsa.url)}`,
        '        ltv:',
        `          crls: [${JSON.stringify(rootCrl)}]`,
        `          certificates: [${JSON.stringify(pki.root.cert)}]`,
        `          ocsp: ${JSON.stringify(ocsp.url)}`,
        '          crlDistributionPoints: false',
        '',
      ].join('\n'),
    );
    const r = await exec(process.execPath, [BIN, 'renew-timestamp', file, '--out', out], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, VANTHU_CONFIG: config, VANTHU_TSX: '1' },
    });
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      file,
      out,
      unit: 'stc',
      tsa: tsa.url,
      field: 'VanThu-DocTimeStamp-2',
      previous: ['VanThu-DocTimeStamp'],
      renewBefore: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      validation: { certificates: 0, crls: 0, ocsps: 3, missing: [] },
      before: { length: lta.length },
    });
    const written = readFileSync(out);
    expect(report.after.length).toBe(written.length);
    expect(readFileSync(file).equals(lta)).toBe(true); // --out leaves the input alone
    expect(verify(written).map((r) => r.verdict)).toEqual(['valid', 'valid', 'valid', 'valid']);
  }, 120_000);
});
