import { describe, expect, it } from 'vitest';
import type { DocumentMetadata } from '../types.ts';
import { buildEnvelope, buildStatus, splitNotation } from './build.ts';
import { parseEdXml } from './parse.ts';
import { envelopeMetadata } from './to-metadata.ts';

const doc: Omit<DocumentMetadata, 'source'> = {
  typeCode: 'CT',
  typeName: 'Chỉ thị',
  number: '11',
  notation: '11/2005/CT-UBND',
  issuer: 'Ủy ban nhân dân tỉnh Bến Tre',
  place: 'Bến Tre',
  issuedDate: '2005-06-08',
  subject: 'Đẩy mạnh triển khai các ứng dụng & dịch vụ <cơ bản>',
  signer: { name: 'Nguyễn Thị Thanh Hà', title: 'Phó Chủ tịch', authority: 'KT. Chủ tịch' },
  recipients: ['Thường trực TU (b/c)', 'Lưu: VP, TTHT'],
  urgency: 'thuong_khan',
  secrecy: 'normal',
  dueDate: '2005-07-25',
};

describe('edXML envelope', () => {
  it('round-trips document metadata through build and parse', () => {
    const xml = buildEnvelope({
      from: { id: '000.00.00.H07', name: doc.issuer! },
      to: [
        { id: '000.00.31.H29', name: 'Sở A' },
        { id: '000.00.32.H29', name: 'Sở B' },
      ],
      documentId: '000.00.00.H07,2005/06/08,11',
      document: doc,
      attachments: [{ contentId: 'a@x', name: 'ct.pdf', contentType: 'application/pdf' }],
    });
    expect(xml).toContain('<edXML:CodeNotation>2005/CT-UBND</edXML:CodeNotation>');
    const parsed = parseEdXml(xml);
    expect(parsed?.kind).toBe('envelope');
    if (parsed?.kind !== 'envelope') return;
    expect(parsed.envelope.to).toHaveLength(2);
    expect(parsed.envelope.attachments).toEqual([{ contentId: 'a@x', name: 'ct.pdf', contentType: 'application/pdf' }]);
    expect(envelopeMetadata(parsed.envelope)).toEqual({ ...doc, source: 'edxml' });
  });

  it('reads an envelope with another prefix, odd case and a single recipient', () => {
    const xml = `<?xml version="1.0"?><ns:EDXMLENVELOPE xmlns:ns="urn:x"><ns:edXMLHeader><ns:messageheader>
      <ns:From><ns:OrganName>Bộ Nội vụ</ns:OrganName></ns:From>
      <ns:Code><ns:CodeNumber>789</ns:CodeNumber><ns:CodeNotation>BNV-VP</ns:CodeNotation></ns:Code>
      <ns:PromulgationInfo><ns:PromulgationDate>24/02/2025</ns:PromulgationDate></ns:PromulgationInfo>
      <ns:Subject>Triển khai Nghị định</ns:Subject><ns:ToPlaces><ns:Place>Như trên</ns:Place></ns:ToPlaces>
      </ns:messageheader></ns:edXMLHeader></ns:EDXMLENVELOPE>`;
    const parsed = parseEdXml(xml);
    expect(parsed?.kind).toBe('envelope');
    if (parsed?.kind !== 'envelope') return;
    expect(envelopeMetadata(parsed.envelope)).toMatchObject({
      notation: '789/BNV-VP',
      typeCode: 'CV',
      issuedDate: '2025-02-24',
      recipients: ['Như trên'],
      signer: null,
    });
  });

  it('splits a notation into CodeNumber and CodeNotation', () => {
    expect(splitNotation('25/CT-UBND')).toEqual({ number: '25', notation: 'CT-UBND' });
  });
});

describe('edXML status', () => {
  it('round-trips a status message', () => {
    const xml = buildStatus({
      from: { id: 'B', name: 'Sở Y tế' },
      to: { id: 'A', name: 'UBND tỉnh' },
      responseFor: { organId: 'A', code: '25/CT-UBND', documentId: 'A,2012/07/18,25', promulgationDate: '2012-07-18' },
      status: 'completed',
      description: 'Hoàn thành',
      timestamp: '2012-07-20T10:00:00+07:00',
      staff: { department: 'VP', name: 'Lê Văn B' },
    });
    const parsed = parseEdXml(xml);
    expect(parsed?.kind).toBe('status');
    if (parsed?.kind !== 'status') return;
    expect(parsed.status).toMatchObject({ statusCode: '06', status: 'completed', staff: 'Lê Văn B', responseFor: { code: '25/CT-UBND' } });
  });

  it('returns null for other XML and for garbage', () => {
    expect(parseEdXml('<?xml version="1.0"?><html><body/></html>')).toBeNull();
    expect(() => parseEdXml('<edXML:edXMLEnvelope><<<')).not.toThrow();
  });
});
