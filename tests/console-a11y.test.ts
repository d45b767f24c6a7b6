/**
 * Every page of the web console, as each role sees it at 1366×768 in Debian's Chromium, checked by
 * axe-core (@axe-core/playwright, WCAG 2.1 A and AA rules): no serious or critical violation, and
 * nothing wider than the window. The pages are whatever the navigation offers each role (clerk,
 * leader, officer, admin), plus the sign-in form and one review item. Each page's screenshot goes
 * to tests/artifacts/console-tour/, and to docs/screenshots/console-tour-*.png (the README's tour)
 * when missing there or with VANTHU_PUBLISH_SCREENSHOTS=1.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_SCREENSHOTS, launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { imapSectionSchema } from '../gateway/config/imap.ts';
import { officialMail, pdfBase64 } from './helpers/official-mail.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { documentFor, withStcUnit } from './helpers/console.ts';
import { namesakes } from './helpers/local-units.ts';
import { transport } from './helpers/smtp.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'mat-khau-thu-nghiem';
const PEOPLE = {
  clerk: { email: 'cuong.lv@stc.lamdong.gov.vn', name: 'Lê Văn Cường', role: 'clerk', department: 'vp' },
  leader: { email: 'hung.nv@stc.lamdong.gov.vn', name: 'Nguyễn Văn Hùng', role: 'leader', department: 'vp' },
  officer: { email: 'binh.tt@stc.lamdong.gov.vn', name: 'Trần Thị Bình', role: 'officer', department: 'ns' },
  admin: { email: 'quantri@stc.lamdong.gov.vn', name: 'Phạm Quản Trị', role: 'admin', department: 'vp' },
} as const;
type Role = keyof typeof PEOPLE;
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console-tour');
const VIEWPORT = { width: 1366, height: 768 };

/** A công văn of UBND tỉnh Vĩnh Long numbered n; with its PDF it lands in the review queue. */
async function mail(n: number, subject: string, withPdf: boolean): Promise<{ mid: string; raw: string }> {
  const pdf = withPdf ? await pdfBase64([`So: ${n}/UBND-KT`]) : undefined;
  return officialMail(UNIT, `tour-${n}`, subject, ['ỦY BAN NHÂN DÂN TỈNH VĨNH LONG', `Số: ${n}/UBND-KT`, subject], pdf);
}

