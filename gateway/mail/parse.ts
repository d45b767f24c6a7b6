/**
 * MIME parsing of a stored raw message (mailparser), reduced to what later stages and the API need.
 * The raw bytes pass the MIME guard on their way in (mime-guard.ts: header bytes, parts, depth,
 * attachments — LimitExceeded at the first one over); everything read out of the mail is cleaned
 * (sanitize.ts: no NUL or control characters, well-formed UTF-16) before anyone stores it.
 */
import { pipeline, type Readable } from 'node:stream';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import { PermanentError, TransientError, VanthuError } from '../errors.ts';
import { restoreLeaves, substituteLeaves } from './base64-leaves.ts';
import { checkMimeLeaves, DEFAULT_MIME_LIMITS, feed, mailparserOptions, MimeGuardStream, type MimeLimits } from './mime-guard.ts';
import { cleanField, cleanText } from '../sanitize.ts';

export interface ParsedAddress {
  name: string;
  address: string | null;
}

export interface ParsedPart {
  contentType: string;
  filename: string | null;
  disposition: string | null;
  contentId: string | null;
  size: number;
  related: boolean;
}

export interface ParsedMessage {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string | null;
  date: string | null;
  from: ParsedAddress[];
  to: ParsedAddress[];
  cc: ParsedAddress[];
  replyTo: ParsedAddress[];
  headers: Array<{ key: string; line: string }>;
  text: string | null;
  html: string | null;
  parts: ParsedPart[];
  attachments: Array<ParsedPart & { content: Buffer }>;
  textTruncated: boolean;
}

const TEXT_CAP = 512 * 1024;

// mailparser types its fields as strings but hands back other values for damaged headers (an
// empty Content-Type of a part gives `contentType: false`): anything but a string is absent.
const field = (s: unknown): string | null => (typeof s === 'string' ? (cleanField(s)?.normalize('NFC') ?? null) : null);

function addresses(a: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((o) =>
    o.value.map((v) => ({ name: field(v.name) ?? '', address: field(typeof v.address === 'string' ? v.address.toLowerCase() : null) })),
  );
}

function part(att: Attachment): ParsedPart {
  return {
    contentType: field(att.contentType) ?? 'application/octet-stream',
    filename: field(att.filename),
    disposition: field(att.contentDisposition),
    contentId: field(att.contentId),
    size: att.size ?? att.content.length,
    related: Boolean(att.related),
  };
}

function cap(s: string | undefined | false): { value: string | null; truncated: boolean } {
  if (!s) return { value: null, truncated: false };
  return s.length > TEXT_CAP ? { value: s.slice(0, TEXT_CAP), truncated: true } : { value: s, truncated: false };
}

/**
 * parseMessage's result together with mailparser's own, which still holds every attachment's
 * decoded bytes and the headers as mailparser read them: the pipeline parses a message once per
 * job and hands this to the classifier and the verifier (docs/architecture.md, "One parse per job").
 */
export interface FullParse {
  message: ParsedMessage;
  mail: ParsedMail;
}

/**
 * Parses a raw message. Throws LimitExceeded (a limit of the MIME structure), PermanentError
 * 'mime-unreadable' (mailparser gave up on these bytes: it would again), or TransientError
 * 'blob-read' (the source stream failed: the bytes may be readable later).
 */
export async function parseMessage(source: Readable | Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): Promise<ParsedMessage> {
  return (await parseMail(source, limits)).message;
}

/** Bytes of messages in memory given to mailparser, and of large base64 leaves decoded without it (base64-leaves.ts), since start. */
export const parseCounters = { mailparserBytes: 0, leavesDecoded: 0, leafBytes: 0, leafFallbacks: 0 };

export interface ParseOptions {
  /** Base64 leaves from this size on are decoded without mailparser (base64-leaves.ts); Infinity: never. */
  largeLeafBytes?: number;
}

const parserOptions = (limits: MimeLimits) => ({ ...mailparserOptions(limits), maxHtmlLengthToParse: TEXT_CAP }) as Parameters<typeof simpleParser>[1];

/**
 * mailparser's result for a message in memory: large clean base64 leaves decoded apart
 * (base64-leaves.ts), the rest by mailparser; the original given whole to mailparser whenever that
 * cannot be shown to give the same result.
 */
