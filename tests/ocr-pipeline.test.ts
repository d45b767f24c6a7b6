/**
 * Scans in the running pipeline (docs/ocr.md, "In the pipeline"): a real gateway, real Redis and
 * PostgreSQL, real tesseract. The scanned decision of tests/fixtures/ocr (an image-only PDF) mailed
 * over SMTP waits on the "ocr" queue, is read, and ends in review with its number pre-filled and the
 * OCR reason; its recognised text is searchable. With OCR not installed (a tesseract that does not
 * exist) or turned off, the scan goes to review with "không có OCR: …" — never kept as ordinary
 * mail, never a crash. Needs tesseract-ocr, tesseract-ocr-vie and poppler-utils.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundMessages, messageOcr, messageStages } from '../gateway/store/schema.ts';
import { startTestGateway, type TestGateway, waitFor } from './helpers/gateway.ts';
import { transport } from './helpers/smtp.ts';

const DIR = path.join(import.meta.dirname, 'fixtures', 'ocr');
const SCAN = readFileSync(path.join(DIR, 'decision-scan.pdf'));
const PHOTO = readFileSync(path.join(DIR, 'decision-photo.jpg'));
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { number: string };
const NOTATION = expected.number.replace(/^Số:\s*/, ''); // "05/QĐ-UBND"
const UNIT = 'vanthu@vpubnd.lamdong.gov.vn';
/** OCR of one page takes seconds, many more on a loaded machine: the waits are generous, never a measure. */
const OCR_WAIT_MS = 240_000;

interface Progress {
  status: string;
  pagesDone: number;
  pagesTotal: number;
  attachments: Array<{ idx: number; kind: string; status: string; confidence: number | null; errorCode: string | null }>;
}

interface MessageView {
  state: string;
  lastError: string | null;
  ocr: Progress | null;
  stages: Record<string, { status: string; result: Record<string, unknown> | null }>;
}

interface Decision {
  action: string;
  status: string;
  documentId: string;
  reasons: string[];
}

async function mail(gw: TestGateway, attachment: { filename: string; content: Buffer }): Promise<string> {
  const info = await transport(gw.smtpPort!).sendMail({
    from: 'vanthu@ubnd.example.gov.vn',
    to: UNIT,
    subject: 'Gửi văn bản',
    text: 'Kính gửi Văn phòng UBND tỉnh,\nXin gửi văn bản đính kèm.\n',
    attachments: [attachment],
  });
  return /queued as (\w+)/.exec(info.response)![1];
}

async function decided(gw: TestGateway, id: string, timeoutMs: number, seen?: Set<string>): Promise<MessageView> {
  return waitFor(
    async () => {
      const m = (await (await gw.api(`/api/messages/${id}`)).json()) as MessageView;
      seen?.add(m.state);
      return m.state === 'decided' || m.state === 'failed' ? m : null;
    },
    timeoutMs,
    `message ${id} decided`,
  );
}

function decisionOf(m: MessageView): Decision {
  expect(m.state).toBe('decided');
  const decisions = (m.stages.register.result as { decisions: Decision[] }).decisions;
  expect(decisions).toHaveLength(1);
  return decisions[0];
}

describe('a scanned PDF mailed to the gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ backend: 'postgres' });
  });
  afterAll(() => gw?.close());

  it(
    'waits for OCR, is read, and ends in review with its number pre-filled and the OCR reason; its text is searchable',
    async () => {
      const id = await mail(gw, { filename: 'decision-scan.pdf', content: SCAN });
      const states = new Set<string>();
      const m = await decided(gw, id, OCR_WAIT_MS, states);

      // Progress: one page to read, one read, with its confidence.
      expect(m.ocr).toMatchObject({ status: 'done', pagesDone: 1, pagesTotal: 1 });
      expect(m.ocr!.attachments).toEqual([expect.objectContaining({ idx: 0, kind: 'pdf', status: 'done', errorCode: null })]);
      expect(m.ocr!.attachments[0].confidence).toBeGreaterThan(60);

      // The classification came from the text OCR read, with the confidence lowered by the read's.
      const cls = m.stages.classify.result as {
        kind: string;
        document: { notation: string; source: string };
        confidence: number;
        reasons: string[];
        ocr: { confidence: number; low: boolean; layout: boolean };
      };
      expect(cls.kind).toBe('document');
      expect(cls.document).toMatchObject({ notation: NOTATION, source: 'attachment' });
      expect(cls.ocr.confidence).toBe(m.ocr!.attachments[0].confidence);
      expect(cls.confidence).toBeLessThan(1);
      expect(cls.reasons[0]).toMatch(/^đọc bằng OCR \(OCR, confidence \d+%\)/);

      // Review, never the book: the fields pre-filled, the reason said.
      const decision = decisionOf(m);
      expect(decision).toMatchObject({ action: 'review', status: 'review' });
      expect(decision.reasons.some((r) => /đọc bằng OCR \(OCR, confidence \d+%\)/.test(r))).toBe(true);
      const doc = (await (await gw.api(`/api/documents/${decision.documentId}`)).json()) as { notation: string; typeCode: string; status: string };
      expect(doc).toMatchObject({ notation: NOTATION, typeCode: 'QĐ', status: 'review' });

      // The list shows the same progress.
      const list = (await (await gw.api('/api/messages?limit=5')).json()) as { items: Array<{ id: string; ocr?: Progress }> };
      expect(list.items.find((i) => i.id === id)?.ocr).toMatchObject({ status: 'done', pagesDone: 1, pagesTotal: 1 });

      // Words found only in the body of the scan (not in any field) find the document.
      const found = (await (await gw.api('/api/documents?book=review&q=chinh%20quyen%20dia%20phuong')).json()) as { items: Array<{ id: string }> };
      expect(found.items.map((d) => d.id)).toContain(decision.documentId);

      // Read once: the second classify run used the stored text.
      const rows = await gw.database.db.select().from(messageOcr).where(eq(messageOcr.messageId, id));
      expect(rows.map((r) => r.attempts)).toEqual([1]);
      // Words are stored with their boxes (text, confidence, x, y, w, h, line): the layout reader read them.
      const stored = rows[0].result as { pages: Array<{ words: unknown[][] }>; searchable?: { sha256: string; pagesWithText: number[] } };
      expect(stored.pages[0].words[0]).toHaveLength(7);
      expect(cls.ocr.layout).toBe(true);

      // The searchable copy kept beside the original: the scan with the text OCR read laid over it.
      expect(stored.searchable?.pagesWithText).toEqual([1]);
      const copy = await gw.api(`/api/messages/${id}/attachments/0/searchable`);
      expect(copy.status).toBe(200);
      expect(copy.headers.get('content-type')).toBe('application/pdf');
      const dir = mkdtempSync(path.join(tmpdir(), 'vanthu-ocr-copy-'));
      try {
        writeFileSync(path.join(dir, 'copy.pdf'), Buffer.from(await copy.arrayBuffer()));
        expect(execFileSync('pdftotext', [path.join(dir, 'copy.pdf'), '-'], { encoding: 'utf8' }).normalize('NFC')).toContain(NOTATION);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect((await gw.api(`/api/messages/${id}/attachments/5/searchable`)).status).toBe(404);
    },
    OCR_WAIT_MS + 30_000,
  );
});

