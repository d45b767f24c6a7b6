/**
 * The console's admin page and its live lists, in Debian's Chromium against a real gateway with
 * mail sent over SMTP. Live: a clerk's open review queue shows a message that arrives over SMTP,
 * and an officer's "my work" an item a leader assigns meanwhile — without a reload (server-sent
 * events, GET /api/events), the clerk's selected row staying selected and a comment being written
 * kept; an officer's stream carries only documents assigned to them. Admin:
 * the pipeline's queues, the connectors (SMTP listener, Haraka relay, an IMAP account that cannot
 * connect), the units and users with
 * their roles, and a failed message put back into the pipeline with "Chạy lại" until it is decided.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { imapSectionSchema } from '../gateway/config/imap.ts';
import { officialMail, pdfBase64 } from './helpers/official-mail.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { addPeople, consolePage, documentFor, loginToken, markPage as mark, screenshot, stillMarked as stillHere, withStcUnit } from './helpers/console.ts';
import { openEvents } from './helpers/events.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'mat-khau-thu-nghiem';
const ADMIN = { email: 'quantri@stc.lamdong.gov.vn', name: 'Phạm Quản Trị', role: 'admin', department: 'vp' };
const CLERK = { email: 'cuong.lv@stc.lamdong.gov.vn', name: 'Lê Văn Cường', role: 'clerk', department: 'vp' };
const LEADER = { email: 'lanh.dao@stc.lamdong.gov.vn', name: 'Đỗ Lãnh Đạo', role: 'leader', department: 'vp' };
const OFFICER = { email: 'binh.tt@stc.lamdong.gov.vn', name: 'Trần Thị Bình', role: 'officer', department: 'ns' };
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console-admin');

/** A công văn with its PDF, as console.test.ts sends it: it lands in the review queue. */
async function reviewMail(id: string, subject: string): Promise<{ mid: string; raw: string }> {
  const pdf = await pdfBase64([`So: ${id}/STTTT-VP`]);
  return officialMail(UNIT, id, subject, ['SỞ THÔNG TIN VÀ TRUYỀN THÔNG', `Số: ${id}/STTTT-VP`, subject], pdf);
}

interface Doc {
  id: string;
  inboundId: string;
  status: string;
}

