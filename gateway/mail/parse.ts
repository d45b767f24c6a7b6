/** MIME parsing of a stored raw message (mailparser), reduced to what later stages and the API need. */
import type { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type Attachment } from 'mailparser';

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

function addresses(a: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((o) => o.value.map((v) => ({ name: (v.name ?? '').normalize('NFC'), address: v.address?.toLowerCase() ?? null })));
}

function part(att: Attachment): ParsedPart {
  return {
    contentType: att.contentType,
    filename: att.filename?.normalize('NFC') ?? null,
    disposition: att.contentDisposition ?? null,
    contentId: att.contentId ?? null,
    size: att.size ?? att.content.length,
    related: Boolean(att.related),
  };
}

function cap(s: string | undefined | false): { value: string | null; truncated: boolean } {
  if (!s) return { value: null, truncated: false };
  return s.length > TEXT_CAP ? { value: s.slice(0, TEXT_CAP), truncated: true } : { value: s, truncated: false };
}

export async function parseMessage(source: Readable | Buffer): Promise<ParsedMessage> {
  const m = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, maxHtmlLengthToParse: TEXT_CAP });
  const text = cap(m.text);
  const html = cap(m.html);
  const attachments = m.attachments.map((a) => ({ ...part(a), content: a.content }));
  const refs = m.references ? (Array.isArray(m.references) ? m.references : [m.references]) : [];
  const parts: ParsedPart[] = [
    ...(m.text ? [{ contentType: 'text/plain', filename: null, disposition: 'inline', contentId: null, size: Buffer.byteLength(m.text), related: false }] : []),
    ...(m.html ? [{ contentType: 'text/html', filename: null, disposition: 'inline', contentId: null, size: Buffer.byteLength(m.html), related: false }] : []),
    ...attachments.map(({ content: _c, ...p }) => p),
  ];
  return {
    messageId: m.messageId ?? null,
    inReplyTo: m.inReplyTo ?? null,
    references: refs,
    subject: m.subject?.normalize('NFC') ?? null,
    date: m.date ? m.date.toISOString() : null,
    from: addresses(m.from),
    to: addresses(m.to),
    cc: addresses(m.cc),
    replyTo: addresses(m.replyTo),
    headers: m.headerLines.map((h) => ({ key: h.key, line: h.line })),
    text: text.value?.normalize('NFC') ?? null,
    html: html.value,
    parts,
    attachments,
    textTruncated: text.truncated,
  };
}
