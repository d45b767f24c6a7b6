/** Time-ordered identifiers (ULID layout: 48-bit milliseconds + 80 random bits, Crockford base32). */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Random bytes taken 10 at a time from a pool filled by one call per 4 KiB (409 ids): a
 * `randomBytes(10)` per id made a native job, a buffer and (with async hooks on) their hooks for
 * each message's ids (bench/e2e/FINDINGS.md, "Thirteenth round: the main thread"). The bytes are
 * the same CSPRNG's, each used once.
 */
const POOL = Buffer.alloc(4096);
let used = POOL.length;

function randomTen(): number {
  if (used + 10 > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const at = used;
  used += 10;
  return at;
}

export function newId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const at = randomTen();
  let bits = 0;
  let acc = 0;
  let out = '';
  for (let i = at; i < at + 10; i++) {
    acc = (acc << 8) | POOL[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
  }
  return time + out;
}

export const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
