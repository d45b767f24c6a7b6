import { describe, expect, it } from 'vitest';
import { docFromLines } from '../prepare.ts';
import { foldSameLength } from '../text.ts';
import { findPlaceDate, isoDate, parseDate, parsePlaceDate } from './date.ts';

const pd = (line: string) => parsePlaceDate(line, foldSameLength(line));

describe('place and date', () => {
  it('reads the long form with leading zeros', () => {
    expect(pd('Bến Tre, ngày 08 tháng 06 năm 2005')).toEqual({ place: 'Bến Tre', date: '2005-06-08', invalid: false });
  });

  it('reads single-digit months and a place in capitals', () => {
    expect(pd('BÌNH THUẬN, ngày 18 tháng 7 năm 2012')).toMatchObject({ place: 'Bình Thuận', date: '2012-07-18' });
  });

  it('reads dd/mm/yyyy after the place', () => {
    expect(pd('Hà Nội, ngày 8/6/2005')).toMatchObject({ place: 'Hà Nội', date: '2005-06-08' });
    expect(pd('Đà Lạt, 15/03/2024')).toMatchObject({ place: 'Đà Lạt', date: '2024-03-15' });
  });

  it('flags a date that is not on the calendar', () => {
    expect(pd('Cà Mau, ngày 31 tháng 6 năm 2024')).toMatchObject({ date: null, invalid: true });
  });

  it('keeps the place of an undated draft', () => {
    expect(pd('Vĩnh Long, ngày      tháng 9 năm 2025')).toMatchObject({ place: 'Vĩnh Long', date: null, invalid: false });
  });

  it('reads a place-date phrase broken over lines', () => {
    expect(findPlaceDate(docFromLines(['Lâm Đồng, ngày 05 tháng 3', 'năm 2024']))).toMatchObject({ index: 0, place: 'Lâm Đồng', date: '2024-03-05' });
    expect(findPlaceDate(docFromLines(['Lâm Đồng, ngày', '09 tháng 10 năm 2025']))).toMatchObject({ date: '2025-10-09' });
  });

  it('does not take a body sentence for a place-date line', () => {
    const doc = docFromLines(['Ngày 10 tháng 6 năm 2008, UBND tỉnh Hưng Yên đã ban hành Quyết định']);
    expect(findPlaceDate(doc)).toBeNull();
  });

  it('parses loose dates and validates the calendar', () => {
    expect(parseDate(foldSameLength('trước ngày 30/11/2026'))?.iso).toBe('2026-11-30');
    expect(parseDate(foldSameLength('ngày 5 tháng 1 năm 2025'))?.iso).toBe('2025-01-05');
    expect(isoDate(2023, 2, 29)).toBeNull();
    expect(isoDate(2024, 2, 29)).toBe('2024-02-29');
  });
});
