import { describe, expect, it } from 'vitest';
import { foldSameLength } from '../text.ts';
import { AUTHORITY, continuesSentence, isNationalTitle, isPersonName, isPreambleAuthority, isWebNoise } from './layout.ts';

const f = foldSameLength;

describe('layout line classifiers', () => {
  it('recognises the national title, whole or split, in either tone style', () => {
    expect(isNationalTitle(f('CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM'))).toBe(true);
    expect(isNationalTitle(f('CHỦ NGHĨA VIỆT NAM |'))).toBe(true);
    expect(isNationalTitle(f('Độc lập – Tự do – Hạnh phúc'))).toBe(true);
    expect(isNationalTitle(f('ỦY BAN NHÂN DÂN'))).toBe(false);
  });

  it('recognises person names, preamble authorities, authorities and web boilerplate', () => {
    expect(isPersonName('Nguyễn Thị Thanh Hà')).toBe(true);
    expect(isPersonName('Rơ Châm Loan')).toBe(true);
    expect(isPersonName('Văn bản này chưa cập nhật')).toBe(false);
    expect(isPreambleAuthority(f('CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG'))).toBe(true);
    expect(AUTHORITY.test(f('KT. CHỦ TỊCH'))).toBe(true);
    expect(AUTHORITY.test(f('T/M ỦY BAN NHÂN DÂN'))).toBe(true);
    expect(AUTHORITY.test(f('Tiếp tục triển khai'))).toBe(false);
    expect(isWebNoise(f('Bạn Chưa Đăng Nhập Thành Viên!'))).toBe(true);
  });
});

describe('a line that carries on the sentence above', () => {
  it('begins with a lower-case word, not a capital or a list item', () => {
    expect(continuesSentence('thực hiện an toàn đưa kho')).toBe(true);
    expect(continuesSentence('  nhằm nâng cao hiệu quả')).toBe(true);
    expect(continuesSentence('Thực hiện Công văn số 12/UBND-KT')).toBe(false);
    expect(continuesSentence('a) Tổ chức kiểm tra')).toBe(false);
    expect(continuesSentence('đ) Báo cáo kết quả')).toBe(false);
    expect(continuesSentence('1. Mục đích')).toBe(false);
  });
});

describe('the Party motto', () => {
  it('is a motto line as the national title is', () => {
    expect(isNationalTitle(f('ĐẢNG CỘNG SẢN VIỆT NAM'))).toBe(true);
    expect(isNationalTitle(f('TỈNH ỦY LÀO CAI'))).toBe(false);
  });
});
