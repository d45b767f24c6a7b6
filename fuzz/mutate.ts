/**
 * Mutations of real inputs, drawn by fast-check. An operation is a kind plus four naturals that
 * the kind interprets (a position, a size, a choice from a list…), so any operation applies to any
 * input and a plan (seed file + operations) is a plain value that fast-check generates from a seed.
 *
 * Generic operations work on bytes (flips, truncation, splicing, duplication, huge lines, numbers);
 * format operations understand a little of the grammar (MIME headers and boundaries, charsets,
 * nesting, PDF streams and /ByteRange, DER lengths and tags, ZIP records, XML entities, legacy
 * Vietnamese encodings) so that mutated inputs get past the first check of each parser.
 */
import { deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import { unicodeToTcvn3, unicodeToVni } from '../gateway/documents/legacy-encoding.ts';
import {
  CHARSETS,
  HEADER_VALUES,
  INTERESTING_BYTES,
  MIME_TOKENS,
  NUMBERS,
  PDF_TOKENS,
  SMTP_ADDRESSES,
  SMTP_PARAMS,
  SMTP_VERBS,
  TEXT_TOKENS,
  TRANSFER_ENCODINGS,
  XML_TOKENS,
} from './dictionary.ts';
import { mix, randomBytes } from './rng.ts';

export type Format = 'mime' | 'pdf' | 'der' | 'zip' | 'xml' | 'text' | 'smtp';

/** Largest input a mutation may produce (the SMTP target's size limit and the parsers' caps are far below). */
export const MAX_INPUT_BYTES = 6 * 1024 * 1024;

const GENERIC = ['flip', 'set', 'truncate', 'cut', 'dup', 'splice', 'token', 'hugeLine', 'numbers', 'lineEnds', 'randomRun', 'swap'] as const;
const BY_FORMAT = {
  mime: ['header', 'header', 'boundary', 'boundary', 'charset', 'cte', 'nest', 'inner', 'inner'],
  pdf: ['pdfStream', 'pdfStream', 'pdfNest', 'byteRange', 'numbers', 'pdfToken'],
  der: ['derLength', 'derLength', 'derNest', 'derTag'],
  zip: ['zipField', 'zipField', 'zipEntry', 'zipEntry', 'zipEntry', 'zipBomb'],
  xml: ['xmlNest', 'xmlEntity', 'xmlEncoding', 'token'],
  text: ['legacy', 'vnRepeat', 'token'],
  smtp: ['smtpLine', 'smtpLine', 'dataDots', 'dataDots', 'inner'],
} as const;

export type OpKind = (typeof GENERIC)[number] | (typeof BY_FORMAT)[Format][number];

export interface Op {
  k: OpKind;
  a: number;
  b: number;
  c: number;
  d: number;
}

export interface MutationContext {
  format: Format;
  /** Other seeds of the target, for splicing. */
  others: readonly Buffer[];
}

export function opArbitrary(format: Format): fc.Arbitrary<Op> {
  const n = fc.nat();
  const rec = (kinds: readonly OpKind[]) => fc.record({ k: fc.constantFrom(...kinds), a: n, b: n, c: n, d: n });
  return fc.oneof({ weight: 3, arbitrary: rec(BY_FORMAT[format]) }, { weight: 2, arbitrary: rec(GENERIC) });
}

export function opsArbitrary(format: Format): fc.Arbitrary<Op[]> {
  return fc.array(opArbitrary(format), { minLength: 1, maxLength: 6 });
}

export function applyOps(input: Buffer, ops: readonly Op[], ctx: MutationContext): Buffer {
  let buf = input;
  for (const op of ops) {
    buf = applyOp(buf, op, ctx);
    if (buf.length > MAX_INPUT_BYTES) buf = buf.subarray(0, MAX_INPUT_BYTES);
  }
  return buf;
}

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];
const latin1 = (b: Buffer) => b.toString('latin1');
const bytes = (s: string) => Buffer.from(s, 'latin1');
const utf8 = (s: string) => Buffer.from(s, 'utf8');

function insert(buf: Buffer, at: number, piece: Buffer): Buffer {
  const pos = buf.length ? at % (buf.length + 1) : 0;
  return Buffer.concat([buf.subarray(0, pos), piece, buf.subarray(pos)]);
}

