/**
 * The issued files reachable (issue 18; docs/issuance.md, "The issued files"): a gateway on a
 * ManualClock issues a B-LTA document with a PDF appendix through a TSA whose certificate lives 200
 * days (the fixtures of tests/outgoing-renewal.test.ts); 120 days on, with the TSA on a ten-year
 * certificate, the renewal sweep adds a version to each file. Then GET /api/outgoing/{id}/files lists
 * both versions, GET …/files/{idx} serves the renewed bytes and ?version=1 the issued ones — both
 * verify (pdfsig) — and another unit's clerk is refused; `vanthu outgoing files --out` writes the
 * same bytes. And the verifier tells when the archive time-stamp's TSA certificate is about to
 * expire or has expired (`longTermValidation.archiveExpires`, a warning in the reasons).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { renewDueTimestamps } from '../gateway/outgoing/renewal.ts';
import { issuedFiles } from '../gateway/outgoing/schema.ts';
import { verifyDocument } from '../gateway/trust/index.ts';
import { runVanthu } from './helpers/cli-run.ts';
import { addSignedIn } from './helpers/console.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { issueWithAppendix, makeArchiveFixture, type ArchiveFixture } from './fixtures/issue/archive.ts';
import { notAfter, pdfsig as pdfsigIn } from './fixtures/issue/signing.ts';

const DAY = 86_400_000;
const PASSWORD = 'mật khẩu đủ dài 2026';
const PEOPLE = {
  clerk: { email: 'clerk@stc.lamdong.gov.vn', role: 'clerk', unit: 'stc', name: 'Văn thư Sở Tài chính' },
  clerkOther: { email: 'clerk@vpubnd.lamdong.gov.vn', role: 'clerk', unit: 'vpubnd', name: 'Văn thư Văn phòng UBND' },
} as const;

let dir: string;
let archive: ArchiveFixture;
let gw: TestGateway;
let clock: ManualClock;
let outgoingId: string;
let tokens: Record<keyof typeof PEOPLE, string>;
/** Each file's bytes as issued, by position. */
const issued: Record<number, Buffer> = {};

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pdfsig = (pdf: Buffer, name: string) => pdfsigIn(dir, pdf, name);

const as = (who: keyof typeof PEOPLE | null, path: string) =>
  fetch(`http://127.0.0.1:${gw.httpPort}${path}`, who ? { headers: { authorization: `Bearer ${tokens[who]}` } } : {});

interface Listing {
  id: string;
  notation: string;
  unitId: string;
  files: Array<{
    idx: number;
    filename: string;
    sha256: string;
    size: number;
    renewBefore: string | null;
    versions: Array<{ version: number; at: string; size: number; sha256: string; field: string | null }>;
  }>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vanthu-issued-files-'));
  archive = await makeArchiveFixture(dir);
  const { pki, start, signing } = archive;
  clock = new ManualClock(start);
  gw = await startTestGateway({
    backend: 'pglite',
    clock,
    configure: (cfg) => {
      cfg.outgoing.units.stc = signing;
      cfg.outgoing.renewal.windowDays = 90;
      cfg.registry.sessionHours = 24 * 365; // the clock moves 120 days on; the clerks stay signed in
    },
  });
  tokens = await addSignedIn(gw, PEOPLE, PASSWORD);
  outgoingId = await issueWithAppendix(gw, pki);
  const rows = await gw.database.db.select().from(issuedFiles).where(eq(issuedFiles.outgoingId, outgoingId)).orderBy(asc(issuedFiles.position));
  for (const r of rows) issued[r.position] = await gw.blobs.read(r.sha256);
  // 120 days on, the TSA on a ten-year certificate: each file gets a second version.
  clock.advance(120 * DAY);
  archive.useLongTsa();
  const sweep = await renewDueTimestamps(gw.registry!.rt, gw.blobs);
  expect(sweep.outcomes.map((o) => o.outcome)).toEqual(['renewed', 'renewed']);
}, 300_000);

