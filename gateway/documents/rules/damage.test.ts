import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDamage, textDamage } from './damage.ts';
import { isVietnameseSyllable } from './syllable.ts';

/** Trích yếu of the real corpus (tests/corpus/real/labels.json), as printed: none is damaged. */
const CLEAN_REAL = [
  'Đề xuất gia hạn thời gian tổ chức đại hội nhiệm kỳ',
  'V/v xem xét đề nghị của Ủy ban MTTQ Việt Nam tỉnh Lâm Đồng',
  'V/v lấy ý kiến góp ý dự thảo và cử công chức tham gia Tổ giúp việc về CCHC của tỉnh',
  'V/v báo cáo liên quan đến đề xuất cho phép thành lập Hội Ái hữu Pháp ngữ Đà Lạt - Lâm Đồng',
  'Về việc báo cáo kết quả tổ chức Đại hội và đề nghị phê duyệt Điều lệ Hội Golf tỉnh Lâm Đồng, nhiệm kỳ 2025 - 2030',
  'Về việc tăng cường công tác thi hành án hành chính trên địa bàn tỉnh Quảng Ngãi',
  'V/v góp ý dự thảo Quyết định sửa đổi, bổ sung một số điều của Quyết định số 2269/QĐ-TTg về Chương trình cung cấp dịch vụ viễn thông công ích',
  'Về việc cho phép hợp nhất Đoàn Luật sư tỉnh Lâm Đồng (cũ), Đoàn Luật sư tỉnh Bình Thuận (cũ), Đoàn Luật sư tỉnh Đắk Nông (cũ) thành Đoàn Luật sư tỉnh Lâm Đồng',
  'Về việc tham dự Hội nghị đánh giá Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi giai đoạn 2021 – 2030 khu vực miền Trung, Tây Nguyên',
  'Về việc ủy quyền cho Giám đốc Sở Công Thương thực hiện một số nhiệm vụ, quyền hạn của UBND tỉnh trong lĩnh vực an toàn vệ sinh lao động và vận chuyển hàng hóa nguy hiểm trên địa bàn tỉnh Lào Cai',
  'Tiếp thu, giải trình ý kiến thẩm tra của Ban Pháp chế Hội đồng nhân dân tỉnh đối với dự thảo Nghị quyết quy định chính sách hỗ trợ đào tạo cán bộ, công chức; thu hút nguồn nhân lực chất lượng cao tỉnh Vĩnh Long giai đoạn 2026 - 2030',
  'V/v tổ chức Đại hội của Hiệp hội Doanh nghiệp tỉnh lần thứ V, nhiệm kỳ 2025-2030',
  'Kiểm tra việc chấp hành Quy định pháp luật trong sử dụng và bảo quản vật liệu nổ công nghiệp trên địa bàn tỉnh Lào Cai',
  'V/v xin chủ trương triển khai thực hiện công tác cai nghiện ma túy tự nguyện tại gia đình, cộng đồng trên địa bàn tỉnh Lâm Đồng',
];

describe('isVietnameseSyllable', () => {
  it('takes the syllables of official prose, either tone placement, gi/qu/ngh spellings', () => {
    const words = 'nghiệp quyết định giấy gìn giếng khuya thuở hòa hoà ủy uỷ yêu yến quốc nguyễn trường xoong chiến lược ý ở ngoằn oanh';
    for (const w of words.split(' ')) expect(isVietnameseSyllable(w), w).toBe(true);
    expect(isVietnameseSyllable('ĐỒNG')).toBe(true);
  });

  it('refuses what glyph loss and OCR leave: no onset before iê, no vowel, two tones, a stop with the wrong tone, misspelt onsets', () => {
    for (const w of ['iệp', 'iến', 'ngh', 'tr', 'cầp', 'hẻc', 'dièm', 'việclàm', 'kà', 'cê', 'ghá', 'quư', 'ãij'])
      expect(isVietnameseSyllable(w), w).toBe(false);
  });
});

describe('textDamage', () => {
  it('finds the glyph loss of a font subset ("Hiệp" without its H)', () => {
    const d = textDamage('Tổ chức Đại hội của iệp hội oanh nghiệp tỉnh lần thứ V, nhiệm kỳ 2025-2030');
    expect(d.damaged).toBe(true);
    expect(describeDamage(d)).toBe('iệp (not-a-syllable)');
  });

  it('finds the noise of a received-stamp run into the title by OCR', () => {
    const d = textDamage('-TRUNG TÂM CÔNG 810 & Tin HỌC O.NG ÃIj Về việc tăng cường công tác thi hành án hành chính');
    expect(d.damaged).toBe(true);
    expect(d.signs.map((s) => s.sign)).toEqual(['symbol', 'mixed-case']);
  });

  it('finds symbols glued to words, Latin-1 look-alikes, merged words, letters without a vowel', () => {
    for (const t of ['V/v cử cán bộ T§6 tham dự', 'Về việc nghiÇn cứu đề án', 'Về việc kiểm tra tỉnhLâm Đồng', 'Về việc tổ chức ngh hội nghị']) {
      expect(textDamage(t).damaged, t).toBe(true);
    }
  });

  it('leaves clean trích yếu of the real corpus alone', () => {
    for (const t of CLEAN_REAL) expect(describeDamage(textDamage(t)), t).toBe('');
  });

  it('finds no sign in any trích yếu of the real corpus as labelled (tests/corpus/real/labels.json)', () => {
    const labels = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../tests/corpus/real/labels.json'), 'utf8')) as Array<{
      file: string;
      fields: { subject: string | null };
    }>;
    const subjects = labels.filter((l) => l.fields.subject);
    expect(subjects.length).toBeGreaterThan(150);
    const signed = subjects.map((l) => `${l.file}: ${describeDamage(textDamage(l.fields.subject))}`).filter((s) => !s.endsWith(': '));
    expect(signed).toEqual([]);
  });

  it('does not judge codes, acronyms, loanwords and brands, nor a single weak sign', () => {
    for (const t of [
      'Về việc triển khai ứng dụng VNeID và dịch vụ công trực tuyến (online) trên Internet',
      'V/v thực hiện Nghị quyết số 57-NQ/TW về KHCN, ĐMST và CĐS; HĐND, BCĐ, COVID-19',
      'Về việc hỗ trợ xã Krông Pắc',
      'Về việc phối hợp Khoa học & Công nghệ',
      'Về việc góp ý qua địa chỉ vanthu@lamdong.gov.vn và https://lamdong.gov.vn/gop-y',
    ]) {
      expect(textDamage(t).damaged, t).toBe(false);
    }
  });

  it('is not damaged when empty', () => {
    expect(textDamage(null)).toEqual({ damaged: false, score: 0, signs: [] });
  });
});