function repeat(piece: Buffer, times: number): Buffer {
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

function applyOp(buf: Buffer, op: Op, ctx: MutationContext): Buffer {
  const { a, b, c, d } = op;
  const len = buf.length;
  switch (op.k) {
    case 'flip': {
      if (!len) return buf;
      const out = Buffer.from(buf);
      out[a % len] ^= 1 << (b % 8);
      return out;
    }
    case 'set': {
      if (!len) return buf;
      const out = Buffer.from(buf);
      out[a % len] = pick(INTERESTING_BYTES, b);
      return out;
    }
    case 'truncate':
      return len ? buf.subarray(0, a % len) : buf;
    case 'cut': {
      if (!len) return buf;
      const at = a % len;
      const l = 1 + (b % Math.min(len - at, pick([1, 4, 16, 256, 4096, 65536], c)));
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + l)]);
    }
    case 'dup': {
      if (!len) return buf;
      const at = a % len;
      const l = 1 + (b % Math.min(len - at, pick([1, 8, 64, 1024, 16384], d)));
      return insert(buf, at, repeat(buf.subarray(at, at + l), pick([1, 2, 10, 100, 1000, 10000], c)));
    }
    case 'splice': {
      const other = ctx.others.length ? pick(ctx.others, c) : buf;
      if (!other.length) return buf;
      const from = a % other.length;
      const l = 1 + (b % Math.min(other.length - from, pick([16, 256, 4096, 65536, 1 << 20], d)));
      return insert(buf, a ^ d, other.subarray(from, from + l));
    }
    case 'token': {
      const tok = utf8(pick(tokensFor(ctx.format), b));
      return insert(buf, a, c % 16 === 0 ? repeat(tok, pick([2, 10, 100, 1000], d)) : tok);
    }
    case 'hugeLine': {
      const size = pick([1000, 8192, 65536, 1_000_000, 2_000_000], b);
      const ch = utf8(pick(['A', ' ', '=', '-', '\t', '<', '0', 'ạ', '\\', '(', '[', '\x00', '%'], c));
      const line = repeat(ch, Math.ceil(size / ch.length));
      return insert(buf, a, d % 2 ? Buffer.concat([bytes('\r\n'), line, bytes('\r\n')]) : line);
    }
    case 'numbers':
      return numbers(buf, a, b, c, d);
    case 'lineEnds': {
      const s = latin1(buf);
      const modes = [
        () => s.replace(/\r\n/g, '\n'),
        () => s.replace(/\r?\n/g, '\r\n').replace(/\r\n/g, (m, i: number) => (i % 3 === 0 ? '\n' : m)),
        () => s.replace(/\r?\n/g, '\r'),
        () => s.replace(/\r?\n/g, '\r\r\n'),
        () => s.replace(/\r/g, ''),
      ];
      return bytes(pick(modes, b)());
    }
    case 'randomRun': {
      const l = 1 + (b % 64);
      return len ? Buffer.concat([buf.subarray(0, a % len), randomBytes(c, l), buf.subarray((a % len) + l)]) : randomBytes(c, l);
    }
    case 'swap': {
      if (len < 4) return buf;
      const i = a % len;
      const j = b % len;
      const l = 1 + (c % Math.max(1, Math.min(256, len - Math.max(i, j))));
      const out = Buffer.from(buf);
      buf.copy(out, i, j, j + l);
      buf.copy(out, j, i, i + l);
      return out;
    }
    case 'header':
      return header(buf, a, b, c, d);
    case 'boundary':
      return boundary(buf, a, b, c, d);
    case 'charset':
      return charset(buf, a, b, c, d);
    case 'cte': {
      const s = latin1(buf);
      const re = /(Content-Transfer-Encoding:[ \t]*)([^\r\n]*)/gi;
      const hits = [...s.matchAll(re)];
      const value = pick(TRANSFER_ENCODINGS, b);
      if (!hits.length) return insert(buf, 0, bytes(`Content-Transfer-Encoding: ${value}\r\n`));
      const m = pick(hits, a);
      return bytes(s.slice(0, m.index) + m[1] + value + s.slice(m.index + m[0].length));
    }
    case 'nest':
      return nestMime(buf, b, c);
    case 'inner':
      return inner(buf, op, ctx);
    case 'pdfStream':
      return pdfStream(buf, op, ctx);
    case 'pdfNest': {
      const open = pick(['[', '<<', '(', '<', '[ ', '<< /A ', '<< /Kids [', '(\\'], b);
      return insert(buf, a, repeat(bytes(open), pick([10, 100, 1000, 10000, 100000], c)));
    }
    case 'pdfToken':
      return insert(buf, a, utf8(` ${pick(PDF_TOKENS, b)} `));
    case 'byteRange':
      return byteRange(buf, a, b, c, d);
    case 'derLength': {
      if (!len) return buf;
      const out = Buffer.from(buf);
      const at = a % len;
      out[at] = pick([0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x88, 0x89, 0xff, 0x00, 0x7f, 0x01], b);
      if (d % 2) for (let i = 1; i <= 4 && at + i < len; i++) out[at + i] = pick([0xff, 0x00, 0x7f, 0x80, 0x01], c + i);
      return out;
    }
    case 'derNest':
      return derNest(buf, a, b, c, d);
    case 'derTag': {
      if (!len) return buf;
      const out = Buffer.from(buf);
      out[a % len] = pick(
        [0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1e, 0x1f, 0x30, 0x31, 0xa0, 0xa1, 0xa3, 0xbf, 0x00, 0x24, 0x2c],
        b,
      );
      return out;
    }
    case 'zipField':
      return zipField(buf, a, b, c, d);
    case 'zipEntry':
      return zipEntry(buf, op, ctx);
    case 'zipBomb':
      return zipBomb(b, c);
    case 'xmlNest': {
      const n = pick([10, 100, 1000, 10000, 100000], b);
      const tag = pick(['a', 'edXML:Subject', 'w:p', 'x:y', 'Signature', 'edXML:To', 'w:t'], c);
      const open = repeat(bytes(`<${tag}>`), n);
      const piece = d % 2 ? Buffer.concat([open, repeat(bytes(`</${tag}>`), n)]) : open;
      const s = latin1(buf);
      const gt = s.indexOf('>', len ? a % len : 0);
      return insert(buf, gt >= 0 ? gt + 1 : a, piece);
    }
    case 'xmlEntity':
      return xmlEntity(buf, a, b, c);
    case 'xmlEncoding':
      return xmlEncoding(buf, b, c);
    case 'legacy':
      return legacy(buf, a, b, c);
    case 'vnRepeat': {
      const piece = pick(
        [
          'Nơi nhận:\n- Như trên;\n',
          '- Sở Tài chính;\n',
          'Số: 12/QĐ-UBND\n',
          'TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\n',
          'ngày 01 tháng 01 năm 2026 ',
          '| | | |\n',
          'V/v ',
          'ỦY BAN NHÂN DÂN\n',
          '12/',
          'a\u0301\u0301\u0301',
          '********\n',
          'Kính gửi: ',
        ],
        b,
      );
      return insert(buf, a, repeat(utf8(piece), pick([10, 100, 1000, 20000, 100000], c)));
    }
    case 'smtpLine': {
      const verb = pick(SMTP_VERBS, b);
      const arg = verb.endsWith(':')
        ? pick(SMTP_ADDRESSES, c) + pick(SMTP_PARAMS, d)
        : c % 3
          ? ` ${pick(['x', 'mx.example', '[127.0.0.1]', '', 'a'.repeat(600)], d)}`
          : '';
      const line = utf8(`${verb}${arg}\r\n`);
      const s = latin1(buf);
      const eol = s.indexOf('\n', len ? a % len : 0);
      return insert(buf, eol >= 0 ? eol + 1 : a, d % 8 === 0 ? repeat(line, pick([10, 100, 1000], c)) : line);
    }
    case 'dataDots': {
      const seq = pick(['\n.\n', '\r.\r', '\n.\r\n', '\r\n.\n', '\r\n..\r\n', '\r\n.\r\n', '\r\n.\r', '.\r\n', '\r\n. \r\n', '\r\n.\x00\r\n', '\n..\n'], b);
      return insert(buf, a, c % 8 === 0 ? repeat(bytes(seq), pick([10, 1000], d)) : bytes(seq));
    }
    default:
      return buf;
  }
}

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

