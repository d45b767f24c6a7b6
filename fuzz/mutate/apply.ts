/**
 * Applying operations (docs/fuzzing.md, "Mutations"): each kind of ops.ts is carried out by the
 * module of its format (bytes.ts for the generic ones); nested payloads come back here through the
 * `apply` each of them is given, so the modules do not import one another.
 */
import { byteOps } from './bytes.ts';
import { derOps } from './der.ts';
import { mimeOps } from './mime.ts';
import { type Mutation, type MutationContext, type Op, type OpKind, runOps } from './ops.ts';
import { pdfOps } from './pdf.ts';
import { smtpOps } from './smtp.ts';
import { textOps } from './text.ts';
import { xmlOps } from './xml.ts';
import { zipOps } from './zip.ts';

/** Every kind, each carried out once (the type fails to check when a kind has no module). */
const MUTATIONS: Record<OpKind, Mutation> = { ...byteOps, ...mimeOps, ...smtpOps, ...pdfOps, ...derOps, ...zipOps, ...xmlOps, ...textOps };

export function applyOp(buf: Buffer, op: Op, ctx: MutationContext): Buffer {
  // a kind no module knows (an old regression's plan) leaves the input as it is
  return Object.hasOwn(MUTATIONS, op.k) ? MUTATIONS[op.k](buf, op, ctx, applyOp) : buf;
}

export function applyOps(input: Buffer, ops: readonly Op[], ctx: MutationContext): Buffer {
  return runOps(applyOp, input, ops, ctx);
}
