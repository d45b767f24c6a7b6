/**
 * Plain text and HTML have no positions: the line reader has to tolerate the Decree 30 layout run
 * together (issue 15, patterns a–c as they arrive flattened).
 */
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../extract.ts';
import { prepareText } from '../prepare.ts';
import { headerLimit } from './from-lines.ts';

const NOW = new Date('2026-11-23T00:00:00Z');
const x = (text: string) => extractDocument(prepareText(text), NOW);

const PREAMBLE = `QUYẾT ĐỊNH
Về việc ban hành Quy chế công tác văn thư
GIÁM ĐỐC SỞ NỘI VỤ TỈNH LÂM ĐỒNG
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Nghị định
số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế công tác văn thư.
Nơi nhận:
- Như Điều 1;
- Lưu: VT.
KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC
Nguyễn Văn An`;

describe('flattened header', () => {
  it('(a) cuts a line at the motto, also when "Độc lập" is typed with "Ð" (U+00D0)', () => {
    const r = x(`UBND TỈNH LÂM ĐỒNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ NỘI VỤ Ðộc lập - Tự do - Hạnh phúc
Số: 05/QĐ-SNV Lâm Đồng, ngày 05 tháng 3 năm 2024
${PREAMBLE}`);
    expect(r.fields).toMatchObject({ issuer: 'Sở Nội vụ tỉnh Lâm Đồng', notation: '05/QĐ-SNV', place: 'Lâm Đồng', issuedDate: '2024-03-05' });
  });

  it('(b) reads "Số:" and its value across a tab run, never a notation of the preamble', () => {
    const r = x(`UBND TỈNH LÂM ĐỒNG\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ NỘI VỤ\tĐộc lập - Tự do - Hạnh phúc
Số:\t\t05/QĐ-SNV\t\tLâm Đồng, ngày 05 tháng 3 năm 2024
${PREAMBLE}`);
    expect(r.fields).toMatchObject({ notation: '05/QĐ-SNV', number: '5', issuer: 'Sở Nội vụ tỉnh Lâm Đồng', issuedDate: '2024-03-05' });
  });

  it('(b) leaves the number empty, with low confidence, when the header has none', () => {
    const r = x(`UBND TỈNH LÂM ĐỒNG
SỞ NỘI VỤ
Số:          /QĐ-SNV
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Lâm Đồng, ngày 05 tháng 3 năm 2024
${PREAMBLE}`);
    expect(r.fields.notation).toBeNull();
    expect(r.fields.number).toBeNull();
    expect(r.fieldConfidence.number).toBe(0);
    expect(r.confidence).toBeLessThanOrEqual(0.6);
    expect(r.fields).toMatchObject({ typeCode: 'QĐ', issuer: 'Sở Nội vụ tỉnh Lâm Đồng' });
  });

  it('(c) reads a date broken over two lines', () => {
    const r = x(`UBND TỈNH LÂM ĐỒNG
SỞ NỘI VỤ
Số: 05/QĐ-SNV
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Lâm Đồng, ngày 05 tháng 3
năm 2024
${PREAMBLE}`);
    expect(r.fields).toMatchObject({ place: 'Lâm Đồng', issuedDate: '2024-03-05', notation: '05/QĐ-SNV' });
  });

  it('ends the header at the heading or the body, after a covering note that starts "Kính gửi"', () => {
    const doc = prepareText('Kính gửi Văn thư Sở,\nXin gửi văn bản.\nBỘ NỘI VỤ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1/BNV-VP\nKính gửi: Các sở');
    expect(headerLimit(doc)).toBe(5);
  });
});

describe('a Party resolution flattened (OCR of a scan)', () => {
  it('reads its committee, number, place and date, and the summary under the line naming the body that adopted it', () => {
    const r = x(`TÍNH ỦY LÀO CAI ĐÁNG CỘNG SẢN VIỆT NAM
*
Số 34 -NQ/TU Lào Cai, ngày 27 tháng 12 năm 2025
NGHỊ QUYẾT
CỦA BAN THƯỜNG VỤ TỈNH ỦY
về phát triển các khu công nghiệp, cụm công nghiệp
Trong những năm qua, ngành công nghiệp tỉnh Lào Cai được quan tâm.`);
    expect(r.fields).toMatchObject({
      issuer: 'Tỉnh ủy Lào Cai',
      notation: '34-NQ/TU',
      place: 'Lào Cai',
      issuedDate: '2025-12-27',
      typeName: 'Nghị quyết',
      subject: 'Phát triển các khu công nghiệp, cụm công nghiệp',
    });
  });
});

describe('a chỉ thị flattened by OCR, its number written by hand', () => {
  it('takes "Số: # /CT-UBND" for a blank number and still reads the issuer and place beside it', () => {
    const r = x(`ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM

TỈNH QUẢNG NGÃI Độc lập - Tự do - Hạnh phúc
Số: # /CT-UBND Quảng Ngãi, ngày 80 tháng 3 năm 2018
CHỈ THỊ
Về việc tăng cường công tác thi hành án hành chính
Trong thời gian qua, công tác triển khai thi hành Luật tố tụng hành chính đạt kết quả.`);
    expect(r.fields).toMatchObject({ issuer: 'Ủy ban nhân dân tỉnh Quảng Ngãi', place: 'Quảng Ngãi', notation: null, number: null, issuedDate: null });
  });
});