/** Header lines (with their folded continuations) of every entity. */
function headerLines(s: string): Array<{ start: number; colon: number; end: number }> {
  const out: Array<{ start: number; colon: number; end: number }> = [];
  const re = /(^|\n)([!-9;-~]{1,60})[ \t]*:/g;
  for (let m = re.exec(s); m && out.length < 5000; m = re.exec(s)) {
    const start = m.index + m[1].length;
    let end = s.indexOf('\n', start);
    while (end >= 0 && (s[end + 1] === ' ' || s[end + 1] === '\t')) end = s.indexOf('\n', end + 1);
    end = end < 0 ? s.length : end + 1;
    out.push({ start, colon: m.index + m[0].length - 1, end });
  }
  return out;
}

function header(buf: Buffer, a: number, b: number, c: number, d: number): Buffer {
  const s = latin1(buf);
  const lines = headerLines(s);
  if (!lines.length) return insert(buf, 0, utf8(pick(MIME_TOKENS, c)));
  const h = pick(lines, a);
  const line = s.slice(h.start, h.end);
  const name = s.slice(h.start, h.colon);
  const eol = line.endsWith('\r\n') ? '\r\n' : '\n';
  const replace = (piece: string) => bytes(s.slice(0, h.start) + piece + s.slice(h.end));
  switch (b % 8) {
    case 0:
      return replace(line.repeat(Math.min(pick([2, 10, 100, 1000, 5000], c), Math.floor(MAX_INPUT_BYTES / Math.max(1, line.length)))));
    case 1:
      return replace(line.slice(0, h.colon - h.start) + line.slice(h.colon - h.start + 1));
    case 2:
      return replace(`${name}: ${Buffer.from(pick(HEADER_VALUES, c), 'utf8').toString('latin1')}${eol}`);
    case 3:
      return replace(line.replace(/\r?\n$/, '') + `${eol}\t${'x'.repeat(70)}`.repeat(pick([10, 1000, 20000], c)) + eol);
    case 4:
      return replace('');
    case 5:
      return replace(line + Buffer.from(pick(MIME_TOKENS, c), 'utf8').toString('latin1'));
    case 6: {
      const cs = pick(CHARSETS, c);
      const payload = d % 2 ? randomBytes(d, 1 + (d % 90)).toString('base64') : `=${(d % 256).toString(16).toUpperCase().padStart(2, '0')}_x=E1=BB`;
      return replace(`${name}: =?${cs}?${d % 2 ? 'B' : 'Q'}?${payload}?= ${line.slice(h.colon - h.start + 1).trimStart()}`);
    }
    default:
      return replace(`${d % 2 ? name.toUpperCase() : name.toLowerCase()} ${line.slice(h.colon - h.start)}`);
  }
}

