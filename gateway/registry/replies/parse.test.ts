/** Reply commands (docs/act-by-email.md, "Commands"): phrasings with and without diacritics, quotes and signatures cut off. */
import { describe, expect, it } from 'vitest';
import { isAutoReply, ownText, parseCommand, readDate, type Command } from './parse.ts';

const TODAY = '2026-11-23';

const TABLE: Array<[string, Command]> = [
  ['Đã xử lý. Đã báo cáo UBND.', { kind: 'done', note: 'Đã báo cáo UBND.' }],
  ['Da xu ly. Da bao cao UBND.', { kind: 'done', note: 'Da bao cao UBND.' }],
  ['ĐÃ XỬ LÝ XONG', { kind: 'done', note: null }],
  ['xong', { kind: 'done', note: null }],
  ['Xong!\nĐã gửi công văn trả lời số 45/STC-NS.', { kind: 'done', note: 'Đã gửi công văn trả lời số 45/STC-NS.' }],
  ['Hoàn thành: đã tham mưu', { kind: 'done', note: 'đã tham mưu' }],
  ['Done. Reported to the province.', { kind: 'done', note: 'Reported to the province.' }],
  // The same words in NFD (macOS mail clients) read alike.
  ['Đã xử lý'.normalize('NFD'), { kind: 'done', note: null }],
  ['ý kiến: Đề nghị phòng Ngân sách phối hợp', { kind: 'comment', text: 'Đề nghị phòng Ngân sách phối hợp' }],
  ['Y kien - can bo sung so lieu', { kind: 'comment', text: 'can bo sung so lieu' }],
  ['comment: please check the figures', { kind: 'comment', text: 'please check the figures' }],
  ['gia hạn đến 15/12', { kind: 'extend', dueDate: '2026-12-15', reason: null }],
  ['Xin gia hạn đến ngày 15/12/2026 vì chờ số liệu', { kind: 'extend', dueDate: '2026-12-15', reason: 'chờ số liệu' }],
  ['gia han toi 5/1', { kind: 'extend', dueDate: '2027-01-05', reason: null }],
  ['extend to 2026-12-20', { kind: 'extend', dueDate: '2026-12-20', reason: null }],
  ['chuyển cho Trần Thị Bình', { kind: 'forward', target: 'Trần Thị Bình' }],
  ['chuyen cho binh@stc.lamdong.gov.vn.', { kind: 'forward', target: 'binh@stc.lamdong.gov.vn' }],
  ['Forward to Tran Thi Binh', { kind: 'forward', target: 'Tran Thi Binh' }],
  ['từ chối: không thuộc lĩnh vực phụ trách', { kind: 'decline', reason: 'không thuộc lĩnh vực phụ trách' }],
  ['Tu choi - khong dung phong', { kind: 'decline', reason: 'khong dung phong' }],
  ['decline: wrong department', { kind: 'decline', reason: 'wrong department' }],
  ['xem', { kind: 'view' }],
  ['Xem lại.', { kind: 'view' }],
  ['view', { kind: 'view' }],
  // A greeting line first is skipped.
  ['Kính gửi anh,\nĐã xử lý xong', { kind: 'done', note: null }],
  // Not commands.
  ['Cảm ơn anh, em đã nhận.', { kind: 'none' }],
  ['Xem xét và báo cáo sau', { kind: 'none' }],
  ['', { kind: 'none' }],
  // Command words with what they need missing.
  ['gia hạn đến khi nào xong', { kind: 'invalid', command: 'extend', problem: 'no-date' }],
  ['gia hạn đến 31/02', { kind: 'invalid', command: 'extend', problem: 'no-date' }],
  ['từ chối', { kind: 'invalid', command: 'decline', problem: 'no-reason' }],
  ['chuyển cho', { kind: 'invalid', command: 'forward', problem: 'no-target' }],
];

describe('parseCommand', () => {
  it.each(TABLE)('%j', (text, expected) => {
    expect(parseCommand(text, TODAY)).toEqual(expected);
  });

  it('reads only the officer’s own lines: quotes, "Vào … đã viết:", "On … wrote:", Outlook blocks and signatures are cut', () => {
    const gmail = 'Đã xử lý.\n\nVào Th 2, 23 thg 11, 2026 lúc 09:00 Văn thư <vanthu@stc.lamdong.gov.vn> đã viết:\n> từ chối: x';
    expect(parseCommand(gmail, TODAY)).toEqual({ kind: 'done', note: null });
    const english = 'Thanks\n\nOn Mon, Nov 23, 2026 at 9:00 AM Van thu <vanthu@stc.lamdong.gov.vn> wrote:\n> xong';
    expect(parseCommand(english, TODAY)).toEqual({ kind: 'none' });
    const outlook = 'ý kiến: đồng ý\n\n________________________________\nTừ: Văn thư <vanthu@stc.lamdong.gov.vn>\nxong';
    expect(parseCommand(outlook, TODAY)).toEqual({ kind: 'comment', text: 'đồng ý' });
    expect(ownText('Xong. Kết quả tốt.\n-- \nNguyễn Văn An\nPhòng Ngân sách')).toBe('Xong. Kết quả tốt.');
    expect(ownText('> xong\nabc')).toBe('');
    expect(parseCommand('Đã xử lý\nSent from my iPhone', TODAY)).toEqual({ kind: 'done', note: null });
  });

  it('gives a date without a year its next occurrence', () => {
    expect(readDate('15/12', TODAY)?.iso).toBe('2026-12-15');
    expect(readDate('23/11', TODAY)?.iso).toBe('2026-11-23');
    expect(readDate('22/11', TODAY)?.iso).toBe('2027-11-22');
    expect(readDate('29/2', TODAY)?.iso).toBe('2028-02-29');
    expect(readDate('15.12.26', TODAY)?.iso).toBe('2026-12-15');
    expect(readDate('tomorrow', TODAY)).toBeNull();
  });
});

describe('isAutoReply', () => {
  const h = (line: string) => [{ key: line.slice(0, line.indexOf(':')).toLowerCase(), line }];
  it.each([
    [h('Auto-Submitted: auto-replied'), 'Re: Giao xử lý'],
    [h('Auto-Submitted: auto-generated'), null],
    [h('X-Autoreply: yes'), null],
    [h('Precedence: bulk'), null],
    [h('Precedence: auto_reply'), null],
    [[], 'Trả lời tự động: Giao xử lý văn bản'],
    [[], 'Tra loi tu dong: Giao xu ly'],
    [[], 'Out of Office: Giao xử lý'],
    [[], 'Automatic reply: Giao xử lý'],
    [[], 'RE: Out of office'],
  ])('%j %s is automatic', (headers, subject) => {
    expect(isAutoReply(headers, subject)).toBe(true);
  });

  it('takes an ordinary reply for what it is', () => {
    expect(isAutoReply(h('Auto-Submitted: no'), 'Re: Giao xử lý văn bản')).toBe(false);
    expect(isAutoReply(h('Precedence: normal'), 'TL: Nhắc hạn xử lý')).toBe(false);
  });
});
