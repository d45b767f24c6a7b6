import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseEdXml } from '../documents/edxml/parse.ts';
import { subjectMarks } from '../documents/rules/marks.ts';
import { composeDocument } from './compose.ts';

const input = (edxml: boolean) => ({
  from: { name: 'Sở Tài chính tỉnh Lâm Đồng', address: 'vanthu@stc.lamdong.gov.vn', organId: '000.00.12.H41' },
  to: [{ name: 'Văn phòng Ủy ban nhân dân tỉnh Lâm Đồng', address: 'vanthu@vpubnd.lamdong.gov.vn', organId: '000.00.01.H41' }],
  notation: '3/BC-STC',
  issuedDate: '2026-11-23',
  typeCode: 'BC',
  typeName: 'Báo cáo',
  subject: 'Tình hình thu chi ngân sách',
  body: null,
  document: { filename: 'bao-cao.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n'), contentType: 'application/pdf' },
  appendices: [
    { filename: 'Phụ lục 1.xlsx', content: Buffer.from('PK\u0003\u0004'), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  ],
  edxml,
  signer: null,
  now: new Date('2026-11-23T02:00:00Z'),
});

describe('an outgoing document with appendices (sent for issuance from the add-in)', () => {
  it('carries the document first and each appendix after it, as they are', async () => {
    const mail = await simpleParser((await composeDocument(input(false), { dkim: null, smime: null })).raw);
    expect(mail.attachments.map((a) => [a.filename, a.content.length])).toEqual([
      ['bao-cao.pdf', 15],
      ['Phụ lục 1.xlsx', 4],
    ]);
  });

  it('lists every file in the edXML envelope, each by the Content-ID of its part', async () => {
    const mail = await simpleParser((await composeDocument(input(true), { dkim: null, smime: null })).raw);
    const [envelope, ...files] = mail.attachments;
    const parsed = parseEdXml(envelope.content.toString('utf8'));
    expect(parsed?.kind).toBe('envelope');
    const refs = parsed?.kind === 'envelope' ? parsed.envelope.attachments : [];
    expect(refs.map((r) => r.name)).toEqual(['bao-cao.pdf', 'Phụ lục 1.xlsx']);
    expect(refs.map((r) => r.contentId)).toEqual(files.map((f) => f.contentId?.replace(/^<|>$/g, '')));
    expect(new Set(refs.map((r) => r.contentId)).size).toBe(2);
  });
});

describe('the urgency of an outgoing document (docs/issuance.md, "Urgency and secrecy")', () => {
  it('marks the subject as receivers read it, sets Importance, and puts the edXML Priority', async () => {
    const mail = await simpleParser((await composeDocument({ ...input(true), urgency: 'hoa_toc' }, { dkim: null, smime: null })).raw);
    expect(mail.subject).toBe('[HỎA TỐC] Báo cáo số 3/BC-STC: Tình hình thu chi ngân sách');
    expect(subjectMarks(mail.subject ?? '')).toEqual({ urgency: 'hoa_toc', secrecy: 'normal' });
    expect(mail.headerLines.filter((h) => /^(importance|x-priority)$/.test(h.key)).map((h) => h.line)).toEqual(['X-Priority: 1 (Highest)', 'Importance: High']);
    const parsed = parseEdXml(mail.attachments[0].content.toString('utf8'));
    expect(parsed?.kind === 'envelope' ? parsed.envelope.priority : null).toBe('3');
  });

  it('leaves a normal document unmarked', async () => {
    const mail = await simpleParser((await composeDocument(input(true), { dkim: null, smime: null })).raw);
    expect(mail.subject).toBe('Báo cáo số 3/BC-STC: Tình hình thu chi ngân sách');
    expect(mail.headerLines.filter((h) => /^(importance|x-priority)$/.test(h.key))).toEqual([]);
    const parsed = parseEdXml(mail.attachments[0].content.toString('utf8'));
    expect(parsed?.kind === 'envelope' ? parsed.envelope.priority : null).toBe('0');
  });
});
