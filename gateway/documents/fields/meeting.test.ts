/** Meeting time and place of an invitation, as written in real giấy mời (fields/meeting.ts). */
import { describe, expect, it } from 'vitest';
import { prepareText } from '../prepare.ts';
import { readMeeting } from './meeting.ts';

const gm = (body: string, issuedDate: string | null = '2026-12-01') => readMeeting(prepareText(body), { typeCode: 'GM', issuedDate });

describe('readMeeting', () => {
  it('reads a labelled time with giờ/phút, a weekday and a long place', () => {
    const m = gm(
      'GIẤY MỜI\nHọp triển khai kế hoạch năm 2027\n1. Thời gian: 08 giờ 00 phút, thứ Ba, ngày 15/12/2026.\n2. Địa điểm: Phòng họp số 2, trụ sở Sở Tài chính, số 36 Trần Phú, TP. Đà Lạt.\n3. Thành phần: …',
    );
    expect(m).toEqual({ start: '2026-12-15T08:00:00+07:00', end: null, place: 'Phòng họp số 2, trụ sở Sở Tài chính, số 36 Trần Phú, TP. Đà Lạt' });
  });

  it('reads a time and date broken across lines, and an end time after "đến"', () => {
    const m = gm(
      'GIẤY MỜI\n4. Thời gian: từ 8 giờ 30 đến 11\ngiờ 00, sáng thứ Tư, ngày 16 tháng 12\nnăm 2026.\n5. Địa điểm: Hội trường tầng 3,\nTrung tâm Hành chính tỉnh.',
    );
    expect(m).toEqual({ start: '2026-12-16T08:30:00+07:00', end: '2026-12-16T11:00:00+07:00', place: 'Hội trường tầng 3, Trung tâm Hành chính tỉnh' });
  });

  it('reads an unlabelled "vào lúc 14h00 ngày …" in a công văn that invites, and "2 giờ chiều"', () => {
    const cv = (s: string) => readMeeting(prepareText(s), { typeCode: 'CV', issuedDate: '2026-12-01' });
    expect(cv('Sở Nội vụ trân trọng kính mời đại diện lãnh đạo dự họp vào lúc 14h00 ngày 18/12/2026 tại Phòng họp A.')?.start).toBe(
      '2026-12-18T14:00:00+07:00',
    );
    expect(cv('Kính mời đồng chí dự hội nghị vào lúc 2 giờ chiều ngày 19/12/2026.')?.start).toBe('2026-12-19T14:00:00+07:00');
    expect(cv('Kính mời dự họp lúc 14:30 ngày 20/12 tại phòng họp B.')?.start).toBe('2026-12-20T14:30:00+07:00');
  });

  it('puts a day without a year that is before the issue date in the next year', () => {
    expect(gm('GIẤY MỜI\nThời gian: 8h00 ngày 05/01 (thứ Ba)', '2026-12-20')?.start).toBe('2027-01-05T08:00:00+07:00');
  });

  it('finds nothing in a document that invites nobody, or without a time of day', () => {
    const report = 'BÁO CÁO\nThời gian: từ 14h00 ngày 22/01/2026 hệ thống tạm dừng.';
    expect(readMeeting(prepareText(report), { typeCode: 'BC', issuedDate: '2026-01-20' })).toBeNull();
    expect(gm('GIẤY MỜI\nThời gian: ngày 15/12/2026.\nĐịa điểm: Phòng họp.')).toBeNull();
    expect(gm('GIẤY MỜI\nPhòng 2 họp giao ban ngày 15/12/2026.')).toBeNull();
  });
});
