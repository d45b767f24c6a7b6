/**
 * MIME operations (docs/fuzzing.md, "Mutations"): header lines mangled (duplicated thousands of
 * times, folded, colon-less, encoded words in odd charsets), boundaries mangled (missing, empty,
 * 2,000 characters, nested reuse, closing delimiter repeated), charset names, transfer encodings,
 * nesting 5,000 levels deep (multipart or message/rfc822), and base64 attachments decoded, mutated
 * with the operations of what they hold (a PDF inside a message gets PDF operations) and encoded again.
 */
import { CHARSETS, HEADER_VALUES, MIME_TOKENS, TRANSFER_ENCODINGS } from '../dictionary/mime.ts';
import { mix, randomBytes } from '../rng.ts';
import { bytes, insert, latin1, repeat, utf8 } from './bytes.ts';
import { type ApplyOp, MAX_INPUT_BYTES, type MutationContext, type Mutations, type Op, pick, runOps, sniff, subOps } from './ops.ts';

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
function inner(buf: Buffer, op: Op, ctx: MutationContext, apply: ApplyOp): Buffer {
  const s = latin1(buf);
  const blocks = base64Blocks(s);
  if (!blocks.length) return apply(buf, { ...op, k: 'header' }, ctx);
  const { start, end } = pick(blocks, op.a);
  const body = s.slice(start, end);
  const decoded = Buffer.from(body, 'base64');
  const format = sniff(decoded);
  // nested payloads (base64 inside base64) are mutated with non-recursive operations
  const ops = subOps(op, format, 1 + (op.c % 3)).map((o) => (o.k === 'inner' ? { ...o, k: 'flip' as const } : o));
  const mutated = runOps(apply, decoded, ops, { format, others: ctx.others });
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const encoded = mutated.toString('base64').replace(/.{76}/g, `$&${eol}`);
  return bytes(s.slice(0, start) + encoded + s.slice(end));
}

function cte(buf: Buffer, a: number, b: number): Buffer {
  const s = latin1(buf);
  const re = /(Content-Transfer-Encoding:[ \t]*)([^\r\n]*)/gi;
  const hits = [...s.matchAll(re)];
  const value = pick(TRANSFER_ENCODINGS, b);
  if (!hits.length) return insert(buf, 0, bytes(`Content-Transfer-Encoding: ${value}\r\n`));
  const m = pick(hits, a);
  return bytes(s.slice(0, m.index) + m[1] + value + s.slice(m.index + m[0].length));
}

export const mimeOps = {
  header: (buf, { a, b, c, d }) => header(buf, a, b, c, d),
  boundary: (buf, { a, b, c, d }) => boundary(buf, a, b, c, d),
  charset: (buf, { a, b, c, d }) => charset(buf, a, b, c, d),
  cte: (buf, { a, b }) => cte(buf, a, b),
  nest: (buf, { b, c }) => nestMime(buf, b, c),
  inner,
} satisfies Mutations;
