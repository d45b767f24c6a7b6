import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { findRecipientsLine, readRecipients } from './recipients.ts';

const read = (lines: string[]) => {
  const doc = docFromLines(lines);
  const at = findRecipientsLine(doc);
  return at === null ? null : readRecipients(doc, at);
};

describe('Nơi nhận', () => {
  it('reads one recipient per line without dash and semicolon', () => {
    expect(read(['Nơi nhận:', '- Thường trực TU (b/c);', '- Bộ Tư pháp (Cục kiểm tra VPQPPL);', '- Lưu: VP, TTHT.', 'TM. ỦY BAN NHÂN DÂN TỈNH'])).toEqual([
      'Thường trực TU (b/c)',
      'Bộ Tư pháp (Cục kiểm tra VPQPPL)',
      'Lưu: VP, TTHT',
    ]);
  });

  it('joins a recipient broken over two lines even with signer lines between', () => {
    expect(read(['Nơi nhận:', 'TM. CHÍNH PHỦ', '- Các bộ, cơ quan ngang bộ, cơ', 'THỦ TƯỚNG', 'quan thuộc Chính phủ;', '- Lưu: VT, TCCV.'])).toEqual([
      'Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ',
      'Lưu: VT, TCCV',
    ]);
  });

  it('stops at website boilerplate', () => {
    expect(read(['Nơi nhận:', '- Như trên;', 'Văn bản này chưa cập nhật nội dung Tiếng Anh', '- Đăng ký thành viên'])).toEqual(['Như trên']);
  });

  it('is absent when there is no list', () => {
    expect(read(['Kính gửi: Sở Nội vụ'])).toBeNull();
  });
});
