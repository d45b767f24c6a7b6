import { describe, expect, it } from 'vitest';
import type { BlockLine } from '../layout/types.ts';
import { readRecipientsBlock, readSignerBlock } from './closing.ts';

const lines = (...xs: Array<string | [string, number]>): BlockLine[] =>
  xs.map((x) => (typeof x === 'string' ? { text: x, breakBefore: false } : { text: x[0], breakBefore: true, gapBefore: x[1] }));

describe('signature block', () => {
  it('takes the authority nearest the title and the name below the signature space', () => {
    expect(readSignerBlock(lines('TL. CHỦ TỊCH', 'KT. CHÁNH VĂN PHÒNG', 'PHÓ CHÁNH VĂN PHÒNG', ['Phùng Tô Long', 5.9]))).toEqual({
      name: 'Phùng Tô Long',
      title: 'Phó Chánh Văn phòng',
      authority: 'KT. Chánh Văn phòng',
    });
  });

  it('joins a title that names its body on a second line', () => {
    expect(readSignerBlock(lines('TL. BỘ TRƯỞNG', 'VỤ TRƯỞNG', 'VỤ TỔ CHỨC PHI CHÍNH PHỦ', ['Thang Thị Hạnh', 5.9]))?.title).toBe(
      'Vụ trưởng Vụ Tổ chức phi Chính phủ',
    );
  });

  it('does not take the office printed under the signature, a stamp or a rank for the title or the name', () => {
    const signer = readSignerBlock(
      lines(
        'TM.HỘI ĐỒNG THẨM ĐỊNH',
        'CHỦ TỊCH',
        ['Digitally signed by SỞ NỘI VỤ', 2],
        'Date: 2026.02.03 10:00:00+07:00',
        ['GIÁM ĐỐC SỞ NỘI VỤ', 3],
        'Đỗ Văn Chung',
      ),
    );
    expect(signer).toEqual({ name: 'Đỗ Văn Chung', title: 'Chủ tịch', authority: 'TM. Hội đồng thẩm định' });
    expect(readSignerBlock(lines('GIÁM ĐỐC', ['Thiếu tướng Trương Minh Đương', 9]))?.name).toBe('Trương Minh Đương');
  });

  it('leaves the name empty when only a digital signature stands under the title', () => {
    expect(readSignerBlock(lines('TM. BAN THƯỜNG VỤ', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH', ['Digitally signed by HIỆP HỘI CÔNG CHỨNG VIÊN VIỆT NAM', 17]))).toEqual({
      name: null,
      title: 'Phó Chủ tịch',
      authority: 'KT. Chủ tịch',
    });
  });
});

describe('recipients block', () => {
  it('reads the list under "Nơi nhận:", a broken line joined', () => {
    expect(
      readRecipientsBlock(lines('Nơi nhận:', '- Như trên;', '- Vụ/Ban TCCB, đ/v thường trực CCHC', 'của các bộ, cơ quan ngang bộ;', '- Lưu: VT, CCHC.')),
    ).toEqual(['Như trên', 'Vụ/Ban TCCB, đ/v thường trực CCHC của các bộ, cơ quan ngang bộ', 'Lưu: VT, CCHC']);
  });
});
