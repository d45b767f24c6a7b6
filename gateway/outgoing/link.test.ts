import { describe, expect, it } from 'vitest';
import { dsnResults, pickDelivery, returnedMessageIds } from './link.ts';
import type { DeliveryRow } from './tracking.ts';

const row = (recipient: string, recipientName: string | null): DeliveryRow => ({
  id: recipient,
  outgoingId: 'O1',
  recipient,
  recipientName,
  organId: null,
  state: 'delivered',
  attempts: 1,
  response: null,
  lastError: null,
  evidence: [],
  sentAt: null,
  receivedAt: null,
  handledAt: null,
  updatedAt: new Date(0),
});

const REPORT = [
  'Reporting-MTA: dns; mx.example.vn',
  '',
  'Final-Recipient: rfc822; VanThu@STP.lamdong.gov.vn',
  'Action: failed',
  'Status: 5.1.1',
  '',
  'Final-Recipient: rfc822; a@b.vn',
  'Action: delayed',
  '',
].join('\r\n');

describe('bounces of outgoing documents', () => {
  it('finds our Message-ID in returned headers or a returned message, not in its body', () => {
    expect(returnedMessageIds([{ contentType: 'text/rfc822-headers', content: 'From: a@b\r\nMessage-ID:\r\n <x.1@stc.lamdong.gov.vn>\r\n' }])).toEqual([
      '<x.1@stc.lamdong.gov.vn>',
    ]);
    const returned = 'Subject: s\r\nMessage-Id: <x.2@stc.lamdong.gov.vn>\r\n\r\nMessage-ID: <quoted@else.vn>\r\n';
    expect(
      returnedMessageIds([
        { contentType: 'message/rfc822', content: returned },
        { contentType: 'application/pdf', content: 'Message-ID: <no@x>' },
      ]),
    ).toEqual(['<x.2@stc.lamdong.gov.vn>']);
  });

  it('reads the per-recipient report from its part, or from the text mailparser folded it into', () => {
    const want = [
      { recipient: 'vanthu@stp.lamdong.gov.vn', action: 'failed', status: '5.1.1' },
      { recipient: 'a@b.vn', action: 'delayed', status: null },
    ];
    expect(dsnResults([{ contentType: 'message/delivery-status', content: REPORT }])).toEqual(want);
    expect(dsnResults([], `The mail system could not deliver.\n\n${REPORT.replace(/\r\n/g, '\n')}`)).toEqual(want);
    expect(dsnResults([], 'Xác nhận đã nhận văn bản 1/KH-STC-VP')).toEqual([]);
  });
});

describe('which recipient a notice speaks for', () => {
  const stp = row('vanthu@stp.lamdong.gov.vn', 'Sở Tư pháp tỉnh Lâm Đồng');
  const vp = row('vanthu@vpubnd.lamdong.gov.vn', 'Văn phòng Ủy ban nhân dân tỉnh Lâm Đồng');
  const ubnd = row('vanthu@ubnd.lamdong.gov.vn', 'Ủy ban nhân dân tỉnh Lâm Đồng');
  // Units of one gateway answer from its one notice address: the receipt's first line names the unit.
  const receipt = (unit: string) => `${unit} đã nhận và vào sổ văn bản đến:\nBáo cáo số 1/BC-STC của Sở Tài chính tỉnh Lâm Đồng`;

  it('goes by address, organ id and domain first, then by the unit the receipt names', () => {
    expect(pickDelivery([stp, vp], 'VanThu@STP.lamdong.gov.vn', null, receipt(vp.recipientName!))).toBe(stp);
    expect(pickDelivery([stp, vp], 'vanthu@lamdong.gov.vn', null, receipt('Văn phòng UBND'))).toBeNull();
    expect(pickDelivery([stp, vp], 'vanthu@lamdong.gov.vn', null, receipt('Văn phòng Uỷ ban nhân dân tỉnh Lâm Đồng'.normalize('NFD')))).toBe(vp);
    expect(pickDelivery([stp], 'vanthu@lamdong.gov.vn', null, 'Cảm ơn')).toBe(stp);
  });

  it('takes the longest of nested names and leaves two unrelated names undecided', () => {
    expect(pickDelivery([ubnd, vp], 'vanthu@lamdong.gov.vn', null, receipt(vp.recipientName!))).toBe(vp);
    expect(pickDelivery([stp, vp], 'vanthu@lamdong.gov.vn', null, `${receipt(vp.recipientName!)}\nĐồng gửi: ${stp.recipientName}`)).toBeNull();
  });
});
