/**
 * Deadline-extension requests (docs/act-by-email.md, "Extension requests"): officers ask by
 * replying "gia hạn đến …"; the requests show in GET /api/deadline-requests for the unit's leader
 * (officers: their own; another unit's leader: none) and are refused through the API and granted
 * in the web console (Chromium through playwright-core) or by reply, each audited, the officer told
 * by mail — and the officer goes on by replying to that mail; an officer also asks in the console.
 * Real gateway, SMTP both ways, injected clock.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { ManualClock } from '../gateway/clock.ts';
import type { ExtensionRequest } from '../console/src/extensions.ts';
import { deadlineRequests } from '../gateway/registry/replies/schema.ts';
import { auditLog, documents } from '../gateway/registry/schema.ts';
import { keyOf, LEADER, OFFICER, OTHER, replyToOf, startActGateway, type ActGateway } from './helpers/act-mail.ts';
import { waitFor } from './helpers/gateway.ts';

const PASSWORD = 'mật khẩu 2026'; // tests/helpers/act-mail.ts makes the users with it
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console');

describe('deadline-extension requests in the API and the console', { timeout: 180_000 }, () => {
  let gw: ActGateway;
  let browser: PaneBrowser;
  const clock = new ManualClock('2026-11-23T02:00:00Z'); // Monday 09:00 in Hà Nội
  const tokens: Record<string, string> = {};
  let docA: string;
  let docB: string;

  const base = () => `http://127.0.0.1:${gw.app.httpPort}`;
  const db = () => gw.app.database.db;
  const docRow = async (id: string) => (await db().select().from(documents).where(eq(documents.id, id)))[0];
  const api = (path: string, token: string, json?: unknown) =>
    fetch(`${base()}${path}`, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  const list = async (token: string, query = '') => {
    const res = await api(`/api/deadline-requests${query}`, token);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: ExtensionRequest[] }).items;
  };
  const assignmentAddress = (notation: string) =>
    waitFor(() => gw.sink.to(OFFICER).find((m) => m.subject.startsWith('Giao xử lý') && m.text.includes(notation)), 20_000, `assignment of ${notation}`).then(
      (m) => replyToOf(m)!,
    );

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startActGateway('pglite', clock);
    // A leader of another unit: it must see none of stc's requests.
    const added = await api('/api/users', gw.app.config.http.tokens[0].token, {
      email: 'leader@vpubnd.lamdong.gov.vn',
      role: 'leader',
      name: 'Lãnh đạo VP',
      unit: 'vpubnd',
      password: PASSWORD,
    });
    expect(added.status).toBe(201);
    for (const email of [LEADER, OFFICER, OTHER, 'leader@vpubnd.lamdong.gov.vn']) {
      const res = await fetch(`${base()}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      tokens[email] = ((await res.json()) as { token: string }).token;
    }
    docA = await gw.arrive('ext-a');
    docB = await gw.arrive('ext-b');
    const addressA = await assignmentAddress('ext-a/UBND-VX');
    const addressB = await assignmentAddress('ext-b/UBND-VX');
    const a = await gw.send({ to: addressA, body: 'Gia hạn đến 15/12 vì cần lấy ý kiến các phòng', id: 'ext-a-ask' });
    expect(a.result.outcome).toMatchObject({ kind: 'applied', command: 'extend' });
    const b = await gw.send({ to: addressB, body: 'xin gia han den ngay 18/12/2026 do cho so lieu quy IV', id: 'ext-b-ask' });
    expect(b.result.outcome).toMatchObject({ kind: 'applied', command: 'extend' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('lists the pending requests to the leader, officers their own, another unit nothing', async () => {
    const pending = await list(tokens[LEADER]);
    expect(pending.map((r) => [r.document.id, r.requestedDue, r.currentDue, r.status, r.requestedBy?.email])).toEqual([
      [docA, '2026-12-15', '2026-12-07', 'pending', OFFICER],
      [docB, '2026-12-18', '2026-12-07', 'pending', OFFICER],
    ]);
    expect(pending[0]).toMatchObject({ reason: 'cần lấy ý kiến các phòng', messageId: expect.stringMatching(/^<ext-a-ask@/), decision: null });
    expect((await list(tokens[OFFICER])).map((r) => r.document.id)).toEqual([docA, docB]);
    expect(await list(tokens[OTHER])).toEqual([]);
    expect(await list(tokens['leader@vpubnd.lamdong.gov.vn'])).toEqual([]);
    // Another unit's collection is 403, as for every list (gateway/registry/access/policy.ts).
    expect((await api('/api/deadline-requests?unit=stc', tokens['leader@vpubnd.lamdong.gov.vn'])).status).toBe(403);
  });

  it('refuses a request through the API: audited, the deadline unchanged, the officer told by mail; once only', async () => {
    const [request] = await list(tokens[LEADER], `?document=${docA}`);
    // Officers may not decide; another unit's leader does not see it at all.
    expect((await api(`/api/deadline-requests/${request.id}/refuse`, tokens[OFFICER], { reason: 'x' })).status).toBe(403);
    expect((await api(`/api/deadline-requests/${request.id}/refuse`, tokens['leader@vpubnd.lamdong.gov.vn'], { reason: 'x' })).status).toBe(404);
    expect((await api(`/api/deadline-requests/${request.id}/refuse`, tokens[LEADER], { reason: '  ' })).status).toBe(400);

    const res = await api(`/api/deadline-requests/${request.id}/refuse`, tokens[LEADER], { reason: 'Hạn do UBND tỉnh giao, không thể lùi.' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { request: ExtensionRequest; notified: string };
    expect(body.notified).toBe('sent');
    expect(body.request).toMatchObject({ status: 'refused', decision: { by: LEADER, note: 'Hạn do UBND tỉnh giao, không thể lùi.' } });
    expect((await docRow(docA)).dueDate).toBe('2026-12-07');
    const [audit] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, docA), eq(auditLog.action, 'document.extension_refuse')));
    expect(audit).toMatchObject({ actor: LEADER, data: { requestId: request.id, requested: '2026-12-15', reason: 'Hạn do UBND tỉnh giao, không thể lùi.' } });
    const mail = gw.sink.mails.find((m) => keyOf(m) === `extension-decision:${request.id}`);
    expect(mail?.to).toEqual([OFFICER]);
    expect(mail?.subject).toContain('Không đồng ý gia hạn');
    expect(mail?.text).toContain('Lý do (reason): Hạn do UBND tỉnh giao, không thể lùi.');
    expect(mail?.text).toContain('hạn xử lý giữ nguyên 07/12/2026');

    const again = await api(`/api/deadline-requests/${request.id}/grant`, tokens[LEADER], {});
    expect(again.status).toBe(409);
    expect((await list(tokens[LEADER])).map((r) => r.document.id)).toEqual([docB]);
  });

  const shot = async (page: Page, name: string) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  it('lets the leader grant a request in the console with another date; the officer goes on by replying', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base()}/#/extensions`);
    await page.locator('input[name=email]').fill(LEADER);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('input[name=password]').press('Enter');
    await page.getByTestId('user').waitFor();
    await page.locator('nav a[data-page=extensions]', { hasText: 'Đề nghị gia hạn' }).click();
    const card = page.locator(`ul.requests > li[data-document="${docB}"]`);
    await card.waitFor();
    expect(await page.locator('ul.requests > li').count()).toBe(1);
    expect(await card.locator('[data-asked-by]').textContent()).toContain(OFFICER);
    expect(await card.locator('[data-current-due]').textContent()).toBe('07/12/2026');
    expect(await card.locator('[data-requested-due]').textContent()).toBe('18/12/2026');
    // The refused one is among the decided.
    await page.locator('table.decided td[data-status=refused]').waitFor();
    await shot(page, '07-extension-requests');
    await card.locator('input[name=dueDate]').fill('2026-12-22');
    await card.getByRole('button', { name: 'Đồng ý gia hạn' }).click();
    await page.locator('.notice', { hasText: 'Đã gia hạn đến 22/12/2026' }).waitFor();
    await page.locator('p.empty', { hasText: 'Không có đề nghị gia hạn nào đang chờ.' }).waitFor();
    await shot(page, '08-extension-granted');
    await page.close();

    expect((await docRow(docB)).dueDate).toBe('2026-12-22');
    const [request] = await db().select().from(deadlineRequests).where(eq(deadlineRequests.documentId, docB));
    expect(request.status).toBe('granted');
    const actions = (await db().select().from(auditLog).where(eq(auditLog.entityId, docB))).map((e) => [e.action, e.actor]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['document.deadline', LEADER],
        ['document.extension_grant', LEADER],
      ]),
    );
    const [decided] = await list(tokens[OFFICER], `?status=granted&document=${docB}`);
    expect(decided.decision).toMatchObject({ by: LEADER, dueDate: '2026-12-22' });

    // The officer hears it by mail, with a reply address of their own: a reply to it carries on.
    const mail = await waitFor(() => gw.sink.mails.find((m) => keyOf(m) === `extension-decision:${request.id}`), 10_000, 'the decision mail');
    expect(mail.to).toEqual([OFFICER]);
    expect(mail.subject).toContain('Đồng ý gia hạn');
    expect(mail.text).toContain('đồng ý gia hạn xử lý văn bản đến 22/12/2026 (anh/chị đề nghị đến 18/12/2026)');
    const replyTo = replyToOf(mail)!;
    expect(replyTo).toMatch(/^act\+[a-z2-7]{48}@stc\.lamdong\.gov\.vn$/);
    const done = await gw.send({ to: replyTo, body: 'Đã xử lý. Báo cáo quý IV đã gửi.', id: 'ext-b-done' });
    expect(done.result.outcome).toMatchObject({ kind: 'applied', command: 'done', documentId: docB, status: 'done' });
  });

  it('tells the officer when the leader grants by replying, and lists who granted it', async () => {
    const docC = await gw.arrive('ext-c');
    const ask = await gw.send({ to: await assignmentAddress('ext-c/UBND-VX'), body: 'Gia hạn đến 20/12', id: 'ext-c-ask' });
    const toLeader = await waitFor(() => gw.sink.to(LEADER).find((m) => keyOf(m)?.startsWith(`act-extend:${ask.inbound}:`)), 10_000, 'the request mail');
    const grant = await gw.send({ from: LEADER, to: replyToOf(toLeader)!, body: 'Gia hạn đến 21/12. Đồng ý.', id: 'ext-c-grant' });
    expect(grant.result.outcome).toMatchObject({ kind: 'applied', command: 'extend' });
    const [granted] = await list(tokens[LEADER], `?status=granted&document=${docC}`);
    expect(granted.decision).toMatchObject({ by: LEADER, dueDate: '2026-12-21' });
    const mail = await waitFor(() => gw.sink.mails.find((m) => keyOf(m) === `extension-decision:${granted.id}`), 10_000, 'the decision mail');
    expect(mail.to).toEqual([OFFICER]);
    expect(mail.text).toContain('đồng ý gia hạn xử lý văn bản đến 21/12/2026 (anh/chị đề nghị đến 20/12/2026)');
    // The grant carries the reply's Message-ID, like every change made by mail.
    const [entry] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, docC), eq(auditLog.action, 'document.extension_grant')));
    expect(entry.data).toMatchObject({ settled: [granted.id], granted: '2026-12-21', via: { channel: 'mail' } });
  });

  it('lets an officer ask again in the console ("Việc của tôi"); the leaders are mailed, a leader is told to set it instead', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base()}/#/my`);
    await page.locator('input[name=email]').fill(OFFICER);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('input[name=password]').press('Enter');
    const item = page.locator(`ul.items > li[data-document="${docA}"]`);
    await item.waitFor();
    await item.locator('input[name=extendTo]').fill('2026-12-11');
    await item.locator('input[name=extendReason]').fill('Chờ ý kiến Sở Kế hoạch');
    await item.getByRole('button', { name: 'Xin gia hạn' }).click();
    await page.locator('.notice', { hasText: 'Đã gửi đề nghị gia hạn đến 11/12/2026' }).waitFor();
    expect(await page.locator(`ul.items > li[data-document="${docA}"] [data-extension]`).textContent()).toBe(
      'Đã xin gia hạn đến 11/12/2026, chờ lãnh đạo quyết định.',
    );
    await shot(page, '09-extension-asked');
    await page.close();

    const [request] = await list(tokens[LEADER], `?document=${docA}`);
    expect(request).toMatchObject({ requestedDue: '2026-12-11', reason: 'Chờ ý kiến Sở Kế hoạch', messageId: null, requestedBy: { email: OFFICER } });
    const toLeader = await waitFor(() => gw.sink.mails.find((m) => keyOf(m)?.startsWith(`extension-request:${request.id}:`)), 10_000, 'the leaders mail');
    expect(toLeader.to).toEqual([LEADER]);
    expect(toLeader.subject).toContain('Đề nghị gia hạn');
    expect(replyToOf(toLeader)).toMatch(/^act\+/);
    const asLeader = await api('/api/deadline-requests', tokens[LEADER], { document: docA, dueDate: '2026-12-11' });
    expect(asLeader.status).toBe(409);
    expect((await api('/api/deadline-requests', tokens[OTHER], { document: docA, dueDate: '2026-12-11' })).status).toBe(404);
    const [audit] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, docA), eq(auditLog.action, 'document.extension_request')))
      .orderBy(desc(auditLog.seq));
    expect(audit).toMatchObject({ actor: OFFICER, data: { requestId: request.id, requested: '2026-12-11' } });

    const verify = await api('/api/audit/verify', gw.app.config.http.tokens[0].token);
    expect(await verify.json()).toMatchObject({ ok: true });
  });
});
