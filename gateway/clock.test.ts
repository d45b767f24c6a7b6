import { describe, expect, it } from 'vitest';
import { localDate, zonedInstant, zonedIso } from './clock.ts';

describe('clock formatting', () => {
  it('writes an instant as ISO 8601 with the offset of its zone at that instant', () => {
    const at = new Date('2026-12-15T01:00:00Z');
    expect(zonedIso(at, 'Asia/Ho_Chi_Minh')).toBe('2026-12-15T08:00:00+07:00');
    expect(zonedIso(at, 'America/New_York')).toBe('2026-12-14T20:00:00-05:00');
    expect(zonedIso(new Date('2026-07-01T10:30:45Z'), 'Europe/Paris')).toBe('2026-07-01T12:30:45+02:00');
  });

  it('turns a local date and hour back into the instant, and the instant into its local date', () => {
    const at = zonedInstant('2026-11-23', 9, 'Asia/Ho_Chi_Minh');
    expect(at.toISOString()).toBe('2026-11-23T02:00:00.000Z');
    expect(localDate(new Date('2026-11-22T17:30:00Z'), 'Asia/Ho_Chi_Minh')).toBe('2026-11-23');
  });
});
