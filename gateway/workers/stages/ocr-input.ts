/**
 * Scans in the classify stage (docs/ocr.md, "In the pipeline"). When the classifier found no
 * document in the attachments, the attachments that are scans — a PDF whose pages need OCR
 * (pagesNeedingOcr), an image that looks like a page (looksLikePage) — are read by OCR on the
 * "ocr" queue: the first run stores a pending message_ocr row per scan and waits (AwaitingWork,
 * state `ocr`); the run after the OCR worker classifies each text read as that attachment's text
 * with its word boxes through the layout reader (documents/ocr/classify.ts) and keeps the best document.
 *
 * OCR confidence lowers confidence (classifyOcr): the document's confidence is the classifier's times
 * the mean word confidence, each field's times the confidence of the words it was read from; a read under
 * `ocr.minConfidence` (whole or in its notation) is marked low and the register stage never books
 * it without a clerk. Without OCR (off, or not installed) a scan makes the message "possibly a
 * document" with the reason "không có OCR: …", so it goes to review rather than being kept as mail.
 */
import { and, eq } from 'drizzle-orm';
import { classifyLimits } from '../../documents/limits.ts';
import {
  classifyOcr,
  looksLikePage,
  type OcrClassification,
  type OcrPageBoxes,
  type OcrReading,
  OcrUnavailable,
  pagesNeedingOcr,
  probeOcrCached,
} from '../../documents/ocr/index.ts';
import type { Classification, DocumentMetadata } from '../../documents/types.ts';
import { describeError } from '../../errors.ts';
import { ocrRows, type OcrRow } from '../../store/ocr.ts';
import { inboundMessages, messageOcr } from '../../store/schema.ts';
import { ocrTools } from '../ocr.ts';
import { markEnqueued } from '../outbox.ts';
import { AwaitingWork, type StageContext } from '../pipeline.ts';
import { heldMessage } from '../parsed-message.ts';
import { AFTER_OCR_STATE, WAITING_STATES } from '../states.ts';

/** What the classification says about an OCR read (stored with it; the register stage reads `low`). */
export interface OcrRead {
  /** Mean word confidence of the scan the document was read from, 0–100. */
  confidence: number;
  /** The same for the words of its notation (null when not found or no notation). */
  notationConfidence: number | null;
  minConfidence: number;
  /** Under minConfidence, whole or in the notation: a clerk checks the fields before the book. */
  low: boolean;
  /** The attachment the document was read from. */
  idx: number;
  filename: string | null;
  pages: number;
  /** The word boxes were read by position (layout reader, header band found); false: as lines of text. */
  layout: boolean;
}

type Result = Classification & { ocr?: OcrRead };

interface Scan {
  idx: number;
  sha256: string;
  name: string;
  kind: 'pdf' | 'image';
  /** PDF: the pages that need OCR; null when that cannot be told (poppler missing). */
  pages: number[] | null;
  frames: number;
}

/** Confidence of a message with a scan nobody could read: under any sensible threshold, so a clerk looks. */
export const UNREAD_SCAN_CONFIDENCE = 0.5;
export const REASON_OCR_DISABLED = 'không có OCR: đã tắt trong cấu hình (ocr.enabled: false) — no OCR: turned off in the configuration';
const IMAGE_TYPES = /^image\/(jpeg|jpg|pjpeg|png|tiff|webp|heic|heif|avif)$/;
const IMAGE_NAMES = /\.(jpe?g|png|tiff?|webp|hei[cf]|avif)$/i;

function wantsOcr(c: Classification): boolean {
  if (c.kind === 'status' || c.kind === 'automated') return false;
  return !(c.document && (c.document.source === 'attachment' || c.document.source === 'edxml'));
}

type StoredAttachment = NonNullable<StageContext['results']['parse']>['attachments'][number];

/**
 * An attachment's bytes: those of this job's parse when it made one (the classifier just read it,
 * parsed-message.ts) and the part there is the one stored at that index, else its blob.
 */
async function attachmentBytes(ctx: StageContext, a: StoredAttachment): Promise<Buffer> {
  const held = (await heldMessage(ctx))?.attachments[a.idx];
  if (held && held.size === a.size && held.contentType === a.contentType && held.filename === (a.filename ?? null)) return held.content;
  return ctx.blobs.read(a.sha256);
}

