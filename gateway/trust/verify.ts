/**
 * Entry points of the trust stage: a whole message (mail authentication, S/MIME, and the PDF
 * and edXML attachments, including those inside opaque S/MIME), a single document, or a file.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { simpleParser } from 'mailparser';
import { verifyMailAuth, type SmtpSession } from './mailauth.ts';
import { verifySmime } from './smime.ts';
import { verifyPdf } from './pdf.ts';
import { verifyXml } from './xml.ts';
import { makeReport, signature, type DocumentLayer, type MailLayer, type SignatureReport, type VerifyReport } from './report.ts';
import type { TrustContext } from './assess.ts';
import type { DnsResolver } from './dns.ts';
import type { TrustStore } from './store.ts';

export interface VerifyOptions {
  trust: TrustStore;
  /** Resolver for DKIM/SPF/DMARC/ARC; without it DNS is not consulted. */
  dns?: DnsResolver;
  /** The SMTP session the message arrived in; without it SPF reads the topmost Received header. */
  smtp?: SmtpSession;
  /** Reference time for checks that need "now" (default: the current time). */
  now?: Date;
  /**
   * Called with the signed revision of every PDF signature that does not cover its whole file
   * (the bytes the signer signed), so the caller can keep it beside the file.
   */
  onSignedRevision?: (revision: SignedRevision) => void;
}

export interface SignedRevision {
  /** The attachment's file name; null for a PDF verified on its own. */
  attachment: string | null;
  /** SHA-256 of the whole PDF as received. */
  fileSha256: string;
  /** Index of the signature among the PDF's signatures, in file order. */
  signature: number;
  length: number;
  sha256: string;
  changesAfterSigning: SignatureReport['changesAfterSigning'];
  bytes: Buffer;
}

export type DocumentKind = 'pdf' | 'xml';

