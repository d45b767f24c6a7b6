/**
 * "Gửi phát hành" in the built task pane (headless Chromium, the Office.js test double, a real
 * gateway with two units delivering locally): an officer composing a draft checks its recipients
 * (an ambiguous name offers its candidates), sends it to the clerk's queue; the clerk issues it from
 * the pane; the other unit registers it; the officer's pane shows it delivered with its receipt.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, paneSignIn, paneSignOut, publishScreenshots, snap, type PaneBrowser } from '../addin/test/browser.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { localUnits, namesakes } from './helpers/local-units.ts';

const A = { id: 'stc', name: 'Sở Tài chính tỉnh Lâm Đồng', organId: null, addresses: ['vanthu@stc.lamdong.invalid'] };
const B = { id: 'vpubnd', name: 'Văn phòng Ủy ban nhân dân tỉnh Lâm Đồng', organId: null, addresses: ['vanthu@vpubnd.lamdong.invalid'] };
const PASSWORD = 'mat-khau-thu-nghiem';
const OFFICER = { email: 'binh@stc.lamdong.invalid', name: 'Trần Thị Bình', role: 'officer', unit: A.id };
const CLERK = { email: 'cuong@stc.lamdong.invalid', name: 'Lê Văn Cường', role: 'clerk', unit: A.id };
const CLERK_B = { email: 'clerk@vpubnd.lamdong.invalid', name: 'Văn thư VP', role: 'clerk', unit: B.id };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Title(bao cao)>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64');
const APPENDIX = Buffer.from('Phụ lục số liệu\n').toString('base64');

const DRAFT = {
  compose: true,
  subject: 'Báo cáo tình hình thu chi ngân sách quý IV',
  to: [{ displayName: 'Sở Tư pháp', emailAddress: '' }],
  attachments: [
    { name: 'Phụ lục.txt', contentType: 'text/plain', base64: APPENDIX },
    { name: 'bao-cao-da-ky.pdf', contentType: 'application/pdf', base64: PDF },
  ],
};

describe('"Gửi phát hành" in the task pane', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  const base = () => `http://127.0.0.1:${gw.httpPort}`;

  const signIn = (page: Page, email: string) => paneSignIn(page, email, PASSWORD);
  const signOut = paneSignOut;
  const shots: string[] = [];
  const noOverflow = async (page: Page, name: string) => {
    shots.push(name);
    await snap(page, name);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} overflows horizontally`).toBeLessThanOrEqual(0);
  };

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => {
        localUnits(cfg, A, B);
        cfg.registry.followup.sweepMs = 500;
        cfg.directory = namesakes();
      },
    });
    for (const u of [OFFICER, CLERK, CLERK_B]) {
      const res = await gw.api('/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...u, password: PASSWORD }),
      });
      expect(res.status, await res.text()).toBe(201);
    }
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('officer sends, clerk issues, the receipt shows in the officer’s pane', async () => {
    const page = await browser.open(base(), { item: DRAFT, userProfile: { displayName: OFFICER.name, emailAddress: OFFICER.email } });
    await signIn(page, OFFICER.email);
    // Composing: the pane opens on "Gửi phát hành", filled in from the draft; the PDF is the document.
    await expect.poll(() => page.locator('textarea[name=subject]').inputValue()).toBe(DRAFT.subject);
    expect(await page.locator('textarea[name=to]').inputValue()).toBe('Sở Tư pháp');
    expect(await page.locator('li[data-file="bao-cao-da-ky.pdf"] input[type=radio]').isChecked()).toBe(true);
    await page.locator('textarea[name=to]').fill('Sở Tư pháp\nVP UBND tỉnh Lâm Đồng');
    await page.locator('select[name=typeCode]').selectOption('BC');
    await page.locator('input[name=signer]').fill('Nguyễn Văn An');
    await page.locator('select[name=urgency]').selectOption('thuong_khan');

    // "Sở Tư pháp" names two agencies: the pane lists them and nothing is sent until one is chosen.
    await page.getByRole('button', { name: 'Gửi phát hành' }).click();
    await page.getByText('Có nơi nhận chưa xác định được').waitFor();
    await page.locator('li[data-check=bad]').getByRole('button', { name: 'Sở Tư pháp tỉnh Lâm Đồng' }).waitFor();
    await noOverflow(page, '15-send-candidates');
    expect((await (await gw.api('/api/issuance?unit=stc')).json()).items).toEqual([]);
    await page.locator('li[data-check=bad]').getByRole('button', { name: 'Sở Tư pháp tỉnh Lâm Đồng' }).click();
    await expect.poll(() => page.locator('li[data-check=ok]').count()).toBe(2);
    expect(await page.locator('textarea[name=to]').inputValue()).toBe('vanthu@stp.lamdong.invalid\nVP UBND tỉnh Lâm Đồng');
    await page.locator('textarea[name=note]').fill('Đã trình lãnh đạo ký');
    await page.getByRole('button', { name: 'Gửi phát hành' }).click();
    await page.getByText('Đã chuyển văn thư phát hành').waitFor();
    const sent = page.locator('#sent-list li[data-sent]');
    await expect.poll(() => sent.first().getAttribute('data-stage')).toBe('sent_pending');
    await noOverflow(page, '16-sent-pending');
    const [draft] = (await (await gw.api('/api/issuance?unit=stc')).json()).items as Array<{
      id: string;
      note: string;
      typeCode: string;
      urgency: string;
      files: Array<{ filename: string }>;
      recipients: Array<{ address: string }>;
    }>;
    expect(draft).toMatchObject({ note: 'Đã trình lãnh đạo ký', typeCode: 'BC', urgency: 'thuong_khan' });
    expect(await sent.first().locator('.badge.danger').textContent()).toBe('Thượng khẩn');
    expect(draft.files.map((f) => f.filename)).toEqual(['bao-cao-da-ky.pdf', 'Phụ lục.txt']);
    expect(draft.recipients.map((r) => r.address)).toEqual(['vanthu@stp.lamdong.invalid', B.addresses[0]]);
    const calls = await page.evaluate(() => (window as unknown as { __officeDouble: { calls: string[] } }).__officeDouble.calls);
    expect(calls).toEqual(expect.arrayContaining(['to.getAsync', 'getAttachmentsAsync', 'getAttachmentContentAsync:att0', 'getAttachmentContentAsync:att1']));

    // The clerk issues it from the pane's queue.
    await signOut(page);
    await signIn(page, CLERK.email);
    const queued = page.locator(`#issuance-queue li[data-sent="${draft.id}"]`);
    await queued.waitFor();
    expect(await queued.locator('.note').textContent()).toBe('Ghi chú: Đã trình lãnh đạo ký');
    await noOverflow(page, '17-clerk-queue');
    await queued.getByRole('button', { name: 'Phát hành' }).click();
    await page.getByText('Không có văn bản nào chờ phát hành.').waitFor();
    const issued = (await (await gw.api(`/api/issuance/${draft.id}`)).json()) as { state: string; outgoing: { id: string; notation: string } };
    expect(issued.state).toBe('issued');

    // B registers it (review: the throwaway PDF names no issuer); its receipt comes back to A.
    const login = await fetch(`${base()}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: CLERK_B.email, password: PASSWORD }),
    });
    const tokenB = ((await login.json()) as { token: string }).token;
    const asB = (p: string, init: RequestInit = {}) => gw.api(p, { ...init, headers: { ...init.headers, authorization: `Bearer ${tokenB}` } });
    const doc = await waitFor(
      async () => ((await (await asB(`/api/documents?unit=${B.id}`)).json()) as { items: Array<{ id: string; status: string }> }).items[0],
      30_000,
      'B to store the document',
    );
    if (doc.status === 'review') {
      const ok = await asB(`/api/documents/${doc.id}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ corrections: { issuer: A.name, issuedDate: '2026-11-23' } }),
      });
      expect(ok.status, await ok.text()).toBe(200);
    }
    await waitFor(
      async () => {
        const d = (await (await gw.api(`/api/outgoing/${issued.outgoing.id}`)).json()) as { deliveries: Array<{ recipient: string; state: string }> };
        return d.deliveries.find((x) => x.recipient === B.addresses[0])?.state === 'received';
      },
      30_000,
      "B's receipt at A",
    );

    // The officer's pane: issued with its number, B received (with the receipt's time); the other recipient still on its way.
    await signOut(page);
    await signIn(page, OFFICER.email);
    const mine = page.locator(`#sent-list li[data-sent="${draft.id}"]`);
    await mine.locator(`[data-notation="${issued.outgoing.notation}"]`).waitFor();
    const b = mine.locator(`li[data-recipient="${B.addresses[0]}"]`);
    await expect.poll(() => b.getAttribute('data-state')).toBe('received');
    expect(await b.locator('.receipt').textContent()).toContain('Giấy báo nhận lúc');
    await noOverflow(page, '18-sent-received');
    await page.close();
    publishScreenshots(shots, 'send-');
  });

  it('speaks English to an English Outlook, and sends a file from disk when no message is open', async () => {
    const page = await browser.open(base(), { item: null, displayLanguage: 'en-US' });
    await signIn(page, OFFICER.email);
    await page.locator('[data-tab=outgoing]').click();
    await page.getByRole('heading', { name: 'Send for issuance' }).waitFor();
    await page.locator('input[name=localFiles]').setInputFiles({ name: 'ke-hoach.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF, 'base64') });
    await page.locator('li[data-file="ke-hoach.pdf"]').waitFor();
    await page.locator('textarea[name=subject]').fill('Kế hoạch kiểm tra quyết toán');
    await page.locator('textarea[name=to]').fill(B.addresses[0]);
    await page.getByRole('button', { name: 'Send for issuance' }).click();
    await page.getByText('Sent to the clerk for issuance').waitFor();
    await expect.poll(() => page.locator('#sent-list li[data-sent]').count()).toBe(2);
    await page.close();
  });
});