describe('scans without OCR', () => {
  let missing: TestGateway;
  let off: TestGateway;
  beforeAll(async () => {
    // A tesseract that is not there: the engine's probe says why (docs/ocr.md).
    missing = await startTestGateway({ backend: 'postgres', configure: (cfg) => void (cfg.ocr.tesseract = '/nonexistent/bin/tesseract') });
    off = await startTestGateway({ backend: 'postgres', configure: (cfg) => void (cfg.ocr.enabled = false) });
  });
  afterAll(async () => {
    await missing?.close();
    await off?.close();
  });

  it('tesseract not installed: the scanned PDF goes to review with "không có OCR: thiếu tesseract-ocr"', async () => {
    const id = await mail(missing, { filename: 'decision-scan.pdf', content: SCAN });
    const m = await decided(missing, id, 60_000);
    expect(m.ocr).toBeNull(); // nothing queued for an engine that cannot run
    const decision = decisionOf(m);
    expect(decision).toMatchObject({ action: 'review', status: 'review' });
    expect(decision.reasons.some((r) => r.includes('không có OCR: thiếu tesseract-ocr') && r.includes('decision-scan.pdf'))).toBe(true);
  });

  it('a message left waiting for OCR with no job (Redis lost it) is queued by the sweep, and goes on to review', async () => {
    const id = await mail(missing, { filename: 'decision-scan.pdf', content: SCAN });
    await decided(missing, id, 60_000);
    // As the classify stage leaves a scan: state ocr, a pending row, no classify result; no job anywhere.
    const { db } = missing.database;
    await db.delete(messageStages).where(and(eq(messageStages.messageId, id), ne(messageStages.stage, 'parse')));
    const [att] = (await (await missing.api(`/api/messages/${id}`)).json()).attachments as Array<{ sha256: string }>;
    await db.insert(messageOcr).values({ messageId: id, idx: 0, sha256: att.sha256, kind: 'pdf', pages: [1], pagesTotal: 1 });
    await db.update(inboundMessages).set({ state: 'ocr', enqueuedAt: null }).where(eq(inboundMessages.id, id));
    const m = await waitFor(
      async () => {
        const v = (await (await missing.api(`/api/messages/${id}`)).json()) as MessageView;
        return v.state === 'decided' && v.stages.register?.status === 'done' ? v : null;
      },
      60_000,
      'the swept message decided again',
    );
    // The OCR worker ran and said why it could not read; classify then gave the reason.
    expect(m.ocr).toMatchObject({ status: 'failed', pagesDone: 0, pagesTotal: 1 });
    expect(m.ocr!.attachments[0]).toMatchObject({ status: 'failed', errorCode: 'ocr-unavailable' });
    expect(decisionOf(m).reasons.some((r) => r.includes('không có OCR: thiếu tesseract-ocr'))).toBe(true);
  });

  it('OCR turned off: a photo of a page goes to review with "không có OCR: đã tắt" instead of being kept as mail', async () => {
    const id = await mail(off, { filename: 'decision-photo.jpg', content: PHOTO });
    const m = await decided(off, id, 60_000);
    const decision = decisionOf(m);
    expect(decision).toMatchObject({ action: 'review', status: 'review' });
    expect(decision.reasons.some((r) => r.includes('không có OCR: đã tắt') && r.includes('decision-photo.jpg'))).toBe(true);
  });
});
