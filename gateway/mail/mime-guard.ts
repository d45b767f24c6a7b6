/**
 * A streaming check of a message's MIME structure against the limits (gateway/limits.ts), run on
 * the raw bytes before (and while) mailparser sees them: bytes of each header block, number of
 * entities, nesting depth, number of attachments. It stops at the first byte, part or level over a
 * limit with LimitExceeded, so a 10 MB header is refused after 256 KiB of it, and 10,000 parts
 * after the 1,001st, whatever mailparser would have made of them.
 *
 * It follows the structure the way MIME parsers do: header block up to the first empty line;
 * `multipart/*` with a boundary opens a level whose parts start at `--boundary` lines and which
 * ends at `--boundary--` (or at a delimiter of an enclosing level); an embedded message
 * (`message/rfc822`, `message/global`, not base64/quoted-printable encoded) is one level deeper
 * with its own header block. Only LF ends a line; a trailing CR is ignored.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { DEFAULT_LIMITS_CONFIG, LimitExceeded, type Limits } from '../limits.ts';

export type MimeLimits = Pick<Limits, 'headerBytes' | 'mimeParts' | 'mimeDepth' | 'attachments'>;

export const DEFAULT_MIME_LIMITS: MimeLimits = {
  headerBytes: DEFAULT_LIMITS_CONFIG.headerBytes,
  mimeParts: DEFAULT_LIMITS_CONFIG.mimeParts,
  mimeDepth: DEFAULT_LIMITS_CONFIG.mimeDepth,
  attachments: DEFAULT_LIMITS_CONFIG.attachments,
};

export interface MimeStats {
  /** Entities seen: the message, every part, every embedded message. */
  parts: number;
  /** Deepest level seen (the message is level 0). */
  depth: number;
  attachments: number;
  /** Largest header block, in bytes. */
  headerBytes: number;
}

/** Longer lines cannot be delimiters (a boundary is at most 70 characters, plus "--", "--" and some white space). */
const MAX_DELIMITER_LINE = 4096;
const LF = 0x0a;
const DASH = 0x2d;

interface Frame {
  boundary: string;
  /** Level of the multipart entity; its parts are one deeper. */
  depth: number;
}

type Mode = 'header' | 'body';

/**
 * The body of a leaf entity (not multipart, not an embedded message) as the guard saw it: bytes
 * [start, end) of what was pushed, from after its header's empty line to the start of the delimiter
 * line that ends it (or the end of input), with its first Content-Type and Content-Transfer-Encoding
 * (base64-leaves.ts decodes large base64 ones without mailparser).
 */
export interface LeafBody {
  start: number;
  end: number;
  /** Lower-cased media type without parameters ('' when there was no Content-Type). */
  type: string;
  /** Lower-cased first token of Content-Transfer-Encoding ('' when absent). */
  encoding: string;
}

export class MimeGuard {
  readonly stats: MimeStats = { parts: 1, depth: 0, attachments: 0, headerBytes: 0 };
  private frames: Frame[] = [];
  private mode: Mode = 'header';
  private depth = 0;
  private headerBytes = 0;
  private headers: { type: string; disposition: string; encoding: string } = { type: '', disposition: '', encoding: '' };
  private current: 'type' | 'disposition' | 'encoding' | null = null;
  private seen = new Set<'type' | 'disposition' | 'encoding'>();
  /** Start of a line not yet ended by LF (kept only while it may matter). */
  private carry: Buffer | null = null;
  /** The line being read is past MAX_DELIMITER_LINE in a body: skip to its end. */
  private skipping = false;
  /** Bytes pushed before the current chunk, and where the line being handled starts and ends (after its LF). */
  private base = 0;
  private lineStart = 0;
  private lineEnd = 0;
  /** Leaf bodies, when asked for (`collectLeaves`); `open` is the one being read. */
  readonly leaves: LeafBody[] | null;
  private open: LeafBody | null = null;

  constructor(
    readonly limits: MimeLimits = DEFAULT_MIME_LIMITS,
    collectLeaves = false,
  ) {
    this.leaves = collectLeaves ? [] : null;
  }

  push(chunk: Buffer): void {
    try {
      this.scan(chunk);
    } finally {
      this.base += chunk.length;
    }
  }

