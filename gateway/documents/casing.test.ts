import { describe, expect, it } from 'vitest';
import { organizationCase, personNameCase, placeCase, sentenceCase, titleCase } from './casing.ts';

describe('organizationCase', () => {
  it.each([
    ['ỦY BAN NHÂN DÂN TỈNH BẾN TRE', 'Ủy ban nhân dân tỉnh Bến Tre'],
    ['UBND TỈNH BÌNH THUẬN', 'Ủy ban nhân dân tỉnh Bình Thuận'],
    ['UỶ BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI', 'Ủy ban nhân dân thành phố Hà Nội'],
    ['SỞ THÔNG TIN VÀ TRUYỀN THÔNG', 'Sở Thông tin và Truyền thông'],
    ['SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI TỈNH ĐỒNG THÁP', 'Sở Lao động - Thương binh và Xã hội tỉnh Đồng Tháp'],
    ['VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG', 'Văn phòng Ủy ban nhân dân tỉnh Lâm Đồng'],
    ['BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH', 'Bộ Văn hóa, Thể thao và Du lịch'],
    ['CỤC QUẢN LÝ GIÁ', 'Cục Quản lý giá'],
    ['UBND QUẬN BA ĐÌNH', 'Ủy ban nhân dân quận Ba Đình'],
    ['BỘ TÀI CHÍNH - BỘ NỘI VỤ', 'Bộ Tài chính - Bộ Nội vụ'],
    ['CHÍNH PHỦ', 'Chính phủ'],
    // Acronyms keep their capitals; a council is a body of its own.
    ['BCH ĐOÀN TỈNH LÂM ĐỒNG', 'BCH đoàn tỉnh Lâm Đồng'],
    ['HỘI ĐỒNG THẨM ĐỊNH, ĐÁNH GIÁ CHỈ SỐ CCHC', 'Hội đồng thẩm định, đánh giá chỉ số CCHC'],
  ])('%s → %s', (raw, want) => expect(organizationCase(raw)).toBe(want));
});

describe('titleCase', () => {
  it.each([
    ['PHÓ CHỦ TỊCH', 'Phó Chủ tịch'],
    ['CHÁNH VĂN PHÒNG', 'Chánh Văn phòng'],
    ['PHÓ CHÁNH VĂN PHÒNG', 'Phó Chánh Văn phòng'],
    ['PHÓ TRƯỞNG PHÒNG', 'Phó Trưởng phòng'],
    ['GIÁM ĐỐC SỞ NỘI VỤ', 'Giám đốc Sở Nội vụ'],
    ['THỨ TRƯỞNG', 'Thứ trưởng'],
    ['THỦ TƯỚNG', 'Thủ tướng'],
  ])('%s → %s', (raw, want) => expect(titleCase(raw)).toBe(want));
});

describe('sentenceCase', () => {
  it('lowers an upper-case summary and restores proper names', () => {
    expect(sentenceCase('ĐẨY MẠNH TRIỂN KHAI ỨNG DỤNG CNTT TẠI TỈNH BẾN TRE THEO CHỈ ĐẠO CỦA THỦ TƯỚNG CHÍNH PHỦ')).toBe(
      'Đẩy mạnh triển khai ứng dụng cntt tại tỉnh Bến Tre theo chỉ đạo của Thủ tướng Chính phủ',
    );
  });
  it('keeps the capitals of a mixed-case summary', () => {
    expect(sentenceCase('triển khai Chỉ thị số 15/CT-TTg của Thủ tướng Chính phủ')).toBe('Triển khai Chỉ thị số 15/CT-TTg của Thủ tướng Chính phủ');
  });
});

describe('names and places', () => {
  it('title-cases person names and upper-case places', () => {
    expect(personNameCase('NGUYỄN THỊ THANH HÀ')).toBe('Nguyễn Thị Thanh Hà');
    expect(placeCase('BÌNH THUẬN')).toBe('Bình Thuận');
    expect(placeCase('TP. Hồ Chí Minh')).toBe('TP. Hồ Chí Minh');
  });
});

describe('organizationCase: Party committees', () => {
  it.each([
    ['TỈNH ỦY LÀO CAI', 'Tỉnh ủy Lào Cai'],
    ['TÍNH ỦY LÀO CAI', 'Tỉnh ủy Lào Cai'],
    ['HUYỆN ỦY TUẦN GIÁO', 'Huyện ủy Tuần Giáo'],
  ])('%s → %s', (raw, cased) => {
    expect(organizationCase(raw)).toBe(cased);
  });
});
