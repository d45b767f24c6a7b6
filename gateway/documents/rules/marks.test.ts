import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { findMarks, subjectMarks } from './marks.ts';

describe('urgency and secrecy marks', () => {
  it('reads standalone marks in the header', () => {
    expect(findMarks(docFromLines(['UBND TỈNH X', 'Số: 1/UBND-VX', 'HỎA TỐC', 'MẬT']))).toEqual({ urgency: 'hoa_toc', secrecy: 'mat' });
    expect(findMarks(docFromLines(['[THƯỢNG KHẨN]', 'TỐI MẬT']))).toEqual({ urgency: 'thuong_khan', secrecy: 'toi_mat' });
    expect(findMarks(docFromLines(['HOẢ TỐC HẸN GIỜ', 'Độ mật: Tuyệt mật']))).toEqual({ urgency: 'hoa_toc', secrecy: 'tuyet_mat' });
  });

  it('ignores the words inside sentences', () => {
    expect(findMarks(docFromLines(['Đề nghị khẩn trương bố trí cán bộ', 'bảo vệ bí mật nhà nước']))).toEqual({ urgency: 'normal', secrecy: 'normal' });
  });

  it('reads marks opening a mail subject, not "Khẩn trương…"', () => {
    expect(subjectMarks('[KHẨN] Công văn số 56/STTTT-VP')).toEqual({ urgency: 'khan', secrecy: 'normal' });
    expect(subjectMarks('MẬT - V/v bảo đảm an ninh')).toEqual({ urgency: 'normal', secrecy: 'mat' });
    expect(subjectMarks('Khẩn trương triển khai kế hoạch')).toEqual({ urgency: 'normal', secrecy: 'normal' });
  });
});