  private scan(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(LF, pos);
      if (nl < 0) {
        this.partial(chunk.subarray(pos));
        return;
      }
      // Fast path: a whole body line that does not start with "--" cannot be a delimiter.
      if (this.mode === 'body' && !this.carry && !this.skipping && (chunk[pos] !== DASH || chunk[pos + 1] !== DASH)) {
        pos = nl + 1;
        continue;
      }
      let line = chunk.subarray(pos, nl);
      pos = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        this.carry = null;
        continue;
      }
      if (this.carry) {
        line = Buffer.concat([this.carry, line]);
        this.carry = null;
      }
      this.lineEnd = this.base + pos;
      this.lineStart = this.lineEnd - line.length - 1;
      this.line(line);
    }
  }

  /** End of input: a last line without LF is a line too. */
  end(): MimeStats {
    if (this.carry && !this.skipping) {
      this.lineEnd = this.base;
      this.lineStart = this.base - this.carry.length;
      this.line(this.carry);
    }
    this.carry = null;
    this.closeLeaf(this.base);
    return this.stats;
  }

  private closeLeaf(end: number): void {
    if (!this.open) return;
    this.open.end = Math.max(this.open.start, end);
    this.leaves?.push(this.open);
    this.open = null;
  }

  private partial(rest: Buffer): void {
    if (this.skipping) return;
    const length = (this.carry?.length ?? 0) + rest.length;
    if (this.mode === 'header') {
      // An unfinished header line counts already: a header that never ends is refused as it streams.
      this.checkHeader(length + 1);
    } else if (length > MAX_DELIMITER_LINE) {
      this.carry = null;
      this.skipping = true;
      return;
    }
    this.carry = this.carry ? Buffer.concat([this.carry, rest]) : Buffer.from(rest);
  }

  private checkHeader(extra: number): void {
    const bytes = this.headerBytes + extra;
    if (bytes > this.limits.headerBytes) {
      throw new LimitExceeded('header-bytes', this.limits.headerBytes, bytes, `a header block has more than ${this.limits.headerBytes} bytes`);
    }
  }

  private line(raw: Buffer): void {
    const line = raw.length && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    if (this.mode === 'header') {
      this.checkHeader(raw.length + 1);
      this.headerBytes += raw.length + 1;
      if (line.length === 0) return this.endOfHeader();
      this.headerLine(line);
      return;
    }
    if (line.length < 3 || line[0] !== DASH || line[1] !== DASH || !this.frames.length || line.length > MAX_DELIMITER_LINE) return;
    this.delimiter(line.toString('latin1', 2).replace(/[ \t]+$/, ''));
  }

  private headerLine(line: Buffer): void {
    const first = line[0];
    if (first === 0x20 || first === 0x09) {
      if (this.current) this.headers[this.current] += ' ' + line.toString('latin1').trim();
      return;
    }
    const colon = line.indexOf(0x3a);
    if (colon < 0) {
      this.current = null;
      return;
    }
    const name = line.toString('latin1', 0, colon).trim().toLowerCase();
    const which = name === 'content-type' ? 'type' : name === 'content-disposition' ? 'disposition' : name === 'content-transfer-encoding' ? 'encoding' : null;
    // The first of repeated fields counts, as in mailparser (mailsplit's getFirst): a second
    // Content-Type must not hide the multipart structure that mailparser will follow.
    this.current = which && !this.seen.has(which) ? which : null;
    if (this.current) {
      this.seen.add(this.current);
      this.headers[this.current] = line.toString('latin1', colon + 1).trim();
    }
  }

  private endOfHeader(): void {
    const { type: ct, disposition, encoding } = this.headers;
    this.stats.headerBytes = Math.max(this.stats.headerBytes, this.headerBytes);
    this.headers = { type: '', disposition: '', encoding: '' };
    this.current = null;
    this.seen.clear();
    this.headerBytes = 0;
    this.mode = 'body';
    const type = (ct.split(';')[0] ?? '').trim().toLowerCase();
    const boundary = type.startsWith('multipart/') ? param(ct, 'boundary') : null;
    if (boundary) {
      this.frames.push({ boundary, depth: this.depth });
      return;
    }
    const enc = encoding.toLowerCase().split(/[\s;(]/)[0];
    if ((type === 'message/rfc822' || type === 'message/global') && (enc === '' || enc === '7bit' || enc === '8bit' || enc === 'binary')) {
      this.enter(this.depth + 1);
      return;
    }
    if (this.leaves) this.open = { start: this.lineEnd, end: this.lineEnd, type, encoding: enc };
    if (/^\s*attachment/i.test(disposition) || /(^|;)\s*(file)?name\*?(0\*?)?\s*=/i.test(`${ct};${disposition}`)) {
      if (++this.stats.attachments > this.limits.attachments) {
        throw new LimitExceeded('attachments', this.limits.attachments, this.stats.attachments, `more than ${this.limits.attachments} attachments`);
      }
    }
  }

  /** A new entity (a part, or an embedded message) at `depth`: counted, then its header block. */
  private enter(depth: number): void {
    if (++this.stats.parts > this.limits.mimeParts) {
      throw new LimitExceeded('mime-parts', this.limits.mimeParts, this.stats.parts, `more than ${this.limits.mimeParts} MIME parts`);
    }
    if (depth > this.limits.mimeDepth) {
      throw new LimitExceeded('mime-depth', this.limits.mimeDepth, depth, `MIME structure nested more than ${this.limits.mimeDepth} levels deep`);
    }
    this.stats.depth = Math.max(this.stats.depth, depth);
    this.depth = depth;
    this.mode = 'header';
  }

  private delimiter(value: string): void {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const b = this.frames[i].boundary;
      if (value === b || (value.length === b.length + 2 && value.endsWith('--') && value.startsWith(b))) this.closeLeaf(this.lineStart);
      if (value === b) {
        this.frames.length = i + 1;
        this.enter(this.frames[i].depth + 1);
        return;
      }
      if (value.length === b.length + 2 && value.endsWith('--') && value.startsWith(b)) {
        // Closing delimiter: this level (and any left open inside it) ends; what follows is epilogue.
        this.depth = this.frames[i].depth;
        this.frames.length = i;
        this.mode = 'body';
        return;
      }
    }
  }
}

