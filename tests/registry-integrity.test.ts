/**
 * Issue 13 §2 end to end: real mail over SMTP through a running gateway, the real parse,
 * classify and verify stages (trust anchors of the test PKI), and the register stage's policy.
 * - a signed PDF with a page replaced after signing is never registered automatically: review,
 *   with the reason in Vietnamese; the revision it was signed as is kept and served (API, CLI);
 * - a later signature is a permitted change: still registered automatically;
 * - a copy of a registered document that differs from it (S/MIME tampered with, another PDF) raises
 *   an alert on the original's record and mails the clerk; an identical copy stays a silent link;
 * - a clerk cannot put a document with empty required fields into the book (422, API and CLI).
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVanthu, type Vanthu } from '../gateway/app.ts';
import { ManualClock } from '../gateway/clock.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { missingRequired, notationRequired } from '../gateway/registry/intake/integrity.ts';
import { documents } from '../gateway/registry/schema.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { ensureFixtures, type Fixtures } from './fixtures/trust/make-fixtures.ts';
import { smimeSign } from './fixtures/trust/smime.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv, waitFor } from './helpers/gateway.ts';
import { startMailSink, type MailSink } from './helpers/mail-sink.ts';
import { BIN } from './helpers/paths.ts';
import { configureRegistry } from './helpers/registry-fixtures.ts';
import { transport } from './helpers/smtp.ts';

const run = promisify(execFile);
const UNIT = 'vanthu@stc.lamdong.gov.vn';
const SENDER = 'vanthu@ubnd.lamdong.gov.vn';
const PASSWORD = 'mật khẩu 2026';

/** The body of an official document; the day keeps scenarios from being duplicates of each other. */
const official = (day: number, to = 'Sở Tài chính tỉnh Lâm Đồng') => [
  'ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG',
  'Số: 25/CT-UBND',
  'V/v đẩy mạnh ứng dụng công nghệ thông tin',
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Độc lập - Tự do - Hạnh phúc',
  `Lâm Đồng, ngày ${day} tháng 11 năm 2026`,
  `Kính gửi: ${to}`,
  'Ủy ban nhân dân tỉnh gửi kèm văn bản điện tử đã ký số.',
];

const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');
const word = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

function entity(body: string[], pdf: Buffer | null, name = '25-CT-UBND.pdf'): string {
  if (!pdf) return ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', ...body, ''].join('\r\n');
  return [
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...body,
    '--b1',
    `Content-Type: application/pdf; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    b64(pdf),
    '--b1--',
    '',
  ].join('\r\n');
}

function plainMail(mid: string, subject: string, body: string[], pdf: Buffer | null): Buffer {
  const head = [
    `From: ${SENDER}`,
    `To: ${UNIT}`,
    `Subject: ${word(subject)}`,
    `Message-ID: <${mid}@ubnd.lamdong.gov.vn>`,
    'Date: Mon, 23 Nov 2026 08:30:00 +0700',
    'MIME-Version: 1.0',
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n${entity(body, pdf)}`, 'utf8');
}

describe('required fields of a book entry (Decree 30/2020)', () => {
  it('needs số/ký hiệu except for the types that have none, and issuer, date and trích yếu', () => {
    const full = {
      notation: '25/CT-UBND',
      issuer: 'UBND tỉnh Lâm Đồng',
      issuedDate: '2026-11-20',
      subject: 'Đẩy mạnh CNTT',
      typeCode: 'CT',
      typeName: 'Chỉ thị',
    };
    expect(missingRequired(full)).toEqual([]);
    expect(missingRequired({ ...full, typeCode: 'CV', typeName: 'Công văn', notation: null, issuer: '  ', issuedDate: null, subject: null })).toEqual([
      'notation',
      'issuer',
      'issuedDate',
      'subject',
    ]);
    expect(missingRequired({ ...full, typeCode: null, typeName: null, notation: null })).toEqual(['notation']); // unknown type: has one
    expect(missingRequired({ ...full, typeCode: null, typeName: 'Thư công', notation: null, subject: null })).toEqual([]);
    expect(notationRequired('QC', 'Quy chế')).toBe(false);
    expect(notationRequired('CV', 'Công văn')).toBe(true);
  });
});

