/**
 * Issue 15, "Read real documents as a clerk would": one test per pattern seen on real published
 * documents, on PDFs and DOCX laid out as Decree 30 Appendix I prints them (decree30-fixtures.ts,
 * docx-fixtures.ts). Each of these failed on the line reader that read flattened text.
 */
import { describe, expect, it } from 'vitest';
import { classifyDocumentBytes } from '../index.ts';
import type { Classification } from '../types.ts';
import { decision, decree30Pdf, type Decree30Spec } from './decree30-fixtures.ts';
import { decree30Docx } from './docx-fixtures.ts';

const NOW = new Date('2026-11-23T00:00:00Z');

async function read(spec: Decree30Spec): Promise<Classification> {
  return classifyDocumentBytes('vanban.pdf', Buffer.from(await decree30Pdf(spec)), { now: NOW });
}

const MOTTO = { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', face: 'bold', size: 12 } as const;
const MOTTO2 = { text: 'Độc lập - Tự do - Hạnh phúc', face: 'bold' } as const;

describe('(a) two-column blocks are read as columns, not as one line', () => {
  it('keeps the motto out of the issuer when the columns nearly touch and the right cell sits half a line higher', async () => {
    const r = await read(
      decision({
        left: [{ text: 'UBND TỈNH LÂM ĐỒNG' }, { text: 'SỞ NỘI VỤ', face: 'bold' }, { text: 'Số: 05/QĐ-SNV' }],
        // "Ð" (U+00D0) typed for "Đ", as on Decision 1187/QĐ-BNV.
        right: [MOTTO, { text: 'Ðộc lập - Tự do - Hạnh phúc', face: 'bold' }, { text: 'Lâm Đồng, ngày 05 tháng 3 năm 2024', face: 'italic' }],
        leftColumn: [85, 262],
        rightColumn: [262, 538],
        rightRaise: 6,
      }),
    );
    expect(r.document).toMatchObject({ issuer: 'Sở Nội vụ tỉnh Lâm Đồng', notation: '05/QĐ-SNV', place: 'Lâm Đồng', issuedDate: '2024-03-05' });
  });

  it('reads a signer title of two lines beside the Nơi nhận list, and the name under the signature space', async () => {
    const r = await read(
      decision({
        left: [{ text: 'BỘ NỘI VỤ', face: 'bold' }, { text: 'Số: 12094/BNV-CCHC' }, { text: 'V/v hướng dẫn triển khai Đề án', size: 12 }],
        right: [MOTTO, MOTTO2, { text: 'Hà Nội, ngày 15 tháng 12 năm 2025', face: 'italic' }],
        title: [],
        recipients: [{ text: 'Nơi nhận:' }, { text: '- Như trên;' }, { text: '- Bộ trưởng (để b/c);' }, { text: '- Lưu: VT, CCHC.' }],
        signature: [{ text: 'TL. BỘ TRƯỞNG' }, { text: 'VỤ TRƯỞNG' }, { text: 'VỤ CẢI CÁCH HÀNH CHÍNH' }],
        name: 'Phạm Minh Hùng',
      }),
    );
    expect(r.document?.signer).toEqual({ name: 'Phạm Minh Hùng', title: 'Vụ trưởng Vụ Cải cách hành chính', authority: 'TL. Bộ trưởng' });
    expect(r.document?.recipients).toEqual(['Như trên', 'Bộ trưởng (để b/c)', 'Lưu: VT, CCHC']);
  });
});

describe('(b) the number comes from the header band only', () => {
  const preamble = [
    { text: 'GIÁM ĐỐC SỞ NỘI VỤ TỈNH LÂM ĐỒNG', face: 'bold' as const },
    { text: 'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Nghị định', face: 'italic' as const },
    { text: 'số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;', face: 'italic' as const },
    { text: 'QUYẾT ĐỊNH:', face: 'bold' as const },
    { text: 'Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư, lưu trữ.' },
  ];

  it('reads "Số:" with its value after a run of blank space, never the decree quoted in the preamble', async () => {
    const r = await read(
      decision({ left: [{ text: 'UBND TỈNH LÂM ĐỒNG' }, { text: 'SỞ NỘI VỤ', face: 'bold' }, { text: 'Số:                    05/QĐ-SNV' }], body: preamble }),
    );
    expect(r.document).toMatchObject({ notation: '05/QĐ-SNV', number: '5', typeCode: 'QĐ' });
  });

  it('leaves the number empty, with low confidence, when the header has none', async () => {
    const r = await read(decision({ left: [{ text: 'UBND TỈNH LÂM ĐỒNG' }, { text: 'SỞ NỘI VỤ', face: 'bold' }, { text: 'Số: {}/QĐ-SNV' }], body: preamble }));
    expect(r.document?.notation).toBeNull();
    expect(r.document?.number).toBeNull();
    expect(r.confidence).toBeLessThan(0.8);
    expect(r.fieldConfidence?.number).toBe(0);
    expect(r.reasons.join('\n')).toMatch(/blank/);
    // The rest of the document is still read, and read with confidence.
    expect(r.document).toMatchObject({ issuer: 'Sở Nội vụ tỉnh Lâm Đồng', typeCode: 'QĐ', issuedDate: '2024-03-05' });
    expect(r.fieldConfidence?.issuer).toBeGreaterThan(0.9);
  });
});

describe('(c) whole blocks: titles, issuers over several lines, dates broken, leading zeros', () => {
  it('reads a title whose lines Word wrote in two font objects, a three-line issuer and a date over two lines', async () => {
    const r = await read(
      decision({
        dualFonts: true,
        left: [
          { text: 'UBND TỈNH LÂM ĐỒNG' },
          { text: 'TRUNG TÂM XÚC TIẾN ĐẦU TƯ', face: 'bold' },
          { text: 'THƯƠNG MẠI VÀ DU LỊCH', face: 'bold' },
          { text: 'Số: 05/QĐ-TTXT' },
        ],
        right: [MOTTO, MOTTO2, { text: 'Lâm Đồng, ngày 05 tháng 3', face: 'italic' }, { text: 'năm 2024', face: 'italic' }],
        title: [
          { text: 'QUYẾT ĐỊNH' },
          { text: 'Về việc ban hành Quy chế công tác văn thư, lưu trữ' },
          { text: 'Quy chế phối hợp của Trung tâm Xúc tiến' },
          { text: 'Du lịch tỉnh Lâm Đồng' },
        ],
      }),
    );
    expect(r.document).toMatchObject({
      notation: '05/QĐ-TTXT',
      issuer: 'Trung tâm Xúc tiến đầu tư thương mại và Du lịch tỉnh Lâm Đồng',
      issuedDate: '2024-03-05',
      subject: 'Ban hành Quy chế công tác văn thư, lưu trữ Quy chế phối hợp của Trung tâm Xúc tiến Du lịch tỉnh Lâm Đồng',
    });
  });

  it('reads a DOCX whose header is a table: "Số:" and its value in two paragraphs, the date in two, the title in two', async () => {
    const docx = decree30Docx({
      left: [
        { text: 'UBND TỈNH BÌNH THUẬN', center: true },
        { text: 'SỞ NỘI VỤ', bold: true, center: true },
        { text: 'Số:', center: true },
        { text: '0062/TTr-SNV', center: true },
      ],
      right: [
        { text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', bold: true, center: true, size: 24 },
        { text: 'Độc lập - Tự do - Hạnh phúc', bold: true, center: true },
        { text: 'Bình Thuận, ngày 07 tháng 3', italic: true, center: true },
        { text: 'năm 2025', italic: true, center: true },
      ],
      title: [{ text: 'TỜ TRÌNH' }, { text: 'Phê duyệt Điều lệ (sửa đổi, bổ sung)' }, { text: 'Hiệp hội Doanh nghiệp tỉnh Bình Thuận' }],
      body: [
        { text: 'Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh', center: true },
        { text: 'Căn cứ Nghị định số 126/2024/NĐ-CP ngày 08 tháng 10 năm 2024 của Chính phủ quy định về tổ chức, hoạt động và quản lý hội;' },
      ],
      recipients: [
        { text: 'Nơi nhận:', bold: true, italic: true, size: 24 },
        { text: '- Như trên;', size: 22 },
        { text: '- Lưu: VT, TCCC.', size: 22 },
      ],
      signature: [
        { text: 'GIÁM ĐỐC', bold: true, center: true },
        { text: '', center: true },
        { text: '', center: true },
        { text: '', center: true },
        { text: 'Đỗ Văn Chung', bold: true, center: true },
      ],
    });
    const r = await classifyDocumentBytes('totrinh.docx', docx, { now: NOW });
    expect(r.document).toMatchObject({
      typeCode: 'TTr',
      notation: '0062/TTr-SNV',
      issuer: 'Sở Nội vụ tỉnh Bình Thuận',
      place: 'Bình Thuận',
      issuedDate: '2025-03-07',
      subject: 'Phê duyệt Điều lệ (sửa đổi, bổ sung) Hiệp hội Doanh nghiệp tỉnh Bình Thuận',
      signer: { name: 'Đỗ Văn Chung', title: 'Giám đốc', authority: null },
    });
  });
});

describe('(d) the number and date stamped at signing time', () => {
  const blanks = {
    left: [{ text: 'UBND TỈNH LÂM ĐỒNG' }, { text: 'SỞ NỘI VỤ', face: 'bold' as const }, { text: 'Số: {}/QĐ-SNV' }],
    right: [MOTTO, MOTTO2, { text: 'Lâm Đồng, ngày {} tháng 3 năm 2024', face: 'italic' as const }],
  };

  it.each([
    ['a signature widget', 'widget'],
    ['a FreeText annotation without appearance', 'freetext'],
    ['signature widgets added by an incremental update', 'update'],
  ] as const)('reads them from %s', async (_, how) => {
    const r = await read(
      decision({
        ...blanks,
        stamps: [
          { text: '05', at: 'number', how },
          { text: '09', at: 'day', how },
        ],
      }),
    );
    expect(r.document).toMatchObject({ notation: '05/QĐ-SNV', number: '5', issuer: 'Sở Nội vụ tỉnh Lâm Đồng', place: 'Lâm Đồng', issuedDate: '2024-03-09' });
    expect(r.fieldConfidence?.notation).toBeGreaterThan(0.9);
  });
});
