/**
 * Reading the OCR rows of messages (table message_ocr; docs/ocr.md "Progress"): the progress the
 * API and `vanthu messages` show, and the recognised text the registry searches.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Database } from './db.ts';
import { messageOcr } from './schema.ts';

export type OcrRow = typeof messageOcr.$inferSelect;

export type OcrStatus = 'pending' | 'running' | 'done' | 'failed';

export interface OcrAttachmentProgress {
  idx: number;
  kind: string;
  status: string;
  pagesDone: number;
  pagesTotal: number;
  /** Mean word confidence, 0–100, once read. */
  confidence: number | null;
  errorCode: string | null;
  error: string | null;
}

/** A message's OCR as a whole: pages done of pages to read, over its scanned attachments. */
export interface OcrProgress {
  /** running while a page is read; pending while the job waits; failed when one attachment could not be read; done otherwise. */
  status: OcrStatus;
  pagesDone: number;
  pagesTotal: number;
  attachments: OcrAttachmentProgress[];
}

export function progressOf(rows: OcrRow[]): OcrProgress | null {
  if (!rows.length) return null;
  const has = (s: string) => rows.some((r) => r.status === s);
  const status: OcrStatus = has('running') ? 'running' : has('pending') ? 'pending' : has('failed') ? 'failed' : 'done';
  return {
    status,
    pagesDone: rows.reduce((n, r) => n + r.pagesDone, 0),
    pagesTotal: rows.reduce((n, r) => n + r.pagesTotal, 0),
    attachments: [...rows]
      .sort((a, b) => a.idx - b.idx)
      .map((r) => ({
        idx: r.idx,
        kind: r.kind,
        status: r.status,
        pagesDone: r.pagesDone,
        pagesTotal: r.pagesTotal,
        confidence: r.confidence,
        errorCode: r.errorCode,
        error: r.error,
      })),
  };
}

export async function ocrRows(database: Database, messageId: string): Promise<OcrRow[]> {
  return database.db.select().from(messageOcr).where(eq(messageOcr.messageId, messageId)).orderBy(asc(messageOcr.idx));
}

/** Progress by message id, for the messages that have OCR rows (the others are absent). */
export async function ocrProgress(database: Database, ids: string[]): Promise<Map<string, OcrProgress>> {
  const out = new Map<string, OcrProgress>();
  if (!ids.length) return out;
  const rows = await database.db
    .select()
    .from(messageOcr)
    .where(inArray(messageOcr.messageId, [...new Set(ids)]));
  const by = new Map<string, OcrRow[]>();
  for (const r of rows) by.set(r.messageId, [...(by.get(r.messageId) ?? []), r]);
  for (const [id, list] of by) out.set(id, progressOf(list)!);
  return out;
}

/** The text read from a message's scans, in attachment order (empty when none was read). */
export async function ocrText(database: Database, messageId: string): Promise<string> {
  const rows = await database.db
    .select({ text: messageOcr.text })
    .from(messageOcr)
    .where(and(eq(messageOcr.messageId, messageId), eq(messageOcr.status, 'done')))
    .orderBy(asc(messageOcr.idx));
  return rows
    .map((r) => r.text ?? '')
    .filter((t) => t.trim())
    .join('\n\n');
}