describe.each(BACKENDS)('registry integrity end to end on %s', (backend) => {
  let fx: Fixtures;
  let storage: TestStorage;
  let app: Vanthu;
  let sink: MailSink;
  let serviceToken: string;
  let clerk: string;
  const out = mkdtempSync(path.join(tmpdir(), 'vanthu-integrity-'));

  const api = async (p: string, token: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`http://127.0.0.1:${app.httpPort}${p}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const type = res.headers.get('content-type') ?? '';
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, type, bytes, body: type.includes('json') ? JSON.parse(bytes.toString('utf8')) : null };
  };

  const cli = (args: string[], token: string) =>
    run(process.execPath, [BIN, ...args], { env: { ...process.env, VANTHU_API_URL: `http://127.0.0.1:${app.httpPort}`, VANTHU_API_TOKEN: token } });

  /** Delivers over SMTP and waits until the register stage has decided; returns the unit's document row. */
  async function deliver(raw: Buffer) {
    const info = await transport(app.smtpPort!).sendMail({ envelope: { from: SENDER, to: [UNIT] }, raw });
    const inbound = /queued as ([0-9A-Z]{26})/.exec(info.response)![1];
    await waitFor(
      async () => (await app.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, inbound)))[0]?.state === 'decided',
      30_000,
      'register stage',
    );
    await app.registry!.followup.settle();
    const [doc] = await app.database.db.select().from(documents).where(eq(documents.inboundId, inbound));
    return { inbound, doc };
  }

  beforeAll(async () => {
    fx = await ensureFixtures();
    // The app's clock, from the fixtures (signed at their creation): a day after the signer's certificate begins.
    const clock = new ManualClock(new Date(Date.parse(new X509Certificate(readFileSync(fx.pki.signer.cert)).validFrom) + 86_400_000));
    sink = await startMailSink();
    storage = await createTestStorage(backend);
    const config = loadConfig(testEnv(storage));
    config.ingest.outboxSweepMs = 200;
    configureRegistry(config);
    // The fixture PDFs' ASCII text classifies at 0.6: enough for this unit's policy.
    config.registry.units.stc.policy = { confidenceThreshold: 0.5 };
    Object.assign(config.trust, { anchors: [fx.pki.root], crls: [fx.pki.crl] });
    config.mail = {
      ...config.mail,
      from: UNIT,
      transport: { kind: 'smarthost', host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, user: null, pass: null },
      alertTo: [],
    };
    app = await startVanthu(config, 'all', silentLogger, { clock });
    serviceToken = config.http.tokens[0].token;
    const add = await api('/api/users', serviceToken, {
      method: 'POST',
      body: { email: 'clerk@stc.lamdong.gov.vn', role: 'clerk', unit: 'stc', name: 'Văn thư Sở', password: PASSWORD },
    });
    expect(add.status).toBe(201);
    const login = await fetch(`http://127.0.0.1:${app.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'clerk@stc.lamdong.gov.vn', password: PASSWORD }),
    });
    clerk = ((await login.json()) as { token: string }).token;
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await storage?.cleanup();
    await sink?.close();
  });

  it('sends a PDF with a page replaced after signing to review, never to the book, and keeps what was signed', async () => {
    const attached = readFileSync(fx.pdf['page-replaced']);
    const { inbound, doc } = await deliver(plainMail('page-replaced', 'Chỉ thị 25/CT-UBND', official(21), attached));
    expect([doc.status, doc.bookNumber, doc.verdict]).toEqual(['review', null, 'invalid']);
    expect(doc.reasons[0]).toBe(
      'Văn bản bị sửa đổi sau khi ký số (trang 2 bị thay thế) — 25-CT-UBND.pdf (document changed after signing: page 2 was replaced)',
    );

    const detail = await api(`/api/documents/${doc.id}`, clerk);
    expect(detail.status).toBe(200);
    expect(detail.body.signedRevisions).toHaveLength(1);
    const rev = detail.body.signedRevisions[0];
    expect(rev).toMatchObject({
      attachment: '25-CT-UBND.pdf',
      signature: 0,
      changesAfterSigning: 'forbidden',
      fileName: '25-CT-UBND.signed-1.pdf',
      fileSha256: createHash('sha256').update(attached).digest('hex'),
    });

    // The API serves exactly the bytes the signature covers: a prefix of the file, fully signed for pdfsig.
    const got = await api(rev.href, clerk);
    expect([got.status, got.type]).toEqual([200, 'application/pdf']);
    expect(got.bytes.equals(attached.subarray(0, rev.length))).toBe(true);
    expect(createHash('sha256').update(got.bytes).digest('hex')).toBe(rev.sha256);
    const file = path.join(out, `revision-${backend}.pdf`);
    const cliRun = await cli(['signed-revision', doc.id, '--out', file], clerk);
    expect(JSON.parse(cliRun.stdout)).toMatchObject({ document: doc.id, bytes: rev.length, sha256: rev.sha256 });
    expect(readFileSync(file).equals(got.bytes)).toBe(true);
    const sig = await run('pdfsig', ['-nocert', file]);
    expect(sig.stdout).toMatch(/Total document signed/);
    expect(sig.stdout).toMatch(/Signature is Valid/);
    const page2 = (await run('pdftotext', ['-f', '2', '-l', '2', file, '-'])).stdout;
    expect(page2).toContain('Noi nhan: So TTTT');
    // The message view carries the same record from the verify stage.
    const message = await api(`/api/messages/${inbound}`, serviceToken);
    expect(message.body.stages.verify.result.signedRevisions[0].sha256).toBe(rev.sha256);
    // An index past the kept revisions answers 404.
    expect((await api(`/api/documents/${doc.id}/signed-revision?n=1`, clerk)).status).toBe(404);
  });

  it('still registers automatically a PDF whose later change is another signature', async () => {
    const { doc } = await deliver(plainMail('twice-signed', 'Chỉ thị 25/CT-UBND (ký bổ sung)', official(22), readFileSync(fx.pdf['twice-signed'])));
    expect(doc.verdict).toBe('valid');
    expect(doc.bookNumber).not.toBeNull();
    expect(doc.reasons.find((r) => r.startsWith('Ghi chú:'))).toMatch(/thêm chữ ký số sau \(trường “Signature2”\)/);
  });

  it('raises an alert on the original for a differing copy, and links an identical one silently', async () => {
    const body = official(20);
    const signed = smimeSign(Buffer.from(entity(body, readFileSync(fx.pdf.valid)), 'utf8'), fx.pki.signer);
    const genuine = Buffer.concat([Buffer.from('Message-ID: <25-ct-ubnd@ubnd.lamdong.gov.vn>\r\n'), signed]);
    const { doc: original } = await deliver(genuine);
    expect([original.verdict, original.bookNumber !== null]).toEqual(['valid', true]);

    // The same signed message again under another Message-ID (headers are outside the signature).
    const { doc: same } = await deliver(Buffer.concat([Buffer.from('Message-ID: <25-ct-ubnd-fwd@ubnd.lamdong.gov.vn>\r\n'), signed]));
    expect([same.status, same.linkedTo]).toEqual(['linked', original.id]);
    expect((await api(`/api/documents/${original.id}`, clerk)).body.alerts).toEqual([]);

    // A tampered copy: same Message-ID, one line of the signed text changed.
    const tampered = Buffer.from(
      genuine.toString('utf8').replace('Kính gửi: Sở Tài chính tỉnh Lâm Đồng', 'Kính gửi: Sở Tài chính tỉnh Lâm Đồng và Kho bạc'),
      'utf8',
    );
    const { doc: copy } = await deliver(tampered);
    expect([copy.status, copy.linkedTo, copy.verdict]).toEqual(['linked', original.id, 'invalid']);
    expect(copy.reasons[0]).toMatch(/^Cảnh báo: bản trùng khác với văn bản đã nhận .*valid → invalid/);

    // Another PDF under the same document: a different attachment hash (and a forbidden change).
    const { doc: other } = await deliver(
      Buffer.concat([
        Buffer.from('Message-ID: <25-ct-ubnd@ubnd.lamdong.gov.vn>\r\n'),
        smimeSign(Buffer.from(entity(body, readFileSync(fx.pdf['shadow-xref'])), 'utf8'), fx.pki.signer),
      ]),
    );
    expect([other.status, other.linkedTo]).toEqual(['linked', original.id]);

    const detail = (await api(`/api/documents/${original.id}`, clerk)).body;
    expect(detail.alerts).toHaveLength(2);
    const [first, second] = detail.alerts;
    expect(first).toMatchObject({
      duplicateId: copy.id,
      sender: 'vanthu@sotttt.lamdong.gov.vn',
      internetMessageId: '<25-ct-ubnd@ubnd.lamdong.gov.vn>',
      originalVerdict: 'valid',
      duplicateVerdict: 'invalid',
      handling: 'linked',
      differences: [{ kind: 'verdict', vi: 'Kết quả kiểm tra chữ ký số khác bản gốc: valid → invalid' }],
    });
    expect(Date.parse(first.receivedAt)).not.toBeNaN();
    expect(second).toMatchObject({ duplicateId: other.id, differences: [{ kind: 'attachments' }, { kind: 'verdict' }] });
    expect(second.differences[0].vi).toMatch(
      /^Tệp đính kèm khác bản gốc \(tệp khác bản gốc: 25-CT-UBND\.pdf SHA-256 [0-9a-f]{12}…; thiếu tệp của bản gốc: SHA-256 [0-9a-f]{12}…\)$/,
    );
    expect(detail.history.filter((h: { action: string }) => h.action === 'document.duplicate_alert')).toHaveLength(2);
    // The clerk is told by mail, once per differing copy.
    const mails = await waitFor(
      () => {
        const m = sink.to('clerk@stc.lamdong.gov.vn').filter((x) => x.subject.startsWith('[CẢNH BÁO] Bản trùng'));
        return m.length === 2 ? m : null;
      },
      15_000,
      'alert mails',
    );
    expect(mails.map((m) => m.text).join('\n')).toContain(copy.id);
  });

  it('refuses to book a document with empty required fields: 422 naming them, from the API and the CLI', async () => {
    const { inbound, doc } = await deliver(
      plainMail(
        'cv-40',
        'Công văn 40/UBND-VP về họp giao ban',
        ['Số: 40/UBND-VP', 'V/v họp giao ban tháng 12', 'Kính gửi: Sở Tài chính tỉnh Lâm Đồng', 'Mời đại diện lãnh đạo Sở dự họp.'],
        null,
      ),
    );
    expect(doc.status).toBe('review');
    const refused = await api(`/api/documents/${doc.id}/approve`, clerk, { method: 'POST', body: {} });
    expect(refused.status).toBe(422);
    expect(refused.body.fields).toEqual(['issuer', 'issuedDate']);
    expect(refused.body.message).toMatch(
      /^Chưa đủ thông tin bắt buộc để vào sổ: cơ quan ban hành, ngày ban hành \(required fields are empty: issuer .*issuedDate/,
    );
    // Clearing the số/ký hiệu of a công văn is refused the same way; nothing was written.
    const cleared = await api(`/api/documents/${doc.id}/approve`, clerk, {
      method: 'POST',
      body: { corrections: { notation: null, issuer: 'Ủy ban nhân dân tỉnh Lâm Đồng', issuedDate: '2026-11-24' } },
    });
    expect([cleared.status, cleared.body.fields]).toEqual([422, ['notation']]);
    expect((await app.database.db.select().from(documents).where(eq(documents.id, doc.id)))[0]).toMatchObject({
      status: 'review',
      notation: '40/UBND-VP',
      issuer: null,
    });

    await expect(cli(['review', 'approve', doc.id], clerk)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/422.*cơ quan ban hành, ngày ban hành/),
    });
    await expect(cli(['register', inbound, '--set', 'issuer=Ủy ban nhân dân tỉnh Lâm Đồng'], clerk)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/422.*ngày ban hành \(required fields are empty: issuedDate/),
    });
    const ok = JSON.parse((await cli(['register', inbound, '--set', 'issuer=Ủy ban nhân dân tỉnh Lâm Đồng', '--set', 'issuedDate=2026-11-24'], clerk)).stdout);
    expect(ok.items[0]).toMatchObject({ id: doc.id, issuer: 'Ủy ban nhân dân tỉnh Lâm Đồng', issuedDate: '2026-11-24' });
    expect(ok.items[0].bookNumber).not.toBeNull();
  }, 60_000);
});
