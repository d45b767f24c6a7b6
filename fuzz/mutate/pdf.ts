/**
 * PDF operations (docs/fuzzing.md, "Mutations"): streams inflated, mutated (as PDF content, or as
 * DER when they do not inflate: a signature's bytes) and deflated again with /Length kept truthful
 * or not, arrays and dictionaries nested 100,000 deep, PDF tokens, and /ByteRange rewritten to lie.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { PDF_TOKENS } from '../dictionary/pdf.ts';
import { bytes, insert, latin1, repeat, utf8 } from './bytes.ts';
import { type ApplyOp, type Format, type MutationContext, type Mutations, type Op, pick, runOps, subOps } from './ops.ts';

function pdfStream(buf: Buffer, op: Op, ctx: MutationContext, apply: ApplyOp): Buffer {
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
  // a stream that inflates is PDF content; one that does not is taken for a signature's DER
  const format: Format = inflated ? 'pdf' : 'der';
  let mutated = runOps(apply, body, subOps(op, format, 1 + (op.c % 3)), { format, others: ctx.others });
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

export const pdfOps = {
  pdfStream,
  pdfNest: (buf, { a, b, c }) => {
    const open = pick(['[', '<<', '(', '<', '[ ', '<< /A ', '<< /Kids [', '(\\'], b);
    return insert(buf, a, repeat(bytes(open), pick([10, 100, 1000, 10000, 100000], c)));
  },
  pdfToken: (buf, { a, b }) => insert(buf, a, utf8(` ${pick(PDF_TOKENS, b)} `)),
  byteRange: (buf, { a, b, c, d }) => byteRange(buf, a, b, c, d),
} satisfies Mutations;
