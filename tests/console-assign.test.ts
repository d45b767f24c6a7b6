/**
 * A leader assigns and changes deadlines from the web console (docs/console.md, "Assignments and
 * deadlines"), in Debian's Chromium against a real gateway with the document mailed in over SMTP:
 * the leader gives the registered document to an officer with a deadline and instructions from
 * "Giao việc", and the officer's open "Việc của tôi" shows it with that deadline and the instructions
 * without a reload; the leader opens it from the book and changes the deadline with a reason (both
 * sent as fields of the API, kept with the document, not as comments); the officer asks for
 * more time, the request shows on the leader's open "Đề nghị gia hạn" and, granted, the new date
 * on the officer's list — both without a reload; an officer sees none of the leader's controls and
 * the API refuses them; a refusal of the API is said in the form. Dates are counted from the
 * gateway's today, so the test reads the same on any day. Screenshots: tests/artifacts/console-assign/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { officialMail } from './helpers/official-mail.ts';
import { okJson, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { addPeople, consolePage, documentFor, loginToken, markPage as mark, screenshot, stillMarked as stillHere, withStcUnit } from './helpers/console.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';

const PASSWORD = 'mat-khau-thu-nghiem';
const LEADER = { email: 'hung.nv@stc.lamdong.gov.vn', name: 'Nguyễn Văn Hùng', role: 'leader', department: 'vp' };
const OFFICER = { email: 'binh.tt@stc.lamdong.gov.vn', name: 'Trần Thị Bình', role: 'officer', department: 'ns' };
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console-assign');

/** Today in Hà Nội by the gateway's clock plus `days`, as YYYY-MM-DD. */
const inDays = (today: string, days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const vn = (iso: string) => iso.split('-').reverse().join('/');

interface Doc {
  id: string;
  status: string;
  assigneeId: string | null;
  department: string | null;
  dueDate: string | null;
  assignmentNote: string | null;
  dueReason: string | null;
  comments: Array<{ body: string }>;
}

describe('console: a leader assigns and changes deadlines', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  let docId: string;
  let officerId: string;
  let today: string;
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const post = (p: string, body: unknown) => gw.api(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const doc = async () => okJson<Doc>(await gw.api(`/api/documents/${docId}`));
  const shot = (page: Page, name: string) => screenshot(page, ARTIFACTS, name);
  const signedIn = (email: string, hash: string) => consolePage(browser, gw, { email, password: PASSWORD }, hash);
  /** A JSON POST as the officer, signed in over the API. */
  const asOfficer = async () => {
    const token = await loginToken(gw, OFFICER.email, PASSWORD);
    return (p: string, body: unknown) =>
      fetch(`${base()}${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
  };

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        withStcUnit(c);
        c.registry.routing = []; // registered, not yet given to anyone: the leader assigns it
      },
    });
    [, officerId] = await addPeople(gw, [LEADER, OFFICER], PASSWORD, 'stc');
    // A công văn of UBND tỉnh Vĩnh Long by mail; registered (by the clerk's review when it waits for one).
    const mail = officialMail(UNIT, 'giao-viec-1520', 'V/v điều chỉnh dự toán ngân sách năm 2026', [
      'ỦY BAN NHÂN DÂN TỈNH VĨNH LONG',
      'Số: 1520/UBND-KT',
      'V/v điều chỉnh dự toán ngân sách năm 2026',
    ]);
    const t = transport(gw.smtpPort!);
    await t.sendMail({ envelope: { from: 'vanthu@ubnd.vinhlong.gov.vn', to: [UNIT] }, raw: mail.raw });
    t.close();
    const d = await documentFor<{ id: string; status: string }>(gw, mail.mid);
    docId = d.id;
    if (d.status === 'review')
      await okJson(
        await post(`/api/documents/${docId}/approve`, {
          corrections: { notation: '1520/UBND-KT', issuer: 'Ủy ban nhân dân tỉnh Vĩnh Long', issuedDate: '2026-11-20' },
        }),
      );
    expect((await doc()).status).toBe('received');
    // The gateway's today (its Date header), in Hà Nội.
    const served = new Date((await gw.api('/api/auth/me')).headers.get('date')!);
    today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(served);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('assigns, changes the deadline and grants an extension, the officer seeing each without a reload', async () => {
    const [due1, due2, due3] = [inDays(today, 7), inDays(today, 14), inDays(today, 21)];
    const officer = await signedIn(OFFICER.email, '#/my');
    await officer.locator('html[data-live=on]').waitFor();
    await mark(officer);
    expect(await officer.locator(`ul.items > li[data-document="${docId}"]`).count()).toBe(0);

    // Giao việc: the list of registered documents no one handles yet.
    const leader = await signedIn(LEADER.email, '#/assign');
    const row = leader.locator(`ul.assign-list > li[data-document="${docId}"]`);
    await row.waitFor();
    await row.locator('summary').click();
    const form = row.locator('form.assign');
    await form.getByLabel('Cán bộ xử lý').selectOption(officerId);
    expect(await form.getByLabel('Phòng ban').inputValue()).toBe('ns'); // the officer's department
    await form.getByLabel('Hạn xử lý').fill(due1);
    await form.getByLabel('Ý kiến chỉ đạo').fill('Phòng Ngân sách tham mưu, báo cáo trước hạn');
    await shot(leader, '01-assign-form');
    await form.getByRole('button', { name: 'Giao việc' }).click();
    await leader.locator('.notice', { hasText: `Đã giao việc: ${OFFICER.name}, Phòng Ngân sách · Hạn ${vn(due1)}.` }).waitFor();
    await leader.locator('main p.empty').waitFor(); // nothing waits any more
    let d = await doc();
    expect([d.status, d.assigneeId, d.department, d.dueDate]).toEqual(['assigned', officerId, 'ns', due1]);
    // The instructions go with the assignment (the API's `note`), not as a comment of the leader's.
    expect([d.assignmentNote, d.comments]).toEqual(['Phòng Ngân sách tham mưu, báo cáo trước hạn', []]);
    // The officer's open list shows it with that deadline and the instructions.
    const item = officer.locator(`ul.items > li[data-document="${docId}"]`);
    await item.locator(`[data-due="${due1}"]`).waitFor();
    expect(await item.locator('[data-assignment-note]').textContent()).toBe('Ý kiến chỉ đạo: Phòng Ngân sách tham mưu, báo cáo trước hạn');
    expect(await stillHere(officer)).toBe(true);

    // Đổi hạn: from the book entry to the document's page.
    await leader.locator('nav a[data-page=books]').click();
    await leader.locator(`tr[data-document="${docId}"] a`).click();
    const change = leader.locator('form.deadline');
    await change.getByLabel('Hạn mới').fill(due2);
    await change.getByLabel('Lý do đổi hạn').fill('Chờ số liệu quyết toán của các huyện');
    await change.getByRole('button', { name: 'Đổi hạn' }).click();
    await leader.locator('.notice', { hasText: `Đã đổi hạn xử lý sang ${vn(due2)}.` }).waitFor();
    await leader.locator(`dd[data-due="${due2}"]`).waitFor();
    d = await doc();
    // The reason goes with the deadline (the API's `reason`): on the document's page and the officer's list.
    expect([d.dueDate, d.dueReason, d.comments]).toEqual([due2, 'Chờ số liệu quyết toán của các huyện', []]);
    expect(await leader.locator('dd[data-due-reason]').textContent()).toBe('Chờ số liệu quyết toán của các huyện');
    expect(await leader.locator('dd[data-assignment-note]').textContent()).toBe('Phòng Ngân sách tham mưu, báo cáo trước hạn');
    await item.locator(`[data-due="${due2}"]`).waitFor();
    await item.locator('[data-due-reason]', { hasText: 'Chờ số liệu quyết toán của các huyện' }).waitFor();
    await shot(leader, '02-item-deadline');

    // The officer asks for more time; the leader's open requests page shows it, and grants it.
    await leader.locator('nav a[data-page=extensions]').click();
    await leader.locator('main p.empty').first().waitFor();
    await leader.locator('html[data-live=on]').waitFor();
    await mark(leader);
    const extend = item.locator('form.extend');
    await extend.getByLabel('Xin gia hạn đến').fill(due3);
    await extend.getByLabel('Lý do').fill('Cần lấy ý kiến Kho bạc');
    await extend.getByRole('button', { name: 'Xin gia hạn' }).click();
    await officer.locator(`[data-extension="${due3}"]`).waitFor();
    const request = leader.locator(`ul.requests > li[data-document="${docId}"]`);
    await request.waitFor();
    expect(await stillHere(leader)).toBe(true);
    await shot(leader, '03-extension-request');
    await request.getByRole('button', { name: 'Đồng ý gia hạn' }).click();
    await leader.locator('.notice', { hasText: `Đã gia hạn đến ${vn(due3)}` }).waitFor();
    await item.locator(`[data-due="${due3}"]`).waitFor();
    // Granted, the deadline's reason is the officer's for asking.
    expect(await doc()).toMatchObject({ dueDate: due3, dueReason: 'Cần lấy ý kiến Kho bạc' });
    expect(await stillHere(officer)).toBe(true);
    await shot(officer, '04-officer-my-work');
    await leader.close();
    await officer.close();
  });

  it("hides the leader's controls from an officer, whom the API refuses too", async () => {
    const officer = await signedIn(OFFICER.email, `#/item/${docId}`);
    await officer.locator('dl.item').waitFor();
    expect(await officer.locator('nav a[data-page=assign]').count()).toBe(0);
    expect(await officer.locator('section.leader-controls, form.assign, form.deadline, main [role=alert]').count()).toBe(0);
    await officer.evaluate(() => {
      location.hash = '#/assign';
    });
    await officer.locator('[data-problem=forbidden]').waitFor();
    await officer.close();
    const as = await asOfficer();
    expect((await as(`/api/documents/${docId}/deadline`, { dueDate: inDays(today, 60) })).status).toBe(403);
    expect((await as(`/api/documents/${docId}/assign`, { officer: OFFICER.email })).status).toBe(403);
  });

  it("says the API's refusal in the form: the document was finished meanwhile", async () => {
    const leader = await signedIn(LEADER.email, `#/item/${docId}`);
    await leader.locator('html[data-live=on]').waitFor();
    const as = await asOfficer();
    // A department picked and not sent is not lost when the document changes meanwhile: the page waits.
    await leader.locator('form.assign').getByLabel('Phòng ban').selectOption('vp');
    await leader.locator('main h2').click();
    expect((await as(`/api/documents/${docId}/comments`, { body: 'Đã gửi dự thảo báo cáo' })).status).toBe(201);
    await leader.locator('main[data-stale]').waitFor();
    expect(await leader.locator('form.assign').getByLabel('Phòng ban').inputValue()).toBe('vp');
    const change = leader.locator('form.deadline');
    await change.getByLabel('Hạn mới').fill(inDays(today, 30));
    await change.getByLabel('Lý do đổi hạn').fill('Bổ sung hồ sơ');
    // The officer finishes it while the leader writes.
    expect((await as(`/api/documents/${docId}/status`, { status: 'done' })).status).toBe(200);
    await change.getByRole('button', { name: 'Đổi hạn' }).click();
    const refused = change.locator('[role=alert][data-refused="409"]');
    await refused.waitFor();
    expect((await refused.textContent())?.length).toBeGreaterThan(0);
    expect((await doc()).dueDate).toBe(inDays(today, 21));
    await shot(leader, '05-refused');
    await leader.close();
  });
});
