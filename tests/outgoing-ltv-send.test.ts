/**
 * What long-term validation could not gather is told to the sender (issue 18; docs/issuance.md,
 * "Long-term validation"): a gateway whose unit issues with `ltv` configured, but with only the
 * root's CRL and an OCSP responder that does not answer, sends a leader-signed PDF; the API's
 * answer carries `validation` (what the DSS holds, `missing` per certificate) and a warning per
 * missing certificate, and `vanthu send-document` prints those warnings.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { PDFDocument } from 'pdf-lib';
import { outgoingMessages } from '../gateway/outgoing/schema.ts';
import { sendDocument } from '../gateway/outgoing/send.ts';
import { loadTrustStore, verifyDocument } from '../gateway/trust/index.ts';
import { runVanthu } from './helpers/cli-run.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { makeLtvPki, type LtvPki } from './fixtures/issue/ltv-pki.ts';
import { issuingUnit } from './fixtures/issue/signing.ts';

interface Sent {
  notation: string;
  warnings: string[];
  validation: { certificates: number; crls: number; ocsps: number; missing: string[] } | null;
}

describe('sending a document whose validation data is incomplete', () => {
  let dir: string;
  let pki: LtvPki;
  let gw: TestGateway;
  let leader: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vanthu-ltv-send-'));
    pki = makeLtvPki(join(dir, 'pki'));
    const sealFile = join(dir, 'seal.png');
    writeFileSync(sealFile, await sealPng());
    const rootCrl = pki.crl(pki.root, join(dir, 'root.crl'));
    leader = await leaderPdf(pki.leader.p12);
    writeFileSync(join(dir, 'cong-van.pdf'), leader);
    const signing = issuingUnit({
      pkcs12: pki.unit.p12,
      seal: sealFile,
      // The root's CRL covers the intermediate; the leader's and the unit's certificates have none, and no responder answers.
      ltv: { crls: [rootCrl], certificates: [pki.root.cert], ocsp: 'http://127.0.0.1:9/' },
    });
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => {
        cfg.outgoing.units.stc = signing;
      },
    });
  }, 180_000);

  afterAll(async () => {
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers with validation.missing and a warning per certificate left without revocation data; the CLI prints them', async () => {
    const res = await gw.api('/api/outgoing', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        unit: 'stc',
        to: ['vanthu@stp.lamdong.gov.vn'],
        subject: 'Triển khai chuyển đổi số năm 2026',
        document: { filename: 'cong-van.pdf', content: leader.toString('base64') },
      }),
    });
    const sent = (await res.json()) as Sent;
    expect(res.status, JSON.stringify(sent)).toBe(201);
    expect(sent.validation).toMatchObject({ crls: 1, ocsps: 0 });
    const missing = sent.validation!.missing;
    expect(missing).toHaveLength(2);
    expect(missing.some((m) => m.startsWith('CN=Nguyễn Văn An'))).toBe(true);
    expect(missing.some((m) => m.startsWith('CN=Ủy ban nhân dân tỉnh Lâm Đồng'))).toBe(true);
    for (const m of missing) expect(sent.warnings).toContainEqual(expect.stringContaining(m));
    expect(sent.warnings.filter((w) => w.includes('not fully B-LT'))).toHaveLength(2);

    // The same through the command line, at a terminal's output (warnings as lines).
    const env = { VANTHU_API_URL: `http://127.0.0.1:${gw.httpPort}`, VANTHU_API_TOKEN: gw.token };
    const run = await runVanthu(
      ['send-document', join(dir, 'cong-van.pdf'), '--to', 'vanthu@stp.lamdong.gov.vn', '--subject', 'Triển khai chuyển đổi số', '--unit', 'stc'],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => l.includes('not fully B-LT'));
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).toContain('CN=Nguyễn Văn An');
  }, 120_000);

  it('signs a PDF appendix at the top right of its first page with the number and the signing time; other appendices go as they are', async () => {
    const appendixDoc = await PDFDocument.create();
    appendixDoc.addPage([595, 842]);
    appendixDoc.addPage([595, 842]);
    const appendix = Buffer.from(await appendixDoc.save());
    const text = Buffer.from('Danh sách đơn vị\n');
    const rt = gw.registry!.rt;
    const sent = await sendDocument(rt, gw.blobs, async () => undefined, {
      unitId: 'stc',
      to: ['vanthu@stp.lamdong.gov.vn'],
      subject: 'Kế hoạch kiểm tra năm 2026',
      document: { filename: 'cong-van.pdf', content: leader },
      appendices: [
        { filename: 'phu-luc.pdf', content: appendix, contentType: 'application/pdf' },
        { filename: 'danh-sach.txt', content: text, contentType: 'text/plain' },
      ],
      actor: 'test',
      senderEmail: null,
    });
    const [row] = await gw.database.db.select().from(outgoingMessages).where(eq(outgoingMessages.id, sent.id));
    const mail = await simpleParser(await gw.blobs.read(row.rawSha256));
    const signed = mail.attachments.find((a) => a.filename === 'phu-luc.pdf')!.content;
    expect(mail.attachments.find((a) => a.filename === 'danh-sach.txt')!.content.equals(text)).toBe(true);
    // An incremental update over the appendix as it was.
    expect(signed.subarray(0, appendix.length).equals(appendix)).toBe(true);
    const reports = verifyDocument(signed, 'pdf', { trust: await loadTrustStore({ anchors: [pki.root.cert] }) }).signatures;
    expect(reports.map((r) => [r.verdict, r.signer?.commonName])).toEqual([['valid', 'Ủy ban nhân dân tỉnh Lâm Đồng']]);
    const file = join(dir, 'phu-luc-signed.pdf');
    writeFileSync(file, signed);
    const pdfsig = spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout;
    expect(pdfsig).toContain('Signature Validation: Signature is Valid.');
    expect(pdfsig).toContain('Signature Field Name: VanThu-PhuLuc');
    // Number and signing time (ISO 8601, +07:00) as text at the top right of page 1.
    const bbox = spawnSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' }).stdout;
    const words = [...bbox.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      xMax: Number(m[3]),
      text: m[5],
    }));
    const number = words.find((w) => w.text === sent.notation);
    const time = words.find((w) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/.test(w.text));
    expect(number, bbox).toBeDefined();
    expect(time, bbox).toBeDefined();
    for (const w of [number!, time!]) {
      expect(w.xMax).toBeGreaterThan(595 - 40);
      expect(w.y).toBeLessThan(80);
    }
    expect(number!.y).toBeLessThan(time!.y);
  }, 120_000);
});
