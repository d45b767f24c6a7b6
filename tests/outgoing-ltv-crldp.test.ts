/**
 * CRLs from the certificates' distribution points (issue 18; docs/issuance.md, "Long-term
 * validation"): the leader's and the unit's certificates name an http CRL distribution point, served
 * by a local HTTP server on a loopback port (real sockets). With only the root's CRL configured,
 * issuing fetches the intermediate's CRL from there through the fetcher it is given, puts it in the
 * DSS, and the verifier validates both signatures from the file alone (B-LT); given no fetcher, the
 * same issuance reports both certificates as missing. A CRL another CA signed at the distribution
 * point is not taken.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outgoingConfigSchema } from '../gateway/config/outgoing.ts';
import { httpCrlFetcher } from '../gateway/outgoing/issue/crl-dp.ts';
import { issueDocument, loadIssueKey, loadIssueKeys, type IssueInput } from '../gateway/outgoing/issue/issue.ts';
import { loadTrustStore, verifyDocument, type TrustStore } from '../gateway/trust/index.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { makeLtvPki, type LtvPki } from './fixtures/issue/ltv-pki.ts';
import { startTestTsa, type TestTsa } from './fixtures/issue/tsa.ts';
import { Ca, openssl, type Identity } from './fixtures/trust/pki.ts';

let dir: string;
let pki: LtvPki;
let tsa: TestTsa;
let bare: TrustStore;
let server: Server;
let port: number;
let rootCrl: string;
let leader: Identity;
let unit: Identity;
/** What the distribution point serves, by path; and the paths asked for. */
const served = new Map<string, Buffer>();
const asked: string[] = [];
const LATER = new Date(Date.now() + 11 * 365 * 86_400_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vanthu-crldp-'));
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const body = served.get(req.url ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/pkix-crl' });
    res.end(body ?? '');
  });
  port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  pki = makeLtvPki(join(dir, 'pki'));
  // Certificates that name the distribution point (the fixture's signer profile plus crlDistributionPoints).
  appendFileSync(
    pki.inter.config,
    '\n[ v3_signer_dp ]\nbasicConstraints = CA:false\nkeyUsage = critical, digitalSignature, nonRepudiation\n' +
      'subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n' +
      `crlDistributionPoints = URI:ldap://ldap.invalid/cn=crl, URI:http://127.0.0.1:${port}/inter.crl\n`,
  );
  const org = 'Ủy ban nhân dân tỉnh Lâm Đồng';
  const chain = [pki.inter.cert];
  leader = pki.inter.issue('leader-dp', `/C=VN/O=${org}/CN=Nguyễn Văn An/emailAddress=an@lamdong.gov.vn`, { extensions: 'v3_signer_dp', chain });
  unit = pki.inter.issue('unit-dp', `/C=VN/O=${org}/CN=${org}`, { extensions: 'v3_signer_dp', keyType: 'ec', chain });
  // The intermediate's CRL as distribution points serve it, DER.
  const pem = pki.crl(pki.inter, join(dir, 'inter.crl.pem'));
  openssl(['crl', '-in', pem, '-outform', 'DER', '-out', join(dir, 'inter.crl')]);
  served.set('/inter.crl', readFileSync(join(dir, 'inter.crl')));
  rootCrl = pki.crl(pki.root, join(dir, 'root.crl'));
  tsa = await startTestTsa(pki, dir);
  bare = await loadTrustStore({ anchors: [pki.root.cert] });
}, 180_000);

afterAll(() => {
  tsa?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function issue(ltv: IssueInput['ltv']) {
  return issueDocument(await leaderPdf(leader.p12), {
    notation: '127/UBND-VP',
    issuedDate: '2026-03-05',
    place: 'Lâm Đồng',
    unitName: 'Ủy ban nhân dân tỉnh Lâm Đồng',
    key: loadIssueKey(unit.p12, ''),
    seal: await sealPng(),
    tsa: tsa.url,
    ltv,
    now: new Date(Math.floor(Date.now() / 1000) * 1000),
  });
}

describe("CRLs from the certificates' distribution points", () => {
  it('fetches the CRL the certificates name, and the document validates from the file alone', async () => {
    asked.length = 0;
    const out = await issue({ crls: [rootCrl], certificates: [pki.root.cert], ocsp: null, archive: false, fetchCrl: httpCrlFetcher() });
    expect(asked).toContain('/inter.crl');
    // The root's CRL from the file, the intermediate's from the distribution point (once in the DSS).
    expect(out.validation).toMatchObject({ crls: 2, ocsps: 0 });
    // The TSA's certificate names no distribution point: the only one left without data.
    expect(out.validation?.missing).toEqual([expect.stringMatching(/^CN=vanthu LTV TSA.*no CRL distribution point/)]);
    const reports = verifyDocument(out.pdf, 'pdf', { trust: bare, now: LATER }).signatures;
    expect(reports.map((r) => r.verdict)).toEqual(['valid', 'valid']);
    expect(reports[0].longTermValidation?.level).toBe('B-LT'); // the leader's path: leader, intermediate
    for (const r of reports) {
      const leaf = r.longTermValidation!.revocation[0];
      expect([leaf.status, leaf.source, leaf.kind]).toEqual(['good', 'dss', 'crl']);
    }

    // No fetcher given: nothing is fetched, and both certificates are reported missing.
    asked.length = 0;
    const without = await issue({ crls: [rootCrl], certificates: [pki.root.cert], ocsp: null, archive: false, fetchCrl: null });
    expect(asked).toEqual([]);
    expect(without.validation?.missing.filter((m) => /Nguyễn Văn An|CN=Ủy ban nhân dân/.test(m))).toHaveLength(2);
  }, 120_000);

  it('does not take a CRL at the distribution point that another CA signed', async () => {
    // A CA with the intermediate's very name, but its own key.
    const impostor = new Ca(join(dir, 'impostor'), 'impostor', '/C=VN/O=vanthu LTV test/CN=vanthu LTV Government CA', pki.root);
    const pem = join(dir, 'forged.crl.pem');
    openssl(['ca', '-batch', '-config', impostor.config, '-cert', impostor.cert, '-keyfile', impostor.key, '-gencrl', '-crldays', '30', '-out', pem]);
    const genuine = served.get('/inter.crl')!;
    served.set('/inter.crl', Buffer.from(readFileSync(pem)));
    try {
      const out = await issue({ crls: [rootCrl], certificates: [pki.root.cert], ocsp: null, archive: false, fetchCrl: httpCrlFetcher() });
      expect(out.validation?.crls).toBe(1);
      const leaderMissing = out.validation?.missing.find((m) => m.includes('Nguyễn Văn An'));
      expect(leaderMissing).toMatch(/inter\.crl: not signed by/);
    } finally {
      served.set('/inter.crl', genuine);
    }
  }, 120_000);

  it('configuration: ltv.crlDistributionPoints (on by default) gives issuance the HTTP fetcher', () => {
    const parse = (ltv: Record<string, unknown>) =>
      loadIssueKeys(
        outgoingConfigSchema.parse({ units: { u: { issue: { place: 'Lâm Đồng', pkcs12: unit.p12, seal: join(dir, 'inter.crl'), ltv } } } }).units
          .u as Parameters<typeof loadIssueKeys>[0],
      );
    expect(typeof parse({}).ltv?.fetchCrl).toBe('function');
    expect(parse({ crlDistributionPoints: false }).ltv?.fetchCrl).toBeNull();
  });
});
