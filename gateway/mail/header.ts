/** Where a raw message's header block ends, and its Message-ID: read from bytes, before any parsing. */
import { cleanField } from '../sanitize.ts';

/** Finds the blank line that ends the header block: returns the offset of the body, or -1. */
export function bodyOffset(buf: Buffer): number {
  for (let i = 0; i < buf.length - 1; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/**
 * The Message-ID header value (angle brackets kept), unfolded; null when absent or empty. It is
 * stored as it is read here, so it is cleaned here (no NUL or control characters: PostgreSQL
 * refuses a NUL, and one such message would fail its whole group-committed batch).
 */
export function extractMessageId(header: Buffer): string | null {
  const text = header.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:[ \t]*(.*)$/im.exec(text);
  if (!m) return null;
  const value = cleanField(m[1])!.trim();
  const bracketed = /<[^<>\s]+>/.exec(value);
  return bracketed ? bracketed[0] : value.length ? value.slice(0, 998) : null;
}
