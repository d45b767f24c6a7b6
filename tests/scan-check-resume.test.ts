/**
 * The scan check runs poppler once per scanned PDF, not again when the message comes back from OCR
 * (docs/ocr.md, "In the pipeline"; bench/e2e/FINDINGS.md, "Ninth round": each poppler process is
 * forked from the gateway's main thread). A real gateway with OCR, real poppler and tesseract:
 * pdfinfo, pdftotext and pdfimages are found through a PATH whose first folder holds wrappers that
 * write their name to a log and run the real program. pdftotext and pdfimages are run by the scan
 * check only (the OCR worker renders pages with pdftoppm), so their count is the scan checks'.
 * Needs tesseract-ocr, tesseract-ocr-vie and poppler-utils.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from './helpers/gateway.ts';
import { transport } from './helpers/smtp.ts';
import { type ToolCalls, wrapTools } from './helpers/tool-calls.ts';

const SCAN = readFileSync(path.join(import.meta.dirname, 'fixtures', 'ocr', 'decision-scan.pdf'));
const UNIT = 'vanthu@vpubnd.lamdong.gov.vn';
const TOOLS = ['pdfinfo', 'pdftotext', 'pdfimages'];
/** OCR of one page takes seconds, many more on a loaded machine: a generous wait, never a measure. */
const OCR_WAIT_MS = 240_000;

describe('the scan check of a message back from OCR', () => {
  let gw: TestGateway;
  let tools: ToolCalls;

  beforeAll(async () => {
    tools = wrapTools(TOOLS);
    gw = await startTestGateway({ backend: 'postgres' });
  });
  afterAll(async () => {
    tools?.restore();
    await gw?.close();
  });

  it(
    'runs pdftotext and pdfimages once for a scanned PDF: the classify run after OCR uses the pages stored with the scan',
    async () => {
      const info = await transport(gw.smtpPort!).sendMail({
        from: 'vanthu@ubnd.example.gov.vn',
        to: UNIT,
        subject: 'Gửi văn bản',
        text: 'Kính gửi Văn phòng UBND tỉnh,\nXin gửi văn bản đính kèm.\n',
        attachments: [{ filename: 'decision-scan.pdf', content: SCAN }],
      });
      const id = /queued as (\w+)/.exec(info.response)![1];
      const states = new Set<string>();
      const m = await waitFor(
        async () => {
          const v = (await (await gw.api(`/api/messages/${id}`)).json()) as {
            state: string;
            ocr: { status: string; pagesDone: number } | null;
            stages: Record<string, { result: { kind?: string; ocr?: unknown } | null }>;
          };
          states.add(v.state);
          return v.state === 'decided' || v.state === 'failed' ? v : null;
        },
        OCR_WAIT_MS,
        `message ${id} decided`,
      );
      // It went through OCR and back: the second classify run read the text OCR stored.
      expect(m.state).toBe('decided');
      expect(m.ocr).toMatchObject({ status: 'done', pagesDone: 1 });
      expect(m.stages.classify.result?.ocr).toBeTruthy();
      const calls = tools.calls();
      // One scan check (before OCR), not two.
      expect(calls.filter((c) => c === 'pdfimages')).toHaveLength(1);
      expect(calls.filter((c) => c === 'pdftotext')).toHaveLength(1);
    },
    OCR_WAIT_MS + 30_000,
  );
});
