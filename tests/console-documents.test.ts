/**
 * The review item's document when it is not a PDF, in Debian's Chromium against a real gateway:
 * a DOCX công văn (Word's layout: the header as a table) is drawn as a document (mammoth, then
 * DOMPurify), the focused field's block is marked on it, and the lines read are one click away; an
 * HTML file attached to a mail is drawn without its scripts, handlers, styles or remote images —
 * nothing of it runs and nothing is fetched from elsewhere; a document written in a mail's HTML body
 * (GET /api/messages/{id}/html) is drawn the same way. docs/console.md.
 */
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { decree30Docx } from '../gateway/documents/layout/docx-fixtures.ts';
import { addPeople, consolePage, documentFor, screenshot } from './helpers/console.ts';
import { okJson, startTestGateway, type TestGateway } from './helpers/gateway.ts';

const UNIT = 'vanthu@stc.lamdong.gov.vn';
const PASSWORD = 'mat-khau-thu-nghiem';
const CLERK = { email: 'cuong.lv@stc.lamdong.gov.vn', name: 'Lê Văn Cường', role: 'clerk', department: 'vp' };
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console-documents');

/** A mail with a text body and one attachment (base64). */
function mailWith(
  id: string,
  subject: string,
  file: { name: string; type: string; bytes: Buffer },
  body = ['Kính gửi Sở Tài chính văn bản đính kèm.'],
): { mid: string; raw: string } {
  const mid = `<${id}@ubnd.binhthuan.gov.vn>`;
  const b = 'doc-boundary';
  const raw = [
    'From: vanthu@ubnd.binhthuan.gov.vn',
    `To: ${UNIT}`,
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: ${mid}`,
    'Date: Mon, 23 Nov 2026 08:30:00 +0700',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    ...(Buffer.from(body.join('\r\n'))
      .toString('base64')
      .match(/.{1,76}/g) ?? []),
    `--${b}`,
    `Content-Type: ${file.type}; name="${file.name}"`,
    `Content-Disposition: attachment; filename="${file.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    ...(file.bytes.toString('base64').match(/.{1,76}/g) ?? []),
    `--${b}--`,
    '',
  ].join('\r\n');
  return { mid, raw };
}

