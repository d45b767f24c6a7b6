/**
 * The leader's pages of the web console in Debian's Chromium (playwright-core) against a real
 * gateway with a fixed clock (Friday 20/11/2026, Hà Nội): the leader lands on the overview, sees
 * the overdue item in the totals, the charts and the officer's row, drills down to the list and
 * the item; the usage report shows its indicators and its XLSX download is read back with exceljs
 * (the PDF is a PDF); the outgoing page shows the trail; an officer gets neither page (the nav
 * hides them, the API answers 403 and the console says so). Screenshots: tests/artifacts/console/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { ManualClock } from '../gateway/clock.ts';
import { intakeMessage } from '../gateway/registry/intake/intake.ts';
import { inboundMessages } from '../gateway/store/schema.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { screenshot } from './helpers/console.ts';
import { classification, configureRegistry, insertInbound, VALID } from './helpers/registry-fixtures.ts';

const PASSWORD = 'mat-khau-lanh-dao-2026';
const LEADER = { email: 'lanhdao@stc.lamdong.gov.vn', name: 'Phạm Minh Đức', role: 'leader' };
const OFFICER = { email: 'hoa.nt@stc.lamdong.gov.vn', name: 'Nguyễn Thị Hoa', role: 'officer', department: 'ns' };
const OFFICER2 = { email: 'long.tv@stc.lamdong.gov.vn', name: 'Trần Văn Long', role: 'officer', department: 'vp' };
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console');
const hn = (date: string, hour: number) => new Date(`${date}T${String(hour - 7).padStart(2, '0')}:00:00Z`);

describe('leader pages of the web console in Chromium', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  const clock = new ManualClock(hn('2026-11-02', 10));
  const docs: Record<string, string> = {};
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const post = async (p: string, body: unknown) => {
    const res = await gw.api(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const shot = (page: Page, name: string) => screenshot(page, ARTIFACTS, name);
  const signIn = async (email: string) => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${base()}/`);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('input[name=password]').press('Enter');
    await page.getByTestId('user').waitFor();
    return page;
  };
  async function arrive(name: string, arrival: Date, subject: string) {
    clock.set(arrival);
    const db = gw.database.db;
    const inbound = await insertInbound(db, { receivedAt: arrival });
    await db.update(inboundMessages).set({ source: 'smtp' }).where(eq(inboundMessages.id, inbound));
    const [msg] = await db.select().from(inboundMessages).where(eq(inboundMessages.id, inbound));
    const [o] = await intakeMessage(gw.registry!.rt, msg, { classify: classification({ notation: `${name}/UBND-VX`, subject }), verify: VALID });
    docs[name] = o.documentId!;
  }

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      clock,
      configure: (c) => {
        configureRegistry(c);
        c.registry.routing = [];
        c.registry.sessionHours = 24 * 365;
      },
    });
    for (const u of [LEADER, OFFICER, OFFICER2]) await post('/api/users', { ...u, unit: 'stc', password: PASSWORD });
    await arrive('1520', hn('2026-11-02', 8), 'Điều chỉnh dự toán ngân sách năm 2026');
    await post(`/api/documents/${docs['1520']}/assign`, { officer: OFFICER.email });
    await post(`/api/documents/${docs['1520']}/deadline`, { dueDate: '2026-11-10' });
    await arrive('77', hn('2026-11-16', 8), 'Lịch tiếp công dân tháng 12');
    await post(`/api/documents/${docs['77']}/assign`, { officer: OFFICER2.email });
    await post(`/api/documents/${docs['77']}/deadline`, { dueDate: '2026-11-20' });
    clock.set(hn('2026-11-19', 9));
    await post('/api/books/outgoing', { unit: 'stc', codeSuffix: 'STC-VP', typeCode: 'QĐ', subject: 'Quyết định ban hành quy chế văn thư' });
    clock.set(hn('2026-11-20', 10));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('the leader sees the overdue item in the overview and drills down to it', async () => {
    const page = await signIn(LEADER.email);
    // A leader starts on the overview.
    await page.locator('h2', { hasText: 'Tổng quan công việc' }).waitFor();
    await page.locator('input[name=month]').fill('2026-11');
    await page.locator('input[name=month]').dispatchEvent('change');
    await page.locator('.overview .hint', { hasText: 'trong tháng 11/2026' }).waitFor();
    expect(await page.locator('[data-total=overdue] .value').textContent()).toBe('1');
    expect(await page.locator('[data-total=received] .value').textContent()).toBe('2');
    expect(await page.locator('[data-total=overdue]').getAttribute('class')).toContain('bad');
    // The charts drew (Chart.js, bundled): some pixel of the first canvas is not transparent.
    await expect
      .poll(() =>
        page
          .locator('figure.chart canvas')
          .first()
          .evaluate((c: HTMLCanvasElement) => {
            const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
            return c.width > 0 && Array.prototype.some.call(d, (v: number, i: number) => i % 4 === 3 && v > 0);
          }),
      )
      .toBe(true);
    expect(await page.locator('figure.chart canvas').first().getAttribute('aria-label')).toBe('Theo phòng ban');
    // The officer's row: one in progress, one overdue; the due-this-week list has the other item.
    const row = page.locator('table[data-table=assignee] tr', { hasText: OFFICER.name });
    expect(await row.locator('[data-count=overdue]').textContent()).toBe('1');
    expect(await page.locator(`ul.due-week li[data-document="${docs['77']}"]`).textContent()).toContain('20/11/2026');
    await shot(page, 'leader-01-overview');

    await row.locator('[data-count=overdue] a').click();
    const listed = page.locator(`table.drill tr[data-document="${docs['1520']}"]`);
    await listed.waitFor();
    expect(await page.locator('h2').textContent()).toBe(`Quá hạn — ${OFFICER.name}`);
    expect(await page.locator('table.drill tbody tr').count()).toBe(1);
    expect(await listed.getAttribute('class')).toBe('overdue');
    expect(await listed.locator('[data-due]').textContent()).toBe('10/11/2026 (Quá hạn)');
    await shot(page, 'leader-02-overdue-list');

    await listed.locator('a').click();
    await page.locator('[data-overdue=true]').waitFor();
    expect(await page.locator('h2').textContent()).toContain('1520/UBND-VX');
    expect(await page.locator('[data-overdue=true]').textContent()).toBe('Quá hạn xử lý (hạn 10/11/2026).');
    expect(await page.locator('dd', { hasText: OFFICER.email }).count()).toBe(1);
    expect(await page.locator('ol.history li', { hasText: 'document.assign' }).count()).toBe(1);
    await shot(page, 'leader-03-item');
    await page.close();
  });

  it('the usage report shows its indicators and exports XLSX and PDF', async () => {
    const page = await signIn(LEADER.email);
    await page.locator('nav a[data-page=reports]').click();
    // The overview has a month field too: fill the report's, once its page is there.
    await page.locator('h2', { hasText: 'Báo cáo tình hình sử dụng văn bản điện tử' }).waitFor();
    // Its default month is the gateway's (the Date header follows the gateway's clock), not the PC's.
    expect(await page.locator('input[name=month]').inputValue()).toBe('2026-11');
    const served = await gw.api('/healthz');
    expect(served.headers.get('date')).toBe(clock.now().toUTCString());
    await page.locator('input[name=month]').fill('2026-11');
    await page.locator('input[name=month]').dispatchEvent('change');
    const electronic = page.locator('section[data-unit=stc] tr[data-indicator=receivedElectronic]');
    await expect.poll(() => electronic.locator('td').first().textContent()).toBe('2 / 2');
    expect(await electronic.locator('[data-value]').textContent()).toBe('100 %');
    expect(await electronic.getAttribute('data-met')).toBe('true');
    // One number taken for a paper document, none sent: 0 % against 90 %.
    expect(await page.locator('tr[data-indicator=sentElectronic]').getAttribute('data-met')).toBe('false');
    await shot(page, 'leader-04-report');

    const xlsxDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Xuất Excel' }).click();
    const xlsx = await xlsxDownload;
    expect(xlsx.suggestedFilename()).toBe('bao-cao-vbdt-stc-2026-11.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xlsx.path())!);
    const sheet = wb.worksheets[0];
    expect(String(sheet.getCell(1, 1).value)).toBe('BÁO CÁO TÌNH HÌNH SỬ DỤNG VĂN BẢN ĐIỆN TỬ — THÁNG 11/2026');
    const rows = sheet
      .getSheetValues()
      .slice(3)
      .map((r) => (r as unknown[]).slice(1).map(String));
    expect(rows).toContainEqual(['Sở Tài chính tỉnh Lâm Đồng', 'Văn bản đến nhận qua mạng (điện tử)', '2 / 2', '100 %', '≥ 90 %', 'Đạt']);
    expect(rows).toContainEqual(['Sở Tài chính tỉnh Lâm Đồng', 'Văn bản đi gửi qua mạng', '0 / 1', '0 %', '≥ 90 %', 'Chưa đạt']);

    const pdfDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'In báo cáo (PDF)' }).click();
    const pdf = await pdfDownload;
    expect(pdf.suggestedFilename()).toBe('bao-cao-vbdt-stc-2026-11.pdf');
    expect(
      readFileSync((await pdf.path())!)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    await page.close();
  });

  it('the outgoing page shows each document with its trail', async () => {
    const page = await signIn(LEADER.email);
    await page.locator('nav a[data-page=outgoing]').click();
    await page.locator('input[name=year]').fill('2026');
    await page.locator('input[name=year]').dispatchEvent('change');
    const entry = page.locator('article.trail', { hasText: '1/QĐ-STC-VP' });
    await entry.waitFor();
    expect(await entry.locator('.meta').textContent()).toContain('Lấy số: 19/11/2026 09:00');
    expect(await entry.locator('.hint').textContent()).toBe('Chỉ lấy số, chưa gửi qua hệ thống (văn bản giấy).');
    await shot(page, 'leader-05-outgoing');
    await page.close();
  });

  it('an officer gets neither the overview nor the report', async () => {
    const page = await signIn(OFFICER.email);
    await page.locator('ul.items').waitFor();
    expect(await page.locator('nav a[data-page=overview]').count()).toBe(0);
    expect(await page.locator('nav a[data-page=reports]').count()).toBe(0);
    for (const hash of ['#/overview', '#/reports']) {
      await page.evaluate((h) => {
        location.hash = h;
      }, hash);
      await page.locator('[data-problem=forbidden]').waitFor();
      expect(await page.locator('[data-problem=forbidden] h2').textContent()).toBe('Bạn không có quyền xem trang này');
      await page.evaluate(() => {
        location.hash = '#/my';
      });
      await page.locator('ul.items').waitFor();
    }
    await page.close();
  });
});