function boundary(buf: Buffer, a: number, b: number, c: number, d: number): Buffer {
  const s = latin1(buf);
  const decls = [...s.matchAll(/boundary=("?)([^";\r\n]*)\1/gi)];
  if (!decls.length) {
    return bytes(`Content-Type: multipart/mixed; boundary="fz"\r\n${s.replace(/\r?\n\r?\n/, '\r\n\r\n--fz\r\n\r\n')}\r\n--fz--\r\n`);
  }
  const m = pick(decls, a);
  const bd = m[2];
  const at = m.index;
  // a boundary grown by other operations (a huge line) would make a RegExp too large to compile
  if (bd.length > 200) return bytes(s.slice(0, at) + `boundary="${bd.slice(0, 1 + (c % 200))}"` + s.slice(at + m[0].length));
  const esc = bd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  switch (b % 8) {
    case 0: {
      const value = pick(['', ' ', 'x', `${bd}x`, bd.slice(0, -1), '-'.repeat(70), 'a'.repeat(2000), '"', '--', bd.toUpperCase(), `${bd} `, '\\'], c);
      return bytes(s.slice(0, at) + `boundary="${value}"` + s.slice(at + m[0].length));
    }
    case 1:
      return bytes(s.replace(new RegExp(`--${esc}--`, 'g'), ''));
    case 2: {
      let first = true;
      return bytes(s.replace(new RegExp(`\\n--${esc}\\r?\\n`, 'g'), (x) => (first ? ((first = false), x) : '\n')));
    }
    case 3: {
      let out = buf;
      for (let i = 0, n = pick([1, 10, 1000], c); i < n; i++) out = insert(out, mix(d, i) >>> 0, bytes(`\r\n--${bd}\r\n`));
      return out;
    }
    case 4: {
      const first = s.indexOf(`--${bd}`, at + m[0].length);
      return insert(buf, first >= 0 ? first + bd.length + 2 + (d % 200) : d, bytes(`\r\n--${bd}--\r\n`));
    }
    case 5: {
      const close = s.lastIndexOf(`--${bd}--`);
      const piece = repeat(bytes(`--${bd}--\r\n`), pick([2, 100, 10000], c));
      return insert(buf, close >= 0 ? close : d, piece);
    }
    case 6:
      return bytes(s.replace(new RegExp(`--${esc}(?=\\r?\\n)`, 'g'), `--${bd}${pick([' ', '\t', 'x', '-', ' \t '], c)}`));
    default: {
      const first = s.indexOf(`\n--${bd}`, at + m[0].length);
      const nested = `\r\n--${bd}\r\nContent-Type: multipart/mixed; boundary="${bd}"\r\n\r\n--${bd}\r\nContent-Type: text/plain\r\n\r\nx\r\n`;
      return insert(buf, first >= 0 ? first : d, bytes(nested));
    }
  }
}

