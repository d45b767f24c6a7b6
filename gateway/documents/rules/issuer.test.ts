import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { completeIssuer, composeIssuer, issuerLines } from './issuer.ts';

describe('composeIssuer', () => {
  it.each([
    [['ỦY BAN NHÂN DÂN', 'TỈNH BẾN TRE'], 'Ủy ban nhân dân tỉnh Bến Tre'],
    [['ỦY BAN NHÂN DÂN TỈNH BẾN TRE'], 'Ủy ban nhân dân tỉnh Bến Tre'],
    [['UBND TỈNH BÌNH THUẬN', 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG'], 'Sở Thông tin và Truyền thông tỉnh Bình Thuận'],
    [['UBND TỈNH BÌNH THUẬN', 'SỞ THÔNG TIN VÀ TRUYỀN', 'THÔNG'], 'Sở Thông tin và Truyền thông tỉnh Bình Thuận'],
    [['UBND TỈNH VĨNH LONG', 'VĂN PHÒNG'], 'Văn phòng Ủy ban nhân dân tỉnh Vĩnh Long'],
    [['UBND TỈNH HƯNG YÊN', 'CÔNG AN TỈNH'], 'Công an tỉnh Hưng Yên'],
    [['UBND TỈNH BẾN TRE', 'UBND HUYỆN CHÂU THÀNH'], 'Ủy ban nhân dân huyện Châu Thành'],
    [['BỘ TÀI CHÍNH', 'CỤC QUẢN LÝ GIÁ'], 'Cục Quản lý giá'],
    [['UBND TỈNH LÂM ĐỒNG', 'HỘI ĐỒNG THẨM ĐỊNH,', 'ĐÁNH GIÁ CHỈ SỐ CCHC'], 'Hội đồng thẩm định, đánh giá chỉ số CCHC tỉnh Lâm Đồng'],
    [['UBND TỈNH LÂM ĐỒNG', 'TRUNG TÂM XÚC TIẾN ĐẦU TƯ', 'THƯƠNG MẠI VÀ DU LỊCH'], 'Trung tâm Xúc tiến đầu tư thương mại và Du lịch tỉnh Lâm Đồng'],
    // A council's team and a portal's editorial board are named with their whole parent.
    [['HỘI ĐỒNG NHÂN DÂN', 'TỈNH BÌNH DƯƠNG', 'ĐOÀN GIÁM SÁT'], 'Đoàn giám sát Hội đồng nhân dân tỉnh Bình Dương'],
    [['CỔNG THÔNG TIN ĐIỆN TỬ', 'TỈNH VĨNH LONG', 'BAN BIÊN TẬP'], 'Ban Biên tập Cổng thông tin điện tử tỉnh Vĩnh Long'],
    [['SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH TỈNH LÂM ĐỒNG', 'TRUNG TÂM HUẤN LUYỆN VÀ THI ĐẤU THỂ THAO'], 'Trung tâm Huấn luyện và Thi đấu thể thao tỉnh Lâm Đồng'],
  ])('%j → %s', (lines, want) => expect(composeIssuer(lines)).toBe(want));
});

describe('issuerLines', () => {
  it('collects the block above the notation, skipping the national title beside it', () => {
    const doc = docFromLines([
      'Tình trạng: Đã biết',
      'ỦY BAN NHÂN DÂN',
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'TỈNH BẾN TRE',
      'Độc lập - Tự do - Hạnh phúc',
      'KHẨN',
      'Số: 1/UBND-VX',
    ]);
    expect(issuerLines(doc, 6)).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH BẾN TRE']);
  });
});

describe('completeIssuer', () => {
  it('adds a known locality to a bare "Ủy ban nhân dân" only', () => {
    expect(completeIssuer('Ủy ban nhân dân', 'tỉnh Bình Thuận')).toBe('Ủy ban nhân dân tỉnh Bình Thuận');
    expect(completeIssuer('Ủy ban nhân dân tỉnh Bến Tre', 'tỉnh Bình Thuận')).toBe('Ủy ban nhân dân tỉnh Bến Tre');
    expect(completeIssuer('Sở Nội vụ', 'tỉnh Cà Mau')).toBe('Sở Nội vụ');
  });
});
