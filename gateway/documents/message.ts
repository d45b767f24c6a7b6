/**
 * Classifies one RFC 5322 message: what it is, and for a document its metadata from the most
 * trusted source — an edXML envelope, then attached documents (PDF, DOCX, TXT), then the body,
 * then the subject.
 */
import { simpleParser, type ParsedMail, type HeaderValue } from 'mailparser';
import { mergeCandidates, pickDocument, type Candidate } from './decide.ts';
import { envelopeMetadata } from './edxml/to-metadata.ts';
import type { EdXml } from './edxml/parse.ts';
import { parseEdXml } from './edxml/parse.ts';
import { uniformConfidence } from './confidence.ts';
import { DOCUMENT_EVIDENCE, extractDocument } from './extract.ts';
import type { PageLayout } from './layout/types.ts';
import { automatedReason, dsnReason, type MailFacts } from './kinds/automated.ts';
import { receiptOf } from './kinds/receipt.ts';
import { checkMime, feed, mailparserOptions } from '../mail/mime-guard.ts';
import { LimitExceeded } from '../limits.ts';
import { resolveLimits } from './limits.ts';
import { fixLegacyEncoding } from './legacy-encoding.ts';
import { brokenTextReason, textQuality } from './ocr/text-quality.ts';
import { prepareText } from './prepare.ts';
import { attachmentText } from './sources/attachment.ts';
import { htmlToText } from './sources/html.ts';
import { extractFromSubject } from './subject.ts';
import type { Classification, ClassifyLimits, ClassifyOptions } from './types.ts';

function headerText(v: HeaderValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => headerText(x as HeaderValue)).join(', ');
  if (typeof v === 'object' && v !== null && 'value' in v) return String((v as { value: unknown }).value);
  if (typeof v === 'object' && v !== null && 'text' in v) return String((v as { text: unknown }).text);
  return String(v);
}

/** A part's content type, lower-cased; mailparser gives `false` for an empty Content-Type header. */
export function partType(a: { contentType?: unknown }): string {
  return typeof a.contentType === 'string' && a.contentType ? a.contentType.toLowerCase() : 'application/octet-stream';
}

function mailFacts(mail: ParsedMail): MailFacts {
  const headers = new Map<string, string>();
  for (const [k, v] of mail.headers) headers.set(k.toLowerCase(), headerText(v));
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  return {
    subject: mail.subject ?? '',
    from: mail.from?.value[0]?.address ?? '',
    headers,
    contentType: ct?.value?.toLowerCase() ?? '',
    reportType: ct?.params?.['report-type']?.toLowerCase() ?? null,
    partTypes: mail.attachments.map(partType),
    // The HTML part keeps the table layout of a pasted document; its plain alternative often does not.
    bodyText: typeof mail.html === 'string' && mail.html ? htmlToText(mail.html) : (mail.text ?? ''),
  };
}

export function statusResult(edxml: Extract<EdXml, { kind: 'status' }>, reasons: string[] = []): Classification {
  const s = edxml.status;
  const what = [
    `edXML status ${s.statusCode ?? '?'} (${s.status ?? 'unknown code'})`,
    s.responseFor.code ? `for ${s.responseFor.code}` : null,
    s.from.name ? `from ${s.from.name}` : null,
  ].filter(Boolean);
  return { kind: 'status', document: null, confidence: s.status ? 0.98 : 0.8, reasons: [what.join(' '), ...reasons] };
}

function textCandidate(
  text: string,
  source: Candidate['source'],
  label: string,
  now: Date,
  limits: ClassifyLimits,
  layout = false,
  pages: PageLayout[] = [],
): Candidate {
  const x = extractDocument(prepareText(text, limits.maxTextChars, layout), now, pages);
  return { source, label, ...x };
}

/** Every result carries fieldConfidence (null without a document), in the contract's key order. */
export function withFieldConfidence(c: Classification): Classification {
  const document = c.document ? { ...c.document, meeting: c.document.meeting ?? null } : null;
  return { kind: c.kind, document, confidence: c.confidence, fieldConfidence: c.document ? (c.fieldConfidence ?? null) : null, reasons: c.reasons };
}

export async function classifyParsed(mail: ParsedMail, opts?: ClassifyOptions): Promise<Classification> {
  return withFieldConfidence(await classifyParsedMail(mail, opts));
}