/** A parameter of a structured header value (boundary="…" or boundary=token). */
function param(value: string, name: string): string | null {
  const re = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i');
  const m = re.exec(value);
  if (!m) return null;
  const v = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
  return v ? v : null;
}

/** Checks a whole message in memory; throws LimitExceeded at the first limit passed. */
export function checkMime(raw: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): MimeStats {
  const guard = new MimeGuard(limits);
  guard.push(raw);
  return guard.end();
}

/** checkMime, also giving the leaf bodies with their offsets in `raw` (LeafBody). */
export function checkMimeLeaves(raw: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): { stats: MimeStats; leaves: LeafBody[] } {
  const guard = new MimeGuard(limits, true);
  guard.push(raw);
  const stats = guard.end();
  return { stats, leaves: guard.leaves ?? [] };
}

/** The same check as a pass-through stream: it errors (LimitExceeded) at the first limit passed. */
export class MimeGuardStream extends Transform {
  readonly guard: MimeGuard;

  constructor(limits: MimeLimits = DEFAULT_MIME_LIMITS) {
    super();
    this.guard = new MimeGuard(limits);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.guard.push(chunk);
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      this.guard.end();
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  }
}

/**
 * mailparser's options for a message that passed checkMime: no link or HTML rewriting, and its own
 * caps set above the guard's limits (it counts a header line as at least 64 bytes), so that the
 * guard decides and mailparser's caps never name an outcome of their own. No MD5 of each
 * attachment (`checksumAlgo: false`): nothing reads mailparser's `checksum`, and it was one more
 * pass over every decoded byte.
 */
export function mailparserOptions(limits: { headerBytes: number; mimeParts: number }) {
  return {
    skipImageLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    maxHeadSize: limits.headerBytes * 64,
    maxChildNodes: limits.mimeParts + 16,
    checksumAlgo: false as const,
  };
}

/**
 * mailparser reads a Buffer handed to it whole as one write, and its first stage copies that write
 * (mailsplit's ChunkedPassthrough: Buffer.concat), then its base64 decoder turns the whole body into
 * a string, filters that string with a regular expression and decodes it: three more copies of a
 * 25 MB message at once, ~130 MB of transient memory per parse (bench/e2e/FINDINGS.md, "Ninth
 * round"). Fed in slices of this size, each step holds one slice: ~50 MB per 25 MB parse.
 */
export const FEED_BYTES = 64 * 1024;

/** `raw` as a stream of FEED_BYTES subarrays (no copy): how mailparser is given a message in memory. */
export function feed(raw: Buffer): Readable {
  function* slices() {
    for (let at = 0; at < raw.length; at += FEED_BYTES) yield raw.subarray(at, at + FEED_BYTES);
  }
  return Readable.from(slices(), { objectMode: false });
}
