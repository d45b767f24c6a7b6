/**
 * The HTTP API and CLI of the registry: the role × unit matrix route by route, search, books
 * printed as PDF (checked with pdftotext), CSV and XLSX, and the clerk's CLI commands.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVanthu, type Vanthu } from '../gateway/app.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { ManualClock } from '../gateway/clock.ts';
import { intakeMessage } from '../gateway/registry/intake/intake.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv } from './helpers/gateway.ts';
import { BIN } from './helpers/paths.ts';
import { classification, configureRegistry, insertInbound, VALID } from './helpers/registry-fixtures.ts';

const run = promisify(execFile);
const PASSWORD = 'mật khẩu 2026';
const PEOPLE = [
  { key: 'admin', email: 'admin@lamdong.gov.vn', role: 'admin', unit: 'vpubnd' },
  { key: 'clerk', email: 'clerk@stc.lamdong.gov.vn', role: 'clerk', unit: 'stc' },
  { key: 'leader', email: 'leader@stc.lamdong.gov.vn', role: 'leader', unit: 'stc' },
  { key: 'officer', email: 'officer@stc.lamdong.gov.vn', role: 'officer', unit: 'stc', department: 'ns' },
  { key: 'officer2', email: 'officer2@stc.lamdong.gov.vn', role: 'officer', unit: 'stc', department: 'vp' },
  { key: 'clerkV', email: 'clerk@vpubnd.lamdong.gov.vn', role: 'clerk', unit: 'vpubnd' },
  { key: 'leaderV', email: 'leader@vpubnd.lamdong.gov.vn', role: 'leader', unit: 'vpubnd' },
];

type Who = (typeof PEOPLE)[number]['key'] | 'service' | 'anon';
interface Case {
  name: string;
  method?: 'GET' | 'POST';
  path: (d: Record<string, string>) => string;
  body?: unknown;
  expect: Partial<Record<Who, number>>;
}

// Each case: who gets which status. Denials come before the allowed call that changes state.
// The policy's rule (gateway/registry/access/policy.ts): a document the caller may not see is 404, as if it
// did not exist; a role that may never do the action is 403. tests/authz-matrix.test.ts walks every route.
const MATRIX: Case[] = [
  {
    name: 'read a document',
    path: (d) => `/api/documents/${d.assigned}`,
    expect: { anon: 401, officer2: 404, clerkV: 404, leaderV: 404, service: 200, admin: 200, clerk: 200, leader: 200, officer: 200 },
  },
  { name: 'history', path: (d) => `/api/documents/${d.assigned}/history`, expect: { officer2: 404, clerkV: 404, officer: 200, leader: 200 } },
  { name: 'review queue', path: () => '/api/review', expect: { anon: 401, officer: 403, leader: 403, clerk: 200, clerkV: 200, admin: 200 } },
  { name: 'review queue of another unit', path: () => '/api/review?unit=vpubnd', expect: { clerk: 403, clerkV: 200 } },
  // An unclassified review item: the clerk supplies Decree 30's required fields (else 422, tests/registry-integrity.test.ts).
  {
    name: 'approve',
    method: 'POST',
    path: (d) => `/api/documents/${d.review}/approve`,
    body: { corrections: { notation: '7/SNV-TH', issuer: 'Sở Nội vụ tỉnh Lâm Đồng', issuedDate: '2026-11-20' } },
    expect: { officer: 403, leader: 403, clerkV: 404, clerk: 200 },
  },
  {
    name: 'reject',
    method: 'POST',
    path: (d) => `/api/documents/${d.reviewV}/reject`,
    body: { reason: 'Thiếu chữ ký số' },
    expect: { clerk: 404, leader: 403, leaderV: 403, clerkV: 200 },
  },
  {
    name: 'assign',
    method: 'POST',
    path: (d) => `/api/documents/${d.assigned}/assign`,
    body: { officer: 'officer@stc.lamdong.gov.vn' },
    expect: { clerk: 403, officer: 403, leaderV: 404, leader: 200 },
  },
  {
    name: 'deadline',
    method: 'POST',
    path: (d) => `/api/documents/${d.assigned}/deadline`,
    body: { dueDate: '2026-12-31' },
    expect: { officer: 403, clerk: 403, leader: 200 },
  },
  {
    name: 'progress',
    method: 'POST',
    path: (d) => `/api/documents/${d.assigned}/status`,
    body: { status: 'in_progress' },
    expect: { officer2: 404, clerk: 403, leaderV: 404, officer: 200 },
  },
  {
    name: 'comment',
    method: 'POST',
    path: (d) => `/api/documents/${d.assigned}/comments`,
    body: { body: 'Đã xem' },
    expect: { officer2: 404, clerkV: 404, officer: 201, clerk: 201 },
  },
  { name: 'book', path: () => '/api/books/stc/2026', expect: { officer: 403, clerkV: 403, leaderV: 403, clerk: 200, leader: 200, admin: 200 } },
  {
    name: 'outgoing number',
    method: 'POST',
    path: () => '/api/books/outgoing',
    body: { unit: 'stc', codeSuffix: 'STC-VP', typeCode: 'QĐ', subject: 'Quyết định' },
    expect: { officer: 403, leader: 403, clerkV: 403, clerk: 201 },
  },
  { name: 'list users', path: () => '/api/users?unit=vpubnd', expect: { officer: 403, clerk: 403, leader: 403, leaderV: 200, admin: 200 } },
  {
    name: 'add user',
    method: 'POST',
    path: () => '/api/users',
    body: { email: 'new@stc.lamdong.gov.vn', name: 'Cán bộ mới', unit: 'stc', role: 'officer', password: PASSWORD },
    expect: { clerk: 403, leader: 403, officer: 403, admin: 201 },
  },
  { name: 'audit verify', path: () => '/api/audit/verify', expect: { clerk: 403, leader: 403, officer: 403, admin: 200, service: 200 } },
  {
    name: 'by message id (not visible)',
    path: (d) => `/api/documents/by-message-id?mid=${encodeURIComponent(d.assignedMid)}`,
    expect: { officer2: 404, clerkV: 404, officer: 200, clerk: 200 },
  },
];

describe.each(BACKENDS)('registry API and CLI on %s', (backend) => {
  let storage: TestStorage;
  let app: Vanthu;
  let serviceToken: string;
  const tokens: Record<string, string> = {};
  const docs: Record<string, string> = {};
  const clock = new ManualClock('2026-11-23T02:00:00Z');
  const out = mkdtempSync(path.join(tmpdir(), 'vanthu-book-'));

  const api = async (p: string, who: Who, init: { method?: string; body?: unknown } = {}) => {
    const token = who === 'service' ? serviceToken : tokens[who];
    const res = await fetch(`http://127.0.0.1:${app.httpPort}${p}`, {
      method: init.method ?? 'GET',
      headers: { ...(who === 'anon' ? {} : { authorization: `Bearer ${token}` }), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };

  const cli = async (args: string[], who: Who = 'service', input?: string) => {
    const child = run(process.execPath, [BIN, ...args], {
      env: { ...process.env, VANTHU_API_URL: `http://127.0.0.1:${app.httpPort}`, VANTHU_API_TOKEN: who === 'service' ? serviceToken : tokens[who] },
    });
    if (input !== undefined) child.child.stdin!.end(input);
    const { stdout } = await child;
    return JSON.parse(stdout);
  };

  async function intake(unit: string, cls: unknown, verify: unknown, mid: string): Promise<{ doc: string; inbound: string }> {
    const inbound = await insertInbound(app.database.db, {
      receivedAt: clock.now(),
      unitIds: [unit],
      rcptTo: [unit === 'stc' ? 'vanthu@stc.lamdong.gov.vn' : 'vanthu@vpubnd.lamdong.gov.vn'],
    });
    await app.database.db.update(inboundMessages).set({ messageId: mid }).where(eq(inboundMessages.id, inbound));
    const [msg] = await app.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, inbound));
    const [o] = await intakeMessage(app.registry!.rt, msg, cls ? { classify: cls, verify } : {});
    return { doc: o.documentId!, inbound };
  }

  beforeAll(async () => {
    storage = await createTestStorage(backend);
    const config = loadConfig(testEnv(storage));
    configureRegistry(config);
    config.registry.sessionHours = 24 * 365; // the clock jumps ahead in the search test
    config.mail = {
      from: 'vanthu@lamdong.gov.vn',
      transport: { kind: 'smarthost', host: '127.0.0.1', port: 9, secure: false, requireTls: false, user: null, pass: null },
      alertTo: [],
    };
    app = await startVanthu(config, 'all', silentLogger, { clock });
    serviceToken = config.http.tokens[0].token;
    for (const p of PEOPLE) {
      expect(
        (
          await api('/api/users', 'service', {
            method: 'POST',
            body: { email: p.email, role: p.role, unit: p.unit, name: `Cán bộ ${p.key}`, department: p.department, password: PASSWORD },
          })
        ).status,
      ).toBe(201);
      const login = await fetch(`http://127.0.0.1:${app.httpPort}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: p.email, password: PASSWORD }),
      });
      tokens[p.key] = ((await login.json()) as { token: string }).token;
    }
    const a = await intake(
      'stc',
      classification({ subject: 'Phân bổ ngân sách chi thường xuyên', issuer: 'Ủy ban nhân dân tỉnh Bến Tre' }),
      VALID,
      '<assigned@bentre.gov.vn>',
    );
    Object.assign(docs, { assigned: a.doc, assignedMid: '<assigned@bentre.gov.vn>' });
    docs.review = (await intake('stc', null, null, '<review@x.vn>')).doc;
    docs.reviewV = (await intake('vpubnd', null, null, '<reviewv@x.vn>')).doc;
    const forCli = await intake('stc', null, null, '<cli@x.vn>');
    Object.assign(docs, { cliDoc: forCli.doc, cliInbound: forCli.inbound });
  });
  afterAll(async () => {
    await app?.stop();
    await storage?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('answers login failures with 401 and knows who a token is', async () => {
    const bad = await fetch(`http://127.0.0.1:${app.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'clerk@stc.lamdong.gov.vn', password: 'sai' }),
    });
    expect(bad.status).toBe(401);
    expect((await api('/api/auth/me', 'officer')).body).toMatchObject({ role: 'officer', unitId: 'stc', email: 'officer@stc.lamdong.gov.vn' });
    expect((await api('/api/auth/me', 'service')).body).toMatchObject({ kind: 'service', role: 'admin', unitId: null });
    const doc = (await (await fetch(`http://127.0.0.1:${app.httpPort}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/auth/me',
        '/api/documents',
        '/api/documents/by-message-id',
        '/api/documents/{id}',
        '/api/documents/{id}/approve',
        '/api/documents/{id}/assign',
        '/api/documents/{id}/status',
        '/api/review',
        '/api/my/items',
        '/api/books/{unit}/{year}',
        '/api/audit/verify',
      ]),
    );
  });

  for (const c of MATRIX) {
    it(`enforces the role × unit matrix: ${c.name}`, async () => {
      const seen: Record<string, number> = {};
      for (const who of Object.keys(c.expect) as Who[]) seen[who] = (await api(c.path(docs), who, { method: c.method, body: c.body })).status;
      expect(seen).toEqual(c.expect);
    });
  }

  it('scopes lists: officers see their items, clerks their unit', async () => {
    const mine = await api('/api/documents', 'officer');
    expect(mine.body.items.map((i: { id: string }) => i.id)).toEqual([docs.assigned]);
    expect((await api('/api/documents', 'officer2')).body.items).toEqual([]);
    const v = await api('/api/documents', 'clerkV');
    expect(v.body.items.every((i: { unitId: string }) => i.unitId === 'vpubnd')).toBe(true);
    expect((await api('/api/documents?unit=vpubnd', 'clerk')).status).toBe(403);
  });

  it('searches without diacritics, with filters', async () => {
    const ids = async (q: string, who: Who = 'clerk') => {
      const r = await api(`/api/documents?${q}`, who);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.items.map((i: { id: string }) => i.id);
    };
    expect(await ids('q=uy%20ban%20nhan%20dan%20ben%20tre')).toEqual([docs.assigned]);
    expect(await ids(`q=${encodeURIComponent('NGÂN SÁCH chi thường')}`)).toEqual([docs.assigned]);
    expect(await ids('q=123%2Fubnd-vx&book=incoming&year=2026')).toEqual(expect.arrayContaining([docs.assigned]));
    expect(await ids('q=khong%20co%20van%20ban%20nay')).toEqual([]);
    expect(await ids('status=review')).toEqual(expect.arrayContaining([docs.cliDoc]));
    expect(await ids('assignee=officer%40stc.lamdong.gov.vn')).toEqual([docs.assigned]);
    expect(await ids('dueBefore=2027-01-31&dueAfter=2026-12-31')).toEqual([docs.assigned]);
    // Độ khẩn, the book's filter: exactly, one of Decree 30's.
    expect(await ids('book=incoming&urgency=normal')).toEqual(expect.arrayContaining([docs.assigned]));
    expect(await ids('urgency=hoa_toc')).toEqual([]);
    expect((await api('/api/documents?urgency=gap', 'clerk')).status).toBe(400);
    expect(await ids('overdue=true')).toEqual([]);
    clock.set('2027-01-04T02:00:00Z');
    try {
      expect((await ids('overdue=true')).sort()).toEqual([docs.assigned, docs.review].sort()); // the matrix approved docs.review
    } finally {
      clock.set('2026-11-23T02:00:00Z');
    }
    expect((await api('/api/documents?year=abc', 'clerk')).status).toBe(400);
  });

  it("runs the clerk CLI through the gateway with the caller's token: review, register, assign, done, users, audit", async () => {
    const queue = await cli(['review'], 'clerk');
    expect(queue.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([docs.cliDoc]));
    const reg = await cli(
      [
        'register',
        docs.cliInbound,
        '--set',
        'notation=5/STTTT-VP',
        '--set',
        'issuer=Sở Thông tin và Truyền thông',
        '--set',
        'issuedDate=2026-11-21',
        '--set',
        'subject=Kế hoạch chuyển đổi số',
      ],
      'clerk',
    );
    expect(reg.items[0]).toMatchObject({ status: 'received', notation: '5/STTTT-VP', bookYear: 2026 });
    const assigned = await cli(['assign', docs.cliDoc, '--officer', 'officer2@stc.lamdong.gov.vn'], 'leader');
    expect(assigned).toMatchObject({ status: 'assigned', department: 'vp' });
    expect((await cli(['done', docs.cliDoc, '--note', 'Xong'], 'officer2')).status).toBe('done');
    await expect(cli(['done', docs.cliDoc], 'officer')).rejects.toThrow(/404|Không tìm thấy/); // not the officer's: as if it did not exist
    const added = await cli(
      ['users', 'add', '--unit', 'stc', '--role', 'leader', '--name', 'Phó Giám đốc', '--email', 'pgd@stc.lamdong.gov.vn', '--password-stdin'],
      'service',
      `${PASSWORD}\n`,
    );
    expect(added).toMatchObject({ email: 'pgd@stc.lamdong.gov.vn', role: 'leader' });
    expect((await cli(['users', 'list', '--unit', 'stc'])).items.map((u: { email: string }) => u.email)).toContain('pgd@stc.lamdong.gov.vn');
    expect(await cli(['audit', 'verify'])).toMatchObject({ ok: true });
  }, 120_000); // eight CLI processes, each starting tsx

  it('prints the incoming book as a landscape A4 PDF with Vietnamese text, and as CSV and XLSX', async () => {
    const pdf = path.join(out, `book-${backend}.pdf`);
    expect(await cli(['book', 'print', '--unit', 'stc', '--year', '2026', '--out', pdf], 'clerk')).toMatchObject({ format: 'pdf', kind: 'incoming' });
    const { stdout: info } = await run('pdfinfo', [pdf]);
    expect(info).toMatch(/Page size:\s+841\.89 x 595\.28/);
    const { stdout: text } = await run('pdftotext', ['-layout', pdf, '-']);
    const flat = text.replace(/\s+/g, ' ');
    for (const s of [
      'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2026',
      'Sở Tài chính tỉnh Lâm Đồng',
      'Ngày đến',
      'Số đến',
      'Tác giả',
      'Số, ký hiệu',
      'Tên loại và trích yếu',
      'Ủy ban nhân dân tỉnh',
      '123/UBND-VX',
      '5/STTTT-VP',
      'Phân bổ ngân sách chi thường xuyên',
      'Kế hoạch chuyển đổi số',
      'Sổ gồm 3 văn bản',
    ])
      expect(flat).toContain(s);

    const csv = path.join(out, 'book.csv');
    await cli(['book', 'print', '--unit', 'stc', '--year', '2026', '--format', 'csv', '--out', csv], 'leader');
    const lines = readFileSync(csv, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'Ngày đến,Số đến,Tác giả,"Số, ký hiệu",Ngày tháng,Tên loại và trích yếu nội dung,Đơn vị hoặc người nhận,Ký nhận / ghi chú xử lý,Ghi chú',
    );
    expect(lines).toHaveLength(4); // header + 3 registered (assigned, approved in the matrix, CLI)
    expect(lines[1]).toMatch(/^23\/11\/2026,1,Ủy ban nhân dân tỉnh Bến Tre,123\/UBND-VX,20\/11\/2026,/);

    const xlsx = path.join(out, 'book.xlsx');
    await cli(['book', 'print', '--unit', 'stc', '--year', '2026', '--format', 'xlsx', '--out', xlsx], 'clerk');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const ws = wb.worksheets[0];
    expect(ws.getCell(1, 1).value).toBe('SỔ ĐĂNG KÝ VĂN BẢN ĐẾN NĂM 2026 — Sở Tài chính tỉnh Lâm Đồng');
    expect(ws.getCell(3, 4).value).toBe('123/UBND-VX');

    const outgoing = path.join(out, 'out.pdf');
    await cli(['book', 'print', '--unit', 'stc', '--year', '2026', '--kind', 'outgoing', '--out', outgoing], 'clerk');
    expect((await run('pdftotext', [outgoing, '-'])).stdout.replace(/\s+/g, ' ')).toContain('1/QĐ-STC-VP');
  }, 120_000);

  it('prints the incoming book with the filters the list takes (the printout is what the console shows)', async () => {
    const notations = async (q: string) => {
      const r = await api(`/api/books/stc/2026?${q}`, 'clerk');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.rows.map((row: { notation: string }) => row.notation).sort();
    };
    expect(await notations('')).toHaveLength(3);
    expect(await notations(`q=${encodeURIComponent('ngan sach chi thuong')}`)).toEqual(['123/UBND-VX']);
    expect(await notations(`issuer=${encodeURIComponent('uy ban nhan dan tinh ben tre')}`)).toEqual(['123/UBND-VX']);
    expect(await notations('status=done,returned')).toEqual(['5/STTTT-VP']); // done by the CLI test
    expect(await notations('urgency=hoa_toc')).toEqual([]);
    const csv = await api(`/api/books/stc/2026?format=csv&q=${encodeURIComponent('NGÂN SÁCH')}`, 'leader');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('123/UBND-VX');
    expect((await api('/api/books/stc/2026?urgency=gap', 'clerk')).status).toBe(400);
    expect((await api('/api/books/stc/2026?kind=outgoing&q=x', 'clerk')).status).toBe(400);
  });

  it('answers bad CLI input with a message naming the problem', async () => {
    await expect(run(process.execPath, [BIN, 'book', 'print', '--unit', 'stc', '--out', '/tmp/x.pdf'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--year'),
    });
    await expect(
      run(process.execPath, [BIN, 'review', 'approve', '01ARZ3NDEKTSV4RRFFQ69G5FAV'], {
        env: { ...process.env, VANTHU_API_URL: `http://127.0.0.1:${app.httpPort}`, VANTHU_API_TOKEN: tokens.clerk },
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('404'),
    });
  }, 60_000);
});
