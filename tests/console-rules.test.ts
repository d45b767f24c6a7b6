import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { localYear } from '../gateway/clock.ts';
import { newId } from '../gateway/store/ids.ts';
import { screenshot, withStcUnit } from './helpers/console.ts';
import { startTestGateway, waitFor, type TestGateway, okJson } from './helpers/gateway.ts';
import { officialMail } from './helpers/official-mail.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'mat-khau-thu-nghiem';
const ADMIN = { email: 'quantri@stc.lamdong.gov.vn', name: 'Phạm Quản Trị', role: 'admin', department: 'vp' };
const CLERK = { email: 'cuong.lv@stc.lamdong.gov.vn', name: 'Lê Văn Cường', role: 'clerk', department: 'vp' };
const LEADER = { email: 'lanh.dao@stc.lamdong.gov.vn', name: 'Đỗ Lãnh Đạo', role: 'leader', department: 'vp' };
const OFFICER = { email: 'binh.tt@stc.lamdong.gov.vn', name: 'Trần Thị Bình', role: 'officer', department: 'vp' };
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console-rules');
// The year of the books the console opens: the gateway's (system clock) year in Hà Nội.
const YEAR = localYear(new Date(), 'Asia/Ho_Chi_Minh');
const ISSUERS = ['Sở Nội vụ tỉnh Lâm Đồng', 'Bộ Tài chính', 'Ủy ban nhân dân tỉnh Lâm Đồng'];