/**
 * The classifier of this job read every page of this PDF, and no page can need OCR: each has a full
 * text layer that is not garbage, or draws no large image (documents/ocr/text-layer.ts cannotNeedOcr).
 */
function noScan(ctx: StageContext, a: StoredAttachment): boolean {
  for (const read of ctx.mime?.reads ?? []) {
    if (read.size !== a.size) continue;
    const sha256 = read.sha256();
    if (sha256 !== null && sha256 === a.sha256) return read.noScan();
  }
  return false;
}

/**
 * The message_ocr rows of a message back from OCR (state AFTER_OCR_STATE), read once for the scan
 * check and ensureRows; null for a message that never waited for OCR (no statement then).
 */
class StoredScans {
  private rows: OcrRow[] | null | undefined;

  constructor(private readonly ctx: StageContext) {}

  async get(): Promise<OcrRow[] | null> {
    if (this.rows === undefined) this.rows = this.ctx.message.state === AFTER_OCR_STATE ? await ocrRows(this.ctx.database, this.ctx.message.id) : null;
    return this.rows;
  }

  /**
   * The pages of a PDF the scan check found needing OCR before the message waited for it, stored
   * with the same bytes (sha256): the check of the same bytes gives the same pages, so poppler is
   * not run again (three processes per scan, each forked from the gateway; docs/ocr.md).
   */
  async pagesOf(a: StoredAttachment): Promise<number[] | null> {
    const row = (await this.get())?.find((r) => r.idx === a.idx);
    return row && row.kind === 'pdf' && row.sha256 === a.sha256 && Array.isArray(row.pages) && row.pages.length ? row.pages : null;
  }
}

/** The scans among the attachments the classifier reads (limits.read: size and count). */
async function findScans(ctx: StageContext, stored: StoredScans): Promise<Scan[]> {
  const { config } = ctx;
  const attachments = (ctx.results.parse?.attachments ?? []).slice(0, config.limits.read.attachments);
  const env = { env: process.env, tesseract: config.ocr.tesseract };
  const scans: Scan[] = [];
  for (const a of attachments) {
    if (a.idx === undefined || a.size > config.limits.read.attachmentBytes) continue;
    const name = a.filename || `attachment ${a.idx + 1}`;
    const type = a.contentType.toLowerCase();
    const base = { idx: a.idx, sha256: a.sha256, name };
    if (type === 'application/pdf' || /\.pdf$/i.test(name)) {
      // This job's classifier read every page of it: each has a full, sound text layer, or no large image.
      if (noScan(ctx, a)) continue;
      const known = await stored.pagesOf(a);
      if (known) {
        scans.push({ ...base, kind: 'pdf', pages: known, frames: 1 });
        continue;
      }
      try {
        const layers = await pagesNeedingOcr(await attachmentBytes(ctx, a), { tools: env, signal: AbortSignal.timeout(30_000) });
        const pages = layers.filter((p) => p.needsOcr).map((p) => p.page);
        if (pages.length) scans.push({ ...base, kind: 'pdf', pages: pages.slice(0, config.ocr.maxPages), frames: 1 });
      } catch (err) {
        // Without poppler nobody can tell; a PDF the classifier found no document in may be a scan.
        if (err instanceof OcrUnavailable) scans.push({ ...base, kind: 'pdf', pages: null, frames: 1 });
        else ctx.log.debug({ id: ctx.message.id, idx: a.idx, err: describeError(err).message }, 'PDF not checked for scanned pages');
      }
    } else if (IMAGE_TYPES.test(type) || (type === 'application/octet-stream' && IMAGE_NAMES.test(name))) {
      const check = await looksLikePage(await attachmentBytes(ctx, a));
      if (check.page) scans.push({ ...base, kind: 'image', pages: null, frames: check.frames });
    }
  }
  return scans;
}

function noOcrReason(why: string, names: string[]): string {
  const text = why.startsWith('không có OCR') ? why : `không có OCR: ${why}`;
  return `${text} (${names.join(', ')})`;
}

