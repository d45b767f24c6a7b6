import { describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.ts';
import { monthOf, quantile, weekOf } from './period.ts';

const TZ = 'Asia/Ho_Chi_Minh';

describe('report periods', () => {
  it('takes a month in Hà Nội as [first instant, first instant of the next month)', () => {
    expect(monthOf('2026-11', new Date(0), TZ)).toEqual({
      month: '2026-11',
      from: new Date('2026-10-31T17:00:00Z'),
      to: new Date('2026-11-30T17:00:00Z'),
    });
    expect(monthOf('2026-12', new Date(0), TZ).to).toEqual(new Date('2026-12-31T17:00:00Z'));
    // Without a month: the month of `now` in Hà Nội (1 Dec 00:30 there is still 30 Nov in UTC).
    expect(monthOf(undefined, new Date('2026-11-30T17:30:00Z'), TZ).month).toBe('2026-12');
    expect(() => monthOf('2026-13', new Date(0), TZ)).toThrow(RegistryError);
  });

  it('finds the Monday-to-Sunday week of a day', () => {
    expect(weekOf('2026-11-20')).toEqual({ start: '2026-11-16', end: '2026-11-22' });
    expect(weekOf('2026-11-16')).toEqual({ start: '2026-11-16', end: '2026-11-22' });
    expect(weekOf('2026-11-22')).toEqual({ start: '2026-11-16', end: '2026-11-22' });
    expect(weekOf('2027-01-01')).toEqual({ start: '2026-12-28', end: '2027-01-03' });
  });

  it('takes quantiles by nearest rank', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([0.5, 2, 4], 0.5)).toBe(2);
    expect(quantile([0.5, 2, 4], 0.9)).toBe(4);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([7], 0.9)).toBe(7);
  });
});