interface Finding {
  page: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

describe('console accessibility and the tour, at 1366×768', { timeout: 300_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  let reviewId: string;
  /** The documents assigned to the officer: a leader's page of one shows the assignment and deadline forms. */
  const workIds: string[] = [];
  const findings: Finding[] = [];
  const shots: string[] = [];
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const post = (p: string, body: unknown) => gw.api(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const docFor = (mid: string) => documentFor(gw, mid);

  /** axe on the page as it is now, the width check, and its screenshot. */
  const check = async (page: Page, name: string) => {
    await page.locator('main .loading').waitFor({ state: 'detached' });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    for (const v of results.violations)
      if (v.impact === 'serious' || v.impact === 'critical')
        findings.push({ page: name, rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (wide > 0) findings.push({ page: name, rule: 'fits-1366', impact: 'serious', help: `${wide}px wider than the window`, targets: [] });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    shots.push(name);
  };
  const open = async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    await page.setViewportSize(VIEWPORT);
    await page.goto(`${base()}/`);
    return page;
  };
  const signIn = async (page: Page, role: Role) => {
    await page.locator('input[name=email]').fill(PEOPLE[role].email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('input[name=password]').press('Enter');
    await page.getByTestId('user').waitFor();
  };
  /** Every page the navigation offers the role. */
  const tour = async (role: Role) => {
    const page = await open();
    await signIn(page, role);
    const pages = await page.locator('nav a[data-page]').evaluateAll((els) => els.map((e) => e.getAttribute('data-page')!));
    expect(pages.length).toBeGreaterThan(0);
    for (const p of pages) {
      await page.evaluate((hash) => {
        location.hash = hash;
      }, `#/${p}`);
      await page.locator(`nav a[data-page="${p}"][aria-current]`).waitFor();
      await page.locator('main h2').first().waitFor();
      await check(page, `${role}-${p}`);
    }
    await page.close();
    return pages;
  };

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        withStcUnit(c);
        // A mailbox whose server refuses (port 9): the admin page shows an unhealthy connector too.
        // Two agencies sharing a name (the compose form's candidates), and the unsigned refusal on.
        c.directory = namesakes();
        c.outgoing.requireSigned = true;
        c.imap = imapSectionSchema.parse({
          accounts: [{ id: 'hop-thu-cu', host: '127.0.0.1', port: 9, tls: { mode: 'none' }, user: 'vanthu', password: 'mat-khau', unit: 'stc' }],
        });
      },
    });
    for (const u of Object.values(PEOPLE)) expect((await post('/api/users', { ...u, unit: 'stc', password: PASSWORD })).status).toBe(201);
    // Something on every page: a review item with its PDF, documents assigned to the officer (one
    // with an extension request), a failed message for the admin.
    const review = await mail(245, 'V/v báo cáo sử dụng ngân sách chuyển đổi số', true);
    const work = [await mail(1520, 'V/v điều chỉnh dự toán ngân sách năm 2026', false), await mail(1521, 'V/v kế hoạch kiểm tra tài chính', false)];
    const t = transport(gw.smtpPort!);
    for (const m of [review, ...work]) await t.sendMail({ envelope: { from: 'vanthu@ubnd.vinhlong.gov.vn', to: [UNIT] }, raw: m.raw });
    t.close();
    reviewId = (await docFor(review.mid)).id;
    for (const [i, m] of work.entries()) {
      const d = await docFor(m.mid);
      workIds.push(d.id);
      if (d.status === 'review')
        await post(`/api/documents/${d.id}/approve`, {
          corrections: { notation: `${1520 + i}/UBND-KT`, issuer: 'Ủy ban nhân dân tỉnh Vĩnh Long', issuedDate: '2026-11-20' },
        });
      expect((await post(`/api/documents/${d.id}/assign`, { officer: PEOPLE.officer.email, department: 'ns' })).status).toBe(200);
      expect((await post(`/api/documents/${d.id}/deadline`, { dueDate: '2026-12-30' })).status).toBe(200);
      if (i === 1) {
        const login = await fetch(`${base()}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: PEOPLE.officer.email, password: PASSWORD }),
        });
        const { token } = (await login.json()) as { token: string };
        const asked = await fetch(`${base()}/api/deadline-requests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ document: d.id, dueDate: '2027-01-15', reason: 'Cần lấy ý kiến các phòng' }),
        });
        expect(asked.status).toBeLessThan(300);
        await gw.database.query("update inbound_messages set state = 'failed', last_error = 'verify: transient: trust store unavailable' where id = $1", [
          d.inboundId,
        ]);
      }
    }
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('the sign-in form', async () => {
    const page = await open();
    await page.locator('input[name=email]').waitFor();
    await check(page, 'sign-in');
    await page.close();
  });

  it("the clerk's pages and a review item beside its document", async () => {
    expect(await tour('clerk')).toEqual(expect.arrayContaining(['review', 'books', 'my']));
    const page = await open();
    await signIn(page, 'clerk');
    await page.evaluate((id) => {
      location.hash = `#/review/${id}`;
    }, reviewId);
    await page.locator(`form[data-document="${reviewId}"]`).waitFor();
    // The PDF drawn by pdf.js (its pages are images with a label), the number's line boxed.
    await page.locator('.viewer .page canvas[role=img]').first().waitFor();
    await check(page, 'clerk-review-item');
    await page.close();
  });

  it("the leader's, the officer's and the admin's pages", async () => {
    expect(await tour('leader')).toEqual(expect.arrayContaining(['books', 'my', 'extensions']));
    expect(await tour('officer')).toEqual(expect.arrayContaining(['my']));
    expect(await tour('admin')).toEqual(expect.arrayContaining(['review', 'books', 'my', 'admin']));
  });

  it("the clerk's issuance queue with a draft open, and the compose form with candidates and the unsigned refusal", async () => {
    // A draft an officer submitted through the add-in's API, waiting for the clerk.
    const login = await fetch(`${base()}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: PEOPLE.officer.email, password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const content = await pdfBase64(['So: /STC-NS', 'Ke hoach kiem tra tai chinh nam 2027']);
    const draft = await fetch(`${base()}/api/addin/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        to: ['vanthu@stp.lamdong.invalid'],
        subject: 'Kế hoạch kiểm tra tài chính năm 2027',
        files: [{ filename: 'ke-hoach.pdf', content }],
      }),
    });
    expect(draft.status).toBe(201);
    const { id } = (await draft.json()) as { id: string };
    const page = await open();
    await signIn(page, 'clerk');
    await page.evaluate((d) => {
      location.hash = `#/issuance/${d}`;
    }, id);
    await page.locator('.viewer .page canvas[role=img]').first().waitFor();
    await check(page, 'clerk-issuance-draft');
    await page.evaluate(() => {
      location.hash = '#/send';
    });
    await page.locator('input[name=document]').setInputFiles({ name: 'chua-ky.pdf', mimeType: 'application/pdf', buffer: Buffer.from(content, 'base64') });
    await page.locator('textarea[name=subject]').fill('Thông báo lịch họp giao ban');
    await page.locator('input[name=recipient]').fill('Sở Tư pháp');
    await page.locator('input[name=recipient]').press('Enter');
    await page.locator('ul.recipients [data-candidate]').first().waitFor();
    await check(page, 'clerk-send-candidates');
    await page.locator('ul.recipients [data-candidate="vanthu@stp.lamdong.invalid"]').click();
    await page.locator('ul.recipients li[data-check="ok"]').waitFor();
    await page.locator('form.compose button[type=submit]').click();
    await page.locator('section[data-unsigned="true"]').waitFor();
    await check(page, 'clerk-send-unsigned');
    await page.close();
  });

  it("a document's page as a leader sees it, with the assignment and deadline forms", async () => {
    const page = await open();
    await signIn(page, 'leader');
    await page.evaluate((id) => {
      location.hash = `#/item/${id}`;
    }, workIds[0]);
    await page.locator('section.leader-controls form.deadline').waitFor();
    await check(page, 'leader-item-assign');
    await page.close();
  });

  it('found no serious or critical violation on any page', () => {
    expect(shots.length).toBeGreaterThanOrEqual(12);
    // One line per finding, so a failure reads as a list: page, rule, impact, where.
    expect(findings.map((f) => `${f.page}: ${f.rule} (${f.impact}) ${f.help} — ${f.targets.join(' | ')}`)).toEqual([]);
    // The tour's pictures for the README: written when missing, or on request (they carry the run's time).
    mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
    for (const name of shots) {
      const target = path.join(DOCS_SCREENSHOTS, `console-tour-${name}.png`);
      if (!existsSync(target) || process.env.VANTHU_PUBLISH_SCREENSHOTS === '1') copyFileSync(path.join(ARTIFACTS, `${name}.png`), target);
    }
  });
});