async function parseBuffer(raw: Buffer, limits: MimeLimits, options: ParseOptions): Promise<ParsedMail> {
  const { leaves } = checkMimeLeaves(raw, limits);
  const sub = substituteLeaves(raw, leaves, options.largeLeafBytes);
  if (sub) {
    parseCounters.mailparserBytes += sub.bytes;
    const m = await simpleParser(sub.input(), parserOptions(limits)).catch(() => null);
    if (m && restoreLeaves(m, sub.replaced)) {
      parseCounters.leavesDecoded += sub.replaced.length;
      parseCounters.leafBytes += sub.skippedBytes;
      return m;
    }
    parseCounters.leafFallbacks++;
  }
  parseCounters.mailparserBytes += raw.length;
  return simpleParser(feed(raw), parserOptions(limits));
}

/** parseMessage, keeping mailparser's result too (FullParse); the same checks and errors. */
export async function parseMail(source: Readable | Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS, options: ParseOptions = {}): Promise<FullParse> {
  let sourceError: unknown = null;
  let m: ParsedMail;
  try {
    if (Buffer.isBuffer(source)) m = await parseBuffer(source, limits, options);
    else {
      const guard = new MimeGuardStream(limits);
      source.once('error', (err) => (sourceError = err));
      // pipeline: a limit in the guard destroys the source too (no file left open).
      pipeline(source, guard, () => undefined);
      m = await simpleParser(guard, parserOptions(limits));
    }
  } catch (err) {
    if (err instanceof VanthuError) throw err;
    if (sourceError !== null && err === sourceError)
      throw new TransientError('blob-read', `the raw message could not be read: ${(err as Error).message}`, { cause: err });
    throw new PermanentError('mime-unreadable', `the MIME structure cannot be parsed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  const text = cap(m.text);
  const html = cap(m.html);
  const attachments = m.attachments.map((a) => ({ ...part(a), content: a.content }));
  const refs = m.references ? (Array.isArray(m.references) ? m.references : [m.references]) : [];
  const parts: ParsedPart[] = [
    ...(m.text ? [{ contentType: 'text/plain', filename: null, disposition: 'inline', contentId: null, size: Buffer.byteLength(m.text), related: false }] : []),
    ...(m.html ? [{ contentType: 'text/html', filename: null, disposition: 'inline', contentId: null, size: Buffer.byteLength(m.html), related: false }] : []),
    ...attachments.map(({ content: _c, ...p }) => p),
  ];
  const message: ParsedMessage = {
    messageId: field(m.messageId),
    inReplyTo: field(m.inReplyTo),
    references: refs.map((r) => field(r) ?? ''),
    subject: field(m.subject),
    date: m.date && !Number.isNaN(m.date.getTime()) ? m.date.toISOString() : null,
    from: addresses(m.from),
    to: addresses(m.to),
    cc: addresses(m.cc),
    replyTo: addresses(m.replyTo),
    headers: m.headerLines.map((h) => ({ key: field(h.key) ?? '', line: cleanText(h.line) })),
    text: cleanText(text.value)?.normalize('NFC') ?? null,
    html: cleanText(html.value),
    parts,
    attachments,
    textTruncated: text.truncated,
  };
  return { message, mail: m };
}

/**
 * Subject and From of a message the parse stage stopped on (a limit, unreadable MIME), for the
 * review item: read from at most the first `maxBytes` of the header block only, never the body.
 */
export async function headerPreview(raw: Buffer, maxBytes = 64 * 1024): Promise<{ subject: string | null; from: ParsedAddress[] }> {
  let head = raw.subarray(0, maxBytes);
  const blank = /\r?\n\r?\n/.exec(head.toString('latin1'));
  if (blank) head = head.subarray(0, blank.index);
  else if (raw.length > maxBytes) head = head.subarray(0, Math.max(0, head.lastIndexOf(0x0a)));
  try {
    const m = await simpleParser(Buffer.concat([head, Buffer.from('\r\n\r\n')]), { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
    return { subject: field(m.subject), from: addresses(m.from) };
  } catch {
    return { subject: null, from: [] };
  }
}
