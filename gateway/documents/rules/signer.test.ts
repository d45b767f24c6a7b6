import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { findSigner } from './signer.ts';

const signerOf = (lines: string[]) => findSigner(docFromLines(lines), 0, lines.length)?.signer ?? null;

describe('signer block', () => {
  it('takes the authority nearest the title (seed 000)', () => {
    expect(signerOf(['TM. ỦY BAN NHÂN DÂN TỈNH', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH', ' Nguyễn Thị Thanh Hà'])).toEqual({
      name: 'Nguyễn Thị Thanh Hà',
      title: 'Phó Chủ tịch',
      authority: 'KT. Chủ tịch',
    });
  });

  it('reads TM. with the title directly below', () => {
    expect(signerOf(['TM. ỦY BAN NHÂN DÂN', 'CHỦ TỊCH', '(Đã ký)', 'Lê Tiến Phương'])).toEqual({
      name: 'Lê Tiến Phương',
      title: 'Chủ tịch',
      authority: 'TM. Ủy ban nhân dân',
    });
  });

  it('reads the T/M form without a dot', () => {
    expect(signerOf(['T/M ỦY BAN NHÂN DÂN', 'CHỦ TỊCH', 'TRẦN VĂN LỢI'])).toEqual({
      name: 'Trần Văn Lợi',
      title: 'Chủ tịch',
      authority: 'TM. Ủy ban nhân dân',
    });
  });

  it('reads TL., TUQ. and Q. authorities', () => {
    expect(signerOf(['TL. CHỦ TỊCH', 'CHÁNH VĂN PHÒNG', 'Nguyễn Hà Nam'])).toMatchObject({ authority: 'TL. Chủ tịch', title: 'Chánh Văn phòng' });
    expect(signerOf(['TUQ. CHỦ TỊCH', 'GIÁM ĐỐC SỞ NỘI VỤ', 'Trần Văn Hiếu'])).toMatchObject({ authority: 'TUQ. Chủ tịch', title: 'Giám đốc Sở Nội vụ' });
    expect(signerOf(['Q. GIÁM ĐỐC', 'Phạm Văn Long'])).toEqual({ name: 'Phạm Văn Long', title: null, authority: 'Q. Giám đốc' });
  });

  it('skips the interleaved Nơi nhận column of PDF text', () => {
    expect(signerOf(['Nơi nhận:', 'KT. GIÁM ĐỐC', '- Như trên;', 'PHÓ GIÁM ĐỐC', '- Lưu: VT.', 'Lê Thị Thu Trang'])).toEqual({
      name: 'Lê Thị Thu Trang',
      title: 'Phó Giám đốc',
      authority: 'KT. Giám đốc',
    });
  });

  it('finds a title without an authority line, and upper-case names', () => {
    expect(signerOf(['GIÁM ĐỐC', 'NGUYỄN VĂN QUÂN'])).toEqual({ name: 'Nguyễn Văn Quân', title: 'Giám đốc', authority: null });
  });

  it('returns null without any signer block', () => {
    expect(signerOf(['Trân trọng cảm ơn.', 'Nguyễn Văn An'])).toBeNull();
  });
});