/** The classification when scans cannot be read: "possibly a document", to review, with the reason. */
function withoutOcr(base: Classification, why: string, scans: Scan[]): Result {
  const kind = base.kind === 'document' ? 'document' : 'correspondence';
  const confidence = Math.min(base.confidence, UNREAD_SCAN_CONFIDENCE);
  const reasons = [
    noOcrReason(
      why,
      scans.map((s) => s.name),
    ),
    ...base.reasons,
  ];
  return { kind, document: base.document, confidence, fieldConfidence: base.fieldConfidence ?? null, reasons };
}

/**
 * The classify stage's answer for a message whose classification `base` came from its text layers:
 * unchanged without scans; otherwise waits for OCR, or classifies the text OCR read.
 */
export async function classifyScans(ctx: StageContext, base: Classification): Promise<Result> {
  ctx.scansFound = 0;
  if (!wantsOcr(base)) return base;
  const stored = new StoredScans(ctx);
  const scans = await findScans(ctx, stored);
  ctx.scansFound = scans.length;
  if (!scans.length) return base;
  if (!ctx.config.ocr.enabled) return withoutOcr(base, REASON_OCR_DISABLED, scans);
  const probe = await probeOcrCached(ocrTools(ctx.config));
  if (!probe.available) return withoutOcr(base, probe.reason, scans);
  if (!probe.pdf && scans.some((s) => s.kind === 'pdf'))
    return withoutOcr(
      base,
      probe.pdfReason ?? 'thiếu poppler-utils',
      scans.filter((s) => s.kind === 'pdf'),
    );
  const rows = await ensureRows(ctx, scans, await stored.get());
  if (rows.some((r) => r.status === 'pending' || r.status === 'running')) {
    const id = ctx.message.id;
    throw new AwaitingWork(WAITING_STATES[0], 'scans wait for OCR', () => queueOcr(ctx, id));
  }
  return fromOcr(ctx, base, scans, rows);
}

/** A scan left unread for want of OCR is read again when OCR is there, this many times at most (hosts that disagree cannot loop). */
const UNAVAILABLE_RETRIES = 3;

/** One row per scan: new scans pending; a scan whose bytes changed, or left unread for want of OCR (now installed), read again. */
async function ensureRows(ctx: StageContext, scans: Scan[], read: OcrRow[] | null): Promise<OcrRow[]> {
  const { db } = ctx.database;
  const id = ctx.message.id;
  const have = new Map((read ?? (await ocrRows(ctx.database, id))).map((r) => [r.idx, r]));
  const maxPages = ctx.config.ocr.maxPages;
  for (const s of scans) {
    const row = have.get(s.idx);
    if (row && row.sha256 === s.sha256 && (row.errorCode !== 'ocr-unavailable' || row.attempts >= UNAVAILABLE_RETRIES)) continue;
    const values = {
      sha256: s.sha256,
      kind: s.kind,
      pages: s.pages,
      status: 'pending',
      pagesDone: 0,
      pagesTotal: s.kind === 'pdf' ? Math.min(s.pages?.length ?? 0, maxPages) : Math.min(s.frames, maxPages),
      text: null,
      confidence: null,
      result: null,
      errorCode: null,
      error: null,
      updatedAt: ctx.clock.now(),
    };
    await db
      .insert(messageOcr)
      .values({ messageId: id, idx: s.idx, ...values })
      .onConflictDoUpdate({ target: [messageOcr.messageId, messageOcr.idx], set: values });
  }
  const wanted = new Set(scans.map((s) => s.idx));
  return (await ocrRows(ctx.database, id)).filter((r) => wanted.has(r.idx));
}

/** After the state is `ocr`: the job on "ocr", stamped; on failure the stamp is cleared so the sweep queues it soon. */
async function queueOcr(ctx: StageContext, id: string): Promise<void> {
  try {
    if (!ctx.ocrQueue) throw new Error('no OCR queue in this process');
    await ctx.ocrQueue.requeue([id]);
    await markEnqueued(ctx.database, [id]);
  } catch (err) {
    ctx.log.warn({ id, err: describeError(err).message }, 'could not queue OCR; the outbox sweep will');
    await ctx.database.db
      .update(inboundMessages)
      .set({ enqueuedAt: null })
      .where(and(eq(inboundMessages.id, id)))
      .catch(() => undefined);
  }
}

