/** Reply tokens (docs/act-by-email.md, "Tokens"): short, bound to one officer and one item, checked with no lookup. */
import { describe, expect, it } from 'vitest';
import { newId } from '../../store/ids.ts';
import { ASSIGNEE_ACTIONS, base32, claimedItem, issueToken, unbase32, verifyToken } from './token.ts';

const KEY = Buffer.from('k'.repeat(43));
const NOW = new Date('2026-11-23T02:00:00Z');
const DOC = newId(NOW.getTime());
const OFFICER = newId(NOW.getTime());
const OTHER = newId(NOW.getTime());

describe('reply tokens', () => {
  const token = issueToken(KEY, { kind: 'document', itemId: DOC, userId: OFFICER, actions: [...ASSIGNEE_ACTIONS] }, NOW, 30);

  it('fit a mail address local part, in a case-insensitive alphabet', () => {
    expect(token).toMatch(/^[a-z2-7]{48}$/);
    expect(`act+${token}`.length).toBeLessThanOrEqual(64);
    expect(claimedItem(token)).toBe(DOC);
  });

  it('verify for the officer they were issued to, until they expire', () => {
    expect(verifyToken(KEY, token, OFFICER, NOW)).toEqual({
      ok: true,
      claim: { kind: 'document', itemId: DOC, userId: OFFICER, actions: [...ASSIGNEE_ACTIONS], expiresOn: '2026-12-23' },
    });
    expect(verifyToken(KEY, token.toUpperCase(), OFFICER, NOW).ok).toBe(true);
    expect(verifyToken(KEY, token, OFFICER, new Date('2026-12-23T23:59:00Z')).ok).toBe(true);
    expect(verifyToken(KEY, token, OFFICER, new Date('2026-12-24T00:00:00Z'))).toMatchObject({ ok: false, reason: 'expired', itemId: DOC });
  });

  it('do not verify for another officer, another key, or with any part changed', () => {
    expect(verifyToken(KEY, token, OTHER, NOW)).toMatchObject({ ok: false, reason: 'forged' });
    expect(verifyToken(Buffer.from('x'.repeat(43)), token, OFFICER, NOW)).toMatchObject({ ok: false, reason: 'forged' });
    const bytes = unbase32(token)!;
    for (const at of [1, 17, 19, 25]) {
      const changed = Buffer.from(bytes);
      changed[at] ^= 1;
      expect(verifyToken(KEY, base32(changed), OFFICER, NOW).ok).toBe(false);
    }
    // More actions or a later expiry cannot be written in: the MAC covers them.
    const more = Buffer.from(bytes);
    more[19] = 0xff;
    expect(verifyToken(KEY, base32(more), OFFICER, NOW)).toMatchObject({ ok: false, reason: 'forged' });
    expect(verifyToken(KEY, 'abc', OFFICER, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyToken(KEY, token.slice(0, 40), OFFICER, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('for a digest name no item', () => {
    const digest = issueToken(KEY, { kind: 'digest', itemId: null, userId: OFFICER, actions: ['view'] }, NOW, 2);
    expect(digest.length).toBeLessThan(30);
    expect(verifyToken(KEY, digest, OFFICER, NOW)).toMatchObject({ ok: true, claim: { kind: 'digest', itemId: null, actions: ['view'] } });
  });

  it('base32 round-trips', () => {
    for (const n of [0, 1, 5, 14, 30]) {
      const b = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
      expect(unbase32(base32(b))).toEqual(b);
    }
  });
});
