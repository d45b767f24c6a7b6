/**
 * The web console end to end: the built console served at `/` by a real gateway (real API,
 * database, pipeline), driven in Debian's Chromium through playwright-core. A clerk signs in, sees
 * a review item with its reason, corrects a field and registers it with the keyboard, and finds it
 * in the book with its number; an officer sees only their own items, and the review queue answers
 * 403, which the console says plainly. Screenshots go to tests/artifacts/console/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { startTestGateway, type TestGateway, okJson } from './helpers/gateway.ts';
import { documentFor, screenshot, withStcUnit } from './helpers/console.ts';
import { officialMail as mail, pdfBase64 } from './helpers/official-mail.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'mat-khau-thu-nghiem';
const CLERK = { email: 'cuong.lv@stc.lamdong.gov.vn', name: 'Lê Văn Cường', role: 'clerk', department: 'vp' };
const OFFICER = { email: 'binh.tt@stc.lamdong.gov.vn', name: 'Trần Thị Bình', role: 'officer', department: 'ns' };
const OTHER = { email: 'an.nv@stc.lamdong.gov.vn', name: 'Nguyễn Văn An', role: 'officer', department: 'ns' };
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console');

const officialMail = (id: string, subject: string, body: string[], pdf?: string) => mail(UNIT, id, subject, body, pdf);

interface Doc {
  id: string;
  inboundId: string;
  status: string;
  bookNumber: number | null;
  notation: string | null;
  reasons: string[];
}

describe('web console in Chromium', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  const users: Record<string, string> = {};
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const json = okJson;
  const post = (p: string, body: unknown) => gw.api(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const docFor = (mid: string) => documentFor<Doc>(gw, mid);
  const shot = (page: Page, name: string) => screenshot(page, ARTIFACTS, name);
  const open = async (hash = '') => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base()}/${hash}`);
    return page;
  };
  const signIn = async (page: Page, email: string) => {
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('input[name=password]').press('Enter');
    await page.getByTestId('user').waitFor();
  };
  let review: { mid: string; raw: string };
  let assigned: Doc;
  let othersDoc: Doc;

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        withStcUnit(c);
      },
    });
    for (const u of [CLERK, OFFICER, OTHER])
      users[u.email] = (await json<{ id: string }>(await post('/api/users', { ...u, unit: 'stc', password: PASSWORD }))).id;
    review = officialMail(
      'cv-245',
      'V/v báo cáo sử dụng ngân sách chuyển đổi số',
      [
        'SỞ THÔNG TIN VÀ TRUYỀN THÔNG',
        'Số: 245/STTTT-VP',
        'V/v báo cáo sử dụng ngân sách chuyển đổi số',
        'Lâm Đồng, ngày 21 tháng 11 năm 2026',
        'Kính gửi: Sở Tài chính',
      ],
      await pdfBase64(['So: 245/STTTT-VP', 'Bao cao su dung ngan sach chuyen doi so']),
    );
    const mine = officialMail('cv-1520', 'Công văn 1520/UBND-KT về dự toán ngân sách năm 2026', [
      'ỦY BAN NHÂN DÂN TỈNH VĨNH LONG',
      'Số: 1520/UBND-KT',
      'V/v điều chỉnh dự toán ngân sách năm 2026',
      'Vĩnh Long, ngày 20 tháng 11 năm 2026',
    ]);
    const others = officialMail('cv-77', 'Công văn 77/UBND-VX về lịch tiếp dân', [
      'ỦY BAN NHÂN DÂN TỈNH VĨNH LONG',
      'Số: 77/UBND-VX',
      'V/v lịch tiếp công dân',
      'Vĩnh Long, ngày 19 tháng 11 năm 2026',
    ]);
    for (const m of [mine, others, review])
      await json(await gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: m.raw }));
    // Two book entries: one assigned to the officer, one to another officer.
    const entries: Array<[typeof mine, string, string, typeof OFFICER]> = [
      [mine, '1520/UBND-KT', '2026-11-20', OFFICER],
      [others, '77/UBND-VX', '2026-11-19', OTHER],
    ];
    const docs: Doc[] = [];
    for (const [m, notation, issuedDate, who] of entries) {
      const d = await docFor(m.mid);
      if (d.status === 'review')
        await json(await post(`/api/documents/${d.id}/approve`, { corrections: { notation, issuer: 'Ủy ban nhân dân tỉnh Vĩnh Long', issuedDate } }));
      await json(await post(`/api/documents/${d.id}/assign`, { officer: who.email, department: 'ns' }));
      await json(await post(`/api/documents/${d.id}/deadline`, { dueDate: '2026-12-30' }));
      docs.push(await docFor(m.mid));
    }
    [assigned, othersDoc] = docs;
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('serves the console at / with its security headers (no inline script, never framed)', async () => {
    const res = await fetch(`${base()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('frame-src blob:');
    expect(csp).not.toMatch(/worker-src|script-src[^;]*blob:/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    const script = /<script[^>]*src="\.\/([^"]+)"/.exec(html)?.[1];
    expect(script).toMatch(/^console\/assets\/.+\.js$/);
    const asset = await fetch(`${base()}/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-security-policy')).toBe(csp);
    // The API keeps its own policy.
    expect((await fetch(`${base()}/api/openapi.json`)).headers.get('content-security-policy')).toContain("default-src 'none'");
    // English for a browser not set to Vietnamese.
    const page = await browser.context.newPage();
    await page.addInitScript(() => Object.defineProperty(navigator, 'languages', { get: () => ['en-GB', 'en'] }));
    await page.goto(`${base()}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.close();
  });

  it('lets a clerk review, correct and register an item, then find it in the book', async () => {
    const doc = await docFor(review.mid);
    expect(doc.status).toBe('review');
    expect(doc.reasons.length).toBeGreaterThan(0);
    const page = await open();
    await page.locator('input[name=email]').waitFor();
    await shot(page, '01-sign-in');
    await signIn(page, CLERK.email);
    const user = page.getByTestId('user');
    await expect.poll(() => user.textContent()).toContain(CLERK.name);
    expect(await user.locator('.role').textContent()).toBe('Văn thư');
    const me = await json<{ unitName: string }>(
      await fetch(`${base()}/api/auth/me`, {
        headers: { authorization: `Bearer ${await page.evaluate(() => sessionStorage.getItem('vanthu.console.token'))}` },
      }),
    );
    expect(await user.locator('.unit').textContent()).toBe(me.unitName);

    // The queue: the item with the reason the API gives, reached with the keyboard.
    const row = page.locator(`ol.queue > li[data-document="${doc.id}"]`);
    await row.waitFor();
    expect(await row.locator('.reason').first().textContent()).toBe(doc.reasons[0]);
    await shot(page, '02-review-queue');
    const rows = await page.locator('ol.queue > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-document')));
    for (let i = 0; i < rows.indexOf(doc.id); i++) await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    const form = page.locator(`form[data-document="${doc.id}"]`);
    await form.waitFor();
    // Beside it: the PDF (fetched with the token, drawn by pdf.js), the headers, the verdicts.
    await page.locator('.viewer .page[data-drawn=true] canvas').first().waitFor();
    expect(await page.locator('.viewer').getAttribute('data-attachment')).toMatch(/^\d+$/);
    await page.locator('.headers dd', { hasText: 'vanthu@ubnd.vinhlong.gov.vn' }).first().waitFor();
    await page.locator('.signatures h3').waitFor();
    await page.locator('input[name=notation]').fill('245/STTTT-KHTC');
    await page.locator('input[name=issuer]').fill('Sở Thông tin và Truyền thông tỉnh Lâm Đồng');
    await page.locator('input[name=issuedDate]').fill('2026-11-21');
    await shot(page, '03-review-item');
    await page.locator('input[name=issuer]').press('Control+Enter');
    await page.locator('.notice', { hasText: 'Đã vào sổ: số đến' }).waitFor();
    const registered = await docFor(review.mid);
    expect(registered).toMatchObject({ notation: '245/STTTT-KHTC', status: expect.stringMatching(/^(received|assigned)$/) });
    expect(registered.bookNumber).toBe(assigned.bookNumber! + 2);
    expect(await page.locator('.notice').textContent()).toBe(`Đã vào sổ: số đến ${registered.bookNumber}.`);
    expect(await page.locator(`ol.queue > li[data-document="${doc.id}"]`).count()).toBe(0);

    // The book: the entry with its number; search ignores diacritics; the printouts are offered.
    await page.locator('nav a[data-page=books]').click();
    const entry = page.locator(`table tr[data-document="${doc.id}"]`);
    await entry.waitFor();
    expect(await entry.locator('td.number').textContent()).toBe(String(registered.bookNumber));
    await page.locator('input[name=q]').fill('chuyen doi so');
    await expect.poll(() => page.locator('table tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute('data-document')))).toEqual([doc.id]);
    // The printout is what the screen shows: the export carries the filters, the API applies them.
    const filtered = page.waitForEvent('download');
    const asked = page.waitForRequest((r) => r.url().includes('/api/books/'));
    await page.getByRole('button', { name: 'Xuất CSV' }).click();
    expect(new URL((await asked).url()).searchParams.get('q')).toBe('chuyen doi so');
    const csvRows = readFileSync((await (await filtered).path())!, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .slice(1);
    expect(csvRows.map((r) => r.split(',')[1])).toEqual([String(registered.bookNumber)]);
    await page.locator('input[name=q]').fill('');
    await page.locator('select[name=state]').selectOption('assigned');
    await expect.poll(() => page.locator(`table tr[data-document="${assigned.id}"]`).count()).toBe(1);
    for (const label of ['In sổ (PDF)', 'Xuất CSV', 'Xuất Excel']) await page.getByRole('button', { name: label }).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Xuất CSV' }).click();
    expect((await download).suggestedFilename()).toBe('so-den-stc-2026.csv');
    await shot(page, '04-book');
    await page.close();
  });

  it("shows an officer only their items, and the review queue's 403 as a clear message", async () => {
    const page = await open();
    await signIn(page, OFFICER.email);
    await page.locator('ul.items').waitFor();
    expect(await page.locator('nav a[data-page=review]').count()).toBe(0);
    const shown = await page.locator('ul.items > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-document')));
    expect(shown).toEqual([assigned.id]);
    expect(shown).not.toContain(othersDoc.id);
    expect(await page.locator(`li[data-document="${assigned.id}"] [data-due]`).textContent()).toContain('30/12/2026');
    await shot(page, '05-my-work');
    const item = page.locator(`li[data-document="${assigned.id}"]`);
    await item.locator('textarea[name=comment]').fill('Đã rà soát dự toán');
    await item.getByRole('button', { name: 'Thêm ý kiến' }).click();
    await page.locator('.notice', { hasText: 'Đã thêm ý kiến.' }).waitFor();
    await page.locator(`li[data-document="${assigned.id}"]`).getByRole('button', { name: 'Hoàn thành' }).click();
    await page.locator('.notice', { hasText: 'Đã đánh dấu hoàn thành.' }).waitFor();
    const detail = await json<{ status: string; comments: Array<{ body: string }> }>(await gw.api(`/api/documents/${assigned.id}`));
    expect(detail.status).toBe('done');
    expect(detail.comments.map((c) => c.body)).toEqual(['Đã rà soát dự toán']);

    // The review queue by its address: the API says 403, the console says what it means.
    await page.evaluate(() => {
      location.hash = '#/review';
    });
    const problem = page.locator('[data-problem=forbidden]');
    await problem.waitFor();
    expect(await problem.locator('h2').textContent()).toBe('Bạn không có quyền xem trang này');
    await shot(page, '06-officer-forbidden');

    // Attachments follow the message's rules: the review item's PDF is not the officer's.
    const doc = await docFor(review.mid);
    const token = await page.evaluate(() => sessionStorage.getItem('vanthu.console.token'));
    const asOfficer = await fetch(`${base()}/api/messages/${doc.inboundId}/attachments/0`, { headers: { authorization: `Bearer ${token}` } });
    expect(asOfficer.status).toBe(404);
    const msg = await json<{ attachments: Array<{ idx: number; contentType: string }> }>(await gw.api(`/api/messages/${doc.inboundId}`));
    const idx = msg.attachments.find((a) => a.contentType.startsWith('application/pdf'))!.idx;
    const asAdmin = await gw.api(`/api/messages/${doc.inboundId}/attachments/${idx}`);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await asAdmin.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    // Signing out drops the token.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.locator('input[name=password]').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('vanthu.console.token'))).toBeNull();
    await page.close();
  });
  it('lets an officer give an item back to the leaders with a reason from their list', async () => {
    const page = await open('#/my');
    await signIn(page, OTHER.email);
    const item = page.locator(`ul.items > li[data-document="${othersDoc.id}"]`);
    await item.waitFor();
    await item.getByLabel('Lý do trả lại lãnh đạo').fill('Không thuộc lĩnh vực phụ trách');
    await item.getByRole('button', { name: 'Trả lại lãnh đạo' }).click();
    await page.locator('.notice', { hasText: 'Đã trả lại văn bản cho lãnh đạo để giao lại.' }).waitFor();
    await page.locator('main p.empty').waitFor();
    const detail = await json<{ status: string; assigneeId: string | null; history: Array<{ action: string; data: { reason?: string } }> }>(
      await gw.api(`/api/documents/${othersDoc.id}`),
    );
    expect([detail.status, detail.assigneeId]).toEqual(['received', null]);
    expect(detail.history.at(-1)).toMatchObject({ action: 'document.decline', data: { reason: 'Không thuộc lĩnh vực phụ trách' } });
    await page.close();
  });

  it("refuses an officer of another unit the document's page and the API alike", async () => {
    const stranger = { email: 'hoa.pt@vpubnd.lamdong.gov.vn', name: 'Phạm Thị Hoa', role: 'officer', department: 'vp' };
    await json(await post('/api/users', { ...stranger, unit: 'vpubnd', password: PASSWORD }));
    const page = await open(`#/item/${assigned.id}`);
    await signIn(page, stranger.email);
    const problem = page.locator('[data-problem=not-found]');
    await problem.waitFor();
    expect(await problem.locator('h2').textContent()).toBe('Không tìm thấy');
    expect(await page.locator('dl.item').count()).toBe(0);
    const token = await page.evaluate(() => sessionStorage.getItem('vanthu.console.token'));
    const res = await fetch(`${base()}/api/documents/${assigned.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    await shot(page, '07-other-unit-refused');
    await page.close();
  });

  /** Lets the page's code run to the end once no I/O is left (tasks and frames only). */
  const settle = async (page: Page) => {
    for (let i = 0; i < 3; i++) await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
  };
  /**
   * The clerk signs in; their first page (the review queue) is slow to answer and they move on to
   * #/send meanwhile; then the queue's answer comes and its page code runs to the end. Returns the answer.
   */
  const moveOnWhileTheQueueLoads = async (page: Page) => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let asked = () => {};
    const askedFor = new Promise<void>((r) => {
      asked = r;
    });
    await page.route('**/api/review?*', async (route) => {
      asked();
      await held;
      await route.continue();
    });
    await signIn(page, CLERK.email);
    await askedFor;
    await page.evaluate(() => {
      location.hash = '#/send';
    });
    await page.locator('form.compose').waitFor();
    const answered = page.waitForResponse((r) => r.url().includes('/api/review?'));
    release();
    const queue = await answered;
    await queue.finished();
    await settle(page);
    return queue;
  };

  it('keeps the page the person moved to when the page they left finishes loading later', async () => {
    const page = await open();
    await moveOnWhileTheQueueLoads(page);
    expect(await page.locator('form.compose').count()).toBe(1);
    expect(await page.locator('ol.queue, p.empty').count()).toBe(0);
    await page.close();
  });

  it('keeps the keys of the page the person moved to: a queue that finishes loading later installs no j/k/Enter', async () => {
    // A review item, so that the late queue has a row Enter would open.
    const late = officialMail(
      'cv-318',
      'V/v kế hoạch kiểm tra công tác văn thư',
      ['SỞ NỘI VỤ', 'Số: 318/SNV-VP', 'V/v kế hoạch kiểm tra công tác văn thư', 'Lâm Đồng, ngày 22 tháng 11 năm 2026', 'Kính gửi: Sở Tài chính'],
      await pdfBase64(['So: 318/SNV-VP', 'Ke hoach kiem tra cong tac van thu']),
    );
    await json(await gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: late.raw }));
    expect((await docFor(late.mid)).status).toBe('review');
    const page = await open();
    const queue = await moveOnWhileTheQueueLoads(page);
    expect(((await queue.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    // Keys pressed outside any field: the late queue's j/Enter would open its first item.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await settle(page);
    expect(await page.evaluate(() => location.hash)).toBe('#/send');
    expect(await page.locator('form.compose').count()).toBe(1);
    await page.close();
  });

  it('registers a reviewed document whose fields are right in two keystrokes: Enter opens it, Ctrl+Enter registers it', async () => {
    // The item the test above left waiting (an unsigned mail is never registered without a clerk), its fields read right.
    const waiting = await docFor('<cv-318@ubnd.vinhlong.gov.vn>');
    expect(waiting.status).toBe('review');
    const page = await open('#/review');
    await signIn(page, CLERK.email);
    const first = page.locator('ol.queue > li').first();
    await first.waitFor();
    expect(await first.getAttribute('data-document')).toBe(waiting.id); // the oldest waiting: selected at once
    await page.keyboard.press('Enter');
    await page.locator(`form[data-document="${waiting.id}"]`).waitFor();
    expect(await page.locator('input[name=notation]').inputValue()).toBe('318/SNV-VP');
    await page.keyboard.press('Control+Enter');
    await page.locator('.notice', { hasText: 'Đã vào sổ: số đến' }).waitFor();
    const registered = await docFor('<cv-318@ubnd.vinhlong.gov.vn>');
    expect(registered).toMatchObject({ notation: '318/SNV-VP', status: expect.stringMatching(/^(received|assigned)$/) });
    expect(registered.bookNumber).not.toBeNull();
    await page.close();
  });
});
