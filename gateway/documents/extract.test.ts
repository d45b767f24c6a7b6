import { describe, expect, it } from 'vitest';
import { DOCUMENT_EVIDENCE, extractDocument } from './extract.ts';
import { prepareText } from './prepare.ts';

const NOW = new Date('2026-11-23T00:00:00Z');
const x = (text: string) => extractDocument(prepareText(text), NOW);

const CONG_VAN = `UBND TỈNH BÌNH THUẬN
SỞ THÔNG TIN VÀ TRUYỀN THÔNG
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 56/STTTT-VP
Bình Thuận, ngày 11 tháng 3 năm 2024
V/v công khai địa chỉ thư điện tử công vụ
Kính gửi: Các cơ quan, đơn vị trên địa bàn tỉnh.
Đề nghị các đơn vị hoàn thành chậm nhất ngày 29/3/2024.
Nơi nhận:
- Như trên;
- Lưu: VT, VP.
KT. GIÁM ĐỐC
PHÓ GIÁM ĐỐC
Nguyễn Văn Hiền`;

describe('extractDocument', () => {
  it('reads a công văn completely', () => {
    const r = x(CONG_VAN);
    expect(r.evidence).toBeGreaterThanOrEqual(DOCUMENT_EVIDENCE);
    expect(r.fields).toEqual({
      typeCode: 'CV',
      typeName: 'Công văn',
      number: '56',
      notation: '56/STTTT-VP',
      issuer: 'Sở Thông tin và Truyền thông tỉnh Bình Thuận',
      place: 'Bình Thuận',
      issuedDate: '2024-03-11',
      subject: 'Công khai địa chỉ thư điện tử công vụ',
      signer: { name: 'Nguyễn Văn Hiền', title: 'Phó Giám đốc', authority: 'KT. Giám đốc' },
      recipients: ['Như trên', 'Lưu: VT, VP'],
      urgency: 'normal',
      secrecy: 'normal',
      dueDate: '2024-03-29',
    });
    expect(r.confidence).toBeGreaterThan(0.9);
  });

  it('lowers confidence and explains when the heading contradicts the notation', () => {
    const r = x(CONG_VAN.replace('V/v công khai', 'THÔNG BÁO\nVề việc công khai').replace('56/STTTT-VP', '56/QĐ-STTTT'));
    expect(r.fields.typeCode).toBe('TB');
    expect(r.reasons.join()).toMatch(/does not match notation 56\/QĐ-STTTT/);
    expect(r.confidence).toBeLessThan(x(CONG_VAN).confidence);
  });

  it('flags a date in the future and a notation year that differs from the date', () => {
    const r = x(CONG_VAN.replace('56/STTTT-VP', '56/2023/QĐ-STTTT').replace('năm 2024', 'năm 2027'));
    expect(r.reasons.join('\n')).toMatch(/after 2026-11-23/);
    expect(r.reasons.join('\n')).toMatch(/year 2023 in the notation/);
  });

  it('does not vouch for a trích yếu with lost glyphs or stamp noise: subject under auto-register, the document to a clerk', () => {
    const clean = x(CONG_VAN);
    expect(clean.fieldConfidence.subject).toBe(0.85);
    expect(clean.reasons.join('\n')).not.toMatch(/damage/);
    for (const damaged of ['V/v công khai địa chỉ thư iện tử công vụ', 'V/v công khai & CÔNG O.NG ÃIj địa chỉ thư điện tử công vụ']) {
      const r = x(CONG_VAN.replace('V/v công khai địa chỉ thư điện tử công vụ', damaged));
      expect(r.fields.subject, damaged).not.toBeNull();
      expect(r.fieldConfidence.subject, damaged).toBeLessThan(0.8);
      expect(r.confidence, damaged).toBeLessThanOrEqual(0.6);
      expect(r.reasons.join('\n'), damaged).toMatch(/the subject shows signs of damage \(.*(iện|ÃIj) /);
      // The rest of the document keeps what it was worth.
      expect(r.fieldConfidence.notation).toBe(clean.fieldConfidence.notation);
    }
  });

  it('finds no document in a news item about one (seed 003 style)', () => {
    const r = x('Hưng Yên phê duyệt kế hoạch ứng dụng CNTT\nNgày 10 tháng 6 năm 2008, UBND tỉnh Hưng Yên đã ban hành Quyết định phê duyệt Kế hoạch.');
    expect(r.evidence).toBeLessThan(DOCUMENT_EVIDENCE);
  });
});
