/**
 * The review item's highlights on scans, in Debian's Chromium against a real gateway with real
 * tesseract (docs/console.md, "Review item"). Real scans of the corpus (tests/corpus/scans) are mailed
 * to vpubnd: Sở Tài chính's 464/STC-VP scanned 2.3° askew, and Bộ Nội vụ's 8151/BNV-CCHC fed
 * sideways. After OCR, GET /api/documents/{id}/sources answers from the word boxes OCR kept: the
 * number's words boxed in the left header, the signer's in the closing; on the sideways page the
 * boxes are turned back onto the page as the file holds it. In the browser, pdf.js draws the scan and
 * the focused field's words are boxed on it. A phone photo taken upside down (1813/STP-BTTP, a JPEG)
 * is shown as its searchable copy — the upright, straightened sheet OCR read — with the boxes on it.
 * Needs tesseract-ocr, tesseract-ocr-vie and poppler-utils.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchPaneBrowser, type PaneBrowser } from '../addin/test/browser.ts';
import { documentFor, screenshot } from './helpers/console.ts';
import { startTestGateway, waitFor, type TestGateway, okJson } from './helpers/gateway.ts';
import { officialMail } from './helpers/official-mail.ts';

const UNIT = 'vanthu@vpubnd.lamdong.gov.vn';
const PASSWORD = 'mat-khau-thu-nghiem';
const CLERK = { email: 'an.nv@vpubnd.lamdong.gov.vn', name: 'Nguyễn Văn An', role: 'clerk', department: 'vp' };
const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts', 'console-scan');
const SCANS = path.resolve(import.meta.dirname, 'corpus', 'scans');
/** OCR of a page takes seconds, many more on a loaded machine: a generous wait, never a measure. */
const OCR_WAIT_MS = 300_000;

type Rect = { left: number; top: number; width: number; height: number };
interface Sources {
  kind: string;
  read: string;
  view: string;
  attachment: number;
  fields: Record<string, { band: string | null; spans: Array<{ text: string; page: number; rect: Rect }> } | undefined>;
}
type Box = { x: number; y: number; width: number; height: number };