afterAll(async () => {
  await gw?.close();
  archive?.tsa.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the issued files and their renewed versions', () => {
  it('lists both versions; serves the renewed bytes and the issued ones, both verifying; refuses another unit', async () => {
    const res = await as('clerk', `/api/outgoing/${outgoingId}/files`);
    expect(res.status).toBe(200);
    const list = (await res.json()) as Listing;
    expect(list).toMatchObject({ id: outgoingId, unitId: 'stc' });
    expect(list.files.map((f) => [f.idx, f.filename, f.versions.length])).toEqual([
      [0, 'cong-van.pdf', 2],
      [1, 'phu-luc.pdf', 2],
    ]);
    for (const f of list.files) {
      expect(f.versions[0]).toMatchObject({
        version: 1,
        sha256: sha256(issued[f.idx]),
        size: issued[f.idx].length,
        field: null,
        at: archive.start.toISOString(),
      });
      expect(f.versions[1]).toMatchObject({ version: 2, sha256: f.sha256, size: f.size, field: 'VanThu-DocTimeStamp-2', at: clock.now().toISOString() });
      expect(f.renewBefore).toBe(notAfter(archive.pki.tsa.cert).toISOString());

      const newest = await as('clerk', `/api/outgoing/${outgoingId}/files/${f.idx}`);
      expect(newest.status).toBe(200);
      expect(newest.headers.get('content-type')).toBe('application/pdf');
      expect(newest.headers.get('x-vanthu-version')).toBe('2');
      const renewed = Buffer.from(await newest.arrayBuffer());
      expect(sha256(renewed)).toBe(f.sha256);
      const first = await as('clerk', `/api/outgoing/${outgoingId}/files/${f.idx}?version=1`);
      expect(first.status).toBe(200);
      const old = Buffer.from(await first.arrayBuffer());
      expect(old.equals(issued[f.idx])).toBe(true);
      expect(renewed.subarray(0, old.length).equals(old)).toBe(true);

      const signatures = f.idx === 0 ? 2 : 1; // the leader's and the unit's; the unit's on the appendix
      for (const [pdf, name, stamps] of [
        [old, 'v1', /Signature Field Name: VanThu-DocTimeStamp\n/],
        [renewed, 'v2', /Signature Field Name: VanThu-DocTimeStamp\n[\s\S]*Signature Field Name: VanThu-DocTimeStamp-2\n/],
      ] as const) {
        const sig = pdfsig(pdf, `${name}-${f.idx}.pdf`);
        expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(signatures);
        expect(sig).not.toMatch(/Signature is Invalid|Digest Mismatch/);
        expect(sig).toMatch(stamps);
      }
    }
    expect((await as('clerk', `/api/outgoing/${outgoingId}/files/0?version=3`)).status).toBe(404);
    expect((await as('clerk', `/api/outgoing/${outgoingId}/files/7`)).status).toBe(404);
    // Another unit's clerk: as if the document did not exist; nobody: 401.
    expect((await as('clerkOther', `/api/outgoing/${outgoingId}/files`)).status).toBe(404);
    expect((await as('clerkOther', `/api/outgoing/${outgoingId}/files/0`)).status).toBe(404);
    expect((await as('clerkOther', `/api/outgoing/${outgoingId}/files/0?version=1`)).status).toBe(404);
    expect((await as(null, `/api/outgoing/${outgoingId}/files/0`)).status).toBe(401);
  }, 120_000);

  it('vanthu outgoing files lists them and writes the newest or an older version; another unit is refused', async () => {
    const out = join(dir, 'cli');
    const env = (who: keyof typeof PEOPLE) => ({
      VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`,
      VANTHU_API_TOKEN: tokens[who],
      VANTHU_DATA_DIR: join(dir, 'cli-data'),
    });
    const listed = await runVanthu(['outgoing', 'files', outgoingId, '--json'], env('clerk'));
    expect(listed.code, listed.stderr).toBe(0);
    const list = JSON.parse(listed.stdout) as Listing;
    expect(list.files.map((f) => f.versions.length)).toEqual([2, 2]);

    const newest = await runVanthu(['outgoing', 'files', outgoingId, '--out', out, '--json'], env('clerk'));
    expect(newest.code, newest.stderr).toBe(0);
    expect((JSON.parse(newest.stdout) as { written: Array<{ path: string; version: number }> }).written.map((w) => [w.path, w.version])).toEqual([
      [join(out, 'cong-van.pdf'), 2],
      [join(out, 'phu-luc.pdf'), 2],
    ]);
    for (const f of list.files) expect(sha256(readFileSync(join(out, f.filename)))).toBe(f.sha256);

    const first = await runVanthu(['outgoing', 'files', outgoingId, '--out', out, '--file', '0', '--version', '1', '--json'], env('clerk'));
    expect(first.code, first.stderr).toBe(0);
    expect(readFileSync(join(out, 'cong-van.v1.pdf')).equals(issued[0])).toBe(true);

    const refused = await runVanthu(['outgoing', 'files', outgoingId, '--json'], env('clerkOther'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/404/);
  }, 180_000);

  it('the verifier gives the archive time-stamp expiry and warns when its renewal is due or overdue', async () => {
    const { shortTsa, pki, bare, start } = archive;
    const shortEnd = notAfter(shortTsa.cert);
    const longEnd = notAfter(pki.tsa.cert);
    const [doc] = await gw.database.db.select().from(issuedFiles).where(eq(issuedFiles.outgoingId, outgoingId)).orderBy(asc(issuedFiles.position));
    const renewed = await gw.blobs.read(doc.sha256);
    /** The unit's signature of a report (the last one before the document time-stamps). */
    const unitSignature = (pdf: Buffer, now: Date) => verifyDocument(pdf, 'pdf', { trust: bare, now }).signatures[1];

    // As issued, verified 10 days on: 190 days left, no warning.
    const early = unitSignature(issued[0], new Date(start.getTime() + 10 * DAY));
    expect(early.verdict).toBe('valid');
    expect(early.longTermValidation).toMatchObject({ level: 'B-LTA', archiveExpires: shortEnd.toISOString() });
    expect(early.reasons.join('\n')).not.toMatch(/archive renewal/);
    // 120 days on: 80 days left, due.
    const due = unitSignature(issued[0], new Date(start.getTime() + 120 * DAY));
    expect(due.longTermValidation?.archiveExpires).toBe(shortEnd.toISOString());
    expect(due.reasons.join('\n')).toMatch(/archive renewal due: .* expires at .*, in 80 day\(s\)/);
    // A day after the TSA certificate expired: overdue. The signature itself still stands.
    const late = unitSignature(issued[0], new Date(shortEnd.getTime() + DAY));
    expect(late.verdict).toBe('valid');
    expect(late.reasons.join('\n')).toMatch(/archive renewal overdue: .* expired at /);
    // The renewed version on the same day: its newest time-stamp's TSA certificate lives ten years.
    const renewedLate = unitSignature(renewed, new Date(shortEnd.getTime() + DAY));
    expect(renewedLate.verdict).toBe('valid');
    expect(renewedLate.longTermValidation?.archiveExpires).toBe(longEnd.toISOString());
    expect(renewedLate.reasons.join('\n')).not.toMatch(/archive renewal/);
    // The leader's signature, under the same time-stamps, is told the same.
    expect(verifyDocument(issued[0], 'pdf', { trust: bare, now: new Date(shortEnd.getTime() + DAY) }).signatures[0].longTermValidation?.archiveExpires).toBe(
      shortEnd.toISOString(),
    );
  }, 120_000);
});
