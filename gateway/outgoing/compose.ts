/**
 * Composing an outgoing official document: nodemailer's MailComposer builds the MIME message
 * (text + the document, or an edXML package: envelope first, attachments referenced by
 * Content-ID), then the unit's keys sign it (sign.ts).
 */
import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { buildEnvelope } from '../documents/edxml/build.ts';
import type { Urgency } from '../documents/types.ts';
import { subjectPrefix } from './marks.ts';
import { dkimSignMessage, signSmime, type DkimKey, type SmimeKey } from './sign.ts';

export interface ComposeInput {
  from: { name: string; address: string; organId: string | null };
  to: Array<{ name: string | null; address: string; organId: string | null }>;
  notation: string;
  issuedDate: string;
  typeCode: string | null;
  typeName: string | null;
  subject: string;
  body: string | null;
  document: { filename: string; content: Buffer; contentType: string };
  /** Files sent with the document as they are (phụ lục, appendices). */
  appendices?: Array<{ filename: string; content: Buffer; contentType: string }>;
  edxml: boolean;
  signer: string | null;
  /** Độ khẩn: the subject's mark, the edXML Priority and the mail's Importance (marks.ts). */
  urgency?: Urgency;
  now: Date;
}

export interface Composed {
  raw: Buffer;
  messageId: string;
  documentId: string | null;
}

const streamToBuffer = (mail: ReturnType<MailComposer['compile']>): Promise<Buffer> =>
  new Promise((resolve, reject) => mail.build((err, msg) => (err ? reject(err) : resolve(msg))));

/**
 * MailComposer keeps the bare LFs of a text part; SMTP carries CRLF, so the bytes a receiver sees
 * would differ from the bytes we signed and every S/MIME signature would fail. Sign the canonical
 * CRLF form (RFC 5322 §2.3, RFC 8551 §3.1.1); every part is base64 or quoted-printable, so this
 * changes line ends only.
 */
export function toCrlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** "[HỎA TỐC] Công văn số 12/UBND-VP: …": the mark first, where receivers read it (documents/rules/marks.ts subjectMarks). */
export function mailSubject(i: Pick<ComposeInput, 'notation' | 'typeName' | 'subject' | 'urgency'>): string {
  return `${subjectPrefix(i.urgency ?? 'normal')}${i.typeName ?? 'Văn bản'} số ${i.notation}: ${i.subject}`.normalize('NFC');
}

function bodyText(i: ComposeInput): string {
  return [
    i.body ?? `${i.from.name} gửi ${(i.typeName ?? 'văn bản').toLowerCase()} số ${i.notation} ngày ${i.issuedDate}.`,
    `V/v: ${i.subject}`,
    '',
    // Not "xác nhận đã nhận văn bản": a receiving system (vanthu's own classifier too) reads that as a receipt.
    'Đề nghị quý cơ quan trả lời thư này khi văn bản đã đến nơi.',
    `${i.from.name} sent document ${i.notation}; please reply to this message when it has arrived.`,
  ]
    .join('\n')
    .normalize('NFC');
}

function edxmlPart(i: ComposeInput, documentId: string, cids: string[]): { filename: string; content: string; contentType: string } {
  const xml = buildEnvelope({
    from: { id: i.from.organId ?? '', name: i.from.name, email: i.from.address },
    to: i.to.map((t) => ({ id: t.organId ?? '', name: t.name ?? t.address, email: t.address })),
    documentId,
    document: {
      typeCode: i.typeCode,
      typeName: i.typeName,
      number: i.notation.split('/')[0] ?? null,
      notation: i.notation,
      issuer: i.from.name,
      place: null,
      issuedDate: i.issuedDate,
      subject: i.subject,
      signer: i.signer ? { name: i.signer, title: null, authority: null } : null,
      recipients: i.to.map((t) => t.name ?? t.address),
      urgency: i.urgency ?? 'normal',
      secrecy: 'normal',
      dueDate: null,
    },
    attachments: [i.document, ...(i.appendices ?? [])].map((f, n) => ({ contentId: cids[n], name: f.filename, contentType: f.contentType })),
  });
  return { filename: 'edxml.xml', content: xml, contentType: 'application/xml' };
}

export async function composeDocument(i: ComposeInput, keys: { dkim: DkimKey | null; smime: SmimeKey | null }): Promise<Composed> {
  const domain = i.from.address.split('@')[1] ?? 'localhost';
  const messageId = `<${i.now.getTime().toString(36)}.${randomBytes(9).toString('hex')}@${domain}>`;
  const documentId = i.edxml ? `${i.from.organId ?? domain},${i.now.toISOString().slice(0, 10)},${i.notation}` : null;
  const files = [i.document, ...(i.appendices ?? [])];
  const cids = files.map(() => `doc-${randomBytes(6).toString('hex')}@${domain}`);
  const attachments = [
    ...(documentId ? [edxmlPart(i, documentId, cids)] : []),
    ...files.map((f, n) => ({ filename: f.filename.normalize('NFC'), content: f.content, contentType: f.contentType, cid: i.edxml ? cids[n] : undefined })),
  ];
  const mail = new MailComposer({
    from: { name: i.from.name, address: i.from.address },
    to: i.to.map((t) => (t.name ? { name: t.name, address: t.address } : t.address)),
    subject: mailSubject(i),
    text: bodyText(i),
    messageId,
    date: i.now,
    attachments,
    headers: {
      'X-Vanthu-Notation': i.notation,
      ...(documentId ? { 'X-Vanthu-DocumentId': documentId } : {}),
      // Mail programs (Outlook, Thunderbird) show an urgent document as high importance.
      ...(i.urgency && i.urgency !== 'normal' ? { 'X-Priority': '1 (Highest)', Importance: 'High' } : {}),
    },
  }).compile();
  let raw = toCrlf(await streamToBuffer(mail));
  if (keys.smime) raw = await signSmime(raw, keys.smime, i.now);
  if (keys.dkim) raw = await dkimSignMessage(raw, keys.dkim, i.now);
  return { raw, messageId, documentId };
}
