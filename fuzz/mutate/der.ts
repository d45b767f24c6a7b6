/**
 * DER operations (docs/fuzzing.md, "Mutations"): length bytes that lie (long forms, indefinite,
 * 0xff…), tags swapped for others of ASN.1's, and up to 10,000 layers of nesting, with definite
 * or indefinite lengths. CMS signatures, certificates, CRLs and timestamps get these.
 */
import { repeat } from './bytes.ts';
import { type Mutations, pick } from './ops.ts';

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

export const derOps = {
  derLength: (buf, { a, b, c, d }) => {
    const len = buf.length;
    if (!len) return buf;
    const out = Buffer.from(buf);
    const at = a % len;
    out[at] = pick([0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x88, 0x89, 0xff, 0x00, 0x7f, 0x01], b);
    if (d % 2) for (let i = 1; i <= 4 && at + i < len; i++) out[at + i] = pick([0xff, 0x00, 0x7f, 0x80, 0x01], c + i);
    return out;
  },
  derNest: (buf, { a, b, c, d }) => derNest(buf, a, b, c, d),
  derTag: (buf, { a, b }) => {
    const len = buf.length;
    if (!len) return buf;
    const out = Buffer.from(buf);
    out[a % len] = pick(
      [0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1e, 0x1f, 0x30, 0x31, 0xa0, 0xa1, 0xa3, 0xbf, 0x00, 0x24, 0x2c],
      b,
    );
    return out;
  },
} satisfies Mutations;