export class UnreadableFileError extends Error {
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    super(`cannot read ${path}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** An attachment as mailparser decodes it (its typings promise strings that hostile mail does not always give). */
export interface DecodedAttachment {
  contentType: unknown;
  filename?: unknown;
  contentId?: unknown;
  content: Buffer;
}

/**
 * `attachments`: those of `raw` itself, when the caller has parsed it already (the pipeline parses
 * each message once per job, docs/architecture.md "One parse per job"); they are then not parsed
 * again. Entities unwrapped from opaque S/MIME are always parsed here.
 */
export async function verifyMessage(raw: Buffer, opts: VerifyOptions, attachments?: readonly DecodedAttachment[]): Promise<VerifyReport> {
  const ctx = context(opts);
  const signatures: SignatureReport[] = [];
  try {
    signatures.push(...(await verifyMailAuth(raw, opts)));
  } catch (err) {
    const layers: MailLayer[] = ['dkim', 'spf', 'dmarc', 'arc'];
    signatures.push(...layers.map((layer) => signature(layer, 'indeterminate', { reasons: [`mail authentication failed: ${message(err)}`] })));
  }
  const entities = [raw];
  signatures.push(
    ...guarded('smime', null, () => {
      const smime = verifySmime(raw, ctx);
      entities.push(...smime.unwrapped);
      return smime.signatures;
    }),
  );
  for (const entity of entities) signatures.push(...(await verifyAttachments(entity, ctx, opts, entity === raw ? attachments : undefined)));
  return makeReport(signatures);
}

/** Verify one PDF or edXML document (not wrapped in a message). */
export function verifyDocument(bytes: Buffer, kind: DocumentKind, opts: VerifyOptions, attachment: string | null = null): VerifyReport {
  return makeReport(documentSignatures(bytes, kind, context(opts), attachment, opts));
}

/** Verify a file: .pdf, .xml (edXML envelope), or a message (.eml); other names by their content. */
export async function verifyFile(path: string, opts: VerifyOptions): Promise<VerifyReport> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new UnreadableFileError(path, err);
  }
  const kind = fileKind(path, bytes);
  return kind === 'eml' ? verifyMessage(bytes, opts) : verifyDocument(bytes, kind, opts);
}

export function fileKind(path: string, bytes: Buffer): DocumentKind | 'eml' {
  const ext = extname(path).toLowerCase();
  if (ext === '.pdf') return 'pdf';
  if (ext === '.xml') return 'xml';
  if (ext === '.eml') return 'eml';
  // anything else (.edxml packages are MIME or bare XML, .msg exports, no extension): by content
  const head = bytes.subarray(0, 1024).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  return /^(\uFEFF|\xEF\xBB\xBF)?\s*</.test(head) ? 'xml' : 'eml';
}

function context(opts: VerifyOptions): TrustContext {
  return { store: opts.trust, now: opts.now ?? new Date() };
}

function documentSignatures(bytes: Buffer, kind: DocumentKind, ctx: TrustContext, attachment: string | null, opts: VerifyOptions): SignatureReport[] {
  const layer: DocumentLayer = kind;
  const reports = guarded(layer, attachment, () => (kind === 'pdf' ? verifyPdf(bytes, ctx, attachment) : verifyXml(bytes, ctx, attachment)));
  if (kind === 'pdf' && opts.onSignedRevision && reports.some((r) => r.signedRevision)) {
    const fileSha256 = createHash('sha256').update(bytes).digest('hex');
    reports.forEach((r, signature) => {
      if (!r.signedRevision) return;
      const { length, sha256 } = r.signedRevision;
      opts.onSignedRevision!({
        attachment,
        fileSha256,
        signature,
        length,
        sha256,
        changesAfterSigning: r.changesAfterSigning,
        bytes: bytes.subarray(0, length),
      });
    });
  }
  return reports;
}

/** PDF and XML attachments of one MIME entity, as mailparser decodes them (`decoded`: already decoded by the caller). */
async function verifyAttachments(entity: Buffer, ctx: TrustContext, opts: VerifyOptions, decoded?: readonly DecodedAttachment[]): Promise<SignatureReport[]> {
  let attachments = decoded;
  if (!attachments) {
    try {
      attachments = (await simpleParser(entity, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true })).attachments;
    } catch (err) {
      return [signature('pdf', 'indeterminate', { reasons: [`attachments could not be read: ${message(err)}`] })];
    }
  }
  const out: SignatureReport[] = [];
  attachments.forEach((att, i) => {
    const kind = attachmentKind(att.contentType, att.filename);
    if (!kind) return;
    // edXML packages reference their parts by Content-ID and often give them no file name.
    const filename = typeof att.filename === 'string' ? att.filename : undefined;
    const contentId = typeof att.contentId === 'string' ? att.contentId : undefined;
    const name = filename ?? contentId?.replace(/^<|>$/g, '') ?? `attachment-${i + 1}.${kind}`;
    out.push(...documentSignatures(att.content, kind, ctx, name, opts));
  });
  return out;
}

/**
 * mailparser's typings promise strings, but a part with an empty Content-Type header value gives
 * a non-string contentType (and a hostile filename parameter may be odd too): anything that is
 * not a string counts as absent.
 */
export function attachmentKind(contentType: unknown, filename: unknown): DocumentKind | null {
  const type = typeof contentType === 'string' ? contentType.trim().toLowerCase() : '';
  const name = typeof filename === 'string' ? filename.toLowerCase() : '';
  if (type === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  if (type === 'application/xml' || type === 'text/xml' || name.endsWith('.xml') || name.endsWith('.edxml')) return 'xml';
  return null;
}

/** Hostile input must yield a verdict with a reason, never an exception out of the trust stage. */
function guarded(layer: DocumentLayer, attachment: string | null, run: () => SignatureReport[]): SignatureReport[] {
  try {
    return run();
  } catch (err) {
    return [signature(layer, 'indeterminate', { attachment, reasons: [`verification failed: ${message(err)}`] })];
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
