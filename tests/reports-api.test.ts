/**
 * The leader's overview (GET /api/overview), the province's report on electronic documents (GET
 * /api/reports/usage, JSON, XLSX read back with exceljs, PDF read with pdftotext) and the outgoing
 * trail (GET /api/outgoing/trail), against a real gateway on both backends with a fixed clock:
 * documents arrive on known days of November 2026 (by mail, and one entered at the desk as a scan),
 * are registered, assigned, given deadlines and done; officers act in the app or by a reply; an
 * outgoing document goes to two recipients through a real SMTP sink, one answers with a DSN and a
 * receipt sent to the gateway's SMTP listener. Today is Friday 20/11/2026 in Hà Nội.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../gateway/clock.ts';
import { userPrincipal } from '../gateway/registry/access/policy.ts';
import { withAuditVia } from '../gateway/registry/audit.ts';
import { intakeMessage } from '../gateway/registry/intake/intake.ts';
import { users } from '../gateway/registry/schema.ts';
import { addComment } from '../gateway/registry/workflow/workflow.ts';
import { inboundMessages, messageOcr } from '../gateway/store/schema.ts';
import { BACKENDS } from './helpers/databases.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { startMailSink, type MailSink } from './helpers/mail-sink.ts';
import { classification, configureRegistry, insertInbound, VALID } from './helpers/registry-fixtures.ts';

const run = promisify(execFile);
const PASSWORD = 'mật khẩu báo cáo 2026';
const PEOPLE = {
  leader: { email: 'leader@stc.lamdong.gov.vn', role: 'leader', unit: 'stc' },
  clerk: { email: 'clerk@stc.lamdong.gov.vn', role: 'clerk', unit: 'stc' },
  officer1: { email: 'an@stc.lamdong.gov.vn', role: 'officer', unit: 'stc', department: 'ns', name: 'Nguyễn Văn An' },
  officer2: { email: 'binh@stc.lamdong.gov.vn', role: 'officer', unit: 'stc', department: 'vp', name: 'Trần Thị Bình' },
  officer3: { email: 'cuong@stc.lamdong.gov.vn', role: 'officer', unit: 'stc', department: 'ns', name: 'Lê Văn Cường' },
  leaderOther: { email: 'leader@vpubnd.lamdong.gov.vn', role: 'leader', unit: 'vpubnd' },
} as const;
type Who = keyof typeof PEOPLE;
/** Hà Nội wall time (UTC+7) of a November 2026 day. */
const hn = (date: string, hour: number, minute = 0) => new Date(Date.UTC(2026, Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hour - 7, minute));

