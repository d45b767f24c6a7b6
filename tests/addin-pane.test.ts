/**
 * The Outlook add-in end to end: the built task pane, loaded from a real running gateway (real
 * API, real database, real pipeline) into headless Chromium with a test double of the Office.js
 * mailbox. Walks what officers and clerks do, saving a screenshot of each screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchPaneBrowser, paneSignIn, paneSignOut, publishScreenshots, snap, type OfficeItemSpec, type PaneBrowser } from '../addin/test/browser.ts';
import { withStcUnit } from './helpers/console.ts';
import { startTestGateway, waitFor, type TestGateway, okJson } from './helpers/gateway.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'mat-khau-thu-nghiem';
const OFFICER = { email: 'binh.tt@stc.lamdong.gov.vn', name: 'Trần Thị Bình', role: 'officer', department: 'ns' };
const CLERK = { email: 'cuong.lv@stc.lamdong.gov.vn', name: 'Lê Văn Cường', role: 'clerk', department: 'vp' };
const LEADER = { email: 'dung.pm@stc.lamdong.gov.vn', name: 'Phạm Minh Dũng', role: 'leader', department: 'vp' };

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function officialMail(id: string, subject: string, body: string[]): { mid: string; raw: string } {
  const mid = `<${id}@ubnd.vinhlong.gov.vn>`;
  const raw = [
    'From: =?UTF-8?Q?V=C4=83n_th=C6=B0_UBND_t=E1=BB=89nh_V=C4=A9nh_Long?= <vanthu@ubnd.vinhlong.gov.vn>',
    `To: ${UNIT}`,
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: ${mid}`,
    'Date: Mon, 23 Nov 2026 08:30:00 +0700',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...body,
    '',
  ].join('\r\n');
  return { mid, raw };
}

const MAIL_A = officialMail('cv-1520', 'Công văn 1520/UBND-KT về điều chỉnh dự toán ngân sách năm 2026', [
  'ỦY BAN NHÂN DÂN TỈNH VĨNH LONG',
  'Số: 1520/UBND-KT',
  'V/v điều chỉnh dự toán ngân sách năm 2026',
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Độc lập - Tự do - Hạnh phúc',
  'Vĩnh Long, ngày 20 tháng 11 năm 2026',
  'Kính gửi: Sở Tài chính tỉnh Lâm Đồng',
  'Đề nghị Sở Tài chính rà soát dự toán ngân sách năm 2026.',
]);
const MAIL_B = officialMail('cv-245', 'V/v báo cáo sử dụng ngân sách chuyển đổi số', [
  'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
  'Số: 245/STTTT-VP',
  'V/v báo cáo sử dụng ngân sách chuyển đổi số',
  'Lâm Đồng, ngày 21 tháng 11 năm 2026',
  'Kính gửi: Sở Tài chính',
]);
const MAIL_C = officialMail('cv-88', 'Thư mời họp giao ban ngân sách quý IV', ['Kính mời lãnh đạo Sở dự họp giao ban ngân sách quý IV.']);

const item = (m: { mid: string; raw: string }, subject: string): OfficeItemSpec => ({
  internetMessageId: m.mid,
  subject,
  from: { displayName: 'Văn thư UBND tỉnh Vĩnh Long', emailAddress: 'vanthu@ubnd.vinhlong.gov.vn' },
  to: [{ displayName: 'Sở Tài chính', emailAddress: UNIT }],
  dateTimeCreated: '2026-11-23T01:30:00Z',
  mime: m.raw,
});

/** Outlook selects another message (a pinned pane stays open and follows). */
const selectItem = (page: Page, spec: OfficeItemSpec) =>
  page.evaluate((s) => (window as unknown as { __officeDouble: { selectItem(x: unknown): void } }).__officeDouble.selectItem(s), spec);

interface Doc {
  id: string;
  status: string;
  bookNumber: number | null;
  notation: string | null;
  issuer: string | null;
  subject: string | null;
  dueDate: string | null;
  assigneeId: string | null;
}

