/**
 * Issuing a document the leader signed (docs/issuance.md): number and date written in the header
 * as text, the unit's signature with its seal over the leader's, and both signatures valid per
 * poppler's pdfsig and per vanthu's own verifier (gateway/trust/pdf.ts, pdf-changes.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, decodePDFRawStream } from 'pdf-lib';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outgoingMessages } from '../gateway/outgoing/schema.ts';
import { auditLog } from '../gateway/registry/schema.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { dateLine, dateParts, issueDocument, IssueError, loadIssueKey } from '../gateway/outgoing/issue/issue.ts';
import { verifyDocument, type TrustStore } from '../gateway/trust/index.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { fixtureStore } from './fixtures/trust/store.ts';
import { LEADER_RECT, leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { startTestTsa } from './fixtures/issue/tsa.ts';

let fx: Fixtures;
let trust: TrustStore;
let dir: string;
let seal: Buffer;
beforeAll(async () => {
  fx = await ensureFixtures();
  trust = await fixtureStore(fx);
  dir = mkdtempSync(join(tmpdir(), 'vanthu-issue-'));
  seal = await sealPng();
}, 120_000);

async function issue(pdf: Buffer, tsa?: string) {
  return issueDocument(pdf, {
    tsa,
    notation: '125/UBND-VP',
    issuedDate: '2026-03-05',
    place: 'Lâm Đồng',
    unitName: 'Ủy ban nhân dân tỉnh Lâm Đồng',
    key: loadIssueKey(fx.pki.pss.p12, ''),
    seal,
    sealMm: 38,
    now: new Date(),
  });
}

function tool(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    // pdfsig exits non-zero when a signature is not valid; its report is still on stdout.
    return String((err as { stdout?: string }).stdout ?? '');
  }
}

describe('issuing a leader-signed document', () => {
  it('formats the date the Decree 30 way', () => {
    expect(dateParts('2026-03-05')).toEqual({ day: '05', month: '3', year: '2026' });
    expect(dateParts('2026-02-15').month).toBe('02');
    expect(dateLine('Lâm Đồng', '2026-12-01')).toBe('Lâm Đồng, ngày 01 tháng 12 năm 2026');
  });

  it('writes number and date as text, adds the unit signature and seal, and keeps the leader signature valid', async () => {
    const leader = await leaderPdf(fx.pki.signer.p12);
    const before = verifyDocument(leader, 'pdf', { trust }).signatures;
    expect(before.map((s) => s.verdict)).toEqual(['valid']);

    const out = await issue(leader);
    const file = join(dir, 'issued.pdf');
    writeFileSync(file, out.pdf);
    // The leader's bytes are untouched: two incremental updates were appended.
    expect(out.pdf.subarray(0, leader.length).equals(leader)).toBe(true);
    expect(out.revisions.every((n) => n > 0)).toBe(true);

    // Text in the header, where "Số:" and "ngày … tháng … năm" are.
    const layout = tool('pdftotext', ['-layout', '-f', '1', '-l', '1', file, '-']);
    const header = layout.split('\n').slice(0, 8).join('\n');
    expect(header).toMatch(/Số:\s*125\/UBND-VP/);
    expect(header).toMatch(/ngày\s+05\s+tháng\s+3\s+năm\s+2026/);
    // The embedded font is a subset (six-letter tag) and the text is not an image.
    expect(tool('pdffonts', [file])).toMatch(/[A-Z]{6}\+DejaVuSerif-Italic/);

    // pdfsig: two signatures, both valid.
    const sig = tool('pdfsig', [file]);
    expect(sig.match(/^Signature #\d+:/gm)).toHaveLength(2);
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);

    // vanthu's verifier: both valid, the leader's modified only by permitted changes.
    const reports = verifyDocument(out.pdf, 'pdf', { trust }).signatures;
    expect(reports.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    expect(reports[0].modifiedAfterSigning).toBe(true);
    expect(reports[0].changesAfterSigning).toBe('permitted');
    expect(reports[1].modifiedAfterSigning).toBe(false);
    expect(JSON.stringify(reports[1].signer)).toMatch(/Lê Văn Cường/);

    // The seal: an image widget on the last page, 38 mm, over the left third of the leader's widget.
    const doc = await PDFDocument.load(out.pdf);
    const page = doc.getPages().at(-1)!;
    const annots = page.node.lookup(PDFName.of('Annots'), PDFArray);
    const rects = [];
    for (let i = 0; i < annots.size(); i++) {
      const a = annots.lookup(i, PDFDict);
      const n = a.lookupMaybe(PDFName.of('AP'), PDFDict)?.lookup(PDFName.of('N'));
      const ap = n instanceof PDFRawStream ? n : undefined;
      const images = ap?.dict.lookupMaybe(PDFName.of('Resources'), PDFDict)?.lookupMaybe(PDFName.of('XObject'), PDFDict);
      if (!ap || !images?.has(PDFName.of('Seal'))) continue;
      const r = a.lookup(PDFName.of('Rect'), PDFArray);
      const [rx, ry] = [0, 1].map((k) => r.lookup(k, PDFNumber).asNumber());
      // The seal is drawn with "w 0 0 h x y cm /Seal Do" inside the widget's appearance.
      const ops = Buffer.from(decodePDFRawStream(ap).decode()).toString('latin1');
      const m = /([\d.]+) 0 0 ([\d.]+) ([\d.-]+) ([\d.-]+) cm\s*\/Seal Do/.exec(ops);
      expect(m).not.toBeNull();
      const [w, h, x, y] = m!.slice(1).map(Number);
      rects.push([rx + x, ry + y, rx + x + w, ry + y + h]);
    }
    const [x1, y1, x2, y2] = rects[0];
    const mm = ((x2 - x1) * 25.4) / 72;
    expect(mm).toBeGreaterThan(36);
    expect(mm).toBeLessThan(40);
    expect(y2 - y1).toBeCloseTo(x2 - x1, 3);
    const third = LEADER_RECT[0] + (LEADER_RECT[2] - LEADER_RECT[0]) / 3;
    expect(x2).toBeGreaterThan(LEADER_RECT[0]);
    expect(x2).toBeLessThanOrEqual(third + 0.01);
    expect(y1 < LEADER_RECT[3] && y2 > LEADER_RECT[1]).toBe(true);
  }, 60_000);

  it('fills only the number when the template already has the code ("Số:    /UBND-VP") and the year', async () => {
    const leader = await leaderPdf(fx.pki.signer.p12, { numberLine: '        /UBND-VP', dateLine: 'Lâm Đồng, ngày       tháng       năm 2026' });
    const out = await issue(leader);
    const file = join(dir, 'template.pdf');
    writeFileSync(file, out.pdf);
    const header = tool('pdftotext', ['-layout', '-f', '1', '-l', '1', file, '-']).split('\n').slice(0, 8).join('\n');
    expect(header).toMatch(/Số:\s*125\s*\/UBND-VP/);
    expect(header).not.toMatch(/UBND-VP\s*\/UBND-VP/);
    expect(header).toMatch(/ngày\s+05\s+tháng\s+3\s+năm\s+2026/);
    expect(header).not.toMatch(/2026\s+2026/);
    expect(verifyDocument(out.pdf, 'pdf', { trust }).signatures.map((s) => s.verdict)).toEqual(['valid', 'valid']);
  }, 60_000);

  it('signs the number and date on page 1 as well when the leader signed on a later page', async () => {
    const leader = await leaderPdf(fx.pki.signer.p12, { twoPages: true });
    const out = await issue(leader);
    expect(out.fields).toEqual(['VanThu-SoNgay', 'VanThu']);
    const file = join(dir, 'two-pages.pdf');
    writeFileSync(file, out.pdf);
    const header = tool('pdftotext', ['-layout', '-f', '1', '-l', '1', file, '-']).split('\n').slice(0, 8).join('\n');
    expect(header).toMatch(/Số:\s*125\/UBND-VP/);
    expect(header).toMatch(/ngày\s+05\s+tháng\s+3\s+năm\s+2026/);
    const sig = tool('pdfsig', [file]);
    expect(sig.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(3);
    const reports = verifyDocument(out.pdf, 'pdf', { trust }).signatures;
    expect(reports.map((s) => s.verdict)).toEqual(['valid', 'valid', 'valid']);
    expect(reports.map((s) => s.changesAfterSigning ?? 'none')).toEqual(['permitted', 'permitted', 'none']);
  }, 60_000);

  it('time-stamps the unit signature when a TSA is configured (RFC 3161, a local openssl ts)', async () => {
    const tsa = await startTestTsa(fx, dir);
    try {
      const out = await issue(await leaderPdf(fx.pki.signer.p12), tsa.url);
      expect(tsa.asked()).toBe(1);
      const reports = verifyDocument(out.pdf, 'pdf', { trust }).signatures;
      expect(reports.map((s) => s.verdict)).toEqual(['valid', 'valid']);
      expect(reports[1].reasons.join()).toMatch(/time from RFC 3161 time-stamp by CN=vanthu Test TSA/);
      const file = join(dir, 'stamped.pdf');
      writeFileSync(file, out.pdf);
      expect(tool('pdfsig', [file]).match(/Signature is Valid\./g)).toHaveLength(2);
    } finally {
      tsa.close();
    }
  }, 60_000);

  it('refuses a document without the leader signature or without a place for the number', async () => {
    const unsigned = await leaderPdf(fx.pki.signer.p12, { signed: false });
    await expect(issue(unsigned)).rejects.toMatchObject({ code: 'outgoing.issue.no_signature' });
    const numbered = await leaderPdf(fx.pki.signer.p12, { numberLine: ' 99/UBND-VP' });
    await expect(issue(numbered)).rejects.toBeInstanceOf(IssueError);
  }, 60_000);
});

describe('sending: unsigned documents need a decision, signed ones are issued', () => {
  let gw: TestGateway;
  let leader: Buffer;
  beforeAll(async () => {
    leader = await leaderPdf(fx.pki.signer.p12);
    const sealFile = join(dir, 'seal.png');
    writeFileSync(sealFile, seal);
    process.env.VANTHU_TEST_SEAL_PW = '';
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => {
        cfg.outgoing.requireSigned = true;
        cfg.outgoing.units.stc = {
          codeSuffix: 'UBND-VP',
          dkim: null,
          smime: null,
          issue: { place: 'Lâm Đồng', pkcs12: fx.pki.pss.p12, passwordEnv: 'VANTHU_TEST_SEAL_PW', seal: sealFile, sealMm: 38 },
        };
      },
    });
  }, 120_000);
  afterAll(async () => {
    await gw?.close();
  });

  const send = (pdf: Buffer, extra: Record<string, unknown> = {}) =>
    gw.api('/api/outgoing', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        unit: 'stc',
        to: ['vanthu@stp.lamdong.gov.vn'],
        subject: 'Triển khai chuyển đổi số năm 2026',
        document: { filename: 'cong-van.pdf', content: pdf.toString('base64') },
        ...extra,
      }),
    });

  it('refuses an unsigned PDF with 422 (Vietnamese and English) and numbers nothing; confirmUnsigned sends it and is audited', async () => {
    const unsigned = await leaderPdf(fx.pki.signer.p12, { signed: false });
    const refused = await send(unsigned);
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { message: string; reason: string };
    expect(body.reason).toBe('unsigned');
    expect(body.message).toMatch(/chưa có chữ ký số hợp lệ/);
    expect(body.message).toMatch(/no valid signature/);
    expect(body.message).toMatch(/confirm-unsigned/);

    const confirmed = await send(unsigned, { confirmUnsigned: true });
    expect(confirmed.status).toBe(201);
    const sent = (await confirmed.json()) as { id: string; notation: string };
    expect(sent.notation).toBe('1/UBND-VP'); // the refused send took no number
    const audit = await gw.database.db.select().from(auditLog).where(eq(auditLog.action, 'outgoing.send_unsigned'));
    expect(audit).toHaveLength(1);
    expect(audit[0].entityId).toBe(sent.id);
    expect(audit[0].data).toMatchObject({ notation: '1/UBND-VP', filename: 'cong-van.pdf', reason: 'the PDF has no digital signature' });
  }, 60_000);

  it('issues a leader-signed PDF on send: the attachment carries number, date and both valid signatures', async () => {
    const res = await send(leader);
    expect(res.status).toBe(201);
    const sent = (await res.json()) as { id: string; notation: string };
    const [row] = await gw.database.db.select().from(outgoingMessages).where(eq(outgoingMessages.id, sent.id));
    const mail = await simpleParser(await gw.blobs.read(row.rawSha256));
    const pdf = mail.attachments.find((a) => a.filename === 'cong-van.pdf')!.content;
    expect(pdf.subarray(0, leader.length).equals(leader)).toBe(true);
    const file = join(dir, 'sent.pdf');
    writeFileSync(file, pdf);
    const header = tool('pdftotext', ['-layout', '-f', '1', '-l', '1', file, '-']);
    expect(header).toContain(`Số: ${sent.notation}`);
    const reports = verifyDocument(pdf, 'pdf', { trust }).signatures;
    expect(reports.map((s) => s.verdict)).toEqual(['valid', 'valid']);
    expect(reports.map((s) => s.modifiedAfterSigning)).toEqual([true, false]);
    expect(reports[0].changesAfterSigning).toBe('permitted');
    const audit = await gw.database.db.select().from(auditLog).where(eq(auditLog.entityId, sent.id));
    expect(audit.filter((a) => a.action === 'outgoing.send_unsigned')).toHaveLength(0);
  }, 60_000);
  it('answers 503 with the code when the unit key or seal cannot be used, and numbers nothing', async () => {
    const sealFile = join(dir, 'seal.png');
    renameSync(sealFile, `${sealFile}.away`);
    try {
      const res = await send(leader);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { message: string; reason: string };
      expect(body.reason).toBe('outgoing.issue.seal');
      expect(body.message).toMatch(/unit key or seal unusable/);
    } finally {
      renameSync(`${sealFile}.away`, sealFile);
    }
    const before = await gw.database.db.select().from(outgoingMessages);
    const res = await send(leader);
    expect(res.status).toBe(201);
    const sent = (await res.json()) as { notation: string };
    expect(sent.notation).toBe(`${before.length + 1}/UBND-VP`); // the refused send took no number
  }, 60_000);
});