const DOCX = decree30Docx({
  left: [
    { text: 'UBND TỈNH BÌNH THUẬN', center: true },
    { text: 'SỞ NỘI VỤ', bold: true, center: true },
    { text: 'Số: 0062/TTr-SNV', center: true },
  ],
  right: [
    { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', bold: true, center: true, size: 24 },
    { text: 'Độc lập - Tự do - Hạnh phúc', bold: true, center: true },
    { text: 'Bình Thuận, ngày 07 tháng 3 năm 2026', italic: true, center: true },
  ],
  title: [{ text: 'TỜ TRÌNH' }, { text: 'Phê duyệt Điều lệ Hiệp hội Doanh nghiệp tỉnh Bình Thuận' }],
  body: [
    { text: 'Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh', center: true },
    { text: 'Căn cứ Nghị định số 126/2024/NĐ-CP ngày 08 tháng 10 năm 2024 của Chính phủ quy định về tổ chức, hoạt động và quản lý hội;' },
  ],
  recipients: [{ text: 'Nơi nhận:', bold: true, italic: true }, { text: '- Như trên;' }, { text: '- Lưu: VT, TCCC.' }],
  signature: [{ text: 'GIÁM ĐỐC', bold: true, center: true }, { text: '' }, { text: 'Đỗ Văn Chung', bold: true, center: true }],
});

describe('console: a DOCX or HTML file shown as a document', { timeout: 180_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  let docx: { mid: string; raw: string };
  let html: { mid: string; raw: string };
  let webmail: { mid: string; raw: string };
  let evil: string;
  const shot = (page: Page, name: string) => screenshot(page, ARTIFACTS, name);
  const signedIn = (hash: string) => consolePage(browser, gw, { email: CLERK.email, password: PASSWORD }, hash, { height: 900, hashAfter: true });

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'pglite',
      configure: (c) => {
        c.registry.units.stc = { departments: [{ id: 'vp', name: 'Văn phòng' }], policy: { autoRegister: false }, deadlines: {} };
      },
    });
    await addPeople(gw, [CLERK], PASSWORD, 'stc');
    // A remote image on the gateway's own host (the browser's only reachable one): a fetch of it would show in the log.
    evil = `http://127.0.0.1:${gw.httpPort}/evil.png`;
    docx = mailWith('tt-0062', 'Tờ trình phê duyệt Điều lệ', {
      name: 'to-trinh.docx',
      type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      bytes: DOCX,
    });
    html = mailWith(
      'tb-html',
      'Thông báo lịch họp',
      {
        name: 'thong-bao.html',
        type: 'text/html; charset=utf-8',
        bytes: Buffer.from(
          [
            '<html><head><style>body{display:none}</style><script>window.__ran = true</script></head><body>',
            '<h1 onclick="window.__ran = true">THÔNG BÁO</h1>',
            '<p style="color:red">Lịch họp giao ban tháng 12 tại Sở Tài chính.</p>',
            `<img src="${evil}" alt="x"><img src="data:image/png;base64,iVBORw0KGgo=" alt="y">`,
            '<a href="javascript:window.__ran=true">bấm</a> <a href="https://stc.lamdong.gov.vn/">Sở Tài chính</a>',
            '<form action="https://example.invalid/"><input name="p"></form>',
            '</body></html>',
          ].join('\n'),
        ),
      },
      // A document written in the mail, the HTML file beside it.
      [
        'ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN',
        'Số: 45/TB-UBND',
        'THÔNG BÁO',
        'Lịch họp giao ban tháng 12',
        'Bình Thuận, ngày 20 tháng 11 năm 2026',
        'Kính gửi: Sở Tài chính',
      ],
    );
    // A document written in the mail by a webmail: text and HTML alternatives, the header as a table.
    const lines = [
      'ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN',
      'Số: 52/TB-UBND',
      'THÔNG BÁO',
      'Kết luận cuộc họp giao ban',
      'Bình Thuận, ngày 21 tháng 11 năm 2026',
      'Kính gửi: Sở Tài chính',
    ];
    const bodyHtml = [
      '<html><body><script>window.__ran = true</script>',
      `<table><tr><td>${lines[0]}<br>${lines[1]}</td><td>${lines[4]}</td></tr></table>`,
      `<p><b>${lines[2]}</b></p><p>${lines[3]}</p><p onclick="window.__ran = true">${lines[5]}</p>`,
      '</body></html>',
    ].join('\n');
    const wid = '<tb-52-webmail@ubnd.binhthuan.gov.vn>';
    const alt = 'alt-boundary';
    const b64 = (text: string) =>
      Buffer.from(text)
        .toString('base64')
        .match(/.{1,76}/g) ?? [];
    webmail = {
      mid: wid,
      raw: [
        'From: vanthu@ubnd.binhthuan.gov.vn',
        `To: ${UNIT}`,
        `Subject: =?UTF-8?B?${Buffer.from('Thông báo kết luận cuộc họp giao ban').toString('base64')}?=`,
        `Message-ID: ${wid}`,
        'Date: Mon, 23 Nov 2026 09:30:00 +0700',
        'MIME-Version: 1.0',
        `Content-Type: multipart/alternative; boundary="${alt}"`,
        '',
        `--${alt}`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        ...b64(lines.join('\r\n')),
        `--${alt}`,
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        ...b64(bodyHtml),
        `--${alt}--`,
        '',
      ].join('\r\n'),
    };
    for (const m of [docx, html, webmail])
      await okJson(await gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: m.raw }));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('draws a DOCX as a document, marks the block a field was read from, and shows the lines read on request', async () => {
    const doc = await documentFor(gw, docx.mid);
    const sources = await okJson<{ kind: string; attachment: number | null; lines: string[]; fields: Record<string, { spans: Array<{ line: number }> }> }>(
      await gw.api(`/api/documents/${doc.id}/sources`),
    );
    expect(sources.kind).toBe('text');
    expect(sources.attachment).toBe(0);
    expect(sources.lines[sources.fields.notation.spans[0].line]).toContain('0062/TTr-SNV');

    const page = await signedIn(`#/review/${doc.id}`);
    const rendered = page.locator('.viewer article.rendered[data-kind=docx]');
    await rendered.waitFor();
    // Word's structure, not lines: the header table, the title as paragraphs, bold runs.
    expect(await rendered.locator('table td', { hasText: 'SỞ NỘI VỤ' }).count()).toBe(1);
    expect(await rendered.locator('strong', { hasText: 'TỜ TRÌNH' }).count()).toBe(1);
    expect(await page.locator('.viewer ol').isHidden()).toBe(true);
    // The number has the focus: its block is marked on the drawn document.
    await rendered.locator('.mark').first().waitFor();
    expect(await rendered.locator('.mark').allTextContents()).toEqual([expect.stringContaining('0062/TTr-SNV')]);
    await page.locator('input[name=signer]').focus();
    // The signer's lines (the title above the name too, as the reader took them).
    await expect.poll(() => rendered.locator('.mark').allTextContents()).toContainEqual(expect.stringContaining('Đỗ Văn Chung'));
    const marked = await rendered.locator('.mark').allTextContents();
    expect(marked.join(' ')).not.toContain('0062');
    await shot(page, '01-docx');
    // The drawn document passes the same accessibility check as every page (tests/console-a11y.test.ts).
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    // The lines read, one click away, marked the same.
    await page.getByRole('button', { name: 'Xem từng dòng đã đọc' }).click();
    expect(await rendered.isHidden()).toBe(true);
    expect(await page.locator('.viewer ol li.mark').allTextContents()).toEqual(marked);
    await page.getByRole('button', { name: 'Xem như văn bản' }).click();
    expect(await rendered.isVisible()).toBe(true);
    await page.close();
  });

  it('draws an attached HTML file with nothing of it run or fetched', async () => {
    const doc = await documentFor(gw, html.mid);
    const requests: string[] = [];
    const page = await signedIn('#/');
    page.on('request', (r) => requests.push(r.url()));
    await page.evaluate((h) => {
      location.hash = h;
    }, `#/review/${doc.id}`);
    const rendered = page.locator('.viewer article.rendered[data-kind=html]');
    await rendered.waitFor();
    expect(await rendered.locator('h1').textContent()).toBe('THÔNG BÁO');
    expect(await rendered.locator('p').textContent()).toBe('Lịch họp giao ban tháng 12 tại Sở Tài chính.');
    await rendered.locator('h1').click();
    expect(await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran ?? false)).toBe(false);
    // No script, handler, style, form; the remote image without its address, the inline one kept.
    expect(await rendered.evaluate((el) => el.querySelectorAll('script, style, form, input, [onclick], [style]').length)).toBe(0);
    expect(await rendered.locator('img').evaluateAll((els) => els.map((e) => e.getAttribute('src')))).toEqual([null, 'data:image/png;base64,iVBORw0KGgo=']);
    expect(await rendered.locator('a').evaluateAll((els) => els.map((e) => [e.getAttribute('href'), e.getAttribute('rel')]))).toEqual([
      [null, null],
      ['https://stc.lamdong.gov.vn/', 'noopener noreferrer'],
    ]);
    expect(requests.filter((u) => u.includes('/evil.png'))).toEqual([]);
    expect(await page.locator('.viewer ol li').count()).toBeGreaterThan(0);
    await shot(page, '02-html');
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await page.close();
  });
  it("draws the mail's own HTML body when the document was written in the mail, without running it", async () => {
    const doc = await documentFor(gw, webmail.mid);
    const body = await okJson<{ html: string | null }>(await gw.api(`/api/messages/${doc.inboundId}/html`));
    expect(body.html).toContain('<table>');
    const page = await signedIn(`#/review/${doc.id}`);
    const rendered = page.locator('.viewer article.rendered[data-kind=html-body]');
    await rendered.waitFor();
    expect(await rendered.locator('table td', { hasText: 'Số: 52/TB-UBND' }).count()).toBe(1);
    expect(await rendered.evaluate((el) => el.querySelectorAll('script, [onclick]').length)).toBe(0);
    await rendered.locator('p', { hasText: 'Kính gửi' }).click();
    expect(await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran ?? false)).toBe(false);
    // The number's block (the header cell) is marked, as on a DOCX.
    await rendered.locator('.mark').first().waitFor();
    expect((await rendered.locator('.mark').allTextContents()).join(' ')).toContain('52/TB-UBND');
    await shot(page, '03-html-body');
    await page.close();
  });
});
