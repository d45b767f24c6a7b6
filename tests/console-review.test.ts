/**
 * The review item's highlights, "Chuyển" (forward) and the report's channels, in Debian's Chromium
 * against a real gateway. A real công văn (Bộ Nội vụ 11902/BNV-TCPCP, tests/corpus/real) is mailed
 * to stc, where nothing is registered without a clerk: opening it, pdf.js draws the page and the
 * focused field's line is boxed on it — the number in the left header, the signer's name further
 * down. Another item is forwarded to vpubnd with Alt+C: it leaves stc's queue as forwarded, audited
 * with the console as its channel, and is in vpubnd's queue (the same stored message, taken in for
 * vpubnd); one forwarded to an outside address reaches the smarthost as it came, Resent-* in front.
 * Actions made through the add-in and the CLI are told apart from the console's in the report — on
 * the page and in its PDF export — each marked as the client's unverified word ("tự khai"), the
 * channel of a mail reply as the gateway's own record.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { addPeople, consolePage, documentFor, screenshot } from './helpers/console.ts';
import { startTestGateway, waitFor, type TestGateway, okJson } from './helpers/gateway.ts';
import { startRawSink, type RawSink } from './helpers/mail-sink.ts';
import { officialMail, pdfBase64 } from './helpers/official-mail.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'mat-khau-thu-nghiem';
const CLERK = { email: 'cuong.lv@stc.lamdong.gov.vn', name: 'Lê Văn Cường', role: 'clerk', department: 'vp' };
const LEADER = { email: 'lanh.dao@stc.lamdong.gov.vn', name: 'Đỗ Lãnh Đạo', role: 'leader', department: 'vp' };
const OTHER_CLERK = { email: 'an.nv@vpubnd.lamdong.gov.vn', name: 'Nguyễn Văn An', role: 'clerk', department: 'vp' };
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console-review');
const REAL_PDF = path.resolve(import.meta.dirname, 'corpus', 'real', 'docs', 'cv-bnv-11902.pdf');

interface Doc {
  id: string;
  inboundId: string;
  status: string;
  unitId: string;
  internetMessageId: string | null;
}
type Box = { x: number; y: number; width: number; height: number };

describe('console: where fields were read, forward, channels', { timeout: 240_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  const json = okJson;
  const post = (p: string, body: unknown, client?: string) =>
    gw.api(p, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(client ? { 'x-vanthu-client': client } : {}) },
      body: JSON.stringify(body),
    });
  const docFor = (mid: string) => documentFor<Doc>(gw, mid);
  const shot = (page: Page, name: string) => screenshot(page, ARTIFACTS, name);
  const signedIn = (email: string, hash: string) => consolePage(browser, gw, { email, password: PASSWORD }, hash, { height: 900, hashAfter: true });
  /** The smarthost: every message as received (raw), with its envelope recipients. */
  let smarthost: RawSink;
  let real: { mid: string; raw: string };
  let small: { mid: string; raw: string };

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    smarthost = await startRawSink();
    const port = smarthost.port;
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        // Every document waits for a clerk, in both units (the forwarded one too).
        for (const u of ['stc', 'vpubnd'])
          c.registry.units[u] = { departments: [{ id: 'vp', name: 'Văn phòng' }], policy: { autoRegister: false }, deadlines: {} };
        c.mail.transport = { kind: 'smarthost', host: '127.0.0.1', port, secure: false, requireTls: false, user: null, pass: null };
      },
    });
    await addPeople(gw, [CLERK, LEADER], PASSWORD, 'stc');
    await addPeople(gw, [OTHER_CLERK], PASSWORD, 'vpubnd');
    real = officialMail(
      UNIT,
      'cv-11902',
      'V/v báo cáo tình hình tổ chức, hoạt động và quản lý hội ở địa phương năm 2025',
      ['Kính gửi Sở Tài chính công văn 11902/BNV-TCPCP.'],
      readFileSync(REAL_PDF).toString('base64'),
    );
    small = officialMail(
      UNIT,
      'cv-88',
      'V/v lịch tiếp công dân tháng 12',
      ['ỦY BAN NHÂN DÂN TỈNH VĨNH LONG', 'Số: 88/UBND-VX', 'V/v lịch tiếp công dân tháng 12', 'Vĩnh Long, ngày 20 tháng 11 năm 2026', 'Kính gửi: Sở Tài chính'],
      await pdfBase64(['So: 88/UBND-VX', 'Lich tiep cong dan thang 12']),
    );
    for (const m of [real, small])
      await json(await gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: m.raw }));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await smarthost?.close();
  });

  it('boxes on the drawn page the line a field was read from', async () => {
    const doc = await docFor(real.mid);
    expect(doc.status).toBe('review');
    const sources = await json<{ kind: string; fields: Record<string, { band: string | null; spans: Array<{ text: string; page: number }> }> }>(
      await gw.api(`/api/documents/${doc.id}/sources`),
    );
    expect(sources.kind).toBe('pdf');
    expect(sources.fields.notation.band).toBe('headerLeft');
    expect(sources.fields.notation.spans[0].text).toContain('11902');
    expect(sources.fields.signer.band).toBe('closingRight');

    const page = await signedIn(CLERK.email, `#/review/${doc.id}`);
    const viewer = page.locator('.viewer');
    await viewer.locator('.page[data-drawn] canvas').first().waitFor();
    // pdf.js drew the page: not a blank canvas.
    const inked = await viewer
      .locator('.page canvas')
      .first()
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
        return dark;
      });
    expect(inked).toBeGreaterThan(1000);
    // Where the first box is on the drawn page, as shares of its width and height (the viewer scrolls).
    const boxed = async () => {
      const c = (await viewer.locator('.page canvas').first().boundingBox()) as Box;
      const m = (await viewer.locator('.mark').first().boundingBox()) as Box;
      return { x: (m.x - c.x) / c.width, y: (m.y - c.y) / c.height, width: m.width / c.width };
    };
    // The number has the focus: its line is boxed in the top left of the page.
    await viewer.locator('.mark').first().waitFor();
    const number = await boxed();
    expect(number.y).toBeLessThan(0.3);
    expect(number.x).toBeLessThan(0.5);
    expect(number.width).toBeGreaterThan(0.1);
    expect(await page.locator('.source-note').textContent()).toBe('“Số, ký hiệu”: trang 1.');
    await shot(page, '01-number-boxed');
    // The signer: boxed in the closing, lower on the page and to the right; the number's box is gone.
    await page.locator('input[name=signer]').click();
    await expect.poll(async () => (await boxed()).y).toBeGreaterThan(number.y + 0.2);
    expect((await boxed()).x).toBeGreaterThan(0.5);
    expect(await viewer.getAttribute('data-highlighted')).toBe('signer');
    expect(await viewer.locator('.mark').evaluateAll((ms) => ms.every((m) => m.getAttribute('title') === 'Người ký'))).toBe(true);
    await shot(page, '02-signer-boxed');
    // The deadline, read in the body ("trước ngày 31/12/2025").
    await page.locator('input[name=dueDate]').click();
    await expect.poll(() => page.locator('.source-note').textContent()).toBe('“Hạn xử lý”: trang 1.');
    // A value the document does not carry (a công văn has no title line with its type): said so, nothing boxed.
    await page.locator('input[name=typeName]').click();
    await expect.poll(() => viewer.locator('.mark').count()).toBe(0);
    expect(await page.locator('.source-note').textContent()).toBe('Không tìm thấy chỗ đọc trường “Loại văn bản” trong văn bản.');
    await page.close();
  });

  it('forwards an item to another unit with Alt+C: it leaves the queue and arrives there as it came', async () => {
    const doc = await docFor(small.mid);
    // vpubnd's clerk has the review queue open, listening for changes (console/src/live.ts).
    const theirs = await signedIn(OTHER_CLERK.email, '#/review');
    await theirs.locator('html[data-live=on]').waitFor();
    expect(await theirs.locator('ol.queue > li').count()).toBe(0);
    const page = await signedIn(CLERK.email, `#/review/${doc.id}`);
    await page.locator(`form[data-document="${doc.id}"]`).waitFor();
    await page.locator('select[name=forwardUnit]').selectOption('vpubnd');
    await page.locator('input[name=forwardNote]').fill('Gửi nhầm đơn vị, chuyển Văn phòng UBND tỉnh');
    await page.locator('input[name=forwardNote]').press('Alt+c');
    await page.locator('.notice', { hasText: 'Đã chuyển văn bản tới' }).waitFor();
    expect(await page.locator(`ol.queue > li[data-document="${doc.id}"]`).count()).toBe(0);
    await page.close();

    const after = await json<{ status: string; history: Array<{ action: string; data: Record<string, unknown> }> }>(await gw.api(`/api/documents/${doc.id}`));
    expect(after.status).toBe('forwarded');
    const entry = after.history.find((h) => h.action === 'document.forward');
    expect(entry?.data).toMatchObject({
      unit: 'vpubnd',
      address: 'vanthu@vpubnd.lamdong.gov.vn',
      note: 'Gửi nhầm đơn vị, chuyển Văn phòng UBND tỉnh',
      via: { channel: 'console', claimed: true },
    });
    // vpubnd's queue: the same message, Resent-* in front of the original bytes.
    // vpubnd's queue: the same stored message taken in for vpubnd, arrived at the forward's time.
    const there = await waitFor(
      async () => {
        const r = await json<{ items: Doc[] }>(await gw.api('/api/review?unit=vpubnd'));
        return r.items.find((d) => d.internetMessageId === small.mid) ?? null;
      },
      30_000,
      'the forwarded document in vpubnd',
    );
    expect(there.inboundId).toBe(doc.inboundId);
    expect(entry?.data.document).toBe(there.id);
    // … and it is on vpubnd's open queue without a reload.
    await theirs.locator(`ol.queue > li[data-document="${there.id}"]`).waitFor({ timeout: 15_000 });
    await shot(theirs, '03-forwarded-arrives-live');
    await theirs.close();
    const inThere = await json<{ history: Array<{ action: string; actor: string; data: Record<string, unknown> }> }>(
      await gw.api(`/api/documents/${there.id}`),
    );
    expect(inThere.history.find((h) => h.action === 'document.forwarded_in')).toMatchObject({
      actor: CLERK.email,
      data: { fromUnit: 'stc', fromDocument: doc.id, note: 'Gửi nhầm đơn vị, chuyển Văn phòng UBND tỉnh' },
    });
    const message = await json<{ unitIds: string[]; rcptTo: string[] }>(await gw.api(`/api/messages/${doc.inboundId}`));
    expect(message.unitIds).toEqual(['stc', 'vpubnd']);
    expect(message.rcptTo).toContain('vanthu@vpubnd.lamdong.gov.vn');
    // Forwarding twice is refused (409).
    expect((await post(`/api/documents/${doc.id}/forward`, { unit: 'vpubnd' })).status).toBe(409);
  });

  it('forwards to an address outside the gateway as it came, Resent-* in front of the original bytes', async () => {
    const other = officialMail(
      UNIT,
      'cv-90',
      'V/v hồ sơ đất đai',
      ['ỦY BAN NHÂN DÂN TỈNH VĨNH LONG', 'Số: 90/UBND-KT', 'V/v hồ sơ đất đai', 'Vĩnh Long, ngày 20 tháng 11 năm 2026', 'Kính gửi: Sở Tài chính'],
      await pdfBase64(['So: 90/UBND-KT', 'Ho so dat dai']),
    );
    await json(await gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: other.raw }));
    const doc = await docFor(other.mid);
    const r = await json<{ status: string; forwarded: { to: string; unit: string | null; response: string } }>(
      await post(`/api/documents/${doc.id}/forward`, { address: 'VanThu@STNMT.vinhlong.gov.vn', note: 'Thuộc thẩm quyền Sở Tài nguyên và Môi trường' }),
    );
    expect(r).toMatchObject({ status: 'forwarded', forwarded: { to: 'vanthu@stnmt.vinhlong.gov.vn', unit: null } });
    const got = await waitFor(
      () => smarthost.received.find((m) => m.to.includes('vanthu@stnmt.vinhlong.gov.vn')),
      30_000,
      'the forwarded mail at the smarthost',
    );
    const raw = got.raw.toString('utf8');
    // The original bytes unchanged behind the Resent-* fields and the note (RFC 2047).
    expect(raw.endsWith(other.raw)).toBe(true);
    const head = raw.slice(0, raw.length - other.raw.length);
    expect(head).toMatch(
      /^Resent-Date: [^\r]+\r\nResent-From: <vanthu@stc\.lamdong\.gov\.vn>\r\nResent-To: <vanthu@stnmt\.vinhlong\.gov\.vn>\r\nResent-Message-ID: <forward-[0-9A-Z]+@stc\.lamdong\.gov\.vn>\r\nComments: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=\r\n$/,
    );
    const note = /Comments: =\?UTF-8\?B\?([^?]+)\?=/.exec(head)![1];
    expect(Buffer.from(note, 'base64').toString('utf8')).toBe('Thuộc thẩm quyền Sở Tài nguyên và Môi trường');
  });

  it('tells the add-in, the CLI and the console apart in the usage report', async () => {
    const doc = await docFor(real.mid);
    expect((await post(`/api/documents/${doc.id}/comments`, { body: 'Ý kiến từ Outlook' }, 'addin')).status).toBe(201);
    expect((await post(`/api/documents/${doc.id}/comments`, { body: 'Ý kiến từ dòng lệnh' }, 'cli')).status).toBe(201);
    const history = await json<{ items: Array<{ action: string; data: { via?: { channel?: string } } }> }>(await gw.api(`/api/documents/${doc.id}/history`));
    expect(history.items.filter((h) => h.action === 'document.comment').map((h) => h.data.via)).toEqual([
      { channel: 'addin', claimed: true },
      { channel: 'cli', claimed: true },
    ]);
    // No month: the report's current month in the gateway's zone, from the gateway's clock — the one the actions were recorded by.
    const report = await json<{ units: Array<{ unitId: string; channels: Record<string, { actions: number; people: number; verified: boolean }> }> }>(
      await gw.api('/api/reports/usage?unit=stc'),
    );
    const stc = report.units.find((u) => u.unitId === 'stc')!;
    expect(stc.channels).toMatchObject({
      addin: { actions: 1, people: 1, verified: false },
      cli: { actions: 1, people: 1, verified: false },
      console: { actions: 1, people: 1, verified: false },
      mail: { actions: 0, verified: true },
    });
    // The PDF export has the same channels, each marked as the client's word or the gateway's record.
    const pdf = await gw.api('/api/reports/usage?unit=stc&format=pdf');
    expect(pdf.status).toBe(200);
    const file = path.join(ARTIFACTS, 'report.pdf');
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
    const { stdout } = await promisify(execFile)('pdftotext', ['-layout', file, '-']);
    expect(stdout).toContain('Thao tác trên văn bản theo kênh');
    expect(stdout).toMatch(/Trang quản lý \(trình duyệt\)\s+1\s+1\s+tự khai/);
    expect(stdout).toMatch(/Outlook \(add-in\)\s+1\s+1\s+tự khai/);
    expect(stdout).toMatch(/Dòng lệnh\s+1\s+1\s+tự khai/);
    expect(stdout).toMatch(/Trả lời thư thông báo\s+0\s+0\s+hệ thống ghi nhận/);
    expect(stdout).toContain('chưa được xác thực');

    const page = await signedIn(LEADER.email, '#/reports');
    const table = page.locator('table.channels[data-unit=stc]');
    await table.waitFor();
    expect(await table.locator('tr[data-channel=addin] td').first().textContent()).toBe('1');
    expect(await table.locator('tr[data-channel=console] td').first().textContent()).toBe('1');
    expect(await table.locator('tr[data-channel=addin] th').textContent()).toBe('Outlook (add-in)');
    // Unverified channels are marked so on the page, and the table says why.
    expect(await table.locator('tr[data-channel=addin] td.claimed').textContent()).toBe('tự khai');
    expect(await table.locator('tr[data-channel=mail] td.verified').textContent()).toBe('hệ thống ghi nhận');
    expect(await table.locator('tfoot').textContent()).toContain('chưa được xác thực');
    await shot(page, '04-report-channels');
    await page.close();
  });
});