describe.each(BACKENDS)('leader overview, usage report and outgoing trail on %s', (backend) => {
  let gw: TestGateway;
  let sink: MailSink;
  const clock = new ManualClock(hn('2026-11-01', 8));
  const tokens: Partial<Record<Who, string>> = {};
  const ids: Record<string, string> = {};
  const out = mkdtempSync(path.join(tmpdir(), 'vanthu-report-'));

  const call = async (p: string, who: Who | 'service', init: { method?: string; json?: unknown } = {}) => {
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}${p}`, {
      method: init.method ?? (init.json ? 'POST' : 'GET'),
      headers: {
        authorization: `Bearer ${who === 'service' ? gw.token : tokens[who]}`,
        ...(init.json ? { 'content-type': 'application/json' } : {}),
      },
      body: init.json ? JSON.stringify(init.json) : undefined,
    });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, body: type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer()) };
  };
  const ok = async (p: string, who: Who | 'service', init: { method?: string; json?: unknown } = {}) => {
    const r = await call(p, who, init);
    expect(r.status, `${p}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body;
  };

  /** A message arrived at `arrival` (by `source`), taken in by the registry at the clock's time. */
  async function arrive(name: string, arrival: Date, registerAt: Date, opts: { source?: string; cls?: unknown; verify?: unknown } = {}) {
    clock.set(registerAt);
    const db = gw.database.db;
    const inbound = await insertInbound(db, { receivedAt: arrival });
    await db
      .update(inboundMessages)
      .set({ source: opts.source ?? 'smtp' })
      .where(eq(inboundMessages.id, inbound));
    const [msg] = await db.select().from(inboundMessages).where(eq(inboundMessages.id, inbound));
    const results =
      opts.cls === null
        ? {}
        : { classify: opts.cls ?? classification({ notation: `${name}/UBND-VX`, subject: `Công văn ${name}` }), verify: opts.verify ?? VALID };
    const [o] = await intakeMessage(gw.registry!.rt, msg, results);
    ids[name] = o.documentId!;
    ids[`${name}Inbound`] = inbound;
  }
  const assign = async (doc: string, officer: Who, due: string) => {
    await ok(`/api/documents/${ids[doc]}/assign`, 'leader', { json: { officer: PEOPLE[officer].email } });
    await ok(`/api/documents/${ids[doc]}/deadline`, 'leader', { json: { dueDate: due } });
  };

  beforeAll(async () => {
    sink = await startMailSink();
    gw = await startTestGateway({
      backend,
      clock,
      configure: (cfg) => {
        configureRegistry(cfg);
        cfg.registry.routing = [];
        cfg.registry.sessionHours = 24 * 365;
        cfg.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, user: null, pass: null };
        cfg.outgoing.requireSigned = true;
        cfg.outgoing.units.stc = { codeSuffix: 'STC-VP', dkim: null, smime: null };
        cfg.directory = [
          { name: 'Sở Tư pháp tỉnh Lâm Đồng', address: 'vanthu@stp.lamdong.gov.vn', organId: '000.00.20.H41', aliases: [] },
          { name: 'Sở Xây dựng tỉnh Lâm Đồng', address: 'vanthu@sxd.lamdong.gov.vn', organId: '000.00.22.H41', aliases: [] },
        ];
        // A province that asks for 70 % received electronically; the other targets keep their defaults.
        cfg.registry.reports.targets.receivedElectronicPct = 70;
      },
    });
    for (const [key, p] of Object.entries(PEOPLE)) {
      await ok('/api/users', 'service', { json: { name: `Cán bộ ${key}`, ...p, password: PASSWORD } });
      const login = await fetch(`http://127.0.0.1:${gw.httpPort}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: p.email, password: PASSWORD }),
      });
      tokens[key as Who] = ((await login.json()) as { token: string }).token;
    }
    // October: still open, overdue since 30/10.
    await arrive('d5', hn('2026-10-20', 8), hn('2026-10-20', 9));
    await assign('d5', 'officer3', '2026-10-30');
    // November: by mail, registered 2 h after arrival; overdue since 10/11.
    await arrive('d1', hn('2026-11-02', 8), hn('2026-11-02', 10));
    await assign('d1', 'officer1', '2026-11-10');
    // Entered at the desk (upload) from a scan that needed OCR, registered after 4 h, done two days after arrival.
    await arrive('d3', hn('2026-11-03', 8), hn('2026-11-03', 12), { source: 'api' });
    await gw.database.db.insert(messageOcr).values({ messageId: ids.d3Inbound, idx: 0, sha256: 'a'.repeat(64), kind: 'pdf', status: 'done' });
    await assign('d3', 'officer1', '2026-11-13');
    clock.set(hn('2026-11-05', 8));
    await ok(`/api/documents/${ids.d3}/status`, 'officer1', { json: { status: 'done' } });
    // By mail, registered after 30 min, due this Friday; its officer answers by replying to the notice.
    await arrive('d2', hn('2026-11-16', 9), hn('2026-11-16', 9, 30));
    await assign('d2', 'officer2', '2026-11-20');
    clock.set(hn('2026-11-17', 9));
    const [o2] = await gw.database.db.select().from(users).where(eq(users.email, PEOPLE.officer2.email));
    const officer2 = userPrincipal({ ...o2, role: 'officer' });
    await withAuditVia({ channel: 'mail', messageId: '<reply-1@stc.lamdong.gov.vn>' }, () =>
      addComment(gw.registry!.rt, officer2, ids.d2, 'Đã nhận, đang xử lý'),
    );
    // Unsigned and unread: waits for the clerk.
    await arrive('d4', hn('2026-11-18', 8), hn('2026-11-18', 8), { cls: null });
    clock.set(hn('2026-11-20', 10));
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await sink?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('overview: received, registered, in progress, overdue and done per department and officer; due this week', async () => {
    const o = await ok('/api/overview?month=2026-11', 'leader');
    expect(o).toMatchObject({ unitId: 'stc', month: '2026-11', today: '2026-11-20', week: { start: '2026-11-16', end: '2026-11-22' } });
    expect(o.totals).toEqual({ received: 4, registered: 3, inProgress: 3, overdue: 2, done: 1 });
    const dept = (id: string | null) => o.departments.find((d: { id: string | null }) => d.id === id);
    expect(dept('ns')).toMatchObject({ name: 'Phòng Ngân sách', received: 2, registered: 2, inProgress: 2, overdue: 2, done: 1 });
    expect(dept('vp')).toMatchObject({ received: 1, registered: 1, inProgress: 1, overdue: 0, done: 0 });
    expect(dept('tin')).toMatchObject({ received: 0, inProgress: 0 });
    expect(dept(null)).toMatchObject({ received: 1, registered: 0 });
    const person = (email: string) => o.officers.find((r: { email: string | null }) => r.email === email);
    expect(person(PEOPLE.officer1.email)).toMatchObject({ name: PEOPLE.officer1.name, received: 2, inProgress: 1, overdue: 1, done: 1 });
    expect(person(PEOPLE.officer2.email)).toMatchObject({ received: 1, inProgress: 1, overdue: 0 });
    expect(person(PEOPLE.officer3.email)).toMatchObject({ received: 0, inProgress: 1, overdue: 1 });
    // Most overdue first.
    expect(o.departments[0].id).toBe('ns');
    expect(o.dueThisWeek).toEqual([expect.objectContaining({ id: ids.d2, dueDate: '2026-11-20', overdue: false, assigneeName: PEOPLE.officer2.name })]);
    // October: d5 arrived then; today's open and overdue are the same.
    const oct = await ok('/api/overview?month=2026-10', 'leader');
    expect(oct.totals).toEqual({ received: 1, registered: 1, inProgress: 3, overdue: 2, done: 0 });
    // The drill-down is the documents API with the same filters: the overdue items of a department.
    const list = await ok('/api/documents?department=ns&status=received,assigned,in_progress&book=incoming&overdue=true', 'leader');
    expect(list.items.map((d: { id: string }) => d.id).sort()).toEqual([ids.d1, ids.d5].sort());
  });

  it('overview and report follow the policy: leaders (and clerks for the report) of their own unit', async () => {
    expect((await call('/api/overview', 'officer1')).status).toBe(403);
    expect((await call('/api/overview', 'clerk')).status).toBe(403);
    expect((await call('/api/overview?unit=vpubnd', 'leader')).status).toBe(403);
    expect((await call('/api/reports/usage', 'officer1')).status).toBe(403);
    expect((await call('/api/reports/usage?unit=vpubnd', 'clerk')).status).toBe(403);
    expect((await call('/api/reports/usage?month=2026-13', 'clerk')).status).toBe(400);
    expect((await call('/api/overview?unit=nowhere', 'service')).status).toBe(404);
    // Another unit's leader sees their own (empty) unit, none of stc's documents.
    const other = await ok('/api/overview?month=2026-11', 'leaderOther');
    expect(other).toMatchObject({ unitId: 'vpubnd', totals: { received: 0, inProgress: 0, overdue: 0 }, dueThisWeek: [] });
    // Admins see every unit without `unit`.
    const all = await ok('/api/overview?month=2026-11', 'service');
    expect(all.unitId).toBeNull();
    expect(all.totals.received).toBe(4);
  });

  it('usage report: received, sent, officers and times against the configured targets', async () => {
    // Outgoing in November: one sent through vanthu (unsigned, confirmed by the clerk), one numbered for paper.
    clock.set(hn('2026-11-19', 9));
    const sent = await ok('/api/outgoing', 'clerk', {
      json: {
        to: ['vanthu@stp.lamdong.gov.vn', 'vanthu@sxd.lamdong.gov.vn'],
        subject: 'Kế hoạch kiểm tra công tác văn thư',
        typeCode: 'KH',
        confirmUnsigned: true,
        document: { filename: 'ke-hoach.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64') },
      },
    });
    ids.outgoing = sent.id;
    ids.outgoingMid = sent.messageId;
    ids.outgoingNotation = sent.notation;
    // Handed to both recipients' server (the SMTP sink) while the clock still reads 19/11 09:00.
    await waitFor(
      async () => (await ok(`/api/outgoing/${sent.id}`, 'clerk')).deliveries.every((d: { state: string }) => d.state === 'sent'),
      20_000,
      'sent to both recipients',
    );
    await ok('/api/books/outgoing', 'clerk', {
      json: { unit: 'stc', codeSuffix: 'STC-VP', typeCode: 'QĐ', subject: 'Quyết định ban hành quy chế (bản giấy)' },
    });
    clock.set(hn('2026-11-20', 10));

    const r = await ok('/api/reports/usage?month=2026-11', 'clerk');
    expect(r.month).toBe('2026-11');
    expect(r.targets).toMatchObject({ receivedElectronicPct: 70, sentElectronicPct: 90, signedPct: 80, registerHoursP90: 24 });
    expect(r.units).toHaveLength(1);
    const u = r.units[0];
    expect(u).toMatchObject({
      unitId: 'stc',
      received: { total: 4, electronic: 3, paper: 1, scans: 1, signed: 3 },
      sent: { numbered: 2, electronic: 1, signed: 0 },
      officers: { withItems: 3, app: 1, mail: 1, electronic: 2, none: 1 },
      times: { registerHours: { n: 3, median: 2, p90: 4 }, doneDays: { n: 1, median: 2, p90: 2 } },
      // The officer's reply by mail; everything else this test did through the API without naming a client.
      channels: { console: { actions: 0 }, addin: { actions: 0 }, mail: { actions: 1, people: 1 }, cli: { actions: 0 }, api: { actions: 7 } },
    });
    const ind = Object.fromEntries(u.indicators.map((i: { key: string }) => [i.key, i]));
    expect(ind.receivedElectronic).toMatchObject({ value: 75, count: 3, total: 4, target: 70, met: true });
    expect(ind.receivedSigned).toMatchObject({ value: 75, target: 80, met: false });
    expect(ind.sentElectronic).toMatchObject({ value: 50, target: 90, met: false });
    expect(ind.officersElectronic).toMatchObject({ value: 66.7, count: 2, total: 3, met: false });
    expect(ind.registerHours).toMatchObject({ unit: 'hours', value: 4, target: 24, met: true });
    expect(ind.doneDays).toMatchObject({ unit: 'days', value: 2, target: 14, met: true });
    // An empty month is zeros, not an error.
    const empty = await ok('/api/reports/usage?month=2026-09', 'leader');
    expect(empty.units[0]).toMatchObject({ received: { total: 0 }, officers: { withItems: 0 } });
    expect(empty.units[0].indicators[0]).toMatchObject({ value: null, met: null });
  });

  it('exports the report as XLSX (read back with exceljs) and PDF (pdftotext)', async () => {
    const x = await call('/api/reports/usage?month=2026-11&format=xlsx', 'leader');
    expect(x.status).toBe(200);
    expect(x.type).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    const xlsx = path.join(out, 'report.xlsx');
    writeFileSync(xlsx, x.body as Buffer);
    await wb.xlsx.readFile(xlsx);
    const sheet = wb.worksheets[0];
    expect(String(sheet.getCell(1, 1).value)).toBe('BÁO CÁO TÌNH HÌNH SỬ DỤNG VĂN BẢN ĐIỆN TỬ — THÁNG 11/2026');
    const rows = sheet
      .getSheetValues()
      .slice(3)
      .map((r) => (r as unknown[]).slice(1).map(String));
    expect(rows).toContainEqual(['Sở Tài chính tỉnh Lâm Đồng', 'Văn bản đến nhận qua mạng (điện tử)', '3 / 4', '75 %', '≥ 70 %', 'Đạt']);
    expect(rows).toContainEqual([expect.any(String), 'Văn bản đi gửi qua mạng', '1 / 2', '50 %', '≥ 90 %', 'Chưa đạt']);
    expect(rows).toContainEqual([expect.any(String), 'Thời gian từ khi đến tới khi vào sổ (giờ, 90%)', '3 văn bản', '4 giờ', '≤ 24 giờ', 'Đạt']);
    const raw = wb.worksheets[1];
    // … then the actions by channel: console, add-in, reply by mail, CLI, other API clients (this test's calls).
    expect(raw.getRow(2).values).toEqual([undefined, 'stc', 'Sở Tài chính tỉnh Lâm Đồng', 4, 3, 3, 1, 1, 2, 1, 3, 1, 1, 1, 0, 0, 1, 0, 7, 2, 4, 2, 2]);

    const p = await call('/api/reports/usage?month=2026-11&format=pdf', 'leader');
    expect(p.status).toBe(200);
    expect(p.type).toBe('application/pdf');
    const file = path.join(out, 'report.pdf');
    writeFileSync(file, p.body as Buffer);
    const { stdout } = await run('pdftotext', ['-layout', file, '-']);
    expect(stdout).toContain('BÁO CÁO TÌNH HÌNH SỬ DỤNG VĂN BẢN ĐIỆN TỬ — THÁNG 11/2026');
    expect(stdout).toContain('Lập ngày 20/11/2026');
    expect(stdout).toMatch(/Văn bản đến nhận qua mạng \(điện tử\)\s+3\s*\/\s*4\s+75 %\s+≥ 70 %\s+Đạt/);
    expect(stdout).toMatch(/Cán bộ xử lý văn bản trên môi trường mạng\s+2\s*\/\s*3\s+66,7 %\s+≥ 90 %\s+Chưa đạt/);
  });

  it('outgoing trail: numbered, signed, sent, delivered and receipt per recipient', async () => {
    expect(sink.to('vanthu@stp.lamdong.gov.vn')).toHaveLength(1);
    expect(sink.to('vanthu@sxd.lamdong.gov.vn')).toHaveLength(1);
    // Sở Tư pháp's server reports delivery (RFC 3464), then its clerk acknowledges by replying.
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: gw.smtpPort!, secure: false, ignoreTLS: true });
    clock.set(hn('2026-11-20', 10, 5));
    await smtp.sendMail({
      envelope: { from: '', to: ['vanthu@stc.lamdong.gov.vn'] },
      raw: [
        'From: MAILER-DAEMON@mx.stp.lamdong.gov.vn',
        'To: vanthu@stc.lamdong.gov.vn',
        'Subject: Delivery Status Notification (Success)',
        'Auto-Submitted: auto-replied',
        'Message-ID: <dsn-ok-1@mx.stp.lamdong.gov.vn>',
        `In-Reply-To: ${ids.outgoingMid}`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        '',
        '--B',
        'Content-Type: text/plain; charset=us-ascii',
        '',
        'Your message was delivered.',
        '',
        '--B',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.stp.lamdong.gov.vn',
        '',
        'Final-Recipient: rfc822; vanthu@stp.lamdong.gov.vn',
        'Action: delivered',
        'Status: 2.0.0',
        '',
        '--B--',
        '',
      ].join('\r\n'),
    });
    const trailOf = async () => {
      const t = await ok('/api/outgoing/trail?year=2026', 'leader');
      return t.items.find((i: { notation: string }) => i.notation === ids.outgoingNotation);
    };
    await waitFor(
      async () => (await trailOf()).recipients.find((r: { recipient: string }) => r.recipient === 'vanthu@stp.lamdong.gov.vn').delivered.done,
      30_000,
      'DSN',
    );
    clock.set(hn('2026-11-20', 14));
    await smtp.sendMail({
      from: 'vanthu@stp.lamdong.gov.vn',
      to: 'vanthu@stc.lamdong.gov.vn',
      subject: `Re: ${ids.outgoingNotation} Kế hoạch kiểm tra công tác văn thư`,
      inReplyTo: ids.outgoingMid,
      references: [ids.outgoingMid],
      text: 'Sở Tư pháp đã nhận được văn bản.',
    });
    smtp.close();
    await waitFor(
      async () => (await trailOf()).recipients.find((r: { recipient: string }) => r.recipient === 'vanthu@stp.lamdong.gov.vn').receipt.done,
      30_000,
      'receipt',
    );

    const t = await ok('/api/outgoing/trail?year=2026', 'leader');
    expect(t).toMatchObject({ year: 2026, total: 2 });
    // Newest number first: the paper entry (numbered after) has no recipients.
    expect(t.items[0]).toMatchObject({ number: 2, notation: '2/QĐ-STC-VP', outgoingId: null, signing: null, recipients: [] });
    const trail = t.items[1];
    expect(trail).toMatchObject({
      number: 1,
      notation: ids.outgoingNotation,
      numberedAt: hn('2026-11-19', 9).toISOString(),
      outgoingId: ids.outgoing,
      signing: { document: false, dkim: false, smime: false, edxml: false },
    });
    const [stp, sxd] = trail.recipients;
    expect(stp).toMatchObject({
      recipient: 'vanthu@stp.lamdong.gov.vn',
      name: 'Sở Tư pháp tỉnh Lâm Đồng',
      state: 'received',
      sent: { done: true, at: hn('2026-11-19', 9).toISOString() },
      delivered: { done: true, at: hn('2026-11-20', 10, 5).toISOString() },
      receipt: { done: true, handled: false, at: hn('2026-11-20', 14).toISOString() },
      failed: false,
    });
    expect(sxd).toMatchObject({
      recipient: 'vanthu@sxd.lamdong.gov.vn',
      state: 'sent',
      sent: { done: true },
      delivered: { done: false, at: null },
      receipt: { done: false },
    });
    // Scoped like the outgoing list: another unit sees none of it.
    expect((await ok('/api/outgoing/trail?year=2026', 'leaderOther')).total).toBe(0);
    expect((await call('/api/outgoing/trail?unit=stc', 'leaderOther')).status).toBe(403);
  }, 90_000);
});
