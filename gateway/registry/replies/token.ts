/**
 * Reply tokens (docs/act-by-email.md, "Tokens"): the part after `act+` in a notice's Reply-To.
 *
 *   byte 0        version (high nibble, 1) and kind (low nibble: 0 document, 1 digest)
 *   bytes 1-16    the document id (a ULID, gateway/store/ids.ts) — document tokens only
 *   2 bytes       expiry: the last valid day, days since 1970-01-01 (UTC)
 *   1 byte        the actions allowed (bit set, ACTIONS)
 *   10 bytes      HMAC-SHA-256 over version, kind, item, officer's user id, actions and expiry,
 *                 with the server key (key.ts), cut to 80 bits
 *
 * written in lower-case base32 (RFC 4648 alphabet, no padding): 48 characters for a document, so
 * the address stays far below the 64 octets a local part may have and survives mail systems that
 * change the case of addresses. The officer's id is not in the token but in its MAC: the token
 * verifies only together with the officer it was issued to (the one the From address names), and
 * nothing needs to be looked up to verify it — no table of issued tokens exists.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ID_PATTERN } from '../../store/ids.ts';

export const ACTIONS = ['done', 'comment', 'extend', 'forward', 'decline', 'view'] as const;
export type ActAction = (typeof ACTIONS)[number];
/** What the assignee may ask for; what others (leaders, clerks) get; what a digest allows. */
export const ASSIGNEE_ACTIONS: readonly ActAction[] = ACTIONS;
export const OVERSEER_ACTIONS: readonly ActAction[] = ['done', 'comment', 'extend', 'forward', 'view'];
export const DIGEST_ACTIONS: readonly ActAction[] = ['view'];

export type TokenKind = 'document' | 'digest';

export interface TokenClaim {
  kind: TokenKind;
  /** The document id; null for a digest (the officer's list). */
  itemId: string | null;
  userId: string;
  actions: ActAction[];
  /** The last day (UTC, YYYY-MM-DD) the token is accepted. */
  expiresOn: string;
}

export type TokenCheck =
  | { ok: true; claim: TokenClaim }
  /** malformed: not a token at all; forged: no such token was issued to this officer; expired: it was, but too long ago. */
  | { ok: false; reason: 'malformed' | 'forged' | 'expired'; itemId: string | null };

const VERSION = 1;
const MAC_BYTES = 10;
const DAY_MS = 86_400_000;
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return bits ? out + B32[(acc << (5 - bits)) & 31] : out;
}

export function unbase32(text: string): Buffer | null {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of text.toLowerCase()) {
    const v = B32.indexOf(c);
    if (v < 0) return null;
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** A ULID as its 16 bytes (26 Crockford base32 characters hold 130 bits, the first two zero). */
function ulidBytes(id: string): Buffer {
  if (!ID_PATTERN.test(id)) throw new RangeError(`not a ULID: ${id}`);
  let n = 0n;
  for (const c of id) n = (n << 5n) | BigInt(CROCKFORD.indexOf(c));
  return Buffer.from(n.toString(16).padStart(32, '0'), 'hex');
}

function ulidOf(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = CROCKFORD[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

const actionBits = (actions: readonly ActAction[]) => actions.reduce((m, a) => m | (1 << ACTIONS.indexOf(a)), 0);
const actionsOf = (bits: number) => ACTIONS.filter((_, i) => bits & (1 << i));
const isoOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

function mac(key: Buffer, kind: number, item: string, userId: string, actions: number, day: number): Buffer {
  return createHmac('sha256', key).update(['vanthu/act', VERSION, kind, item, userId, actions, day].join('\0')).digest().subarray(0, MAC_BYTES);
}

/** A token for `claim` (its expiry: `validDays` from `now`, counted in whole UTC days). */
export function issueToken(key: Buffer, claim: Omit<TokenClaim, 'expiresOn'>, now: Date, validDays: number): string {
  const kind = claim.kind === 'document' ? 0 : 1;
  const item = claim.kind === 'document' ? (claim.itemId ?? '') : '';
  const day = Math.floor(now.getTime() / DAY_MS) + validDays;
  const bits = actionBits(claim.actions);
  const head = Buffer.from([(VERSION << 4) | kind]);
  const tail = Buffer.from([(day >> 8) & 0xff, day & 0xff, bits]);
  return base32(Buffer.concat([head, kind === 0 ? ulidBytes(item) : Buffer.alloc(0), tail, mac(key, kind, item, claim.userId, bits, day)]));
}

interface Decoded {
  kind: number;
  item: string;
  day: number;
  bits: number;
  tag: Buffer;
}

function decode(token: string): Decoded | null {
  const bytes = unbase32(token);
  if (!bytes || bytes.length < 1 || bytes[0] >> 4 !== VERSION) return null;
  const kind = bytes[0] & 0x0f;
  const itemLength = kind === 0 ? 16 : kind === 1 ? 0 : -1;
  if (itemLength < 0 || bytes.length !== 1 + itemLength + 3 + MAC_BYTES) return null;
  const item = kind === 0 ? ulidOf(bytes.subarray(1, 17)) : '';
  const at = 1 + itemLength;
  return { kind, item, day: (bytes[at] << 8) | bytes[at + 1], bits: bytes[at + 2], tag: bytes.subarray(at + 3) };
}

/** The document a token names, without checking it: for explaining a refusal, never for acting. */
export function claimedItem(token: string): string | null {
  const d = decode(token);
  return d && d.kind === 0 ? d.item : null;
}

/** Checks a token against the officer who sent the reply (`userId`) and the date. */
export function verifyToken(key: Buffer, token: string, userId: string, now: Date): TokenCheck {
  const d = decode(token);
  if (!d) return { ok: false, reason: 'malformed', itemId: null };
  const itemId = d.kind === 0 ? d.item : null;
  const expected = mac(key, d.kind, d.item, userId, d.bits, d.day);
  if (!timingSafeEqual(expected, d.tag)) return { ok: false, reason: 'forged', itemId };
  if (Math.floor(now.getTime() / DAY_MS) > d.day) return { ok: false, reason: 'expired', itemId };
  return { ok: true, claim: { kind: d.kind === 0 ? 'document' : 'digest', itemId, userId, actions: actionsOf(d.bits), expiresOn: isoOf(d.day) } };
}
