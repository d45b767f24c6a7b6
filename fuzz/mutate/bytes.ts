/**
 * Generic operations: they know nothing of the format (docs/fuzzing.md, "Mutations"): bit flips,
 * interesting bytes, truncation, cuts, duplication, splicing from other seeds, dictionary tokens,
 * huge lines, numbers replaced by lying ones, line-end changes, random runs, swapped ranges. Also
 * the small byte helpers every format module uses.
 */
import { MIME_TOKENS } from '../dictionary/mime.ts';
import { INTERESTING_BYTES, NUMBERS } from '../dictionary/numbers.ts';
import { PDF_TOKENS } from '../dictionary/pdf.ts';
import { TEXT_TOKENS } from '../dictionary/text.ts';
import { XML_TOKENS } from '../dictionary/xml.ts';
import { randomBytes } from '../rng.ts';
import { type Format, MAX_INPUT_BYTES, type Mutations, pick } from './ops.ts';

export const latin1 = (b: Buffer) => b.toString('latin1');
export const bytes = (s: string) => Buffer.from(s, 'latin1');
export const utf8 = (s: string) => Buffer.from(s, 'utf8');

export function insert(buf: Buffer, at: number, piece: Buffer): Buffer {
  const pos = buf.length ? at % (buf.length + 1) : 0;
  return Buffer.concat([buf.subarray(0, pos), piece, buf.subarray(pos)]);
}

export function repeat(piece: Buffer, times: number): Buffer {
  const n = Math.max(1, Math.min(times, Math.floor(MAX_INPUT_BYTES / Math.max(1, piece.length))));
  return piece.length ? Buffer.alloc(n * piece.length, piece) : piece;
}

function tokensFor(format: Format): readonly string[] {
  switch (format) {
    case 'mime':
    case 'smtp':
      return MIME_TOKENS;
    case 'pdf':
      return PDF_TOKENS;
    case 'xml':
    case 'zip':
      return XML_TOKENS;
    case 'text':
      return TEXT_TOKENS;
    default:
      return ['\x00', '\xff', '\x30\x80', '\x00\x00', '\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02', '\x02\x01\x00', '\x17\x0d', '\x18\x0f', '\x1e\x02'];
  }
}

/** A number of the input replaced by a neighbour, a multiple, or a lying one from the dictionary. */
function numbers(buf: Buffer, a: number, b: number, c: number, d: number): Buffer {
  const s = latin1(buf);
  const hits: RegExpExecArray[] = [];
  const re = /-?\d+/g;
  for (let m = re.exec(s); m && hits.length < 20000; m = re.exec(s)) hits.push(m);
  if (!hits.length) return buf;
  const m = pick(hits, a);
  const orig = Number(m[0]);
  const value = d % 3 === 0 ? String(pick([orig + 1, orig - 1, orig * 2, orig * 1000, orig * 1e6, -orig], c)) : pick(NUMBERS, b);
  return bytes(s.slice(0, m.index) + value + s.slice(m.index + m[0].length));
}

export const byteOps = {
  flip: (buf, { a, b }) => {
    const len = buf.length;
    if (!len) return buf;
    const out = Buffer.from(buf);
    out[a % len] ^= 1 << (b % 8);
    return out;
  },
  set: (buf, { a, b }) => {
    const len = buf.length;
    if (!len) return buf;
    const out = Buffer.from(buf);
    out[a % len] = pick(INTERESTING_BYTES, b);
    return out;
  },
  truncate: (buf, { a }) => (buf.length ? buf.subarray(0, a % buf.length) : buf),
  cut: (buf, { a, b, c }) => {
    const len = buf.length;
    if (!len) return buf;
    const at = a % len;
    const l = 1 + (b % Math.min(len - at, pick([1, 4, 16, 256, 4096, 65536], c)));
    return Buffer.concat([buf.subarray(0, at), buf.subarray(at + l)]);
  },
  dup: (buf, { a, b, c, d }) => {
    const len = buf.length;
    if (!len) return buf;
    const at = a % len;
    const l = 1 + (b % Math.min(len - at, pick([1, 8, 64, 1024, 16384], d)));
    return insert(buf, at, repeat(buf.subarray(at, at + l), pick([1, 2, 10, 100, 1000, 10000], c)));
  },
  splice: (buf, { a, b, c, d }, ctx) => {
    const other = ctx.others.length ? pick(ctx.others, c) : buf;
    if (!other.length) return buf;
    const from = a % other.length;
    const l = 1 + (b % Math.min(other.length - from, pick([16, 256, 4096, 65536, 1 << 20], d)));
    return insert(buf, a ^ d, other.subarray(from, from + l));
  },
  token: (buf, { a, b, c, d }, ctx) => {
    const tok = utf8(pick(tokensFor(ctx.format), b));
    return insert(buf, a, c % 16 === 0 ? repeat(tok, pick([2, 10, 100, 1000], d)) : tok);
  },
  hugeLine: (buf, { a, b, c, d }) => {
    const size = pick([1000, 8192, 65536, 1_000_000, 2_000_000], b);
    const ch = utf8(pick(['A', ' ', '=', '-', '\t', '<', '0', 'ạ', '\\', '(', '[', '\x00', '%'], c));
    const line = repeat(ch, Math.ceil(size / ch.length));
    return insert(buf, a, d % 2 ? Buffer.concat([bytes('\r\n'), line, bytes('\r\n')]) : line);
  },
  numbers: (buf, { a, b, c, d }) => numbers(buf, a, b, c, d),
  lineEnds: (buf, { b }) => {
    const s = latin1(buf);
    const modes = [
      () => s.replace(/\r\n/g, '\n'),
      () => s.replace(/\r?\n/g, '\r\n').replace(/\r\n/g, (m, i: number) => (i % 3 === 0 ? '\n' : m)),
      () => s.replace(/\r?\n/g, '\r'),
      () => s.replace(/\r?\n/g, '\r\r\n'),
      () => s.replace(/\r/g, ''),
    ];
    return bytes(pick(modes, b)());
  },
  randomRun: (buf, { a, b, c }) => {
    const len = buf.length;
    const l = 1 + (b % 64);
    return len ? Buffer.concat([buf.subarray(0, a % len), randomBytes(c, l), buf.subarray((a % len) + l)]) : randomBytes(c, l);
  },
  swap: (buf, { a, b, c }) => {
    const len = buf.length;
    if (len < 4) return buf;
    const i = a % len;
    const j = b % len;
    const l = 1 + (c % Math.max(1, Math.min(256, len - Math.max(i, j))));
    const out = Buffer.from(buf);
    buf.copy(out, i, j, j + l);
    buf.copy(out, j, i, i + l);
    return out;
  },
} satisfies Mutations;