describe('console: highlights on scanned documents', { timeout: 600_000 }, () => {
  let gw: TestGateway;
  let browser: PaneBrowser;
  const base = () => `http://127.0.0.1:${gw.httpPort}`;
  const json = okJson;
  const mails = {
    skew: officialMail(
      UNIT,
      'cv-464-scan',
      'V/v góp ý dự thảo Kế hoạch kiểm tra cải cách hành chính năm 2026',
      ['Kính gửi Văn phòng UBND tỉnh.'],
      readFileSync(path.join(SCANS, 'cv-stc-lamdong-464-skew.pdf')).toString('base64'),
    ),
    sideways: officialMail(
      UNIT,
      'cv-8151-scan',
      'V/v lấy ý kiến góp ý dự thảo Báo cáo Sơ kết',
      ['Kính gửi Văn phòng UBND tỉnh.'],
      readFileSync(path.join(SCANS, 'cv-bnv-8151-sideways.pdf')).toString('base64'),
    ),
  };
  /** A phone photo of Sở Tư pháp's 1813/STP-BTTP, taken upside down, as a JPEG attachment. */
  const photo = (() => {
    const m = officialMail(UNIT, 'cv-1813-photo', 'V/v có ý kiến đối với Đề án tổ chức Đại hội', ['Kính gửi Văn phòng UBND tỉnh.']);
    const b = 'scan-photo-boundary';
    const [head, body] = [m.raw.slice(0, m.raw.indexOf('Content-Type: text/plain')), m.raw.slice(m.raw.indexOf('Content-Type: text/plain'))];
    const jpeg = readFileSync(path.join(SCANS, 'cv-stp-lamdong-1813-upside-down.jpg')).toString('base64');
    const raw = [
      `${head}Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      body,
      `--${b}`,
      'Content-Type: image/jpeg; name="cong-van.jpg"',
      'Content-Disposition: attachment; filename="cong-van.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(jpeg.match(/.{1,76}/g) ?? []),
      `--${b}--`,
      '',
    ].join('\r\n');
    return { mid: m.mid, raw };
  })();
  /** The document once OCR has read the scan and intake has made it. */
  const readDoc = async (mid: string) => {
    const doc = await documentFor<{ id: string; inboundId: string; status: string; notation: string | null }>(gw, mid, OCR_WAIT_MS);
    const sources = await waitFor(
      async () => {
        const s = await json<Sources>(await gw.api(`/api/documents/${doc.id}/sources`));
        return s.read === 'ocr' ? s : null;
      },
      60_000,
      'the sources of the scan',
    );
    return { doc, sources };
  };

  /** The clerk's review item `id`, signed in. */
  const reviewItem = async (id: string): Promise<Page> => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(60_000);
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${base()}/`);
    await page.locator('input[name=email]').fill(CLERK.email);
    await page.locator('input[name=password]').fill(PASSWORD);
    await page.locator('input[name=password]').press('Enter');
    await page.getByTestId('user').waitFor();
    await page.evaluate((h) => {
      location.hash = h;
    }, `#/review/${id}`);
    return page;
  };

  beforeAll(async () => {
    browser = await launchPaneBrowser();
    gw = await startTestGateway({
      backend: 'postgres',
      configure: (c) => {
        c.registry.units.vpubnd = { departments: [{ id: 'vp', name: 'Văn phòng' }], policy: { autoRegister: false }, deadlines: {} };
      },
    });
    await json(
      await gw.api('/api/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...CLERK, unit: 'vpubnd', password: PASSWORD }),
      }),
    );
    for (const m of [...Object.values(mails), photo])
      await json(await gw.api(`/api/messages?to=${UNIT}`, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: m.raw }));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('boxes the words of the number and the signer on the drawn scan', async () => {
    const { doc, sources } = await readDoc(mails.skew.mid);
    expect(doc.status).toBe('review');
    expect(sources).toMatchObject({ kind: 'pdf', read: 'ocr', view: 'attachment', attachment: 0 });
    // The number's own words, in the top left of the page (the header's left column).
    const number = sources.fields.notation!;
    expect(number.band).toBe('headerLeft');
    expect(number.spans.map((s) => s.text).join(' ')).toContain('464');
    for (const s of number.spans) {
      expect(s.rect.left).toBeLessThan(0.5);
      expect(s.rect.top).toBeLessThan(0.3);
      expect(s.rect.width).toBeGreaterThan(0);
    }
    // "Số:" is on the number's line but is not the number: not boxed.
    expect(number.spans.some((s) => /^số:?$/i.test(s.text))).toBe(false);
    const signer = sources.fields.signer!;
    expect(signer.band).toBe('closingRight');
    // "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", then the name under the signature: right of the middle, below the number.
    for (const s of signer.spans) expect(s.rect.left).toBeGreaterThan(0.5);
    expect(signer.spans.at(-1)!.rect.top).toBeGreaterThan(0.5);
    // Each word boxed once.
    expect(new Set(signer.spans.map((s) => `${s.rect.left},${s.rect.top}`)).size).toBe(signer.spans.length);

    const page = await reviewItem(doc.id);
    const viewer = page.locator('.viewer');
    await viewer.locator('.page[data-drawn] canvas').first().waitFor();
    const boxed = async (last = false) => {
      const c = (await viewer.locator('.page canvas').first().boundingBox()) as Box;
      const marks = viewer.locator('.mark');
      const m = (await (last ? marks.last() : marks.first()).boundingBox()) as Box;
      return { x: (m.x - c.x) / c.width, y: (m.y - c.y) / c.height, width: m.width / c.width };
    };
    // The number has the focus: its words are boxed where OCR found them on the scan.
    await viewer.locator('.mark').first().waitFor();
    const first = await boxed();
    expect(first.x).toBeCloseTo(number.spans[0].rect.left, 1);
    expect(first.y).toBeCloseTo(number.spans[0].rect.top, 1);
    // A word's box, not the whole line's ("Số: 464/STC-VP" is three times as wide).
    expect(first.width).toBeCloseTo(number.spans[0].rect.width, 1);
    expect(await viewer.locator('.mark').count()).toBe(number.spans.length);
    expect(await page.locator('.source-note').textContent()).toBe('“Số, ký hiệu”: trang 1.');
    await screenshot(page, ARTIFACTS, '01-scan-number-boxed');
    // The signer: boxed in the closing, lower on the page and to the right.
    await page.locator('input[name=signer]').click();
    await expect.poll(() => viewer.getAttribute('data-highlighted')).toBe('signer');
    expect(await viewer.locator('.mark').count()).toBe(signer.spans.length);
    const name = await boxed(true);
    expect(name.y).toBeCloseTo(signer.spans.at(-1)!.rect.top, 1);
    expect(name.x).toBeGreaterThan(0.5);
    expect(await viewer.getAttribute('data-highlighted')).toBe('signer');
    await screenshot(page, ARTIFACTS, '02-scan-signer-boxed');
    await page.close();
  });

  it('turns the boxes of a page read sideways back onto the page as the file holds it', async () => {
    const { sources } = await readDoc(mails.sideways.mid);
    // Fed turned 90° clockwise: the upright page's top left (the number) is the file page's top right.
    const number = sources.fields.notation!;
    expect(number.spans.map((s) => s.text).join(' ')).toContain('8151');
    for (const s of number.spans) {
      expect(s.rect.left).toBeGreaterThan(0.5);
      expect(s.rect.top).toBeLessThan(0.5);
      // A word on a sideways line is taller than it is wide (as shares of a landscape page).
      expect(s.rect.height).toBeGreaterThan(s.rect.width * 0.5);
    }
  });

  it('shows an image scan as its searchable copy, the upright page its boxes are on', async () => {
    const { doc, sources } = await readDoc(photo.mid);
    expect(sources).toMatchObject({ kind: 'pdf', read: 'ocr', view: 'searchable', attachment: 0 });
    // Read upright (the photo was upside down): the number in the top left of the upright sheet.
    const number = sources.fields.notation!;
    // (OCR reads this photo's number as it can — "I§13/STP-BTTP" — the words boxed are those it read.)
    expect(number.spans.map((s) => s.text).join('')).toContain('/STP-BTTP');
    for (const s of number.spans) {
      expect(s.rect.left).toBeLessThan(0.5);
      expect(s.rect.top).toBeLessThan(0.35);
    }
    const page = await reviewItem(doc.id);
    const viewer = page.locator('.viewer');
    await viewer.locator('.page[data-drawn] canvas').first().waitFor();
    await viewer.locator('.mark').first().waitFor();
    const c = (await viewer.locator('.page canvas').first().boundingBox()) as Box;
    const m = (await viewer.locator('.mark').first().boundingBox()) as Box;
    expect((m.x - c.x) / c.width).toBeCloseTo(number.spans[0].rect.left, 1);
    expect((m.y - c.y) / c.height).toBeCloseTo(number.spans[0].rect.top, 1);
    expect(m.width / c.width).toBeCloseTo(number.spans[0].rect.width, 1);
    await screenshot(page, ARTIFACTS, '03-photo-number-boxed');
    await page.close();
  });
});
