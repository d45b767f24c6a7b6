import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { findDeadline } from './deadline.ts';

const due = (text: string, issued: string | null = '2024-10-07') => findDeadline(docFromLines([text]), 0, issued);

describe('stated deadlines', () => {
  it('reads dd/mm/yyyy and written-out dates after "trước ngày", "chậm nhất"', () => {
    expect(due('gửi về Sở trước ngày 25/10/2024 để tổng hợp').date).toBe('2024-10-25');
    expect(due('hoàn thành chậm nhất vào ngày 06 tháng 9 năm 2025', '2025-09-05').date).toBe('2025-09-06');
    expect(due('báo cáo chậm nhất 17 giờ ngày 10/01/2026', '2025-08-20').date).toBe('2026-01-10');
  });

  it('completes a date without a year, rolling over the new year', () => {
    expect(due('báo cáo trước ngày 15/01', '2024-12-20').date).toBe('2025-01-15');
  });

  it('keeps the earliest deadline and ignores dates before the document', () => {
    expect(due('trước ngày 30/11/2024; tổng kết trước ngày 31/10/2024; quy định ban hành trước ngày 01/01/2020').date).toBe('2024-10-31');
  });

  it('reports a recurring deadline instead of a date (seed 000)', () => {
    const d = due('tổng hợp báo cáo kết quả thực hiện về UBND tỉnh vào trước ngày 25 hàng tháng', '2005-06-08');
    expect(d.date).toBeNull();
    expect(d.recurring).toBe('trước ngày 25 hàng tháng');
  });

  it('does not take a meeting time for a deadline', () => {
    expect(due('Thời gian: 08 giờ 00 ngày 28 tháng 10 năm 2025').date).toBeNull();
  });
});
