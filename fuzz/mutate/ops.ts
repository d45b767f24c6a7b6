/**
 * Mutations of real inputs, drawn by fast-check (docs/fuzzing.md, "Mutations"). An operation is a
 * kind plus four naturals that the kind interprets (a position, a size, a choice from a list…), so
 * any operation applies to any input and a plan (seed file + operations) is a plain value that
 * fast-check generates from a seed.
 *
 * This module holds the operations' vocabulary: the kinds (generic ones on bytes, and per format the
 * ones that understand a little of its grammar), how fast-check draws them, and how a nested payload
 * (an attachment, a PDF stream, a DOCX entry) derives its own operations. The kinds are carried out
 * by bytes.ts (generic), mime.ts, smtp.ts, pdf.ts, der.ts, zip.ts, xml.ts and text.ts; apply.ts
 * puts them together.
 */
import fc from 'fast-check';
import { mix } from '../rng.ts';

export type Format = 'mime' | 'pdf' | 'der' | 'zip' | 'xml' | 'text' | 'smtp';

/** Largest input a mutation may produce (the SMTP target's size limit and the parsers' caps are far below). */
export const MAX_INPUT_BYTES = 6 * 1024 * 1024;

// The order of both lists is part of every plan: fast-check draws an index into them, so the same
// seed makes the same input only while they stay as they are (saved regressions name seeds).
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

/** One operation on bytes; nested payloads are mutated again through `apply` (apply.ts's applyOp). */
export type ApplyOp = (buf: Buffer, op: Op, ctx: MutationContext) => Buffer;

/** What carries out one kind: the operation, its context, and the whole set of kinds for nested payloads. */
export type Mutation = (buf: Buffer, op: Op, ctx: MutationContext, apply: ApplyOp) => Buffer;

/** The kinds a module carries out, checked against OpKind (apply.ts checks that every kind has one). */
export type Mutations = Partial<Record<OpKind, Mutation>>;

export function opArbitrary(format: Format): fc.Arbitrary<Op> {
  const n = fc.nat();
  const rec = (kinds: readonly OpKind[]) => fc.record({ k: fc.constantFrom(...kinds), a: n, b: n, c: n, d: n });
  return fc.oneof({ weight: 3, arbitrary: rec(BY_FORMAT[format]) }, { weight: 2, arbitrary: rec(GENERIC) });
}

export function opsArbitrary(format: Format): fc.Arbitrary<Op[]> {
  return fc.array(opArbitrary(format), { minLength: 1, maxLength: 6 });
}

export const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];

/** Applies operations in turn, each result cut to MAX_INPUT_BYTES. */
export function runOps(apply: ApplyOp, input: Buffer, ops: readonly Op[], ctx: MutationContext): Buffer {
  let buf = input;
  for (const op of ops) {
    buf = apply(buf, op, ctx);
    if (buf.length > MAX_INPUT_BYTES) buf = buf.subarray(0, MAX_INPUT_BYTES);
  }
  return buf;
}

/** Derived sub-operations for a nested payload (deterministic in the parent op). */
export function subOps(op: Op, format: Format, n: number): Op[] {
  const kinds: readonly OpKind[] = [...BY_FORMAT[format], ...GENERIC.filter((k) => k !== 'splice')];
  return Array.from({ length: n }, (_, i) => ({
    k: pick(kinds, (mix(op.b, i, 1) >>> 0) % 9973),
    a: mix(op.a, i, 2) >>> 0,
    b: mix(op.b, i, 3) >>> 0,
    c: mix(op.c, i, 4) >>> 0,
    d: mix(op.d, i, 5) >>> 0,
  }));
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