describe('Outlook add-in task pane in Chromium', { timeout: 120_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  const shots: string[] = [];
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const json = okJson;
  const post = (path: string, body: unknown) => gw.api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const docFor = (mid: string) =>
    waitFor(
      async () => {
        const res = await gw.api(`/api/documents/by-message-id?mid=${encodeURIComponent(mid)}`);
        return res.ok ? ((await res.json()) as Doc) : null;
      },
      30_000,
      `the document of ${mid}`,
    );
  const users: Record<string, string> = {};

  const shot = async (page: Page, name: string) => {
    shots.push(name);
    await snap(page, name);
    // Usable at 320 px: nothing may force a horizontal scrollbar.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} overflows horizontally`).toBeLessThanOrEqual(0);
  };

  const signIn = (page: Page, email: string) => paneSignIn(page, email, PASSWORD);
  const signOut = paneSignOut;

  beforeAll(async () => {
    // First, so a machine without Chromium fails at once (the suite fails; it never skips).
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        withStcUnit(c);
        c.registry.routing = [{ unit: 'stc', keywords: ['ngân sách'], department: 'ns', officer: OFFICER.email }];
      },
    });
    for (const u of [OFFICER, CLERK, LEADER])
      users[u.email] = (await json<{ id: string }>(await post('/api/users', { ...u, unit: 'stc', password: PASSWORD }))).id;
    for (const m of [MAIL_A, MAIL_B])
      await json(await gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: m.raw }));
    // Document A is already in the book, assigned to the officer, and overdue.
    const a = await docFor(MAIL_A.mid);
    if (a.status === 'review')
      await json(await post(`/api/documents/${a.id}/approve`, { corrections: { notation: '1520/UBND-KT', issuer: 'Ủy ban nhân dân tỉnh Vĩnh Long' } }));
    await json(await post(`/api/documents/${a.id}/assign`, { officer: OFFICER.email, department: 'ns' }));
    await json(await post(`/api/documents/${a.id}/deadline`, { dueDate: isoDay(-5) }));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('walks: sign in, registered message, status change, register a new one, "Việc của tôi"', async () => {
    const a = await docFor(MAIL_A.mid);
    const page = await browser.open(base(), {
      item: item(MAIL_A, 'Công văn 1520/UBND-KT'),
      userProfile: { displayName: OFFICER.name, emailAddress: OFFICER.email },
    });
    // Not signed in: the sign-in form, e-mail taken from the Outlook profile.
    await expect.poll(() => page.locator('input[name=email]').inputValue()).toBe(OFFICER.email);
    await shot(page, '01-sign-in');
    await signIn(page, OFFICER.email);

    // The registered message: its incoming number and status at once.
    const number = page.getByTestId('incoming-number');
    await expect.poll(() => number.textContent()).toBe(String(a.bookNumber));
    await expect.poll(() => page.locator('.number-row [data-status]').getAttribute('data-status')).toBe('assigned');
    await expect.poll(() => page.locator('[data-due]').first().getAttribute('data-due')).toBe('overdueBy');
    // The department by its configured name, not its id.
    await page.locator('dd', { hasText: 'Phòng Ngân sách' }).first().waitFor();
    await shot(page, '02-registered-document');

    // Change status with a note.
    await page.locator('select[name=status]').selectOption('in_progress');
    await page.locator('input[name=note]').fill('Đã chuyển Phòng Ngân sách rà soát');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await expect.poll(() => page.locator('.number-row [data-status]').getAttribute('data-status')).toBe('in_progress');
    expect((await (await gw.api(`/api/documents/${a.id}`)).json()).status).toBe('in_progress');
    await page.getByText('Đã cập nhật trạng thái.').waitFor();
    await shot(page, '03-status-changed');

    // The clerk, reading a message not yet registered: the form is filled in, the clerk corrects it.
    await signOut(page);
    await selectItem(page, item(MAIL_B, 'V/v báo cáo sử dụng ngân sách chuyển đổi số'));
    await signIn(page, CLERK.email);
    const form = page.locator('form[data-document]');
    await form.waitFor();
    await expect.poll(() => page.locator('textarea[name=subject]').inputValue()).toContain('ngân sách chuyển đổi số');
    await page.locator('input[name=notation]').fill('245/STTTT-KHTC');
    await page.locator('input[name=issuer]').fill('Sở Thông tin và Truyền thông tỉnh Lâm Đồng');
    await page.locator('input[name=issuedDate]').fill('2026-11-21');
    await page.locator('input[name=dueDate]').fill(isoDay(10));
    await shot(page, '04-register-form');
    await page.getByRole('button', { name: 'Đăng ký vào sổ' }).click();
    await page.getByTestId('incoming-number').waitFor();
    const b = await docFor(MAIL_B.mid);
    expect(b).toMatchObject({
      notation: '245/STTTT-KHTC',
      issuer: 'Sở Thông tin và Truyền thông tỉnh Lâm Đồng',
      dueDate: isoDay(10),
      status: 'assigned',
      assigneeId: users[OFFICER.email],
    });
    expect(b.bookNumber).toBe(a.bookNumber! + 1);
    await expect.poll(() => page.getByTestId('incoming-number').textContent()).toBe(String(b.bookNumber));
    await page.getByText(`Đã vào sổ: số đến ${b.bookNumber}.`).waitFor();
    await shot(page, '05-registered-by-clerk');

    // The officer's "Việc của tôi": overdue first, quick status, reached with the keyboard.
    await signOut(page);
    await signIn(page, OFFICER.email);
    await page.locator('[data-tab=message]').focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('#mywork-view ul.items').waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-tab'))).toBe('mywork');
    expect(await page.locator('#mywork-view li[data-document]').evaluateAll((els) => els.map((e) => e.getAttribute('data-document')))).toEqual([a.id, b.id]);
    expect(await page.locator(`li[data-document="${a.id}"]`).getAttribute('class')).toContain('overdue');
    await shot(page, '06-my-work');
    await page.locator(`li[data-document="${b.id}"]`).getByRole('button', { name: 'Đang xử lý' }).click();
    await page.getByText('Đã cập nhật trạng thái.').waitFor();
    expect((await (await gw.api(`/api/documents/${b.id}`)).json()).status).toBe('in_progress');
    await page.locator(`li[data-document="${b.id}"]`).getByRole('button', { name: 'Thêm ý kiến' }).click();
    await page.locator(`li[data-document="${b.id}"] textarea`).fill('Sẽ báo cáo trước hạn');
    await page.locator(`li[data-document="${b.id}"] textarea`).press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Đã thêm ý kiến.').waitFor();
    const detail = await (await gw.api(`/api/documents/${b.id}`)).json();
    expect(detail.comments.map((c: { body: string }) => c.body)).toEqual(['Sẽ báo cáo trước hạn']);

    // Wider panes (Outlook on the desktop) use the room.
    await page.setViewportSize({ width: 500, height: 900 });
    await page.locator('[data-tab=message]').click();
    await page.getByTestId('incoming-number').waitFor();
    await shot(page, '07-document-wide');
    await page.close();
  });

  it('lets a leader re-assign, and a clerk add a message vanthu never received', async () => {
    const a = await docFor(MAIL_A.mid);
    // An older Outlook (Mailbox 1.8, no getAsFileAsync): the pane rebuilds the MIME from the item.
    const page = await browser.open(base(), {
      item: item(MAIL_A, 'Công văn 1520/UBND-KT'),
      userProfile: { displayName: LEADER.name, emailAddress: LEADER.email },
      mailboxVersion: '1.8',
    });
    await signIn(page, LEADER.email);
    const officer = page.locator('select[name=officer]');
    await expect.poll(() => officer.locator('option').count()).toBeGreaterThan(1);
    await officer.selectOption(users[LEADER.email]);
    await page.getByRole('button', { name: 'Giao lại' }).click();
    await page.getByText(`Đã giao cho ${LEADER.name} (vp).`).waitFor();
    expect((await (await gw.api(`/api/documents/${a.id}`)).json()).assigneeId).toBe(users[LEADER.email]);
    await shot(page, '08-leader-assign');
    // A pinned pane follows the selection in Outlook.
    const b = await docFor(MAIL_B.mid);
    await selectItem(page, item(MAIL_B, 'V/v báo cáo sử dụng ngân sách chuyển đổi số'));
    await expect.poll(() => page.getByTestId('incoming-number').textContent()).toBe(String(b.bookNumber));
    await signOut(page);

    // A message that reached the clerk's mailbox but never the gateway: the pane sends its MIME.
    const invitation = Buffer.from('%PDF-1.7 giấy mời').toString('base64');
    await selectItem(page, {
      ...item(MAIL_C, 'Thư mời họp giao ban ngân sách quý IV'),
      bodyText: 'Kính mời lãnh đạo Sở dự họp giao ban ngân sách quý IV.',
      attachments: [{ name: 'Giấy mời.pdf', contentType: 'application/pdf', base64: invitation }],
    });
    await signIn(page, CLERK.email);
    await page.locator('[data-problem=not-stored]').waitFor();
    await shot(page, '09-not-stored');
    await page.getByRole('button', { name: 'Đưa vào hệ thống' }).click();
    await page.locator('form[data-document]').waitFor({ timeout: 30_000 });
    const c = await docFor(MAIL_C.mid);
    expect(c.status).toBe('review');
    const calls = await page.evaluate(() => (window as unknown as { __officeDouble: { calls: string[] } }).__officeDouble.calls);
    expect(calls).toContain('getAttachmentContentAsync:att0');
    expect(calls).not.toContain('getAsFileAsync');
    const stored = (await json<{ message: { id: string } }>(await gw.api(`/api/messages/lookup?messageId=${encodeURIComponent(MAIL_C.mid)}`))).message.id;
    const parsed = await json<{ stages: { parse: { result: { subject: string; attachments: Array<{ filename: string }> } } } }>(
      await gw.api(`/api/messages/${stored}`),
    );
    expect(parsed.stages.parse.result.subject).toBe('Thư mời họp giao ban ngân sách quý IV');
    expect(parsed.stages.parse.result.attachments.map((a) => a.filename)).toEqual(['Giấy mời.pdf']);
    // Not an official document after all: the clerk says so, and the pane tells what that means.
    await page.getByRole('button', { name: 'Không phải văn bản' }).click();
    await page.getByText('Thư này không phải văn bản hành chính').waitFor();
    expect((await docFor(MAIL_C.mid)).status).toBe('not_document');
    await shot(page, '10-not-a-document');
    await page.close();
  });

  it('says what to do when the session lapses, when the gateway is down, outside Outlook and while composing', async () => {
    const page = await browser.open(base(), { item: item(MAIL_A, 'Công văn 1520/UBND-KT'), displayLanguage: 'en-US' });
    await signIn(page, OFFICER.email);
    // Re-assigned to the leader above: no longer the officer's to see.
    await page.getByText('This document is not assigned to you').waitFor();
    await shot(page, '11-not-yours-en');
    // The session ends on the server (expiry, sign-out elsewhere): the next call brings sign-in back.
    const token = await page.evaluate(
      () => JSON.parse((window as unknown as { __officeDouble: { roaming(): Record<string, string> } }).__officeDouble.roaming().session).token as string,
    );
    expect((await fetch(`${base()}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
    await page.locator('[data-tab=mywork]').click();
    await page.getByText('Your session has expired. Sign in again to continue.').waitFor();
    expect(await page.locator('input[name=email]').inputValue()).toBe(OFFICER.email);
    await shot(page, '12-session-expired-en');
    await page.close();

    // A gateway that stops answering.
    const other = await startTestGateway({ backend: 'pglite' });
    await json(
      await other.api('/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...OFFICER, unit: 'stc', password: PASSWORD }),
      }),
    );
    const otherBase = `http://127.0.0.1:${other.httpPort}`;
    const p2 = await browser.open(otherBase, { item: item(MAIL_A, 'Công văn 1520/UBND-KT') });
    await signIn(p2, OFFICER.email);
    await p2.locator('#message-view .bar').waitFor();
    await other.close();
    await p2.locator('[data-tab=mywork]').click();
    await p2.locator('[data-problem=unreachable]').waitFor();
    expect(await p2.locator('[data-problem=unreachable]').textContent()).toContain('Kiểm tra mạng hoặc VPN');
    await shot(p2, '13-gateway-unreachable');
    await p2.close();

    // Composing: the pane opens on "Gửi phát hành" with the draft's subject (tests/addin-send-pane.test.ts sends one).
    const compose = await browser.open(base(), { item: { compose: true, subject: 'Dự thảo công văn' } });
    await signIn(compose, OFFICER.email);
    await expect.poll(() => compose.locator('textarea[name=subject]').inputValue()).toBe('Dự thảo công văn');
    await compose.getByText('Bạn chưa gửi phát hành văn bản nào.').waitFor();
    await shot(compose, '14-compose');
    await compose.close();

    const noItem = await browser.open(base(), { item: null });
    await signIn(noItem, OFFICER.email);
    await noItem.locator('[data-problem=no-item]').waitFor();
    await noItem.close();
    // Opened in a plain browser (no Office.js): sign-in and lists work, the message tab explains.
    const outside = await browser.open(base(), { item: null }, { office: false });
    await signIn(outside, OFFICER.email);
    await outside.locator('[data-problem=outside-outlook]').waitFor();
    await outside.close();

    publishScreenshots(shots);
  });
});
