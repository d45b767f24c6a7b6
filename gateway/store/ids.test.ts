/**
 * newId (gateway/store/ids.ts): ULID layout, time-ordered, unique; the random part from a pool
 * filled once per 409 ids, not a `randomBytes` call per id.
 */
import { describe, expect, it, vi } from 'vitest';

const fills = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  const counted =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      fills.calls++;
      return f(...a);
    };
  return { ...actual, default: actual, randomBytes: counted(actual.randomBytes), randomFillSync: counted(actual.randomFillSync) };
});
const { ID_PATTERN, newId } = await import('./ids.ts');

describe('newId', () => {
  it('is 26 Crockford characters, the time first, and unique', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => newId(1_797_400_000_000 + i));
    for (const id of ids) expect(id).toMatch(ID_PATTERN);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(newId(0).slice(0, 10)).toBe('0000000000');
    expect(newId(1_797_400_000_000).slice(0, 10)).toBe(newId(1_797_400_000_000).slice(0, 10));
  });

  it('draws its random bits from a pool: one fill for hundreds of ids', () => {
    fills.calls = 0;
    for (let i = 0; i < 400; i++) newId();
    // Before: one randomBytes call per id ("expected 400 to be less than or equal to 1").
    expect(fills.calls).toBeLessThanOrEqual(1);
  });

  it('uses every random bit of the 80: each of the 16 random characters takes all 32 values', () => {
    const seen = Array.from({ length: 16 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) {
      const id = newId(0);
      for (let c = 0; c < 16; c++) seen[c].add(id[10 + c]);
    }
    for (const s of seen) expect(s.size).toBe(32);
  });
});
