/** The result shape of classification: exactly the `vanthu classify` contract (docs/contracts.md). */
import type { MeetingFields } from './fields/meeting.ts';
import type { AttachmentText } from './sources/attachment.ts';

export type { MeetingFields };

export type Kind = 'document' | 'status' | 'correspondence' | 'automated';
export type Urgency = 'normal' | 'khan' | 'thuong_khan' | 'hoa_toc';
export type Secrecy = 'normal' | 'mat' | 'toi_mat' | 'tuyet_mat';
export type Source = 'body' | 'attachment' | 'edxml' | 'subject';

export interface Signer {
  name: string | null;
  title: string | null;
  authority: string | null;
}

export interface DocumentMetadata {
  typeCode: string | null;
  typeName: string | null;
  number: string | null;
  notation: string | null;
  issuer: string | null;
  place: string | null;
  issuedDate: string | null;
  subject: string | null;
  signer: Signer | null;
  recipients: string[];
  urgency: Urgency;
  secrecy: Secrecy;
  dueDate: string | null;
  source: Source;
  /**
   * (added) The meeting an invitation (giấy mời) calls: start and end as ISO 8601 with the Hà Nội
   * offset, the place as written (fields/meeting.ts); null when the document calls none. Optional in
   * the type for results stored before it existed.
   */
  meeting?: MeetingFields | null;
}

export interface Classification {
  kind: Kind;
  document: DocumentMetadata | null;
  confidence: number;
  /**
   * (added) 0..1 per document field — how far a clerk can rely on each value, 0 when absent; null
   * when there is no document. Optional in the type for results stored before it existed; the
   * classifier always sets it.
   */
  fieldConfidence?: FieldConfidence | null;
  reasons: string[];
}

/** Confidence per field of DocumentMetadata (typeName goes with typeCode). */
export type FieldConfidence = Record<
  'typeCode' | 'number' | 'notation' | 'issuer' | 'place' | 'issuedDate' | 'subject' | 'signer' | 'recipients' | 'dueDate',
  number
>;

/** Caps against hostile input; every one has a default in limits.ts. */
export interface ClassifyLimits {
  /** Attachments (and single files) larger than this are not parsed. */
  maxAttachmentBytes: number;
  /** Pages of a PDF whose text is read from its start. */
  maxPdfPages: number;
  /** Pages read from the end of a longer PDF besides the first maxPdfPages (the signature before the annexes). */
  maxPdfLastPages: number;
  /** Wall-clock budget for the text extraction of one PDF. */
  pdfTimeBudgetMs: number;
  /** Largest uncompressed size accepted for a DOCX part (word/document.xml). */
  maxDocxXmlBytes: number;
  /** Largest accepted uncompressed/compressed ratio of a DOCX part. */
  maxDocxRatio: number;
  /** Attachments examined per message. */
  maxAttachments: number;
  /** Characters of text kept per source (the metadata sits at the start and the end). */
  maxTextChars: number;
  /** Decoded bytes of one PDF stream; more is limit:pdf-inflated-bytes. */
  maxPdfStreamBytes: number;
  /** Decoded bytes of all the streams read from one PDF; more is limit:pdf-document-bytes. */
  maxPdfDocumentBytes: number;
  /** Pages of one PDF; more is limit:pdf-pages. */
  maxPdfPageCount: number;
  /** Entries of one archive (DOCX); more is limit:archive-entries. */
  maxArchiveEntries: number;
  /** Bytes of one header block; more is limit:header-bytes. */
  maxHeaderBytes: number;
  /** MIME entities of one message; more is limit:mime-parts. */
  maxMimeParts: number;
  /** Nesting depth of one message; more is limit:mime-depth. */
  maxMimeDepth: number;
  /** Attachments of one message; more is limit:attachments. */
  maxMimeAttachments: number;
}

export interface ClassifyOptions {
  limits?: Partial<ClassifyLimits>;
  /** "Today" for date plausibility checks; defaults to the message date or the clock. */
  now?: Date;
  /**
   * A limit hit in an attachment (PDF, DOCX): 'reason' (default) notes it in the reasons and reads
   * on, as the CLI does; 'throw' raises the LimitExceeded, as the pipeline wants (the message then
   * goes to review with the named outcome). Limits of the MIME structure always throw.
   */
  onLimit?: 'reason' | 'throw';
  /**
   * Told of each attachment read, with its bytes: the pipeline keeps what the read says about a
   * PDF's text layer so it need not run poppler on it again (workers/stages/ocr-input.ts).
   */
  onAttachmentRead?: (content: Buffer, read: AttachmentText) => void;
}
