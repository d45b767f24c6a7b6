/** Corrections of OCR words against known phrases (lexicon.ts, classify.ts correctedReading). */
import { describe, expect, it } from 'vitest';
import { correctedReading, type OcrReading } from './classify.ts';
import { correctText, correctTokens, notationDigits } from './lexicon.ts';

const fix = (line: string) => correctTokens(line.split(' ')).join(' ');

describe('correctTokens', () => {
  it('gives a known phrase its diacritics, in the case it was printed in', () => {
    expect(fix('UBND TỈNH LÂM ĐÔNG')).toBe('UBND TỈNH LÂM ĐỒNG');
    expect(fix('KT. GIÁM ĐÔC')).toBe('KT. GIÁM ĐỐC');
    expect(fix('PHÓ CHU TỊCH')).toBe('PHÓ CHỦ TỊCH');
    expect(fix('Lâm Đông, ngày 15 tháng 01 năm 2026')).toBe('Lâm Đồng, ngày 15 tháng 01 năm 2026');
    expect(fix('trên địa bàn tinh Lâm Đông.')).toBe('trên địa bàn tỉnh Lâm Đồng.');
    expect(fix('SỞ TƯ PHAP')).toBe('SỞ TƯ PHÁP');
    expect(fix('HỘI ĐÔNG NHÂN DÂN')).toBe('HỘI ĐỒNG NHÂN DÂN');
  });

  it('leaves single words, other words and unlike capitals alone', () => {
    // "ĐÔC" alone could be ĐỐC or ĐỘC: only a phrase tells.
    expect(fix('ĐÔC')).toBe('ĐÔC');
    expect(fix('Độc lập')).toBe('Độc lập');
    expect(fix('lâm đông')).toBe('lâm đông'); // a place name is written with capitals
    expect(fix('Sở Tư Pháp')).toBe('Sở Tư Pháp'); // capitals not where the phrase has them
    expect(fix('Hà Nội, ngày 11 tháng 12 năm 2025')).toBe('Hà Nội, ngày 11 tháng 12 năm 2025');
    expect(correctTokens(['', 'LÂM', 'ĐÔNG', ''])).toEqual(['', 'LÂM', 'ĐỒNG', '']);
  });

  it("makes digits of the letters read for them in a notation's number, and nothing else", () => {
    expect(notationDigits('5l/TTr-SNV')).toBe('51/TTr-SNV');
    expect(notationDigits('1O2/QĐ-UBND')).toBe('102/QĐ-UBND');
    expect(notationDigits('58/CĐ-VPCP')).toBe('58/CĐ-VPCP');
    expect(notationDigits('lO/ABC')).toBe('lO/ABC'); // no digit: not a number
    expect(notationDigits('V/v')).toBe('V/v');
    expect(fix('Số: 5l/TTr-SNV')).toBe('Số: 51/TTr-SNV');
    expect(fix('Số: 5l /TTr-SNV')).toBe('Số: 51 /TTr-SNV');
    expect(fix('Số: I813/STP-BTTP')).toBe('Số: 1813/STP-BTTP');
  });

  it('makes digits of what tesseract reads for them in the day and month of a date, apart from the words', () => {
    // As the degraded corpus has them: a day written by hand or stamped after signing.
    expect(fix('Hà Nội, ngày II tháng 12 năm 2025')).toBe('Hà Nội, ngày 11 tháng 12 năm 2025');
    expect(fix('Tuần Giáo, ngày!2 tháng 11 năm 2020.')).toBe('Tuần Giáo, ngày 12 tháng 11 năm 2020.');
    expect(fix('Lâm Đồng, ngày /5tháng 01 năm 2026')).toBe('Lâm Đồng, ngày 15 tháng 01 năm 2026');
    expect(fix('Quảng Ngãi, ngày24tháng 01 năm 2025')).toBe('Quảng Ngãi, ngày 24 tháng 01 năm 2025');
    expect(fix('Hà Nội, ngày 18 tháng 9_ năm 2025')).toBe('Hà Nội, ngày 18 tháng 9 năm 2025');
    expect(fix('ngày l2 tháng 1l năm 2020')).toBe('ngày 12 tháng 11 năm 2020');
    // Only right after "ngày" or "tháng", and only what can be a day.
    expect(fix('Ngày Ô tháng')).toBe('Ngày Ô tháng');
    expect(fix('điểm II của khoản 2')).toBe('điểm II của khoản 2');
    expect(fix('ngày làm việc')).toBe('ngày làm việc');
  });

  it('joins a phrase OCR split or glued, and gives a name line its family name', () => {
    expect(correctTokens(['Nơi', 'nhận:', 'KT.', 'BỌ', 'TRƯỞN', 'G'])).toEqual(['Nơi', 'nhận:', 'KT.', 'BỘ TRƯỞNG', '', '']);
    expect(fix('BCH đoàn tỉnh Lâmđòng')).toBe('BCH đoàn tỉnh Lâm Đồng');
    expect(fix('Trân Bình Trọng')).toBe('Trần Bình Trọng');
    expect(fix('Nguyên Đức Vũ')).toBe('Nguyễn Đức Vũ');
    // Not a name line, or no family name: left alone.
    expect(fix('Trân trọng cảm ơn')).toBe('Trân trọng cảm ơn');
    expect(fix('Bình Trọng')).toBe('Bình Trọng');
    expect(fix('lâmđòng')).toBe('lâmđòng');
  });

  it('gives common pairs of official prose their marks, and drops specks read as underscores', () => {
    expect(fix('Ý kiến đối với hồ sơ đề nghị _ hợp nhât Đoàn Luật sư tỉnh')).toBe('Ý kiến đối với hồ sơ đề nghị  hợp nhất Đoàn Luật sư tỉnh');
    expect(fix('Phiên họp lần thứ nhất Ban Chí đạo quốc gia')).toBe('Phiên họp lần thứ nhất Ban Chỉ đạo quốc gia');
    expect(fix('Đề án tô chức Đại hội')).toBe('Đề án tổ chức Đại hội');
    expect(fix('trân trọng')).toBe('trân trọng');
    expect(fix('Ban hànhKế hoạch')).toBe('Ban hành Kế hoạch');
    expect(fix('51/TTr-SNV McD')).toBe('51/TTr-SNV McD');
  });

  it('corrects a text line by line', () => {
    expect(correctText('UBND TỈNH LÂM ĐÔNG\nSỞ NỘI VỤ\n\nKT. GIÁM ĐÔC')).toBe('UBND TỈNH LÂM ĐỒNG\nSỞ NỘI VỤ\n\nKT. GIÁM ĐỐC');
  });
});

