/**
 * GET /api/documents/{id}/sources: where each field of a document was read in it, for the web
 * console's review item (docs/console.md): the file it was read from (the message's first PDF, else
 * its first DOCX, else the mail's text), read again by the same layout reader, and for each field the
 * lines that hold its value with their place on the page (documents/layout/spans.ts). PDF: boxes the
 * console draws over the page it renders; DOCX and text: line numbers of the text it shows.
 * Reading again costs what classifying the file did once (milliseconds to a few hundred for a big
 * scan-free PDF), and only when a clerk opens the item.
 */
import { and, asc, eq } from 'drizzle-orm';
import { classifyLimits } from '../../documents/limits.ts';
import { layoutBlocks } from '../../documents/layout/bands.ts';
import { documentLines, fieldSources, rowBlocks, textBlocks, type FieldSource, type SpanField } from '../../documents/layout/spans.ts';
import { attachmentText, fileKind } from '../../documents/sources/attachment.ts';
import { messageAttachments, messageOcr, messageStages } from '../../store/schema.ts';
import type { Principal } from '../access/policy.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { documentDetail } from './detail.ts';
import { scanSources, type StoredOcrPage } from './scan-sources.ts';

export interface DocumentSources {
  /** pdf: spans are boxes on the pages of attachment `attachment`; text: line numbers of `lines`. */
  kind: 'pdf' | 'text' | 'none';
  /**
   * How the file was read: its text layer, or OCR (a scan: every span also carries `rect`, the
   * word's box as shares of the page). `view` "searchable": draw the attachment's searchable copy
   * (an image scan, GET /api/messages/{id}/attachments/{idx}/searchable), whose page the boxes are on.
   */
  read?: 'text' | 'ocr';
  view?: 'attachment' | 'searchable';
  attachment: number | null;
  filename: string | null;
  /** The document's lines in reading order (what a text view shows). */
  lines: string[];
  /** Page sizes (PDF units) of the pages read, by 0-based page. */
  pages: Array<{ page: number; width: number; height: number }>;
  fields: Partial<Record<SpanField, FieldSource>>;
}

const FIELDS: SpanField[] = ['notation', 'issuer', 'issuedDate', 'typeName', 'subject', 'signer', 'dueDate'];

export async function documentSources(rt: RegistryRuntime, p: Principal, id: string): Promise<DocumentSources> {
  const doc = await documentDetail(rt, p, id);
  const values = Object.fromEntries(FIELDS.map((f) => [f, (doc as unknown as Record<string, string | null>)[f] ?? null])) as Record<SpanField, string | null>;
  const none: DocumentSources = { kind: 'none', attachment: null, filename: null, lines: [], pages: [], fields: {} };
  if (!doc.inboundId) return none;
  const files = await rt.db.select().from(messageAttachments).where(eq(messageAttachments.messageId, doc.inboundId)).orderBy(asc(messageAttachments.idx));
  const file =
    files.find((f) => fileKind(f.filename ?? '', f.contentType) === 'pdf') ?? files.find((f) => fileKind(f.filename ?? '', f.contentType) === 'docx') ?? null;
  // A scan (a PDF without text, an image): the words OCR boxed, read again by the layout reader.
  const scans = await rt.db
    .select({ idx: messageOcr.idx, kind: messageOcr.kind, result: messageOcr.result })
    .from(messageOcr)
    .where(and(eq(messageOcr.messageId, doc.inboundId), eq(messageOcr.status, 'done')))
    .orderBy(asc(messageOcr.idx));
  const scan = file ? scans.find((s) => s.idx === file.idx) : scans.find((s) => s.kind === 'image');
  if (scan) {
    const result = scan.result as { pages?: StoredOcrPage[]; searchable?: { sha256?: string } } | null;
    const image = scan.kind === 'image';
    const read = scanSources(result?.pages ?? [], values, !image);
    if (read && (!image || result?.searchable?.sha256)) {
      const f = files.find((x) => x.idx === scan.idx);
      return { kind: 'pdf', read: 'ocr', view: image ? 'searchable' : 'attachment', attachment: scan.idx, filename: f?.filename ?? null, ...read };
    }
  }
  if (file && rt.blobs) {
    const read = await attachmentText(file.filename ?? '', file.contentType, await rt.blobs.read(file.sha256), classifyLimits(rt.config.limits));
    const blocks = read.pages.length ? (layoutBlocks(read.pages) ?? rowBlocks(read.pages)) : textBlocks(read.text);
    const isPdf = fileKind(file.filename ?? '', file.contentType) === 'pdf';
    return {
      kind: isPdf ? 'pdf' : 'text',
      read: 'text',
      view: 'attachment',
      attachment: file.idx,
      filename: file.filename,
      lines: documentLines(blocks).map((l) => l.line.text),
      pages: isPdf ? read.pages.map((pg, i) => ({ page: pg.rows[0]?.page ?? i, width: pg.width, height: pg.height })) : [],
      fields: fieldSources(blocks, values),
    };
  }
  // A document written in the mail itself: the text the parse stage kept.
  const [parsed] = await rt.db
    .select({ result: messageStages.result })
    .from(messageStages)
    .where(and(eq(messageStages.messageId, doc.inboundId), eq(messageStages.stage, 'parse')));
  const text = (parsed?.result as { text?: string | null } | undefined)?.text ?? '';
  if (!text.trim()) return none;
  const blocks = textBlocks(text);
  return { ...none, kind: 'text', lines: documentLines(blocks).map((l) => l.line.text), fields: fieldSources(blocks, values) };
}
