/**
 * Scheduled renewal of archive time-stamps (issue 18; docs/issuance.md, "Renewing the archive
 * time-stamp"): a gateway on a ManualClock issues a B-LTA document with a PDF appendix through a TSA
 * whose certificate lives 200 days. The issued files are kept (issued_files); the follow-up sweep
 * leaves them alone outside the 90-day window, and once the clock is moved into it renews each once
 * — run twice — as a new version whose prefix is the issued bytes, audited; pdfsig and vanthu's
 * verifier accept the renewed files. A renewal a crash interrupted is finished once: stored bytes
 * are committed without asking the TSA again, a dead claim is taken over, a live one is left alone.
 * Both storage backends (PGlite, PostgreSQL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { documentTimestampFields, renewArchiveTimestamp } from '../gateway/outgoing/issue/renew.ts';
import { renewDueTimestamps } from '../gateway/outgoing/renewal.ts';
import { issuedFiles } from '../gateway/outgoing/schema.ts';
import { auditLog } from '../gateway/registry/schema.ts';
import type { UnitSigning } from '../gateway/config/outgoing.ts';
import { verifyDocument, type TrustStore } from '../gateway/trust/index.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { issueWithAppendix, makeArchiveFixture, type ArchiveFixture } from './fixtures/issue/archive.ts';
import type { LtvPki } from './fixtures/issue/ltv-pki.ts';
import { notAfter, pdfsig as pdfsigIn } from './fixtures/issue/signing.ts';
import type { TestTsa } from './fixtures/issue/tsa.ts';
import type { Identity } from './fixtures/trust/pki.ts';

const DAY = 86_400_000;
let dir: string;
let archive: ArchiveFixture;
let pki: LtvPki;
let shortTsa: Identity;
let tsa: TestTsa;
let bare: TrustStore;
let signing: UnitSigning;
let start: Date;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vanthu-renewal-'));
  // The TSA's certificate lives 200 days (real time: openssl signs the tokens now).
  archive = await makeArchiveFixture(dir);
  ({ pki, shortTsa, tsa, bare, signing, start } = archive);
}, 180_000);

afterAll(() => {
  tsa?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const pdfsig = (pdf: Buffer, name: string) => pdfsigIn(dir, pdf, name);

describe.each(BACKENDS)('scheduled renewal of archive time-stamps (%s)', (backend) => {
  let gw: TestGateway;
  let clock: ManualClock;
  let outgoingId: string;
  const issued: Record<number, Buffer> = {};

  beforeAll(async () => {
    // Each backend's document is issued while the TSA still signs with its short-lived certificate.
    archive.useShortTsa();
    clock = new ManualClock(start);
    gw = await startTestGateway({
      backend,
      clock,
      configure: (cfg) => {
        cfg.outgoing.units.stc = signing;
        cfg.outgoing.renewal.windowDays = 90;
      },
    });
    outgoingId = await issueWithAppendix(gw, pki, [{ filename: 'danh-sach.txt', content: Buffer.from('Danh sách\n'), contentType: 'text/plain' }]);
  }, 240_000);

  afterAll(async () => {
    await gw?.close();
  });

  const rows = () => gw.database.db.select().from(issuedFiles).where(eq(issuedFiles.outgoingId, outgoingId)).orderBy(asc(issuedFiles.position));
  const renewals = () =>
    gw.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'outgoing.timestamp_renew'), eq(auditLog.entityId, outgoingId)))
      .orderBy(asc(auditLog.seq));

  /** The follow-up sweep as scheduled: a job on the follow-up queue, waited for until it finished. */
  async function scheduledSweep(): Promise<void> {
    const followup = gw.registry!.followup;
    const id = await followup.runRenewals();
    const job = await waitFor(async () => ((await followup.queue.getJob(id!))?.finishedOn ? followup.queue.getJob(id!) : null), 120_000, 'renewal job');
    expect(job.failedReason ?? null).toBeNull();
  }

  it('keeps the issued files; renews them once the clock is in the window, once, as new versions that verify', async () => {
    const before = await rows();
    expect(before.map((r) => [r.position, r.filename])).toEqual([
      [0, 'cong-van.pdf'],
      [1, 'phu-luc.pdf'],
    ]);
    for (const r of before) {
      issued[r.position] = await gw.blobs.read(r.sha256);
      expect(r.renewBefore?.toISOString()).toBe(notAfter(shortTsa.cert).toISOString());
      expect(await documentTimestampFields(issued[r.position])).toEqual(['VanThu-DocTimeStamp']);
    }

    // Outside the window (200 days left, window 90): nothing happens.
    const asked = tsa.asked();
    expect((await renewDueTimestamps(gw.registry!.rt, gw.blobs)).due).toBe(0);
    await scheduledSweep();
    expect(tsa.asked()).toBe(asked);
    expect((await rows()).map((r) => r.sha256)).toEqual(before.map((r) => r.sha256));

    // 120 days on, 80 left: due. A TSA still signing with the expiring certificate protects nothing longer: nothing stored.
    clock.advance(120 * DAY);
    const same = await renewDueTimestamps(gw.registry!.rt, gw.blobs);
    expect(same.outcomes.map((o) => o.outcome)).toEqual(['not-extended', 'not-extended']);
    expect((await rows()).map((r) => [r.sha256, r.renewClaim, Boolean(r.lastError)])).toEqual(before.map((r) => [r.sha256, null, true]));
    expect(await renewals()).toHaveLength(0);

    // The TSA has rolled over to a ten-year certificate: the scheduled sweep renews both files, and a second run nothing more.
    archive.useLongTsa();
    const asking = tsa.asked();
    await scheduledSweep();
    await scheduledSweep();
    expect(tsa.asked()).toBe(asking + 2);
    expect((await renewDueTimestamps(gw.registry!.rt, gw.blobs)).due).toBe(0);
    const audits = await renewals();
    expect(audits).toHaveLength(2);
    expect(audits.map((a) => (a.data as { file: string }).file).sort()).toEqual(['cong-van.pdf', 'phu-luc.pdf']);
    expect(audits[0]).toMatchObject({ actor: 'system:timestamp-renewal', entity: 'outgoing', at: clock.now() });

    const after = await rows();
    for (const r of after) {
      const old = before.find((b) => b.id === r.id)!;
      expect(r.sha256).not.toBe(old.sha256);
      expect(r.versions.map((v) => [v.sha256, v.field])).toEqual([
        [old.sha256, null],
        [r.sha256, 'VanThu-DocTimeStamp-2'],
      ]);
      expect(r.renewBefore?.toISOString()).toBe(notAfter(pki.tsa.cert).toISOString());
      expect([r.renewClaim, r.renewPending, r.lastError]).toEqual([null, null, null]);
      const pdf = await gw.blobs.read(r.sha256);
      // The old version is kept, byte for byte, as the prefix of the new one.
      expect(pdf.subarray(0, issued[r.position].length).equals(issued[r.position])).toBe(true);
      expect((await gw.blobs.read(old.sha256)).equals(issued[r.position])).toBe(true);
      expect(await documentTimestampFields(pdf)).toEqual(['VanThu-DocTimeStamp', 'VanThu-DocTimeStamp-2']);
      const reports = verifyDocument(pdf, 'pdf', { trust: bare, now: clock.now() }).signatures;
      expect(reports.every((x) => x.verdict === 'valid')).toBe(true);
      const signatures = r.position === 0 ? 2 : 1; // the leader's and the unit's; the unit's on the appendix
      expect(reports).toHaveLength(signatures + 2);
      expect(reports[signatures - 1].longTermValidation?.level).toBe('B-LTA');
      const sig = pdfsig(pdf, `renewed-${backend}-${r.position}.pdf`);
      expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(signatures);
      expect(sig).not.toMatch(/Signature is Invalid|Digest Mismatch/);
      expect(sig).toMatch(/Signature Field Name: VanThu-DocTimeStamp\n[\s\S]*Signature Field Name: VanThu-DocTimeStamp-2\n/);
    }
  }, 300_000);

  it('finishes an interrupted renewal once: stored bytes committed without the TSA, a dead claim taken over, a live one left', async () => {
    const rt = gw.registry!.rt;
    const db = gw.database.db;
    const [doc, appendix] = await rows();
    const soon = new Date(clock.now().getTime() + DAY);

    // Another sweep holds the document (claimed a minute ago): left alone.
    await db
      .update(issuedFiles)
      .set({ renewBefore: soon, renewClaim: 'rbusy', renewClaimedAt: new Date(clock.now().getTime() - 60_000) })
      .where(eq(issuedFiles.id, doc.id));
    expect((await renewDueTimestamps(rt, gw.blobs)).due).toBe(0);

    // That sweep died after storing the renewed bytes: the next one records them, without a new time-stamp.
    const current = await gw.blobs.read(doc.sha256);
    const sources = { crls: [], certificates: [pki.root.cert], fetchCrl: null };
    const renewed = await renewArchiveTimestamp(current, { tsa: tsa.url, sources });
    const { sha256: pending } = await gw.blobs.put(renewed.pdf);
    await db
      .update(issuedFiles)
      .set({ renewPending: pending, renewClaimedAt: new Date(clock.now().getTime() - 3_600_000) })
      .where(eq(issuedFiles.id, doc.id));
    // And a sweep died holding the appendix before it stored anything: it is renewed again.
    await db
      .update(issuedFiles)
      .set({ renewBefore: soon, renewClaim: 'rdead', renewClaimedAt: new Date(clock.now().getTime() - 3_600_000) })
      .where(eq(issuedFiles.id, appendix.id));

    const asked = tsa.asked();
    const sweep = await renewDueTimestamps(rt, gw.blobs);
    expect(sweep.outcomes.map((o) => [o.filename, o.outcome]).sort()).toEqual([
      ['cong-van.pdf', 'recovered'],
      ['phu-luc.pdf', 'renewed'],
    ]);
    expect(tsa.asked()).toBe(asked + 1); // the appendix's time-stamp only
    expect((await renewDueTimestamps(rt, gw.blobs)).due).toBe(0);

    const [d, a] = await rows();
    expect(d.sha256).toBe(pending);
    expect(d.versions.map((v) => v.sha256)).toEqual([...doc.versions.map((v) => v.sha256), pending]);
    expect(a.versions).toHaveLength(3);
    for (const r of [d, a]) expect([r.renewClaim, r.renewPending, r.renewBefore?.toISOString()]).toEqual([null, null, notAfter(pki.tsa.cert).toISOString()]);
    const audits = await renewals();
    expect(audits).toHaveLength(4);
    expect(audits.filter((x) => (x.data as { recovered?: boolean }).recovered).map((x) => (x.data as { file: string }).file)).toEqual(['cong-van.pdf']);
    const pdf = await gw.blobs.read(d.sha256);
    expect(await documentTimestampFields(pdf)).toEqual(['VanThu-DocTimeStamp', 'VanThu-DocTimeStamp-2', 'VanThu-DocTimeStamp-3']);
    expect(verifyDocument(pdf, 'pdf', { trust: bare, now: clock.now() }).signatures.every((x) => x.verdict === 'valid')).toBe(true);
  }, 300_000);
});
