/**
 * Issuing and sending from the web console (issues 18 and 19; docs/console.md, "Văn bản đi from the
 * console"), in Debian's Chromium against one real gateway serving two units that deliver to each
 * other locally (nothing leaves the process: the smarthost is a refusing port). A's clerk uploads a
 * leader-signed PDF with an appendix, looks B up in the directory (an ambiguous name lists its
 * candidates), and issues it: the page shows the number; B receives and registers it; A's trail
 * shows it delivered and B's receipt; `pdfsig` verifies the leader's and the unit's signatures of
 * the PDF B received. An unsigned PDF is refused until the clerk ticks the confirmation (audited).
 * A draft an officer submits through the add-in's API is issued from the issuance queue, another
 * returned with a reason; the officer sees no issuing controls and the API refuses them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { addSignedIn, consolePage, screenshot } from './helpers/console.ts';
import { startTestGateway, waitFor, type TestGateway } from './helpers/gateway.ts';
import { localUnits, namesakes, UNIT_A, UNIT_B } from './helpers/local-units.ts';
import { leaderPdf, sealPng } from './fixtures/issue/leader.ts';
import { issuingUnit } from './fixtures/issue/signing.ts';
import { ensureFixtures } from './fixtures/trust/make-fixtures.ts';

const [A, B] = [UNIT_A, UNIT_B];
const PASSWORD = 'mat-khau-du-dai-1';
const PEOPLE = {
  clerk: { email: 'cuong@stc.lamdong.invalid', name: 'Lê Văn Cường', role: 'clerk', unit: A.id },
  officer: { email: 'binh@stc.lamdong.invalid', name: 'Trần Thị Bình', role: 'officer', unit: A.id },
  clerkB: { email: 'clerk@vpubnd.lamdong.invalid', name: 'Văn thư VP', role: 'clerk', unit: B.id },
} as const;
type Who = keyof typeof PEOPLE;
const UNSIGNED = Buffer.from('%PDF-1.4\n1 0 obj<</Title(chua ky)>>endobj\ntrailer<<>>\n%%EOF\n');
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console-issue');

interface Delivery {
  recipient: string;
  state: string;
  evidence: Array<{ state: string; inboundId: string }>;
}

describe('console: issue and send outgoing documents', { timeout: 300_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  let dir: string;
  let leader: Buffer;
  let tokens: Record<Who, string>;
  const shot = (page: Page, name: string) => screenshot(page, ARTIFACTS, name);

  /** An API call as one of PEOPLE (or the admin service token without `who`). */
  const call = async <T = Record<string, unknown>>(who: Who | null, p: string, json?: unknown): Promise<{ status: number; body: T }> => {
    const res = await gw.api(p, {
      method: json === undefined ? 'GET' : 'POST',
      headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const signedIn = (who: Who, hash: string) =>
    consolePage(browser, gw, { email: PEOPLE[who].email, password: PASSWORD }, hash, { height: 900, hashAfter: true });
  const deliveries = async (outgoingId: string) => (await call<{ deliveries: Delivery[] }>(null, `/api/outgoing/${outgoingId}`)).body.deliveries;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vanthu-console-issue-'));
    const fx = await ensureFixtures();
    leader = await leaderPdf(fx.pki.signer.p12);
    const seal = path.join(dir, 'seal.png');
    writeFileSync(seal, await sealPng());
    const signing = issuingUnit({ codeSuffix: 'STC-NS', pkcs12: fx.pki.pss.p12, seal });
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (cfg) => {
        localUnits(cfg, A, B);
        cfg.outgoing.units[A.id] = signing;
        cfg.outgoing.requireSigned = true;
        cfg.outgoing.delivery = { attempts: 2, backoffMs: 200, concurrency: 2 };
        cfg.registry.followup.sweepMs = 500;
        // B registers nothing without its clerk: the receipt leaves B only when the clerk approves, while A's trail is open.
        cfg.registry.units[B.id] = { departments: [{ id: 'vp', name: 'Văn phòng' }], policy: { autoRegister: false }, deadlines: {} };
        cfg.directory = namesakes();
      },
    });
    tokens = await addSignedIn(gw, PEOPLE, PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("A's clerk issues a leader-signed PDF to B; B registers it; A's trail shows delivered and the receipt; pdfsig verifies it", async () => {
    // The unit's outgoing book open in another tab before anything is sent: it follows by itself.
    const book = await signedIn('clerk', '#/outgoing');
    await book.locator('main h2').waitFor();
    await book.locator('html[data-live="on"]').waitFor({ state: 'attached' });
    await book.evaluate(() => document.body.setAttribute('data-mark', 'opened-before'));
    const page = await signedIn('clerk', '#/send');
    const form = page.locator('form.compose[data-direct="true"]');
    await form.waitFor();
    await page.locator('input[name=document]').setInputFiles({ name: 'bao-cao.pdf', mimeType: 'application/pdf', buffer: leader });
    await page.locator('input[name=appendices]').setInputFiles({ name: 'Phụ lục.txt', mimeType: 'text/plain', buffer: Buffer.from('Phụ lục: danh sách\n') });
    await page.locator('select[name=typeCode]').selectOption('BC');
    await page.locator('textarea[name=subject]').fill('Báo cáo tình hình thu chi ngân sách năm 2026');
    await page.locator('input[name=signer]').fill('Nguyễn Văn An');
    await page.locator('select[name=urgency]').selectOption('hoa_toc');

    // Typeahead: the directory's matches for what is typed, without diacritics.
    const lookup = page.locator('input[name=recipient]');
    await lookup.pressSequentially('van phong uy ban');
    await page.locator(`#directory-suggestions option[value="${B.name}"]`).waitFor({ state: 'attached' });
    // An ambiguous name lists its candidates; picking one resolves it (then it is removed again).
    await lookup.fill('Sở Tư pháp');
    await lookup.press('Enter');
    const vague = page.locator('ul.recipients li[data-check="bad"]');
    await expect.poll(() => vague.locator('[data-candidate]').count()).toBe(2);
    await shot(page, '01-compose-candidates');
    await vague.locator('[data-candidate="vanthu@stp.lamdong.invalid"]').click();
    const picked = page.locator('ul.recipients li[data-check="ok"][data-address="vanthu@stp.lamdong.invalid"]');
    await picked.waitFor();
    await picked.getByRole('button').click();
    await picked.waitFor({ state: 'detached' });
    await lookup.fill(B.name);
    await page.getByRole('button', { name: 'Thêm', exact: true }).click();
    await page.locator(`ul.recipients li[data-check="ok"][data-address="${B.addresses[0]}"]`).waitFor();

    await page.getByRole('button', { name: 'Ban hành và gửi' }).click();
    const result = page.locator('section[data-issued="issued"]');
    await result.waitFor({ timeout: 60_000 });
    const notation = (await result.getAttribute('data-notation'))!;
    const outgoingId = (await result.getAttribute('data-outgoing-id'))!;
    expect(notation).toMatch(/^\d+\/BC-STC-NS$/); // the type chosen (Báo cáo) is in the number's code
    await expect.poll(() => result.locator('h3').textContent()).toContain(notation);
    expect(await result.locator(`li[data-recipient="${B.addresses[0]}"]`).count()).toBe(1);
    await shot(page, '02-issued');

    // The other tab shows it numbered and delivered without a reload (the delivery worker's event).
    await book
      .locator(`article.trail[data-outgoing-id="${outgoingId}"] tr[data-recipient="${B.addresses[0]}"] td[data-step="delivered"][data-done="true"]`)
      .waitFor();
    expect(await book.locator('body[data-mark="opened-before"]').count()).toBe(1);
    await book.close();

    // B receives it (local delivery); it waits in B's review queue.
    const sent = await waitFor(async () => (await deliveries(outgoingId)).find((d) => d.state !== 'queued' && d.state !== 'sent'), 30_000, 'delivery to B');
    expect(sent).toMatchObject({ recipient: B.addresses[0], state: expect.stringMatching(/delivered|received/) });
    const item = await waitFor(
      async () =>
        (await call<{ items: Array<{ id: string; status: string; notation: string | null; urgency: string }> }>('clerkB', `/api/documents?unit=${B.id}`)).body
          .items[0],
      60_000,
      'B to store the document',
    );
    // The urgency chosen in the form reaches B's registry (the mail's subject mark; docs/issuance.md).
    expect(item).toMatchObject({ notation, status: 'review', urgency: 'hoa_toc' });

    // A's trail (the result's link), open while B registers: delivered, then B's receipt shows
    // without a reload (server-sent events; the page keeps a mark a reload would drop).
    await page.locator(`a[data-trail="${outgoingId}"]`).click();
    const row = page.locator(`article.trail.focus[data-outgoing-id="${outgoingId}"] tr[data-recipient="${B.addresses[0]}"]`);
    await row.waitFor();
    await page.locator('html[data-live="on"]').waitFor({ state: 'attached' });
    await page.evaluate(() => document.body.setAttribute('data-mark', 'before-receipt'));
    expect((await call('clerkB', `/api/documents/${item.id}/approve`, { corrections: { issuer: A.name, issuedDate: '2026-11-23' } })).status).toBe(200);
    await row.locator('td[data-step="receipt"][data-done="true"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('body[data-mark="before-receipt"]').count()).toBe(1);
    expect(await row.locator('td[data-step="delivered"]').getAttribute('data-done')).toBe('true');
    expect((await deliveries(outgoingId))[0].state).toBe('received');
    await shot(page, '03-trail-receipt');
    await page.close();

    // The PDF B received: the leader's signature and the unit's, both valid per poppler.
    const [d] = await deliveries(outgoingId);
    const message = await call<{ attachments: Array<{ idx: number; filename: string | null; contentType: string }> }>(
      null,
      `/api/messages/${d.evidence[0].inboundId}`,
    );
    const pdf = message.body.attachments.find((a) => a.contentType.startsWith('application/pdf'))!;
    const bytes = Buffer.from(await (await gw.api(`/api/messages/${d.evidence[0].inboundId}/attachments/${pdf.idx}`)).arrayBuffer());
    const file = path.join(dir, 'issued.pdf');
    writeFileSync(file, bytes);
    let report: string;
    try {
      report = execFileSync('pdfsig', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      report = String((err as { stdout?: string }).stdout ?? ''); // non-zero when a signature is not valid; the report is on stdout
    }
    expect(report.match(/^Signature #\d+:/gm)).toHaveLength(2);
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
  });

  it('refuses an unsigned PDF until the clerk ticks the confirmation, and audits it', async () => {
    const page = await signedIn('clerk', '#/send');
    await page.locator('form.compose').waitFor();
    await page.locator('input[name=document]').setInputFiles({ name: 'chua-ky.pdf', mimeType: 'application/pdf', buffer: UNSIGNED });
    await page.locator('textarea[name=subject]').fill('Thông báo lịch họp giao ban');
    await page.locator('input[name=recipient]').fill('vanthu@stp.lamdong.invalid');
    await page.locator('input[name=recipient]').press('Enter');
    await page.locator('ul.recipients li[data-check="ok"]').waitFor();
    await page.getByRole('button', { name: 'Ban hành và gửi' }).click();
    const refusal = page.locator('section[data-unsigned="true"][role="alert"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/chưa có chữ ký số hợp lệ/);
    // Not without the tick: the draft stays in the queue, nothing is numbered.
    await refusal.getByRole('button', { name: 'Xác nhận và ban hành' }).click();
    await refusal.getByText('Hãy đánh dấu ô xác nhận trước.').waitFor();
    const queued = await call<{ items: Array<{ id: string; subject: string }> }>('clerk', '/api/issuance');
    const draft = queued.body.items.find((i) => i.subject === 'Thông báo lịch họp giao ban')!;
    expect(draft).toBeTruthy();
    await shot(page, '04-unsigned-refused');
    await refusal.getByLabel('Tôi xác nhận ban hành văn bản không có chữ ký số hợp lệ').check();
    await refusal.getByRole('button', { name: 'Xác nhận và ban hành' }).click();
    const result = page.locator('section[data-issued="issued"]');
    await result.waitFor();
    expect(await result.getAttribute('data-notation')).toMatch(/^\d+\/STC-NS$/);
    const audit = await gw.database.query<{ action: string; actor: string; via: string | null }>(
      "select action, actor, data->'via'->>'channel' as via from audit_log where action = 'outgoing.send_unsigned' order by seq",
      [],
    );
    expect(audit).toEqual([{ action: 'outgoing.send_unsigned', actor: PEOPLE.clerk.email, via: 'console' }]);
    await page.close();
  });

  it('issues a draft submitted through the add-in’s API from the queue, returns another; the officer gets no issuing controls', async () => {
    const draftBody = (subject: string) => ({
      to: ['Văn phòng UBND tỉnh Lâm Đồng'],
      subject,
      typeCode: 'KH',
      signer: 'Nguyễn Văn An',
      note: 'Đã trình lãnh đạo ký',
      files: [{ filename: 'ke-hoach.pdf', contentType: 'application/pdf', content: leader.toString('base64') }],
    });
    const first = await call<{ id: string }>('officer', '/api/addin/send', draftBody('Kế hoạch kiểm tra tài chính năm 2027'));
    const second = await call<{ id: string }>('officer', '/api/addin/send', draftBody('Kế hoạch tập huấn nghiệp vụ'));
    expect([first.status, second.status]).toEqual([201, 201]);

    const page = await signedIn('clerk', '#/issuance');
    await page.locator(`ol.queue li[data-draft="${first.body.id}"] a`).click();
    await page.locator(`section.draft[data-draft="${first.body.id}"][data-state="pending"]`).waitFor();
    await page.locator('.viewer .page canvas[role=img]').first().waitFor();
    await shot(page, '05-queue-draft');
    await page.getByRole('button', { name: 'Ban hành', exact: true }).click();
    const result = page.locator('section[data-issued="issued"]');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.getAttribute('data-notation')).toMatch(/^\d+\/KH-STC-NS$/);
    expect((await call<{ state: string }>('clerk', `/api/issuance/${first.body.id}`)).body.state).toBe('issued');

    await page.evaluate((id) => {
      location.hash = `#/issuance/${id}`;
    }, second.body.id);
    await page.locator(`section.draft[data-draft="${second.body.id}"]`).waitFor();
    await page.locator('textarea[name=reason]').fill('Thiếu chữ ký nháy của trưởng phòng');
    await page.getByRole('button', { name: 'Trả lại dự thảo' }).click();
    await page.locator('ol.queue, p.empty').first().waitFor();
    expect(await page.locator(`ol.queue li[data-draft="${second.body.id}"]`).count()).toBe(0);
    const returned = await call<{ state: string; returnReason: string }>('officer', `/api/issuance/${second.body.id}`);
    expect(returned.body).toMatchObject({ state: 'returned', returnReason: 'Thiếu chữ ký nháy của trưởng phòng' });
    await page.close();

    // The officer: no queue in the navigation, the compose form only submits to the clerk, no issuing button.
    const officer = await signedIn('officer', '#/send');
    await officer.locator('form.compose[data-direct="false"]').waitFor();
    expect(await officer.locator('nav a[data-page="issuance"]').count()).toBe(0);
    expect(await officer.locator('nav a[data-page="send"]').count()).toBe(1);
    expect(await officer.getByRole('button', { name: 'Ban hành và gửi' }).count()).toBe(0);
    expect(await officer.getByRole('button', { name: 'Trình văn thư phát hành' }).count()).toBe(1);
    // Their own returned draft opens without "Ban hành" / "Trả lại"; the queue itself is refused.
    await officer.evaluate((id) => {
      location.hash = `#/issuance/${id}`;
    }, second.body.id);
    await officer.locator(`section.draft[data-draft="${second.body.id}"][data-state="returned"]`).waitFor();
    expect(await officer.getByRole('button', { name: 'Ban hành', exact: true }).count()).toBe(0);
    await officer.evaluate(() => {
      location.hash = '#/issuance';
    });
    await officer.locator('[data-problem="forbidden"]').waitFor();
    await shot(officer, '06-officer-forbidden');
    await officer.close();
    // And the API refuses what the page does not offer.
    const third = await call<{ id: string }>('officer', '/api/addin/send', draftBody('Kế hoạch công tác tháng 1'));
    expect((await call('officer', `/api/issuance/${third.body.id}/issue`, {})).status).toBe(403);
    expect((await call('officer', '/api/addin/send', { ...draftBody('Gửi thẳng'), direct: true })).status).toBe(403);
    const doc = { filename: 'x.pdf', content: leader.toString('base64') };
    expect((await call('officer', '/api/outgoing', { to: [B.addresses[0]], subject: 'Gửi thẳng', document: doc })).status).toBe(403);
  });
});