function charset(buf: Buffer, a: number, b: number, c: number, d: number): Buffer {
  const s = latin1(buf);
  const cs = pick(CHARSETS, b);
  const value = d % 2 ? `"${cs}"` : cs;
  const words = [...s.matchAll(/=\?([^?\s]*)\?([BbQq])\?/g)];
  const params = [...s.matchAll(/charset=("?)([^";\s]*)\1/gi)];
  if (c % 3 === 0 && words.length) {
    const m = pick(words, a);
    return bytes(s.slice(0, m.index) + `=?${cs}?${m[2]}?` + s.slice(m.index + m[0].length));
  }
  if (!params.length) {
    const ct = /Content-Type:[^\r\n]*/i.exec(s);
    if (!ct) return insert(buf, 0, bytes(`Content-Type: text/plain; charset=${value}\r\n`));
    return bytes(s.slice(0, ct.index + ct[0].length) + `; charset=${value}` + s.slice(ct.index + ct[0].length));
  }
  const m = pick(params, a);
  return bytes(s.slice(0, m.index) + `charset=${value}` + s.slice(m.index + m[0].length));
}

function nestMime(buf: Buffer, b: number, c: number): Buffer {
  const depth = pick([2, 10, 100, 1000, 5000], b);
  const head = 'From: fuzz@example.invalid\r\nTo: vanthu@stc.lamdong.gov.vn\r\nSubject: nest\r\nMIME-Version: 1.0\r\n';
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    const style = c % 3 === 2 ? (i % 2 ? 0 : 1) : c % 3;
    if (style === 0) {
      const bd = c % 5 === 0 ? 'same' : `n${i}`;
      open.push(`Content-Type: multipart/mixed; boundary="${bd}"\r\n\r\n--${bd}\r\n`);
      close.unshift(`\r\n--${bd}--\r\n`);
    } else {
      open.push('Content-Type: message/rfc822\r\n\r\n');
    }
  }
  return Buffer.concat([bytes(head + open.join('')), buf, bytes(close.join(''))]);
}