describe('correctedReading', () => {
  it('corrects the stored words within their tesseract line, keeping confidence and box, and leaves the reading given alone', () => {
    const read: OcrReading = {
      text: 'UBND TỈNH LÂM ĐÔNG\nLÂM ĐÔNG',
      confidence: 90,
      pages: [
        {
          width: 2480,
          height: 3508,
          dpi: 300,
          words: [
            ['UBND', 95, 100, 100, 80, 30, 0],
            ['TỈNH', 93, 190, 100, 80, 30, 0],
            ['LÂM', 91, 280, 100, 70, 30, 0],
            ['ĐÔNG', 88, 360, 100, 90, 30, 0],
            // The same two words on two lines are no phrase.
            ['LÂM', 90, 100, 200, 70, 30, 1],
            ['ĐÔNG', 90, 100, 240, 90, 30, 2],
          ],
        },
      ],
    };
    const fixed = correctedReading(read);
    expect(fixed.pages[0].words[3]).toEqual(['ĐỒNG', 88, 360, 100, 90, 30, 0]);
    expect(fixed.pages[0].words[5][0]).toBe('ĐÔNG');
    expect(fixed.text).toBe('UBND TỈNH LÂM ĐỒNG\nLÂM ĐỒNG');
    expect(read.pages[0].words[3][0]).toBe('ĐÔNG');
  });
});
