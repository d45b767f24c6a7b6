/**
 * Bounds on hostile input (config `limits:`; docs/security-limits.md). Each is enforced while the
 * bytes are read or decoded, never after: the MIME scan stops at the first header byte, part or
 * level too many; the PDF readers stop inflating at the first byte over; a ZIP entry is refused
 * from its declared sizes and its inflation stops at them.
 *
 * Going over one is not an error of the gateway: the message gets the named outcome
 * `limit:<name>`, is not retried, keeps its raw bytes, and goes to a clerk's review queue with the
 * reason in Vietnamese. The `read` caps are different: they only say how much of an acceptable
 * message the classifier reads (the first pages of a long PDF, the first attachments).
 */
import { z } from 'zod';
import { PermanentError } from './errors.ts';

const count = z.number().int().positive();
const MiB = 1024 * 1024;

const readSchema = z.strictObject({
  /** Attachments larger than this are not read for classification (a reason, not an outcome). */
  attachmentBytes: count.default(25 * MiB),
  /** Attachments read per message for classification. */
  attachments: count.default(10),
  /** Pages of a PDF whose text is read from its start (the header, the title, the body). */
  pdfPages: count.default(20),
  /**
   * Pages read from the end of a longer PDF besides those: the signature block of a report sits
   * before its annexes, often well before the last page.
   */
  pdfLastPages: z.number().int().nonnegative().default(15),
  /** Wall-clock budget for the text of one PDF (a reason when exceeded, not an outcome: it depends on the machine). */
  pdfTimeMs: count.default(5000),
  /** Characters of text kept per source. */
  textChars: count.default(400_000),
});

export const limitsSchema = z.strictObject({
  /** Bytes of one header block: the message's or one MIME part's. */
  headerBytes: count.default(256 * 1024),
  /** MIME entities in one message, counting the message itself and embedded messages. */
  mimeParts: count.default(1000),
  /** Nesting of multiparts and embedded messages (the message itself is level 0). */
  mimeDepth: count.default(32),
  /** Attachments (parts with a file name, or disposition "attachment") in one message. */
  attachments: count.default(100),
  /** Decoded bytes of one PDF stream (after all its filters). */
  pdfStreamBytes: count.default(32 * MiB),
  /** Decoded bytes of all the streams read from one PDF. */
  pdfDocumentBytes: count.default(128 * MiB),
  /** Pages of one PDF. */
  pdfPages: count.default(5000),
  /** Entries in one archive (DOCX). */
  archiveEntries: count.default(1000),
  /** Uncompressed bytes of one archive entry that is read (word/document.xml). */
  archiveEntryBytes: count.default(20 * MiB),
  /** Uncompressed:compressed ratio of one archive entry. */
  archiveRatio: count.default(200),
  read: readSchema.default(readSchema.parse({})),
});

export type Limits = z.infer<typeof limitsSchema>;
export const DEFAULT_LIMITS_CONFIG: Limits = limitsSchema.parse({});

export type LimitName =
  | 'header-bytes'
  | 'mime-parts'
  | 'mime-depth'
  | 'attachments'
  | 'pdf-inflated-bytes'
  | 'pdf-document-bytes'
  | 'pdf-pages'
  | 'archive-entries'
  | 'archive-inflated-bytes'
  | 'archive-ratio';

/** What the clerk reads in the review queue, by limit. `{max}` and `{where}` are filled in. */
const REASON_VI: Record<LimitName, string> = {
  'header-bytes': 'Phần đầu (header) của thư{where} quá lớn, vượt giới hạn {max} byte',
  'mime-parts': 'Thư có quá nhiều phần MIME (vượt giới hạn {max} phần)',
  'mime-depth': 'Thư lồng nhau quá sâu (vượt giới hạn {max} cấp)',
  attachments: 'Thư có quá nhiều tệp đính kèm (vượt giới hạn {max} tệp)',
  'pdf-inflated-bytes': 'Tệp PDF{where} có luồng dữ liệu giải nén vượt {max} byte (nghi là "bom nén")',
  'pdf-document-bytes': 'Tệp PDF{where} giải nén tổng cộng vượt {max} byte (nghi là "bom nén")',
  'pdf-pages': 'Tệp PDF{where} có quá nhiều trang (vượt giới hạn {max} trang)',
  'archive-entries': 'Tệp nén/DOCX{where} có quá nhiều mục (vượt giới hạn {max} mục)',
  'archive-inflated-bytes': 'Tệp nén/DOCX{where} giải nén vượt {max} byte (nghi là "bom nén")',
  'archive-ratio': 'Tệp nén/DOCX{where} có tỉ lệ nén bất thường, vượt {max}:1 (nghi là "bom nén")',
};

const AFTER_VI = 'hệ thống không xử lý tự động; thư gốc vẫn được lưu nguyên vẹn, văn thư kiểm tra thủ công';

export class LimitExceeded extends PermanentError {
  /** The attachment (or part) the limit was hit in, when known; set once by the first caller that knows it. */
  where: string | null = null;

  constructor(
    readonly limit: LimitName,
    readonly max: number,
    /** How much was seen when reading stopped (at least max + 1), or null when not counted. */
    readonly observed: number | null,
    readonly detail: string,
  ) {
    super(`limit:${limit}`, detail);
    this.name = 'LimitExceeded';
  }

  /** Names the attachment the limit was hit in (keeps the first name given). */
  in(where: string | null | undefined): this {
    if (where && !this.where) {
      this.where = where;
      this.message = `${where}: ${this.detail}`;
    }
    return this;
  }

  /** The clerk's reason, in Vietnamese, with the outcome code in brackets. */
  reasonVi(): string {
    return limitReasonVi(this.limit, this.max, this.where);
  }
}

export function limitReasonVi(limit: LimitName, max: number, where: string | null = null): string {
  const text = REASON_VI[limit].replace('{max}', max.toLocaleString('vi-VN')).replace('{where}', where ? ` "${where}"` : '');
  return `${text}; ${AFTER_VI} (limit:${limit})`;
}

const OTHER_VI: Record<string, string> = {
  'mime-unreadable': 'Không đọc được cấu trúc MIME của thư',
  unreadable: 'Không đọc được nội dung thư',
};

/**
 * The clerk's reason for a permanent outcome (a limit or unreadable mail), from what the pipeline
 * stored: the code and its English detail.
 */
export function outcomeReasonVi(code: string, detail: string, max?: number | null, where?: string | null): string {
  const name = code.startsWith('limit:') ? (code.slice(6) as LimitName) : null;
  if (name && name in REASON_VI) return limitReasonVi(name, max ?? 0, where ?? null);
  const what = OTHER_VI[code] ?? 'Không xử lý tự động được thư';
  return `${what}: ${detail}; ${AFTER_VI} (${code})`;
}