function readingOf(row: OcrRow): OcrReading {
  const pages = (row.result as { pages?: Array<Partial<OcrPageBoxes>> } | null)?.pages ?? [];
  return {
    text: row.text ?? '',
    confidence: row.confidence ?? 0,
    pages: pages.map((p) => ({ width: p.width ?? 0, height: p.height ?? 0, dpi: p.dpi ?? 0, skewDegrees: p.skewDegrees ?? 0, words: p.words ?? [] })),
  };
}

/** Empty fields of the OCR document completed from the body's or subject's reading, when there was one. */
function completed(doc: DocumentMetadata, other: DocumentMetadata | null): DocumentMetadata {
  if (!other) return doc;
  const out = { ...doc };
  for (const k of ['typeCode', 'typeName', 'number', 'notation', 'issuer', 'place', 'issuedDate', 'subject', 'dueDate'] as const) out[k] ??= other[k];
  out.signer ??= other.signer;
  if (!out.recipients.length) out.recipients = other.recipients;
  return out;
}

interface Read {
  scan: Scan;
  row: OcrRow;
  read: OcrClassification;
}

async function fromOcr(ctx: StageContext, base: Classification, scans: Scan[], rows: OcrRow[]): Promise<Result> {
  const byIdx = new Map(rows.map((r) => [r.idx, r]));
  const notes: string[] = [];
  const reads: Read[] = [];
  let unread = false;
  const opts = { now: ctx.message.receivedAt, limits: classifyLimits(ctx.config.limits), minConfidence: ctx.config.ocr.minConfidence };
  for (const scan of scans) {
    const row = byIdx.get(scan.idx);
    if (!row) continue;
    if (row.status === 'failed') {
      unread = true;
      notes.push(
        row.errorCode === 'ocr-unavailable'
          ? noOcrReason(row.error ?? 'OCR unavailable', [scan.name])
          : `OCR không đọc được ${scan.name} — OCR could not read it: ${row.errorCode}: ${row.error ?? ''}`,
      );
      continue;
    }
    // Word boxes (rows read since they are stored) go through the layout reader, as a PDF's text does.
    reads.push({ scan, row, read: await classifyOcr(scan.name, readingOf(row), opts) });
    notes.push(`đọc bằng OCR (OCR, confidence ${row.confidence ?? 0}%): ${scan.name}, ${row.pagesDone} trang (pages)`);
  }
  const best = reads
    .filter((r) => r.read.classification.kind === 'document' && r.read.classification.document)
    .sort((a, b) => b.read.classification.confidence - a.read.classification.confidence)[0];
  if (!best) {
    const confidence = unread ? Math.min(base.confidence, UNREAD_SCAN_CONFIDENCE) : base.confidence;
    const none = reads.length ? ['no official document layout in the text read by OCR'] : [];
    return { ...base, confidence, fieldConfidence: base.fieldConfidence ?? null, reasons: [...notes, ...none, ...base.reasons] };
  }
  const { row, scan } = best;
  const cls = best.read.classification;
  const doc = cls.document!;
  const ocr: OcrRead = {
    confidence: row.confidence ?? 0,
    notationConfidence: best.read.notationConfidence,
    minConfidence: ctx.config.ocr.minConfidence,
    low: best.read.low,
    idx: scan.idx,
    filename: scan.name,
    pages: row.pagesDone,
    layout: best.read.layout,
  };
  const other = base.document && base.document.source !== 'attachment' ? base.document : null;
  return {
    kind: 'document',
    document: { ...completed(doc, other), source: 'attachment' },
    confidence: cls.confidence,
    fieldConfidence: cls.fieldConfidence ?? null,
    // A correspondence verdict's first reason ("no official document found …") no longer holds; its notes do.
    reasons: [...notes, ...cls.reasons, ...(base.kind === 'document' ? base.reasons : base.reasons.slice(1))],
    ocr,
  };
}