/** Guesses the format of decoded bytes, to mutate them with the right operations. */
export function sniff(data: Buffer): Format {
  if (data.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  if (data[0] === 0x50 && data[1] === 0x4b) return 'zip';
  if (data[0] === 0x30) return 'der';
  if (/^\s*</.test(data.subarray(0, 64).toString('latin1'))) return 'xml';
  if (/^[A-Za-z-]+:/.test(data.subarray(0, 64).toString('latin1'))) return 'mime';
  return 'text';
}

/** Derived sub-operations for a nested payload (deterministic in the parent op). */
function subOps(op: Op, format: Format, n: number): Op[] {
  const kinds: readonly OpKind[] = [...BY_FORMAT[format], ...GENERIC.filter((k) => k !== 'splice')];
  return Array.from({ length: n }, (_, i) => ({
    k: pick(kinds, (mix(op.b, i, 1) >>> 0) % 9973),
    a: mix(op.a, i, 2) >>> 0,
    b: mix(op.b, i, 3) >>> 0,
    c: mix(op.c, i, 4) >>> 0,
    d: mix(op.d, i, 5) >>> 0,
  }));
}

/** Runs of two or more base64 lines after a blank line (a part's body), found line by line. */
function base64Blocks(s: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let start = -1;
  let end = -1;
  let lines = 0;
  let prevBlank = false;
  const close = () => {
    if (start >= 0 && lines >= 2) out.push({ start, end });
    start = -1;
  };
  for (let pos = 0; pos <= s.length && out.length < 200; ) {
    let nl = s.indexOf('\n', pos);
    if (nl < 0) nl = s.length;
    const line = s.slice(pos, s[nl - 1] === '\r' ? nl - 1 : nl);
    if (line.length >= 16 && (start >= 0 || prevBlank) && /^[A-Za-z0-9+/=]+$/.test(line)) {
      if (start < 0) {
        start = pos;
        lines = 0;
      }
      lines++;
      end = nl;
    } else close();
    prevBlank = line.length === 0;
    pos = nl + 1;
  }
  close();
  return out;
}

/** Decode a base64 body of a MIME entity (an attachment, a CMS blob), mutate it, encode it again. */
function inner(buf: Buffer, op: Op, ctx: MutationContext): Buffer {
  const s = latin1(buf);
  const blocks = base64Blocks(s);
  if (!blocks.length) return applyOp(buf, { ...op, k: 'header' }, ctx);
  const { start, end } = pick(blocks, op.a);
  const body = s.slice(start, end);
  const decoded = Buffer.from(body, 'base64');
  const format = sniff(decoded);
  // nested payloads (base64 inside base64) are mutated with non-recursive operations
  const ops = subOps(op, format, 1 + (op.c % 3)).map((o) => (o.k === 'inner' ? { ...o, k: 'flip' as const } : o));
  const mutated = applyOps(decoded, ops, { format, others: ctx.others });
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const encoded = mutated.toString('base64').replace(/.{76}/g, `$&${eol}`);
  return bytes(s.slice(0, start) + encoded + s.slice(end));
}

function pdfStream(buf: Buffer, op: Op, ctx: MutationContext): Buffer {
  const s = latin1(buf);
  const streams: Array<{ start: number; end: number }> = [];
  const re = /stream\r?\n/g;
  for (let m = re.exec(s); m && streams.length < 2000; m = re.exec(s)) {
    if (s.slice(Math.max(0, m.index - 3), m.index) === 'end') continue;
    const end = s.indexOf('endstream', m.index + m[0].length);
    if (end > 0) streams.push({ start: m.index + m[0].length, end });
  }
  if (!streams.length) return insert(buf, op.a, utf8(pick(PDF_TOKENS, op.b)));
  const st = pick(streams, op.a);
  const raw = buf.subarray(st.start, st.end);
  let body: Buffer;
  let inflated = true;
  try {
    body = inflateSync(raw);
  } catch {
    inflated = false;
    body = raw;
  }
  const format: Format =
    inflated && /\b(BT|beginbfchar|beginbfrange|begincmap)\b/.test(body.subarray(0, 4096).toString('latin1')) ? 'pdf' : inflated ? 'pdf' : 'der';
  let mutated = applyOps(body, subOps(op, format, 1 + (op.c % 3)), { format, others: ctx.others });
  if (inflated) mutated = deflateSync(mutated, { level: op.d % 10 });
  let out = Buffer.concat([buf.subarray(0, st.start), mutated, bytes('\n'), buf.subarray(st.end)]);
  if (op.d % 2) {
    // keep /Length truthful so the reader takes the stream as it is
    const dictAt = s.lastIndexOf('/Length', st.start);
    if (dictAt >= 0 && st.start - dictAt < 400) {
      const t = latin1(out);
      out = bytes(t.slice(0, dictAt) + t.slice(dictAt, st.start).replace(/\/Length\s+\d+(\s+\d+\s+R)?/, `/Length ${mutated.length + 1}`) + t.slice(st.start));
    }
  }
  return out;
}

function byteRange(buf: Buffer, a: number, b: number, c: number, d: number): Buffer {
  const s = latin1(buf);
  const hits = [...s.matchAll(/\/ByteRange\s*\[([^\]]*)\]/g)];
  if (!hits.length) return insert(buf, a, bytes(`/ByteRange [0 ${d % 1000} ${(d % 1000) + 10} ${b % 5000}] /Contents <${'00'.repeat(c % 64)}>`));
  const m = pick(hits, a);
  const nums = m[1].trim().split(/\s+/).map(Number);
  const variants = [
    () => nums.map((x, i) => (i === b % 4 ? x + 1 : x)),
    () => nums.map((x, i) => (i === b % 4 ? x - 1 : x)),
    () => [nums[0], nums[1], nums[2], 99999999999999],
    () => [0, 0, 0, 0],
    () => [nums[2], nums[3], nums[0], nums[1]],
    () => nums.map((x) => -x),
    () => nums.slice(0, 3),
    () => [...nums, 5, 5],
  ];
  const next = pick(variants, c)().map((x) => (Number.isFinite(x) ? String(x) : 'x'));
  const text = `/ByteRange [${next.join(' ')}${' '.repeat(d % 3)}]`;
  return bytes(s.slice(0, m.index) + text + s.slice(m.index + m[0].length));
}

function derLengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return [0x80 | out.length, ...out];
}

function derNest(buf: Buffer, a: number, b: number, c: number, d: number): Buffer {
  const layers = pick([1, 2, 10, 100, 1000, 10000], b);
  const tag = pick([0x30, 0x31, 0xa0, 0x24, 0x2c, 0x23], c);
  const start = d % 3 === 0 && buf.length ? a % buf.length : 0;
  const core = buf.subarray(start);
  if (d % 2) {
    // indefinite lengths: tag 80 … 00 00
    const head = repeat(Buffer.from([tag, 0x80]), layers);
    return Buffer.concat([buf.subarray(0, start), head, core, Buffer.alloc(2 * layers)]);
  }
  const headers: number[][] = [];
  let size = core.length;
  for (let i = 0; i < layers; i++) {
    const h = [tag, ...derLengthBytes(size)];
    headers.push(h);
    size += h.length;
  }
  const head = Buffer.from(headers.reverse().flat());
  return Buffer.concat([buf.subarray(0, start), head, core]);
}

const ZIP_FIELDS: Record<string, Array<[number, 2 | 4]>> = {
  '\x03\x04': [
    [4, 2],
    [6, 2],
    [8, 2],
    [14, 4],
    [18, 4],
    [22, 4],
    [26, 2],
    [28, 2],
  ],
  '\x01\x02': [
    [8, 2],
    [10, 2],
    [16, 4],
    [20, 4],
    [24, 4],
    [28, 2],
    [30, 2],
    [32, 2],
    [34, 2],
    [42, 4],
  ],
  '\x05\x06': [
    [4, 2],
    [6, 2],
    [8, 2],
    [10, 2],
    [12, 4],
    [16, 4],
    [20, 2],
  ],
  '\x06\x06': [
    [24, 4],
    [32, 4],
    [40, 4],
    [48, 4],
  ],
};

function zipField(buf: Buffer, a: number, b: number, c: number, d: number): Buffer {
  const s = latin1(buf);
  const recs: Array<{ at: number; fields: Array<[number, 2 | 4]> }> = [];
  const re = /PK(\x03\x04|\x01\x02|\x05\x06|\x06\x06)/g;
  for (let m = re.exec(s); m && recs.length < 5000; m = re.exec(s)) recs.push({ at: m.index, fields: ZIP_FIELDS[m[1]] });
  if (!recs.length) return applyOp(buf, { k: 'flip', a, b, c, d }, { format: 'zip', others: [] });
  const rec = pick(recs, a);
  const [off, width] = pick(rec.fields, b);
  const at = rec.at + off;
  if (at + width > buf.length) return buf;
  const out = Buffer.from(buf);
  const orig = width === 2 ? out.readUInt16LE(at) : out.readUInt32LE(at);
  const max = width === 2 ? 0xffff : 0xffffffff;
  const value = pick([0, 1, max, orig + 1, Math.min(max, orig * 1000), orig - 1, mix(d) >>> 0, max >>> 1], c);
  const v = ((value % (max + 1)) + (max + 1)) % (max + 1);
  if (width === 2) out.writeUInt16LE(v, at);
  else out.writeUInt32LE(v, at);
  return out;
}

