/** The deadline as iCalendar (RFC 5545): folded lines, escaped text, an all-day event on the due date. */
import { describe, expect, it } from 'vitest';
import type { DocumentRow } from '../books/register.ts';
import { deadlineEvent } from './ical.ts';

const doc = {
  id: '01KAB0000000000000000000AA',
  notation: '123/UBND-VX',
  subject: 'Hướng dẫn xây dựng dự toán ngân sách năm 2027; triển khai, báo cáo',
  dueDate: '2026-12-31',
} as DocumentRow;

describe('deadlineEvent', () => {
  const opts = { unitName: 'Sở Tài chính tỉnh Lâm Đồng', organizer: 'vanthu@stc.lamdong.gov.vn', now: new Date('2026-11-23T02:00:00Z') };
  const ics = deadlineEvent(doc, { ...opts, description: `Công văn · ${doc.subject}` })!;

  it('is an all-day event on the due date with one UID per document', () => {
    expect(ics.contentType).toMatch(/^text\/calendar/);
    expect(ics.content).toContain('DTSTART;VALUE=DATE:20261231\r\n');
    expect(ics.content).toContain('DTEND;VALUE=DATE:20270101\r\n');
    expect(ics.content).toContain(`UID:deadline-${doc.id}@stc.lamdong.gov.vn\r\n`);
    expect(ics.content).toContain('METHOD:PUBLISH\r\n');
  });

  it('folds lines at 75 octets without splitting a character, and escapes text', () => {
    for (const line of ics.content.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const unfolded = ics.content.replace(/\r\n /g, '');
    expect(unfolded).toContain('DESCRIPTION:Công văn · Hướng dẫn xây dựng dự toán ngân sách năm 2027\\; triển khai\\, báo cáo');
    expect(unfolded).toContain('ORGANIZER;CN="Sở Tài chính tỉnh Lâm Đồng":mailto:vanthu@stc.lamdong.gov.vn');
  });

  it('is nothing without a deadline', () => {
    expect(deadlineEvent({ ...doc, dueDate: null }, { ...opts, description: '' })).toBeNull();
  });
});
