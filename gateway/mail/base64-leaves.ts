/**
 * Large base64 attachments decoded without mailparser (docs/architecture.md, "Large messages").
 *
 * mailparser reads every body line in JavaScript (mailsplit's byte loop and a Buffer per line),
 * then its base64 decoder turns each chunk into a string, filters it with a regular expression and
 * decodes it: about 0.3–0.4 s of CPU and most of the garbage of a 25 MB message
 * (bench/e2e/FINDINGS.md, "Thirteenth round: 25 MB messages"). A large leaf whose body is clean
 * base64 is instead decoded here in a few native calls, and mailparser is given the message with that
 * body replaced by a short random marker; the attachment whose decoded content is the marker gets
 * the decoded bytes back (`restore`).
 *
 * Exactly what mailparser would have made of it, or nothing:
 * - only bodies of nothing but base64 characters and line breaks, `=` only as the last one or two
 *   characters, a whole number of 4-character groups: there libbase64 (mailparser's decoder, which
 *   drops other characters and restarts at padding) and Node's decoder give the same bytes, and no
 *   delimiter line (it starts with `--`) can hide inside;
 * - only types mailparser always makes an attachment of (not text/*, message/*, multipart/*);
 * - if any marker does not come back as exactly one attachment's whole content (mailparser saw the
 *   structure otherwise), the caller parses the original message instead.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ParsedMail } from 'mailparser';
import { FEED_BYTES, type LeafBody } from './mime-guard.ts';

/** Bodies from this size on are decoded here; smaller ones cost mailparser little. */
export const LARGE_LEAF_BYTES = 256 * 1024;
/**
 * Encoded bytes decoded per native call: the transient string is about this long. Small enough for
 * V8's young generation (a string of 1 MiB goes to the large-object space and waits there for a full
 * collection: with 1 MiB windows a 25 MB parse peaked ~24 MiB higher).
 */
const WINDOW_BYTES = 64 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const PAD = 0x3d;

/**
 * The bytes of `raw[start, end)` decoded, if that range is clean base64 (above); null otherwise.
 * One pass over the lines (native indexOf) counts the characters between line breaks and picks the
 * windows, each cut at a line end after a whole number of 4-character groups; each window is then
 * decoded into the one output buffer. Node's decoder skips (or stops at) what is not base64, a group
 * then decodes short and the output comes out shorter than the count says: that is the check. It also
 * takes `-` and `_` (base64url), which libbase64 drops: a window with either is refused (a
 * regular expression for the whole check cost ~25 ms per 25 MB, these searches ~2).
 */
export function decodeCleanBase64(raw: Buffer, start: number, end: number): Buffer | null {
  // Padding: one or two '=' as the last characters, then only line breaks.
  let dataEnd = end;
  let pads = 0;
  const at = raw.subarray(start, end).indexOf(PAD);
  const pad = at < 0 ? -1 : start + at;
  if (pad >= 0) {
    dataEnd = pad;
    for (let i = pad; i < end; i++) {
      const c = raw[i];
      if (c === PAD) {
        if (++pads > 2 || (i > pad && raw[i - 1] !== PAD)) return null;
      } else if (c !== CR && c !== LF) return null;
    }
  }
  let chars = 0;
  const cuts: number[] = [];
  let windowStart = start;
  for (let pos = start; pos < dataEnd; ) {
    let nl = raw.indexOf(LF, pos);
    if (nl < 0 || nl >= dataEnd) nl = dataEnd;
    chars += nl - pos - (nl > pos && raw[nl - 1] === CR ? 1 : 0);
    pos = nl + 1;
    if (chars % 4 === 0 && pos - windowStart >= WINDOW_BYTES && pos < dataEnd) {
      cuts.push(pos);
      windowStart = pos;
    }
  }
  if ((chars + pads) % 4 !== 0 || chars === 0) return null;
  const out = Buffer.allocUnsafeSlow(((chars + pads) / 4) * 3 - pads);
  let written = 0;
  let from = start;
  for (const to of [...cuts, dataEnd]) {
    const text = raw.toString('latin1', from, to);
    if (text.includes('-') || text.includes('_')) return null;
    written += out.write(to === dataEnd ? text + raw.toString('latin1', dataEnd, end) : text, written, 'base64');
    from = to;
  }
  return written === out.length ? out : null;
}

/** One replaced leaf: the marker mailparser will see decoded, and the bytes that go back in its place. */
interface Replaced {
  marker: Buffer;
  content: Buffer;
}

export interface LeafSubstitution {
  /** The message with the replaced bodies, in FEED_BYTES slices of `raw` and the markers (no copy of `raw`). */
  input: () => Readable;
  replaced: Replaced[];
  /** Encoded bytes mailparser no longer reads. */
  skippedBytes: number;
  /** Bytes of `input`. */
  bytes: number;
}

const TEXTUAL = /^(text|message|multipart)\//;

/** The large clean base64 leaves of `raw` replaced by markers; null when there is none to replace. */
export function substituteLeaves(raw: Buffer, leaves: LeafBody[], minBytes = LARGE_LEAF_BYTES): LeafSubstitution | null {
  const pieces: Buffer[] = [];
  const replaced: Replaced[] = [];
  let at = 0;
  let skippedBytes = 0;
  for (const leaf of leaves) {
    if (leaf.encoding !== 'base64' || !leaf.type || TEXTUAL.test(leaf.type) || leaf.end - leaf.start < minBytes) continue;
    const content = decodeCleanBase64(raw, leaf.start, leaf.end);
    if (!content) continue;
    const marker = randomBytes(24);
    // The line break that ended the body stays: it belongs to the delimiter after it (RFC 2046 §5.1.1).
    let tail = leaf.end;
    while (tail > leaf.start && (raw[tail - 1] === LF || raw[tail - 1] === CR)) tail--;
    pieces.push(raw.subarray(at, leaf.start), Buffer.from(marker.toString('base64'), 'latin1'), raw.subarray(tail, leaf.end));
    at = leaf.end;
    skippedBytes += leaf.end - leaf.start;
    replaced.push({ marker, content });
  }
  if (!replaced.length) return null;
  pieces.push(raw.subarray(at));
  function* slices() {
    for (const p of pieces) for (let i = 0; i < p.length; i += FEED_BYTES) yield p.subarray(i, i + FEED_BYTES);
  }
  return { input: () => Readable.from(slices(), { objectMode: false }), replaced, skippedBytes, bytes: pieces.reduce((n, p) => n + p.length, 0) };
}

/**
 * Puts the decoded bytes back into mailparser's result: each marker must be exactly one
 * attachment's whole content. False (and `mail` unusable) when one is not: parse the original.
 */
export function restoreLeaves(mail: ParsedMail, replaced: Replaced[]): boolean {
  const found: Array<ParsedMail['attachments'][number]> = [];
  for (const r of replaced) {
    const hits = mail.attachments.filter((a) => Buffer.isBuffer(a.content) && a.content.equals(r.marker));
    if (hits.length !== 1) return false;
    found.push(hits[0]);
  }
  replaced.forEach((r, i) => {
    found[i].content = r.content;
    found[i].size = r.content.length;
  });
  return true;
}