describe('console: the book by pages, routing rules', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  const tokens: Record<string, string> = {};
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const json = okJson;
  const as = (email: string, p: string, init: RequestInit = {}) =>
    fetch(`${base()}${p}`, { ...init, headers: { authorization: `Bearer ${tokens[email]}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const shot = (page: Page, name: string) => screenshot(page, ARTIFACTS, name);
  const signedIn = async (email: string, hash: string) => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.addInitScript((t) => sessionStorage.setItem('vanthu.console.token', t), tokens[email]);
    await page.goto(`${base()}/${hash}`);
    await page.getByTestId('user').waitFor();
    return page;
  };

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        withStcUnit(c);
        c.registry.routing = [{ unit: 'stc', keywords: ['ngân sách'], department: 'ns' }];
      },
    });
    for (const u of [ADMIN, CLERK, LEADER, OFFICER]) {
      await json(
        await gw.api('/api/users', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...u, unit: 'stc', password: PASSWORD }),
        }),
      );
      const login = await json<{ token: string }>(
        await fetch(`${base()}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: u.email, password: PASSWORD }),
        }),
      );
      tokens[u.email] = login.token;
    }
    // The book: 130 entries of this year, every third a quyết định, every fifth from Sở Nội vụ, every seventh hỏa tốc.
    const rows = Array.from({ length: 130 }, (_, i) => ({
      id: newId(),
      n: i + 1,
      at: new Date(Date.UTC(YEAR, 0, 2) + i * 3_600_000).toISOString(),
      issuer: ISSUERS[i % 5 === 0 ? 0 : (i % 2) + 1],
      type: i % 3 === 0 ? ['QĐ', 'Quyết định'] : ['CV', 'Công văn'],
      urgency: i % 7 === 0 ? 'hoa_toc' : 'normal',
    }));
    await gw.database.query(
      `insert into documents (id, unit_id, status, reasons, book_year, book_number, arrival_at, registered_at, notation, issuer, issued_date,
         type_code, type_name, subject, search_text, dedup_key, urgency)
       select u.id, 'stc', 'received', '[]'::jsonb, ${YEAR}, u.n, u.at::timestamptz, u.at::timestamptz, u.n || '/XX', u.issuer, '${YEAR}-01-02',
         u.code, u.name, 'Văn bản số ' || u.n, 'van ban so ' || u.n, 'rules-' || u.id, u.urgency
       from unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) as u(id, n, at, issuer, code, name, urgency)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.n),
        rows.map((r) => r.at),
        rows.map((r) => r.issuer),
        rows.map((r) => r.type[0]),
        rows.map((r) => r.type[1]),
        rows.map((r) => r.urgency),
      ],
    );
    // The next registration takes number 131 (the counter as registering would have left it).
    await gw.database.query(`insert into book_counters (unit_id, year, kind, last) values ('stc', ${YEAR}, 'incoming', 130)`, []);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('shows the book 50 entries at a time, filtered by the server', async () => {
    const page = await signedIn(CLERK.email, '#/books');
    const body = page.locator('.book table tbody tr');
    await body.first().waitFor();
    expect(await body.count()).toBe(50);
    expect(await body.first().locator('td.number').textContent()).toBe('130');
    expect(await page.locator('.more [data-total]').getAttribute('data-total')).toBe('130');
    expect(await page.locator('.more .hint').textContent()).toBe('Đang hiện 50 trong 130 văn bản.');
    await page.getByRole('button', { name: 'Xem thêm' }).click();
    await expect.poll(() => body.count()).toBe(100);
    expect(await body.nth(99).locator('td.number').textContent()).toBe('31');
    await shot(page, '01-book-pages');
    // Types come from the server (all of them, not only those on the page shown).
    expect(await page.locator('select[name=type] option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value))).toEqual(['', 'CV', 'QĐ']);
    await page.locator('select[name=type]').selectOption('QĐ');
    await expect.poll(() => page.locator('.more [data-total]').getAttribute('data-total')).toBe('44');
    // Issuer without diacritics, typed the way people type it.
    await page.locator('input[name=issuer]').fill('so noi vu');
    await expect.poll(() => page.locator('.more [data-total]').getAttribute('data-total')).toBe('9');
    const issuers = await body.evaluateAll((trs) => [...new Set(trs.map((tr) => tr.children[4].textContent))]);
    expect(issuers).toEqual(['Sở Nội vụ tỉnh Lâm Đồng']);
    // Độ khẩn: numbers 1 and 106 are the hỏa tốc among those.
    await page.locator('select[name=urgency]').selectOption('hoa_toc');
    await expect.poll(() => page.locator('.more [data-total]').getAttribute('data-total')).toBe('2');
    expect(await body.evaluateAll((trs) => trs.map((tr) => tr.children[0].textContent))).toEqual(['106', '1']);
    await page.close();
  });

  it("lets an admin edit a unit's routing rules, which route the next document; a leader only reads them", async () => {
    const page = await signedIn(ADMIN.email, '#/admin');
    const stc = page.locator('.unit-routing[data-unit=stc]');
    await stc.waitFor();
    expect(await stc.getAttribute('data-source')).toBe('config');
    expect(await stc.locator('tbody tr').count()).toBe(1);
    await stc.getByRole('button', { name: 'Thêm quy tắc' }).click();
    await stc.locator('input[name=keywords-1]').fill('tiếp công dân, tiếp dân');
    await stc.locator('select[name=department-1]').selectOption('vp');
    await stc.locator('input[name=officer-1]').fill(OFFICER.email);
    // The new rule first: it wins over the older one.
    await stc.locator('tr[data-rule="1"]').getByRole('button', { name: 'Lên' }).click();
    await stc.getByRole('button', { name: 'Lưu quy tắc' }).click();
    await page.locator('.notice', { hasText: 'Đã lưu 2 quy tắc' }).waitFor();
    await expect.poll(() => page.locator('.unit-routing[data-unit=stc]').getAttribute('data-source')).toBe('database');
    await shot(page, '02-routing-rules');

    const saved = await json<{ units: Array<{ source: string; updatedBy: string; rules: unknown[] }> }>(await as(LEADER.email, '/api/routing-rules'));
    expect(saved.units).toHaveLength(1);
    expect(saved.units[0]).toMatchObject({ source: 'database', updatedBy: ADMIN.email });
    expect(saved.units[0].rules).toEqual([
      { unit: 'stc', keywords: ['tiếp công dân', 'tiếp dân'], department: 'vp', officer: OFFICER.email },
      { unit: 'stc', keywords: ['ngân sách'], department: 'ns' },
    ]);
    expect((await as(LEADER.email, '/api/routing-rules/stc', { method: 'PUT', body: JSON.stringify({ rules: [] }) })).status).toBe(403);
    const refused = await as(ADMIN.email, '/api/routing-rules/stc', { method: 'PUT', body: JSON.stringify({ rules: [{ department: 'khong-co' }] }) });
    expect(refused.status).toBe(400);

    // The next document about it (registered from the body) goes where the rule says.
    const m = officialMail(UNIT, 'tb-tiep-dan', 'Thông báo lịch tiếp công dân tháng 12 và ngân sách', [
      'ỦY BAN NHÂN DÂN TỈNH VĨNH LONG',
      'Số: 91/TB-UBND',
      'Thông báo lịch tiếp công dân tháng 12 và ngân sách',
      'Vĩnh Long, ngày 20 tháng 11 năm 2026',
    ]);
    await json(await gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: m.raw }));
    const doc = await waitFor(
      async () => {
        const res = await gw.api(`/api/documents/by-message-id?mid=${encodeURIComponent(m.mid)}`);
        return res.ok ? ((await res.json()) as { id: string; status: string }) : null;
      },
      60_000,
      'the document',
    );
    // Registered from the body, or by a clerk when the body left a field unsure: routed alike.
    if (doc.status === 'review')
      await json(
        await as(CLERK.email, `/api/documents/${doc.id}/approve`, {
          method: 'POST',
          body: JSON.stringify({ corrections: { notation: '91/TB-UBND', issuer: 'Ủy ban nhân dân tỉnh Vĩnh Long', issuedDate: '2026-11-20' } }),
        }),
      );
    const detail = await json<{ department: string; assignee: { email: string } | null; routing: { source: string; rule: number } }>(
      await gw.api(`/api/documents/${doc.id}`),
    );
    expect(detail).toMatchObject({ department: 'vp', assignee: { email: OFFICER.email }, routing: { source: 'rule', rule: expect.any(Number) } });

    // Back to the configuration file.
    await page.reload();
    await page.locator('.unit-routing[data-unit=stc]').getByRole('button', { name: 'Về theo tệp cấu hình' }).click();
    await page.locator('.notice', { hasText: 'trở lại theo tệp cấu hình' }).waitFor();
    expect(await page.locator('.unit-routing[data-unit=stc]').getAttribute('data-source')).toBe('config');
    const audit = await gw.database.query<{ action: string; actor: string }>(
      `select action, actor from audit_log where entity = 'unit' and entity_id = 'stc' order by seq`,
      [],
    );
    expect(audit.map((a) => a.action)).toEqual(['routing.update', 'routing.reset']);
    expect(audit.every((a) => a.actor === ADMIN.email)).toBe(true);
    await page.close();
  });
});
