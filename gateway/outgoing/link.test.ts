import { describe, expect, it } from 'vitest';
import { dsnResults, returnedMessageIds } from './link.ts';

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
