/**
 * End to end: mail arrives over SMTP → decided by policy → registered as number 1 in the unit's
 * incoming book → routed → receipt to the sender → reminder and escalation fire when the injected
 * clock reaches them (BullMQ delayed jobs promoted by clock, no sleeps) → officer marks done →
 * follow-up jobs gone. Secret document → quarantined + alert. Same document twice → one entry.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVanthu, type Vanthu } from '../gateway/app.ts';
import { loadConfig } from '../gateway/config/load.ts';
import { silentLogger } from '../gateway/log.ts';
import { ManualClock } from '../gateway/clock.ts';
import { documents } from '../gateway/registry/schema.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { processMessage } from '../gateway/workers/ingest-worker.ts';
import { buildEnvelope } from '../gateway/documents/edxml/build.ts';
import { BACKENDS, createTestStorage, type TestStorage } from './helpers/databases.ts';
import { testEnv, waitFor } from './helpers/gateway.ts';
import { startMailSink, type MailSink } from './helpers/mail-sink.ts';
import { classification, configureRegistry, insertStage, VALID } from './helpers/registry-fixtures.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const SENDER = 'vanthu@ubnd.bentre.gov.vn';
const PDF = Buffer.from('%PDF-1.4\n% the same signed PDF travelling by two paths\n%%EOF\n');

function mail(id: string, subject: string, withPdf = false, part: { name: string; type: string; body: string } | null = null): string {
  const head = [
    `From: Văn thư UBND <${SENDER}>`,
    `To: ${UNIT}`,
    `Subject: ${subject}`,
    `Message-ID: <${id}@ubnd.bentre.gov.vn>`,
    'Date: Mon, 23 Nov 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
  ];
  if (!withPdf && !part)
    return [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', `Số: 123/UBND-VX\r\nV/v ${subject}`, ''].join('\r\n');
  return [
    ...head,
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Gửi kèm văn bản.',
    '--b1',
    `Content-Type: ${part?.type ?? 'application/pdf'}; name="${part?.name ?? 'vb.pdf'}"`,
    `Content-Disposition: attachment; filename="${part?.name ?? 'vb.pdf'}"`,
    'Content-Transfer-Encoding: base64',
    '',
    (part ? Buffer.from(part.body) : PDF).toString('base64'),
    '--b1--',
    '',
  ].join('\r\n');
}

describe.each(BACKENDS)('registry end to end on %s', (backend) => {
  let storage: TestStorage;
  let app: Vanthu;
  let sink: MailSink;
  const clock = new ManualClock('2026-11-23T02:00:00Z'); // Monday 09:00 in Hà Nội
  const tokens: Record<string, string> = {};
  let serviceToken: string;

  const api = async (path: string, token: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`http://127.0.0.1:${app.httpPort}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  /** Sends over SMTP, waits for the pipeline, then gives the register stage the classify/verify results the lead's stages will produce. */
  async function arrive(
    id: string,
    subject: string,
    cls: unknown,
    verify: unknown = VALID,
    withPdf = false,
    part: Parameters<typeof mail>[3] = null,
  ): Promise<string> {
    const info = await transport(app.smtpPort!).sendMail({ envelope: { from: SENDER, to: [UNIT] }, raw: mail(id, subject, withPdf, part) });
    const inbound = /queued as ([0-9A-Z]{26})/.exec(info.response)![1];
    await waitFor(
      async () => (await app.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, inbound)))[0]?.state === 'decided',
      15_000,
      'register stage',
    );
    await insertStage(app.database.db, inbound, 'classify', cls);
    await insertStage(app.database.db, inbound, 'verify', verify);
    await processMessage(
      { database: app.database, blobs: app.blobs, config: app.config, log: silentLogger, clock: app.registry!.rt.clock, registry: app.registry!.rt },
      inbound,
      ['register'],
    );
    await app.registry!.followup.settle();
    return inbound;
  }

  const docOf = async (inbound: string) => (await app.database.db.select().from(documents).where(eq(documents.inboundId, inbound)))[0];

  beforeAll(async () => {
    sink = await startMailSink();
    storage = await createTestStorage(backend);
    const config = loadConfig(testEnv(storage));
    config.ingest.outboxSweepMs = 200;
    configureRegistry(config);
    config.registry.sessionHours = 24 * 365; // the clock jumps weeks ahead; logins must outlive it
    config.mail = {
      from: UNIT,
      transport: { kind: 'smarthost', host: '127.0.0.1', port: sink.port, secure: false, requireTls: false, user: null, pass: null },
      alertTo: [],
    };
    app = await startVanthu(config, 'all', silentLogger, { clock });
    serviceToken = config.http.tokens[0].token;
    const people = [
      { email: 'admin@lamdong.gov.vn', role: 'admin', unit: 'vpubnd' },
      { email: 'clerk@stc.lamdong.gov.vn', role: 'clerk', unit: 'stc' },
      { email: 'leader@stc.lamdong.gov.vn', role: 'leader', unit: 'stc' },
      { email: 'officer@stc.lamdong.gov.vn', role: 'officer', unit: 'stc', department: 'ns' },
    ];
    for (const p of people) {
      const r = await api('/api/users', serviceToken, { method: 'POST', body: { ...p, name: `Cán bộ ${p.role}`, password: 'mật khẩu 2026' } });
      expect(r.status).toBe(201);
      const login = await fetch(`http://127.0.0.1:${app.httpPort}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: p.email, password: 'mật khẩu 2026' }),
      });
      expect(login.status).toBe(200);
      tokens[p.role] = ((await login.json()) as { token: string }).token;
    }
  });
  afterAll(async () => {
    await app?.stop();
    await storage?.cleanup();
    await sink?.close();
  });

  let docId: string;

  it('registers a verified document as number 1 of the year, routes it, and mails the sender a receipt', async () => {
    const first = await transport(app.smtpPort!).sendMail({ envelope: { from: SENDER, to: [UNIT] }, raw: mail('unclassified', 'Công văn chưa phân loại') });
    const unclassified = /queued as ([0-9A-Z]{26})/.exec(first.response)![1];
    const waiting = await waitFor(() => docOf(unclassified), 15_000, 'review item');
    // An unsigned plain-text mail is never registered without a clerk, whatever the classifier found.
    expect(waiting.status).toBe('review');
    expect(waiting.reasons.length).toBeGreaterThan(0);

    const inbound = await arrive('doc1', 'Công văn về dự toán ngân sách 2027', classification({ subject: 'Hướng dẫn xây dựng dự toán ngân sách năm 2027' }));
    const doc = await docOf(inbound);
    docId = doc.id;
    expect([doc.status, doc.bookYear, doc.bookNumber]).toEqual(['assigned', 2026, 1]);
    expect(doc.department).toBe('ns');
    expect(doc.dueDate).toBe('2026-12-07'); // 10 working days after Mon 23/11/2026
    const receipt = await waitFor(() => sink.to(SENDER).find((m) => m.subject.includes('123/UBND-VX')), 15_000, 'receipt mail');
    expect(receipt.text).toContain('số đến 1/2026');
    const me = await api('/api/my/items', tokens.officer);
    expect(me.body.items.map((i: { id: string }) => i.id)).toEqual([docId]);
    const byMid = await api(`/api/documents/by-message-id?mid=${encodeURIComponent('<doc1@ubnd.bentre.gov.vn>')}`, tokens.officer);
    expect([byMid.status, byMid.body.bookNumber]).toEqual([200, 1]);
    expect((await api('/api/documents/by-message-id?mid=nothing@x', tokens.officer)).status).toBe(404);
  });

  it('fires the reminder only when the clock reaches it, reschedules on a new deadline, escalates when overdue', async () => {
    const followup = app.registry!.followup;
    clock.set('2026-12-03T02:00:00Z');
    expect(await followup.promoteDue()).toBe(0);
    clock.set('2026-12-04T01:00:00Z'); // Fri 08:00: one working day before Mon 7/12
    expect(await followup.promoteDue()).toBe(1);
    const reminder = await waitFor(() => sink.to('officer@stc.lamdong.gov.vn').find((m) => m.subject.startsWith('Nhắc hạn')), 15_000, 'reminder');
    expect(reminder.subject).toContain('07/12/2026');

    const moved = await api(`/api/documents/${docId}/deadline`, tokens.leader, { method: 'POST', body: { dueDate: '2026-12-09' } });
    expect(moved.status).toBe(200);
    await followup.settle();
    const escalation = await followup.queue.getJob(`escalate-${docId}`);
    expect(escalation?.data).toMatchObject({ dueDate: '2026-12-09' });

    clock.set('2026-12-08T02:00:00Z');
    expect(await followup.promoteDue()).toBe(1); // the reminder of the new deadline, not the escalation
    clock.set('2026-12-10T01:00:00Z');
    expect(await followup.promoteDue()).toBe(1);
    const escalated = await waitFor(() => sink.to('leader@stc.lamdong.gov.vn').find((m) => m.subject.startsWith('Quá hạn')), 15_000, 'escalation');
    expect(escalated.text).toContain('09/12/2026');
    expect(escalated.to).toContain('officer@stc.lamdong.gov.vn'); // cc

    await followup.runDigest();
    const digest = await waitFor(() => sink.to('officer@stc.lamdong.gov.vn').find((m) => m.subject.includes('daily digest')), 15_000, 'digest');
    expect(digest.text).toMatch(/Quá hạn \(overdue\) \(1\)/);
  });

  it('lets the officer mark it done, which cancels the follow-up jobs', async () => {
    expect((await api(`/api/documents/${docId}/status`, tokens.officer, { method: 'POST', body: { status: 'in_progress' } })).status).toBe(200);
    const done = await api(`/api/documents/${docId}/status`, tokens.officer, { method: 'POST', body: { status: 'done', note: 'Đã tham mưu văn bản trả lời' } });
    expect([done.status, done.body.status]).toEqual([200, 'done']);
    const followup = app.registry!.followup;
    await followup.settle();
    // A job that was still sending its mail is removed on completion; the sync keeps trying till then.
    await waitFor(
      async () => !(await followup.queue.getJob(`reminder-${docId}`)) && !(await followup.queue.getJob(`escalate-${docId}`)),
      15_000,
      'follow-up jobs removed',
    );
    expect((await followup.queue.getDelayed()).filter((j) => 'docId' in j.data && j.data.docId === docId)).toEqual([]);
    const detail = await api(`/api/documents/${docId}`, tokens.leader);
    expect(detail.body.history.map((h: { action: string }) => h.action)).toEqual(
      expect.arrayContaining([
        'document.intake',
        'document.register',
        'mail.receipt',
        'mail.reminder',
        'document.deadline',
        'mail.escalate',
        'document.in_progress',
        'document.done',
      ]),
    );
    expect(sink.to(SENDER).filter((m) => m.subject.includes('123/UBND-VX') && m.subject.startsWith('Xác nhận'))).toHaveLength(1);
  });

  it('quarantines a secret document and alerts the clerk and the admins', async () => {
    clock.set('2026-12-10T03:00:00Z');
    const inbound = await arrive('secret', 'Văn bản mật', classification({ notation: '9/UBND-NC', secrecy: 'mat' }));
    const doc = await docOf(inbound);
    expect([doc.status, doc.bookNumber]).toEqual(['quarantined', null]);
    const alert = await waitFor(() => sink.to('clerk@stc.lamdong.gov.vn').find((m) => m.subject.startsWith('[CẢNH BÁO]')), 15_000, 'alert');
    expect(alert.to).toContain('admin@lamdong.gov.vn');
    expect(sink.to(SENDER).some((m) => m.subject.includes('9/UBND-NC'))).toBe(false);
  });

  it('registers the same document once when it comes by two paths (SMTP and API upload, and by attachment hash)', async () => {
    const cls = classification({ notation: '77/UBND-KT', subject: 'Kế hoạch chuyển đổi số' });
    const a = await arrive('path-a', 'Kế hoạch 77', cls, VALID, true);
    const upload = await fetch(`http://127.0.0.1:${app.httpPort}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'message/rfc822' },
      body: mail('path-b', 'Fwd: Kế hoạch 77'),
    });
    const b = ((await upload.json()) as { id: string }).id;
    await waitFor(
      async () => (await app.database.db.select().from(inboundMessages).where(eq(inboundMessages.id, b)))[0]?.state === 'decided',
      15_000,
      'upload decided',
    );
    await insertStage(app.database.db, b, 'classify', cls);
    await insertStage(app.database.db, b, 'verify', VALID);
    await processMessage(
      { database: app.database, blobs: app.blobs, config: app.config, log: silentLogger, clock: app.registry!.rt.clock, registry: app.registry!.rt },
      b,
      ['register'],
    );
    const c = await arrive('path-c', 'Kế hoạch (bản chụp)', classification({ notation: null, issuer: null, subject: 'Kế hoạch' }), VALID, true);
    const [da, db, dc] = [await docOf(a), await docOf(b), await docOf(c)];
    expect(da.status).toBe('received');
    expect([db.status, db.linkedTo]).toEqual(['linked', da.id]);
    expect([dc.status, dc.linkedTo]).toEqual(['linked', da.id]);
    const book = await api('/api/documents?book=incoming&q=77%2Fubnd-kt', tokens.clerk);
    expect(book.body.items.map((i: { id: string }) => i.id)).toEqual([da.id]);
  });

  it('returns a document the clerk rejects to its sender with the reason', async () => {
    const inbound = await arrive('unsure', 'Văn bản không rõ', classification({ notation: '31/UBND-TH', subject: 'Báo cáo tình hình' }, 0.3));
    const doc = await docOf(inbound);
    expect([doc.status, doc.reasons.some((r) => /confidence/.test(r))]).toEqual(['review', true]);
    const r = await api(`/api/documents/${doc.id}/reject`, tokens.clerk, { method: 'POST', body: { reason: 'Văn bản chưa có chữ ký số hợp lệ' } });
    expect([r.status, r.body.status]).toEqual([200, 'returned']);
    const back = await waitFor(() => sink.to(SENDER).find((m) => m.subject.startsWith('Trả lại') && m.subject.includes('31/UBND-TH')), 15_000, 'return mail');
    expect(back.text).toContain('Lý do: Văn bản chưa có chữ ký số hợp lệ');
  });

  it('answers a document that came as edXML with a status notice attached to the receipt', async () => {
    const meta = classification({ notation: '45/STTTT-VP', issuer: 'Sở Thông tin và Truyền thông', source: 'edxml' }).document!;
    const { source: _s, ...document } = meta;
    const envelope = buildEnvelope({
      from: { id: '000.00.31.H12', name: 'Sở Thông tin và Truyền thông', email: SENDER },
      to: [{ id: '000.00.12.H41', name: 'Sở Tài chính' }],
      documentId: '000.00.31.H12,2026/11/23,45',
      document,
      attachments: [],
    });
    const inbound = await arrive(
      'edxml',
      'Văn bản điện tử 45/STTTT-VP',
      classification({ notation: '45/STTTT-VP', issuer: 'Sở Thông tin và Truyền thông', source: 'edxml' }),
      VALID,
      false,
      { name: 'edxml.xml', type: 'application/xml', body: envelope },
    );
    expect((await docOf(inbound)).viaEdxml).toBe(true);
    const receipt = await waitFor(() => sink.to(SENDER).find((m) => m.subject.includes('45/STTTT-VP')), 15_000, 'receipt with status');
    const status = receipt.attachments.find((a) => a.filename === 'status.edxml')?.content.toString('utf8') ?? '';
    expect(status).toMatch(/<edXML:StatusCode>01<\/edXML:StatusCode>/);
    expect(status).toContain('000.00.31.H12');
  });

  it("keeps the leader's instructions with the assignment and the reason with a new deadline: on the document, in its history, in the officer's mail", async () => {
    const officer2 = 'officer2@stc.lamdong.gov.vn';
    const made = await api('/api/users', serviceToken, {
      method: 'POST',
      body: { email: officer2, role: 'officer', unit: 'stc', department: 'ns', name: 'Cán bộ thứ hai', password: 'mật khẩu 2026' },
    });
    expect(made.status).toBe(201);
    const inbound = await arrive('doc-note', 'Công văn 52/UBND-KT', classification({ notation: '52/UBND-KT', subject: 'Kiểm tra quyết toán ngân sách xã' }));
    const { id } = await docOf(inbound);
    const note = 'Phòng Ngân sách chủ trì, phối hợp Kho bạc; báo cáo lãnh đạo Sở trước hạn';
    const given = await api(`/api/documents/${id}/assign`, tokens.leader, { method: 'POST', body: { officer: officer2, note: `  ${note}\n` } });
    expect([given.status, given.body.status, given.body.assignmentNote]).toEqual([200, 'assigned', note]);
    await app.registry!.followup.settle();
    const told = await waitFor(
      () => sink.to(officer2).find((m) => m.subject.startsWith('Giao xử lý') && m.subject.includes('52/UBND-KT')),
      15_000,
      'assignment',
    );
    expect(told.text).toContain(`Ý kiến chỉ đạo: ${note}`);

    const reason = 'Chờ số liệu quyết toán của các xã';
    const moved = await api(`/api/documents/${id}/deadline`, tokens.leader, { method: 'POST', body: { dueDate: '2026-12-28', reason } });
    expect([moved.status, moved.body.dueDate, moved.body.dueReason, moved.body.assignmentNote]).toEqual([200, '2026-12-28', reason, note]);
    const detail = await api(`/api/documents/${id}`, tokens.leader);
    const entry = (action: string) => detail.body.history.filter((h: { action: string }) => h.action === action).at(-1)?.data;
    expect(entry('document.assign')).toMatchObject({ officer: officer2, note });
    expect(entry('document.deadline')).toMatchObject({ after: '2026-12-28', reason });
    expect([detail.body.assignmentNote, detail.body.dueReason]).toEqual([note, reason]);
    // The officer's list carries them too.
    const login = await fetch(`http://127.0.0.1:${app.httpPort}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: officer2, password: 'mật khẩu 2026' }),
    });
    const mine = await api('/api/my/items', ((await login.json()) as { token: string }).token);
    expect(mine.body.items.find((i: { id: string }) => i.id === id)).toMatchObject({ assignmentNote: note, dueReason: reason });

    // A new assignment without instructions does not keep the last one's; a longer note than the API takes is refused.
    const again = await api(`/api/documents/${id}/assign`, tokens.leader, { method: 'POST', body: { officer: 'officer@stc.lamdong.gov.vn' } });
    expect([again.status, again.body.assignmentNote, again.body.dueReason]).toEqual([200, null, reason]);
    expect((await api(`/api/documents/${id}/assign`, tokens.leader, { method: 'POST', body: { department: 'ns', note: 'x'.repeat(4001) } })).status).toBe(400);

    // The officer gives it back (as by replying "từ chối: …"): received again, no officer, the leaders mailed.
    const back = await api(`/api/documents/${id}/decline`, tokens.officer, { method: 'POST', body: { reason: 'Không thuộc lĩnh vực phòng phụ trách' } });
    expect([back.status, back.body.status, back.body.assigneeId, back.body.leadersMailed], JSON.stringify(back.body)).toEqual([200, 'received', null, 1]);
    const heard = await waitFor(
      () => sink.to('leader@stc.lamdong.gov.vn').find((m) => m.subject.startsWith('Cán bộ từ chối') && m.subject.includes('52/UBND-KT')),
      15_000,
      'decline',
    );
    expect(heard.text).toContain('Không thuộc lĩnh vực phòng phụ trách');
    // No longer theirs: as a document they may not see.
    expect((await api(`/api/documents/${id}/decline`, tokens.officer, { method: 'POST', body: { reason: 'lần nữa' } })).status).toBe(404);
  });

  it('keeps the audit chain intact through all of it', async () => {
    const r = await api('/api/audit/verify', tokens.admin);
    expect(r.body).toMatchObject({ ok: true, broken: null });
    expect(r.body.rows).toBeGreaterThan(15);
  });
});