async function classifyParsedMail(mail: ParsedMail, opts?: ClassifyOptions): Promise<Classification> {
  const limits = resolveLimits(opts);
  const now = opts?.now ?? mail.date ?? new Date();
  const facts = mailFacts(mail);
  const notes: string[] = [];

  const attachments = mail.attachments
    .map((a) => ({ ...a, contentType: partType(a) }))
    .filter((a) => !a.contentType.startsWith('message/') && a.contentType !== 'text/rfc822-headers');
  if (attachments.length > limits.maxAttachments) notes.push(`${attachments.length} attachments; only the first ${limits.maxAttachments} read`);
  const read = [];
  for (const a of attachments.slice(0, limits.maxAttachments)) {
    const r = await attachmentText(typeof a.filename === 'string' ? a.filename : '', a.contentType, a.content, limits, opts?.onLimit);
    opts?.onAttachmentRead?.(a.content, r);
    read.push(r);
  }
  // A message that is itself an edXML document (single XML part) has its envelope as the body.
  const bodyEdXml = mail.text && /^\s*<\?xml|^\s*<([\w-]+:)?edXML/i.test(mail.text) ? parseEdXml(mail.text) : null;
  const edxmls = [bodyEdXml, ...read.map((r) => r.edxml)].filter((e): e is EdXml => e !== null);
  for (const r of read) notes.push(...r.reasons);

  const status = edxmls.find((e) => e.kind === 'status');
  if (status && status.kind === 'status') return statusResult(status, notes);
  const dsn = dsnReason(facts);
  if (dsn) return { kind: 'automated', document: null, confidence: 0.99, reasons: [dsn] };
  if (facts.reportType === 'disposition-notification' || facts.partTypes.includes('message/disposition-notification')) {
    return { kind: 'status', document: null, confidence: 0.95, reasons: ['message disposition notification (RFC 8098 read receipt)'] };
  }

  const candidates: Candidate[] = [];
  const envelope = edxmls.find((e) => e.kind === 'envelope');
  if (envelope && envelope.kind === 'envelope') {
    const { source, ...fields } = envelopeMetadata(envelope.envelope);
    candidates.push({
      source,
      label: 'the edXML envelope',
      fields,
      evidence: 10,
      confidence: 0.97,
      fieldConfidence: uniformConfidence(fields, 0.97),
      reasons: [],
    });
  }
  for (const r of read) if (r.text.trim()) candidates.push(textCandidate(r.text, 'attachment', `attachment ${r.name}`, now, limits, r.layout, r.pages));
  const attached = pickDocument(candidates, DOCUMENT_EVIDENCE);

  const body = facts.bodyText.trim() ? textCandidate(facts.bodyText, 'body', 'the message body', now, limits) : null;
  if (!attached) {
    const receipt = receiptOf(facts);
    if (receipt)
      return { kind: 'status', document: null, confidence: 0.85, reasons: [receipt.reason + (receipt.notation ? ` for ${receipt.notation}` : ''), ...notes] };
    const auto = automatedReason(facts);
    // Auto-replies quote what they answer; a system that generates mail may send a real document.
    const generatedDocument = auto !== null && /auto-generated/.test(auto) && (body?.evidence ?? 0) >= DOCUMENT_EVIDENCE;
    if (auto && !generatedDocument) return { kind: 'automated', document: null, confidence: 0.95, reasons: [auto, ...notes] };
  }

  if (body) candidates.push(body);
  const fromSubject = extractFromSubject(facts.subject);
  if (fromSubject) {
    candidates.push({
      source: 'subject',
      label: 'the mail subject',
      fields: fromSubject,
      evidence: DOCUMENT_EVIDENCE,
      confidence: 0.35,
      fieldConfidence: uniformConfidence(fromSubject, 0.35),
      reasons: ['metadata read from the mail subject only'],
    });
  }
  const primary = attached ?? pickDocument(candidates, DOCUMENT_EVIDENCE);
  if (!primary) {
    // An attachment that could not be read may have been the document: say so through the confidence.
    const unread = read.some((r) => r.reasons.length > 0 && !r.text.trim() && !r.edxml);
    // So may one whose text layer is garbage (a scan's own OCR without diacritics, a font mapped to look-alikes).
    const broken = brokenTextLayers(read);
    return {
      kind: 'correspondence',
      document: null,
      confidence: unread || broken.length ? 0.5 : 0.9,
      reasons: ['no official document found in the attachments, body or subject', ...broken, ...notes],
    };
  }
  // Only sources that look like the same document may complete it.
  const result = mergeCandidates(
    primary,
    candidates.filter((c) => c !== primary && c.evidence >= 2),
  );
  result.reasons.push(...notes);
  return result;
}

/** A reason for each attachment whose text is Vietnamese too broken to read (ocr/text-quality.ts). */
function brokenTextLayers(read: Array<{ name: string; text: string }>): string[] {
  const out: string[] = [];
  for (const r of read) {
    if (!r.text.trim()) continue;
    const q = textQuality(fixLegacyEncoding(r.text.slice(0, 20_000)).text);
    if (q.broken) out.push(brokenTextReason(r.name, q));
  }
  return out;
}

/** Throws LimitExceeded when the MIME structure is over a limit (header bytes, parts, depth, attachments): there is nothing to classify safely. */
export async function classifyMessage(raw: Buffer, opts?: ClassifyOptions): Promise<Classification> {
  const limits = resolveLimits(opts);
  checkMime(raw, {
    headerBytes: limits.maxHeaderBytes,
    mimeParts: limits.maxMimeParts,
    mimeDepth: limits.maxMimeDepth,
    attachments: limits.maxMimeAttachments,
  });
  let mail: ParsedMail;
  try {
    mail = await simpleParser(
      feed(raw),
      mailparserOptions({ headerBytes: limits.maxHeaderBytes, mimeParts: limits.maxMimeParts }) as Parameters<typeof simpleParser>[1],
    );
  } catch (err) {
    return unparsedResult(err, opts);
  }
  return classifyParsed(mail, opts);
}

/**
 * What the classification is when mailparser gave up on a message (`err` is mailparser's error):
 * its caps throw as the limits they stand for (LimitExceeded), anything else is correspondence
 * with the reason. The pipeline parses once per job (gateway/mail/parse.ts parseMail) and comes
 * here when that parse failed.
 */
export function unparsedResult(err: unknown, opts?: ClassifyOptions): Classification {
  const limits = resolveLimits(opts);
  // Should the check and mailparser ever disagree, mailparser's own caps are the same limits.
  const message = (err as Error)?.message ?? String(err);
  if (/child nodes exceeded/i.test(message)) throw new LimitExceeded('mime-parts', limits.maxMimeParts, null, `more than ${limits.maxMimeParts} MIME parts`);
  if (/header size .* exceeded/i.test(message))
    throw new LimitExceeded('header-bytes', limits.maxHeaderBytes, null, `a header block has more than ${limits.maxHeaderBytes} bytes`);
  if (err instanceof LimitExceeded) throw err;
  return withFieldConfidence({ kind: 'correspondence', document: null, confidence: 0, reasons: [`the MIME structure cannot be parsed: ${message}`] });
}
