/**
 * Round trip of the edXML package the outgoing side produces: what composeDocument writes (with
 * edxml: true, unsigned and S/MIME-signed) is read back by the documents module's edXML parser and
 * by the whole classification pipeline with the same fields it was given.
 */
import { simpleParser } from 'mailparser';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../gateway/documents/message.ts';
import { parseEdXml } from '../gateway/documents/edxml/parse.ts';
import { envelopeMetadata } from '../gateway/documents/edxml/to-metadata.ts';
import { composeDocument, type ComposeInput } from '../gateway/outgoing/compose.ts';
import { documentType } from '../gateway/outgoing/send.ts';
import type { SmimeKey } from '../gateway/outgoing/sign.ts';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

function input(over: Partial<ComposeInput> = {}): ComposeInput {
  return {
    from: { name: 'Sở Tài chính tỉnh Lâm Đồng', address: 'vanthu@stc.lamdong.gov.vn', organId: '000.00.12.H41' },
    to: [
      { name: 'Văn phòng UBND tỉnh Lâm Đồng', address: 'vanthu@vpubnd.lamdong.gov.vn', organId: '000.00.01.H41' },
      { name: 'Sở Tư pháp tỉnh Lâm Đồng', address: 'vanthu@stp.lamdong.gov.vn', organId: '000.00.20.H41' },
    ],
    notation: '12/KH-STC-NS',
    issuedDate: '2026-11-23',
    typeCode: 'KH',
    typeName: 'Kế hoạch',
    subject: 'Kiểm tra quyết toán ngân sách năm 2026 & kế hoạch <2027>',
    body: null,
    document: { filename: 'ke-hoach.pdf', content: PDF, contentType: 'application/pdf' },
    edxml: true,
    signer: 'Nguyễn Văn An',
    now: new Date('2026-11-23T03:04:05Z'),
    ...over,
  };
}

/** A throw-away RSA certificate for the S/MIME variant (the openssl-made PKCS#12 is tested in outgoing-smime). */
function smimeKey(): SmimeKey {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2028-01-01T00:00:00Z');
  const subject = [{ name: 'commonName', value: 'Văn thư Sở Tài chính' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { key: keys.privateKey, cert, chain: [] };
}

async function envelopeOf(raw: Buffer) {
  const mail = await simpleParser(raw);
  const part = mail.attachments.find((a) => a.filename === 'edxml.xml');
  expect(part, 'edxml.xml attachment').toBeDefined();
  const parsed = parseEdXml(part!.content.toString('utf8'));
  expect(parsed?.kind).toBe('envelope');
  if (parsed?.kind !== 'envelope') throw new Error('not an envelope');
  return { mail, envelope: parsed.envelope };
}

const expected = (i: ComposeInput, typeCode: string) => ({
  typeCode,
  typeName: i.typeName,
  number: i.notation.split('/')[0],
  notation: i.notation,
  issuer: i.from.name,
  issuedDate: i.issuedDate,
  subject: i.subject,
  signer: { name: i.signer, title: null, authority: null },
  recipients: i.to.map((t) => t.name),
});

describe.each([
  ['unsigned', false],
  ['S/MIME-signed', true],
])('edXML produced by the outgoing side, %s', (_label, signed) => {
  const keys = { dkim: null, smime: signed ? smimeKey() : null };

  it('is read back by the edXML parser with the same fields, organ ids and DocumentId', async () => {
    const i = input();
    const composed = await composeDocument(i, keys);
    expect(composed.documentId).toBe('000.00.12.H41,2026-11-23,12/KH-STC-NS');
    const { mail, envelope } = await envelopeOf(composed.raw);
    if (signed) expect(mail.attachments.some((a) => a.contentType === 'application/pkcs7-signature')).toBe(true);

    expect(envelope.documentId).toBe(composed.documentId);
    expect(envelope.from).toEqual({ id: '000.00.12.H41', name: i.from.name, email: i.from.address });
    expect(envelope.to).toEqual(i.to.map((t) => ({ id: t.organId, name: t.name, email: t.address })));
    expect(envelope).toMatchObject({
      codeNumber: '12',
      codeNotation: 'KH-STC-NS',
      typeCode: 'KH',
      typeName: 'Kế hoạch',
      promulgationDate: '2026-11-23',
      subject: i.subject,
    });
    // The manifest names the attached document by the Content-ID it really has.
    const doc = mail.attachments.find((a) => a.filename === 'ke-hoach.pdf')!;
    expect(doc.content.equals(PDF)).toBe(true);
    expect(envelope.attachments).toEqual([{ contentId: doc.contentId!.replace(/^<|>$/g, ''), name: 'ke-hoach.pdf', contentType: 'application/pdf' }]);

    expect(envelopeMetadata(envelope)).toEqual({ ...expected(i, 'KH'), place: null, urgency: 'normal', secrecy: 'normal', dueDate: null, source: 'edxml' });
  });

  it('is classified by the pipeline as the same document, from the edXML envelope', async () => {
    const i = input();
    const result = await classifyMessage((await composeDocument(i, keys)).raw);
    expect(result.kind).toBe('document');
    expect(result.document).toMatchObject({ ...expected(i, 'KH'), source: 'edxml', urgency: 'normal', secrecy: 'normal' });
  });

  it('keeps a công văn (no type code in the notation) a công văn', async () => {
    const type = documentType(null, null);
    expect(type).toEqual({ typeCode: null, typeName: 'Công văn' });
    const i = input({ notation: '7/STC-NS', ...type, signer: 'Trần Thị Bình', to: [input().to[0]] });
    const composed = await composeDocument(i, keys);
    const { envelope } = await envelopeOf(composed.raw);
    expect(envelope).toMatchObject({ codeNumber: '7', codeNotation: 'STC-NS', documentId: '000.00.12.H41,2026-11-23,7/STC-NS' });
    expect(envelopeMetadata(envelope)).toMatchObject(expected(i, 'CV'));
    expect((await classifyMessage(composed.raw)).document).toMatchObject({ ...expected(i, 'CV'), source: 'edxml' });
  });
});

describe('a plain (non-edXML) outgoing document', () => {
  it('is classified as a document by its notation, never as a receipt', async () => {
    const composed = await composeDocument(input({ edxml: false }), { dkim: null, smime: null });
    expect(composed.documentId).toBeNull();
    const result = await classifyMessage(composed.raw);
    expect(result.kind).toBe('document');
    expect(result.document).toMatchObject({ notation: '12/KH-STC-NS', typeCode: 'KH', typeName: 'Kế hoạch' });
  });
});

describe('document type of an outgoing document', () => {
  it('fills the name from the Decree 30 table and accepts a code typed without Đ', () => {
    expect(documentType('KH', null)).toEqual({ typeCode: 'KH', typeName: 'Kế hoạch' });
    expect(documentType('QD', null)).toEqual({ typeCode: 'QĐ', typeName: 'Quyết định' });
    expect(documentType('TB', 'Thông báo kết luận')).toEqual({ typeCode: 'TB', typeName: 'Thông báo kết luận' });
    expect(documentType('cv', null)).toEqual({ typeCode: null, typeName: 'Công văn' });
    expect(() => documentType('XYZ', null)).toThrow(/XYZ/);
  });
});
