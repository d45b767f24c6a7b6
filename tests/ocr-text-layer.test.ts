/**
 * The scan check skips poppler for a PDF the classifier read whole with a full text layer
 * (docs/ocr.md, "In the pipeline"; bench/e2e/FINDINGS.md: three processes per PDF attachment of
 * every message without a document were a measured share of the gateway's CPU). A real gateway,
 * real poppler: pdfinfo, pdftotext and pdfimages are found through a PATH whose first folder holds
 * wrappers that write their name to a log and run the real program. A text PDF that holds no
 * official document (so the scan check looks at it) runs none of them, nor does one with a few
 * words and no image (no page of it can need OCR); a scanned PDF, or one whose form XObject draws
 * an image over a page of thin text, still runs them and still goes to review for want of OCR.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from './helpers/gateway.ts';
import { transport } from './helpers/smtp.ts';
import { imagePdf } from './helpers/image-pdf.ts';
import { type ToolCalls, wrapTools } from './helpers/tool-calls.ts';

const SCAN = readFileSync(path.join(import.meta.dirname, 'fixtures', 'ocr', 'decision-scan.pdf'));
const UNIT = 'vanthu@vpubnd.lamdong.gov.vn';
const TOOLS = ['pdfinfo', 'pdftotext', 'pdfimages'];

async function letterPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  const lines = [
    'Minutes of the project steering meeting',
    'The team reviewed the delivery plan for the second quarter and agreed on the next steps.',
    'Each work package owner will send an updated schedule before the end of the month.',
    'The budget review is moved to the next meeting, when the figures from finance are in.',
    'Risks discussed: supplier delays, staff availability during the holidays, test hardware.',
  ];
  lines.forEach((l, i) => page.drawText(l, { x: 50, y: 780 - i * 18, size: 11, font }));
  return Buffer.from(await doc.save());
}

describe('the scan check and the text layer the classifier already read', () => {
  let gw: TestGateway;
  let tools: ToolCalls;

  beforeAll(async () => {
    tools = wrapTools(TOOLS);
    gw = await startTestGateway({ backend: 'postgres', configure: (c) => void (c.ocr.enabled = false) });
  });
  afterAll(async () => {
    tools?.restore();
    await gw?.close();
  });

  async function mailAndDecide(filename: string, content: Buffer): Promise<{ state: string; reasons: string[] }> {
    const info = await transport(gw.smtpPort!).sendMail({
      from: 'a@example.gov.vn',
      to: UNIT,
      subject: 'Gửi tài liệu',
      text: 'Xin gửi tài liệu đính kèm.',
      attachments: [{ filename, content }],
    });
    const id = /queued as (\w+)/.exec(info.response)![1];
    const m = await waitFor(
      async () => {
        const v = (await (await gw.api(`/api/messages/${id}`)).json()) as { state: string; stages: Record<string, { result: { reasons?: string[] } | null }> };
        return v.state === 'decided' || v.state === 'failed' ? v : null;
      },
      60_000,
      `message ${id} decided`,
    );
    return { state: m.state, reasons: m.stages.classify?.result?.reasons ?? [] };
  }

  const calls = () => tools.calls();

  it('a text PDF without a document: decided with no poppler process run', async () => {
    const m = await mailAndDecide('minutes.pdf', await letterPdf());
    expect(m.state).toBe('decided');
    expect(calls()).toEqual([]);
  });

  it('a PDF with a few words and no image: decided with no poppler process run', async () => {
    const m = await mailAndDecide('cover-note.pdf', imagePdf(['Xin gui kem tai lieu cuoc hop.'], 'none'));
    expect(m.state).toBe('decided');
    expect(calls()).toEqual([]);
    expect(m.reasons.some((r) => r.includes('không có OCR'))).toBe(false);
  });

  it('a scanned PDF: poppler still looks at it, and it goes to review for want of OCR', async () => {
    const m = await mailAndDecide('decision-scan.pdf', SCAN);
    expect(m.state).toBe('decided');
    expect(calls()).toEqual(expect.arrayContaining(TOOLS));
    expect(m.reasons.some((r) => r.includes('không có OCR'))).toBe(true);
  });

  it('a PDF whose form XObject draws an image over a page of a few words: poppler looks at it, review for want of OCR', async () => {
    const before = calls().length;
    const m = await mailAndDecide('form-scan.pdf', imagePdf(['Xin gui kem tai lieu cuoc hop.'], 'form'));
    expect(m.state).toBe('decided');
    expect(calls().slice(before)).toEqual(expect.arrayContaining(TOOLS));
    expect(m.reasons.some((r) => r.includes('không có OCR'))).toBe(true);
  });
});