function zipEntry(buf: Buffer, op: Op, ctx: MutationContext): Buffer {
  let files: Record<string, Uint8Array>;
  try {
    // fflate allocates what an entry declares: skip entries that claim more than we would write
    files = unzipSync(buf, { filter: (f) => f.originalSize <= 8 * 1024 * 1024 && f.size <= MAX_INPUT_BYTES });
  } catch {
    return applyOp(buf, { ...op, k: 'zipField' }, ctx);
  }
  const names = Object.keys(files);
  if (!names.length) return buf;
  const name = op.d % 3 !== 0 && files['word/document.xml'] ? 'word/document.xml' : pick(names, op.a);
  const content = Buffer.from(files[name]);
  const format: Format = name.endsWith('.xml') || name.endsWith('.rels') ? 'xml' : 'text';
  const mutated = applyOps(content, subOps(op, format, 1 + (op.c % 4)), { format, others: ctx.others });
  const out: Array<[string, Buffer]> = names.map((n) => [n, n === name ? mutated : Buffer.from(files[n])]);
  if (op.b % 7 === 0) out.push([`word/${'x'.repeat(op.c % 300)}.xml`, mutated.subarray(0, 100)]);
  return deflatedZip(out, pick([0, 1, 6, 9], op.c));
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(data: Buffer): number {
  let c = -1;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A ZIP of deflated entries, written by hand (zlib is native: megabytes deflate in milliseconds). */
export function deflatedZip(files: Array<[string, Buffer]>, level = 9): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const packed = level === 0 ? data : deflateRawSync(data, { level });
    // ZIP keeps a name's length in 16 bits: a mutated entry name can be longer (seed 20261207, docx #12894).
    const n = Buffer.from(name, 'utf8').subarray(0, 0xffff);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(level === 0 ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(level === 0 ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, packed);
    centrals.push(central, n);
    offset += 30 + n.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(files.length, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(files.length, 0xffff), 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const bombs = new Map<string, Buffer>();
/** A DOCX whose document.xml inflates to megabytes (ratio and size limits). Cached per process. */
function zipBomb(b: number, c: number): Buffer {
  const size = pick([1_000_000, 21_000_000, 40_000_000], b);
  const pattern = pick(['<w:p><w:r><w:t>a</w:t></w:r></w:p>', '\0', ' '], c);
  const key = `${size}:${pattern}`;
  let zip = bombs.get(key);
  if (!zip) {
    const xml = Buffer.concat([bytes('<?xml version="1.0"?><w:document xmlns:w="x"><w:body>'), Buffer.alloc(size, pattern), bytes('</w:body></w:document>')]);
    zip = deflatedZip([
      ['[Content_Types].xml', bytes('<Types/>')],
      ['word/document.xml', xml],
    ]);
    bombs.set(key, zip);
  }
  return zip;
}

function xmlEntity(buf: Buffer, a: number, b: number, c: number): Buffer {
  const levels = pick([2, 4, 6, 8, 10], b);
  const defs: string[] = ['<!ENTITY l0 "lol">'];
  for (let i = 1; i <= levels; i++) defs.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
  const variants = [
    `<!DOCTYPE edXMLEnvelope [${defs.join('')}]>`,
    `<!DOCTYPE x [<!ENTITY q "]>">${defs.join('')}]>`,
    `<!DOCTYPE x><!DOCTYPE y [${defs.join('')}]>`,
    `<!doctype x [${defs.join('')}]>`,
    `<!DOCTYPE x [<!ENTITY % p "${'&#37;'.repeat(50)}">${defs.join('')}]>`,
    `<!DOCTYPE x [<!ENTITY a "&b;"><!ENTITY b "&a;">]>`,
    `<!DOCTYPE x [${Array.from({ length: 2000 }, (_, i) => `<!ENTITY e${i} "v">`).join('')}]>`,
  ];
  const decl = pick(variants, c);
  const s = latin1(buf);
  const afterDecl = s.startsWith('<?xml') ? s.indexOf('?>') + 2 : 0;
  const out = insert(buf, c % 4 === 0 ? a : afterDecl, utf8(decl));
  // and use the entity somewhere in a text node
  const t = latin1(out);
  const gt = t.indexOf('>', afterDecl + decl.length + (out.length ? a % Math.max(1, out.length - afterDecl - decl.length) : 0));
  return gt >= 0 ? insert(out, gt + 1, bytes(`&l${levels};&a;&e1;`)) : out;
}

function xmlEncoding(buf: Buffer, b: number, c: number): Buffer {
  const s = buf.toString('utf8');
  switch (b % 5) {
    case 0:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]);
    case 1:
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
    case 2: {
      const be = Buffer.from(s, 'utf16le');
      for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
      return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
    }
    case 3:
      return utf8(s.replace(/encoding="[^"]*"/, `encoding="${pick(CHARSETS, c)}"`));
    default:
      return Buffer.from(s, 'latin1');
  }
}

function legacy(buf: Buffer, a: number, b: number, c: number): Buffer {
  const s = buf.toString('utf8');
  const at = s.length ? a % s.length : 0;
  const l = Math.min(s.length - at, pick([20, 200, 2000, 1e9], c));
  const chunk = s.slice(at, at + l);
  const converted = b % 2 ? unicodeToTcvn3(chunk) : unicodeToVni(chunk);
  const text = s.slice(0, at) + converted + s.slice(at + l);
  // legacy text travels as 8-bit bytes; sometimes it was re-saved as UTF-8
  return b % 3 === 0 ? utf8(text) : Buffer.from(text, 'latin1');
}
