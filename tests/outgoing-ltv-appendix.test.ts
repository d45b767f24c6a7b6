import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FONT, loadIssueKey } from '../gateway/outgoing/issue/issue.ts';
import { stampAppendix, type AppendixInput } from '../gateway/outgoing/issue/appendix.ts';
import { documentTimestampFields } from '../gateway/outgoing/issue/renew.ts';
import { loadTrustStore, verifyDocument, type TrustStore } from '../gateway/trust/index.ts';
import { makeLtvPki, type LtvPki } from './fixtures/issue/ltv-pki.ts';
import { pdfsig as pdfsigIn } from './fixtures/issue/signing.ts';
import { startTestTsa, type TestTsa } from './fixtures/issue/tsa.ts';

let dir: string;
let pki: LtvPki;
let tsa: TestTsa;
let bare: TrustStore;
let crls: string[];
let appendix: Buffer;

/** Eleven years on: every certificate of the PKI (ten years) has expired. */
const LATER = new Date(Date.now() + 11 * 365 * 86_400_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vanthu-ltv-appendix-'));
  pki = makeLtvPki(join(dir, 'pki'));
  tsa = await startTestTsa(pki, dir);
  bare = await loadTrustStore({ anchors: [pki.root.cert] });
  crls = [pki.crl(pki.root, join(dir, 'root.crl')), pki.crl(pki.inter, join(dir, 'inter.crl'))];
  const doc = await PDFDocument.create();
  doc.addPage([595, 842]);
  appendix = Buffer.from(await doc.save());
}, 180_000);

afterAll(() => {
  tsa?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const input = (archive: boolean): AppendixInput => ({
  notation: '125/UBND-VP',
  unitName: 'Ủy ban nhân dân tỉnh Lâm Đồng',
  place: 'Lâm Đồng',
  key: loadIssueKey(pki.unit.p12, ''),
  now: new Date(Math.floor(Date.now() / 1000) * 1000),
  timeZone: 'Asia/Ho_Chi_Minh',
  font: DEFAULT_FONT,
  tsa: tsa.url,
  ltv: { crls, certificates: [pki.root.cert], ocsp: null, archive, fetchCrl: null },
});

/** The DSS's counts and whether its VRI has an entry for the appendix signature's /Contents. */
async function dss(pdf: Buffer) {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const d = doc.catalog.lookupMaybe(PDFName.of('DSS'), PDFDict);
  if (!d) return null;
  const size = (key: string) => d.lookupMaybe(PDFName.of(key), PDFArray)?.size() ?? 0;
  const field = doc
    .getForm()
    .getFields()
    .find((f) => f.getName() === 'VanThu-PhuLuc')!;
  const contents = field.acroField.dict.lookup(PDFName.of('V'), PDFDict).lookup(PDFName.of('Contents'), PDFHexString);
  const key = createHash('sha1').update(contents.asBytes()).digest('hex').toUpperCase();
  const vri = d.lookup(PDFName.of('VRI'), PDFDict);
  return { certs: size('Certs'), crls: size('CRLs'), vriForSignature: vri.has(PDFName.of(key)) };
}

const pdfsig = (pdf: Buffer, name: string) => pdfsigIn(dir, pdf, name);

describe('long-term validation of an issued appendix', () => {
  it('B-LTA: DSS with VRI, a document time-stamp; valid from the file alone years later, and for pdfsig', async () => {
    const out = await stampAppendix(appendix, input(true));
    // root, intermediate, unit, TSA; the CRLs of the root and of the intermediate.
    expect(out.validation).toEqual({ certificates: 4, crls: 2, ocsps: 0, missing: [] });
    expect(await dss(out.pdf)).toEqual({ certs: 4, crls: 2, vriForSignature: true });
    expect(await documentTimestampFields(out.pdf)).toEqual(['VanThu-DocTimeStamp']);
    expect(out.pdf.subarray(0, appendix.length).equals(appendix)).toBe(true);

    const reports = verifyDocument(out.pdf, 'pdf', { trust: bare, now: LATER }).signatures;
    expect(reports.map((r) => r.verdict)).toEqual(['valid', 'valid']);
    expect(reports.map((r) => r.longTermValidation?.level ?? null)).toEqual(['B-LTA', null]);
    expect(reports[0].longTermValidation?.vri).toBeTruthy();
    expect(reports[0].longTermValidation?.revocation.every((x) => x.status === 'good' && x.source === 'dss')).toBe(true);

    const sig = pdfsig(out.pdf, 'appendix-b-lta.pdf');
    expect(sig).toContain('Signature Field Name: VanThu-PhuLuc');
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(1);
    expect(sig).toContain('Signature Field Name: VanThu-DocTimeStamp');
    expect(sig).not.toMatch(/Signature is Invalid|Digest Mismatch/);
  }, 120_000);

  it('B-LT without archive: the DSS and VRI, no document time-stamp; without ltv, nothing after the signature', async () => {
    const lt = await stampAppendix(appendix, input(false));
    expect(await dss(lt.pdf)).toEqual({ certs: 4, crls: 2, vriForSignature: true });
    expect(await documentTimestampFields(lt.pdf)).toEqual([]);
    const reports = verifyDocument(lt.pdf, 'pdf', { trust: bare, now: LATER }).signatures;
    expect(reports.map((r) => [r.verdict, r.longTermValidation?.level ?? null])).toEqual([['valid', 'B-LT']]);
    expect(pdfsig(lt.pdf, 'appendix-b-lt.pdf').match(/Signature Validation: Signature is Valid\./g)).toHaveLength(1);

    const plain = await stampAppendix(appendix, { ...input(false), ltv: null });
    expect(plain.validation).toBeNull();
    expect(await dss(plain.pdf)).toBeNull();
  }, 120_000);
});
