/**
 * The verifier reads the DSS's VRI entries (issue 18; docs/security-signatures.md, "Long-term
 * validation"): a B-LT document issued by vanthu has one VRI entry per signature, keyed by the
 * SHA-1 of the signature's /Contents. Each signature's report names the entry it looked at first
 * (`longTermValidation.vri`, the key computed here independently from the file's bytes) and which
 * revocation data came from it; the same file with its VRI dictionary renamed reports none and
 * still validates from the rest of the DSS. pdfsig says both signatures are valid.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDocument, loadIssueKey } from '../gateway/outgoing/issue/issue.ts';
import { loadTrustStore, verifyDocument, type TrustStore } from '../gateway/trust/index.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { makeLtvPki, type LtvPki } from './fixtures/issue/ltv-pki.ts';
import { startTestTsa, type TestTsa } from './fixtures/issue/tsa.ts';

let dir: string;
let pki: LtvPki;
let tsa: TestTsa;
let bare: TrustStore;
let issued: Buffer;
const LATER = new Date(Date.now() + 11 * 365 * 86_400_000);

/** SHA-1 of each signature's /Contents bytes (padding included), read straight from the file's /ByteRange. */
function contentsKeys(pdf: Buffer): string[] {
  const keys: string[] = [];
  for (const m of pdf.toString('latin1').matchAll(/\/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]/g)) {
    const [b, c] = [Number(m[1]), Number(m[2])];
    const hex = pdf.subarray(b + 1, c - 1).toString('latin1');
    keys.push(createHash('sha1').update(Buffer.from(hex, 'hex')).digest('hex').toUpperCase());
  }
  return keys;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vanthu-vri-'));
  pki = makeLtvPki(join(dir, 'pki'));
  tsa = await startTestTsa(pki, dir);
  bare = await loadTrustStore({ anchors: [pki.root.cert] });
  const crls = [pki.crl(pki.root, join(dir, 'root.crl')), pki.crl(pki.inter, join(dir, 'inter.crl'))];
  const out = await issueDocument(await leaderPdf(pki.leader.p12), {
    notation: '126/UBND-VP',
    issuedDate: '2026-03-05',
    place: 'Lâm Đồng',
    unitName: 'Ủy ban nhân dân tỉnh Lâm Đồng',
    key: loadIssueKey(pki.unit.p12, ''),
    seal: await sealPng(),
    tsa: tsa.url,
    ltv: { crls, certificates: [pki.root.cert], ocsp: null, archive: false },
    now: new Date(Math.floor(Date.now() / 1000) * 1000),
  });
  issued = out.pdf;
}, 180_000);

afterAll(() => {
  tsa?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('VRI entries of the DSS', () => {
  it('reports, per signature, the VRI entry it used and the revocation data that came from it', () => {
    const keys = contentsKeys(issued);
    expect(keys).toHaveLength(2);
    const reports = verifyDocument(issued, 'pdf', { trust: bare, now: LATER }).signatures;
    expect(reports.map((r) => r.verdict)).toEqual(['valid', 'valid']);
    expect(reports.map((r) => r.longTermValidation?.level)).toEqual(['B-LT', 'B-LT']);
    expect(reports.map((r) => r.longTermValidation?.vri)).toEqual(keys);
    for (const r of reports) {
      expect(r.longTermValidation?.revocation.map((x) => [x.status, x.source, x.vri])).toEqual([
        ['good', 'dss', true],
        ['good', 'dss', true],
      ]);
    }
    const file = join(dir, 'vri.pdf');
    writeFileSync(file, issued);
    const pdfsig = spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout;
    expect(pdfsig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
  });

  it('without a VRI entry the signature names none and validates from the whole DSS', () => {
    // The DSS is in the last, unsigned revision: renaming its /VRI key (same length) changes no signed byte.
    const text = issued.toString('latin1');
    const at = text.lastIndexOf('/VRI');
    expect(at).toBeGreaterThan(text.lastIndexOf('/ByteRange'));
    const renamed = Buffer.from(issued);
    renamed.write('/XRI', at, 'latin1');
    const reports = verifyDocument(renamed, 'pdf', { trust: bare, now: LATER }).signatures;
    expect(reports.map((r) => r.verdict)).toEqual(['valid', 'valid']);
    expect(reports.map((r) => r.longTermValidation?.level)).toEqual(['B-LT', 'B-LT']);
    expect(reports.map((r) => r.longTermValidation?.vri)).toEqual([null, null]);
    for (const r of reports) expect(r.longTermValidation?.revocation.every((x) => x.source === 'dss' && !x.vri)).toBe(true);
  });
});
