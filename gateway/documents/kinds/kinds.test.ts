import { describe, expect, it } from 'vitest';
import { automatedReason, type MailFacts } from './automated.ts';
import { receiptOf } from './receipt.ts';

const facts = (over: Partial<MailFacts>): MailFacts => ({
  subject: '',
  from: 'a@b.gov.vn',
  headers: new Map(),
  contentType: 'text/plain',
  reportType: null,
  partTypes: [],
  bodyText: '',
  ...over,
});

describe('automated mail', () => {
  it('recognises DSNs, RFC 3834 and de-facto headers', () => {
    expect(automatedReason(facts({ reportType: 'delivery-status' }))).toMatch(/3464/);
    expect(automatedReason(facts({ headers: new Map([['auto-submitted', 'auto-replied']]) }))).toMatch(/3834/);
    expect(automatedReason(facts({ headers: new Map([['auto-submitted', 'no']]) }))).toBeNull();
    expect(automatedReason(facts({ headers: new Map([['x-autoreply', 'yes']]) }))).toMatch(/x-autoreply/);
    expect(automatedReason(facts({ from: 'MAILER-DAEMON@mx.gov.vn' }))).toMatch(/mailer-daemon/i);
  });

  it('recognises out-of-office subjects and bodies in English and Vietnamese', () => {
    expect(automatedReason(facts({ subject: 'Automatic reply: Công văn số 12/UBND-VX' }))).not.toBeNull();
    expect(automatedReason(facts({ subject: 'Trả lời tự động: V/v báo cáo' }))).not.toBeNull();
    expect(automatedReason(facts({ subject: 'Re: Giấy mời', bodyText: 'Tôi hiện đang đi công tác đến hết ngày 02/11.' }))).not.toBeNull();
    expect(automatedReason(facts({ subject: 'Re: Giấy mời', bodyText: 'Anh xem giúp em bản dự thảo nhé.' }))).toBeNull();
  });
});

describe('receipts by mail', () => {
  it('reads a receipt and the notation it answers', () => {
    expect(receiptOf(facts({ subject: 'Xác nhận đã nhận văn bản số 1502/STTTT-VP' }))).toEqual({ reason: 'receipt notice by mail', notation: '1502/STTTT-VP' });
    expect(receiptOf(facts({ reportType: 'disposition-notification' }))?.reason).toMatch(/8098/);
  });

  it('does not mistake ordinary mail for a receipt', () => {
    expect(receiptOf(facts({ subject: 'Góp ý dự thảo', bodyText: 'Em gửi anh văn bản đã sửa.' }))).toBeNull();
  });
});