describe('console: live lists and the admin page', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const post = (p: string, body: unknown) => gw.api(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const smtp = async (raw: string) => {
    const t = transport(gw.smtpPort!);
    await t.sendMail({ envelope: { from: 'vanthu@ubnd.vinhlong.gov.vn', to: [UNIT] }, raw });
    t.close();
  };
  const docFor = (mid: string) => documentFor<Doc>(gw, mid);
  const shot = (page: Page, name: string) => screenshot(page, ARTIFACTS, name);
  const signedIn = (email: string, hash: string) => consolePage(browser, gw, { email, password: PASSWORD }, hash);
  const tokenOf = (email: string) => loginToken(gw, email, PASSWORD);

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        withStcUnit(c);
        c.http.tokens.push({ name: 'haraka-mx', token: 'relay-token-of-the-haraka-mx', role: 'relay' });
        // A mailbox whose server does not answer (port 9 refuses at once): the admin page shows it failing.
        c.imap = imapSectionSchema.parse({
          backoffMinMs: 300,
          accounts: [{ id: 'hop-thu-cu', host: '127.0.0.1', port: 9, tls: { mode: 'none' }, user: 'vanthu', password: 'mat-khau', unit: 'stc' }],
        });
      },
    });
    await addPeople(gw, [ADMIN, CLERK, LEADER, OFFICER], PASSWORD, 'stc');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it("shows a message that arrives over SMTP in the clerk's open review queue, without a reload", async () => {
    const page = await signedIn(CLERK.email, '#/review');
    await page.locator('html[data-live=on]').waitFor();
    await mark(page);
    const mail = await reviewMail('911', 'V/v báo cáo tiến độ chuyển đổi số quý IV');
    await smtp(mail.raw);
    const doc = await docFor(mail.mid);
    expect(doc.status).toBe('review');
    await page.locator(`ol.queue > li[data-document="${doc.id}"]`).waitFor();
    expect(await stillHere(page)).toBe(true);
    await shot(page, '01-review-queue-live');
    // A second one while the first is selected: it appears, the selection stays where it was.
    const second = await reviewMail('912', 'V/v kế hoạch kiểm tra an toàn thông tin');
    await smtp(second.raw);
    const doc2 = await docFor(second.mid);
    await page.locator(`ol.queue > li[data-document="${doc2.id}"]`).waitFor();
    expect(await page.locator('ol.queue > li.selected').getAttribute('data-document')).toBe(doc.id);
    // The clerk moves to the second (j); a third arrives: the second is still the one selected.
    await page.keyboard.press('j');
    expect(await page.locator('ol.queue > li.selected').getAttribute('data-document')).toBe(doc2.id);
    const third = await reviewMail('916', 'V/v lấy ý kiến dự thảo quy chế');
    await smtp(third.raw);
    const doc3 = await docFor(third.mid);
    await page.locator(`ol.queue > li[data-document="${doc3.id}"]`).waitFor();
    expect(await page.locator('ol.queue > li.selected').getAttribute('data-document')).toBe(doc2.id);
    await page.keyboard.press('Enter');
    await page.locator(`form[data-document="${doc2.id}"]`).waitFor();
    expect(await stillHere(page)).toBe(true);
    await page.close();
  });

  it("adds an item a leader assigns to the officer's open work list, and tells officers only of their own documents", async () => {
    const page = await signedIn(OFFICER.email, '#/my');
    await page.locator('html[data-live=on]').waitFor();
    await mark(page);
    // The officer's own stream, read as the console reads it.
    const stream = await openEvents(base(), await tokenOf(OFFICER.email));

    const other = await reviewMail('913', 'V/v tổng hợp số liệu tiếp công dân');
    const mine = await reviewMail('914', 'V/v điều chỉnh dự toán ngân sách năm 2026');
    for (const m of [other, mine]) await smtp(m.raw);
    const [otherDoc, mineDoc] = [await docFor(other.mid), await docFor(mine.mid)];
    // The clerk registers both; the leader assigns only the second to the officer.
    for (const [d, n] of [
      [otherDoc, '913/STTTT-VP'],
      [mineDoc, '914/STTTT-VP'],
    ] as const)
      expect(
        (await post(`/api/documents/${d.id}/approve`, { corrections: { notation: n, issuer: 'Sở Thông tin và Truyền thông', issuedDate: '2026-11-21' } }))
          .status,
      ).toBe(200);
    expect((await post(`/api/documents/${mineDoc.id}/assign`, { officer: OFFICER.email, department: 'ns' })).status).toBe(200);
    await page.locator(`ul.items > li[data-document="${mineDoc.id}"]`).waitFor();
    expect(await stillHere(page)).toBe(true);
    expect(await page.locator(`ul.items > li[data-document="${otherDoc.id}"]`).count()).toBe(0);
    // The first event the officer heard of names only their document, never the other one.
    expect(await stream.firstDocuments()).toEqual([mineDoc.id]);
    expect(stream.seen).not.toContain(otherDoc.id);
    stream.close();

    // A comment being written is not lost to a refresh: the list waits (data-stale) until it is sent.
    const item = page.locator(`ul.items > li[data-document="${mineDoc.id}"]`);
    await item.locator('textarea[name=comment]').fill('Đang rà soát số liệu');
    await page.locator('main h2').click(); // the focus leaves the field; the text is not sent yet
    expect((await post(`/api/documents/${otherDoc.id}/assign`, { officer: OFFICER.email, department: 'ns' })).status).toBe(200);
    await page.locator('main[data-stale]').waitFor();
    expect(await item.locator('textarea[name=comment]').inputValue()).toBe('Đang rà soát số liệu');
    expect(await page.locator(`ul.items > li[data-document="${otherDoc.id}"]`).count()).toBe(0);
    await item.getByRole('button', { name: 'Thêm ý kiến' }).click();
    await page.locator('.notice', { hasText: 'Đã thêm ý kiến.' }).waitFor();
    await page.locator(`ul.items > li[data-document="${otherDoc.id}"]`).waitFor();
    const comments = ((await (await gw.api(`/api/documents/${mineDoc.id}`)).json()) as { comments: Array<{ body: string }> }).comments;
    expect(comments.map((c) => c.body)).toEqual(['Đang rà soát số liệu']);
    expect(await stillHere(page)).toBe(true);
    await page.close();
  });

  it('shows an admin the queues, the connectors, units and users, and retries a failed message', async () => {
    // A message the pipeline gave up on (as the worker leaves one after its last attempt).
    const broken = await reviewMail('915', 'V/v rà soát thủ tục hành chính');
    await smtp(broken.raw);
    const failedDoc = await docFor(broken.mid);
    await gw.database.query("update inbound_messages set state = 'failed', last_error = 'register: transient: database went away' where id = $1", [
      failedDoc.inboundId,
    ]);
    await waitFor(
      async () => ((await (await gw.api('/api/connectors')).json()) as { imap: Array<{ lastError: string | null }> }).imap[0]?.lastError,
      30_000,
      'the IMAP account to fail once',
    );
    const page = await signedIn(ADMIN.email, '#/admin');
    await page.getByRole('heading', { name: 'Quản trị hệ thống' }).waitFor();
    expect(await page.locator('nav a[data-page=admin]').getAttribute('aria-current')).not.toBeNull();
    // Queues and the backlog.
    await page.locator('tr[data-queue=ingest]').waitFor();
    expect(await page.locator('dd[data-failed]').getAttribute('data-failed')).toBe('1');
    // Connectors: the SMTP listener on its port, having received mail; the Haraka relay configured.
    const smtpRow = page.locator('tr[data-connector=smtp]');
    expect(await smtpRow.locator('.health').getAttribute('data-ok')).toBe('true');
    expect(await smtpRow.textContent()).toContain(`127.0.0.1:${gw.smtpPort}`);
    expect(await page.locator('tr[data-connector=haraka] .health').getAttribute('data-ok')).toBe('true');
    // The IMAP account that cannot connect: not healthy, with its error.
    const imap = page.locator('tr[data-connector="imap:hop-thu-cu"]');
    expect(await imap.locator('.health').getAttribute('data-ok')).toBe('false');
    expect(await imap.locator('.error-text').textContent()).toMatch(/ECONNREFUSED|refused/i);
    // Units and users with their roles.
    expect(await page.locator('tr[data-unit=stc]').textContent()).toContain(UNIT);
    expect(await page.locator(`tr[data-user="${CLERK.email}"] td[data-role]`).textContent()).toBe('Văn thư');
    expect(await page.locator(`tr[data-user="${OFFICER.email}"] td[data-role]`).textContent()).toBe('Chuyên viên');
    // The failed message with its error, and "Chạy lại".
    const row = page.locator(`tr[data-message="${failedDoc.inboundId}"]`);
    expect(await row.textContent()).toContain('database went away');
    await shot(page, '02-admin');
    await row.getByRole('button', { name: 'Chạy lại' }).click();
    await page.locator('.notice', { hasText: 'vào xử lý lại' }).waitFor();
    expect(await page.locator(`tr[data-message="${failedDoc.inboundId}"]`).count()).toBe(0);
    await waitFor(
      async () => ((await (await gw.api(`/api/messages/${failedDoc.inboundId}`)).json()) as { state: string }).state === 'decided',
      30_000,
      'the retried message decided',
    );
    // Retrying a message that has not failed is refused.
    expect((await gw.api(`/api/messages/${failedDoc.inboundId}/retry`, { method: 'POST' })).status).toBe(409);
    // Not for a clerk: the page says so.
    const clerk = await signedIn(CLERK.email, '#/admin');
    await clerk.locator('[data-problem=forbidden]').waitFor();
    expect(await clerk.locator('nav a[data-page=admin]').count()).toBe(0);
    await clerk.close();
    await page.close();
  });
});
