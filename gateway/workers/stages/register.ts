/**
 * Stage "register": the unit policy decides what a classified, verified message becomes — an
 * incoming-book entry, a review item, a quarantined item, a link to an earlier document — and
 * the registry records it. A missing classify/verify result means "needs review", never a guess.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { isReplyOnly } from '../../config/act-by-mail.ts';
import { intakeMessage } from '../../registry/intake/intake.ts';
import { createRuntime, type RegistryRuntime } from '../../registry/runtime.ts';
import { inboundMessages, messageStages } from '../../store/schema.ts';
import { outcomeReasonVi } from '../../limits.ts';
import { headerPreview } from '../../mail/parse.ts';
import { ocrText } from '../../store/ocr.ts';
import type { Stage, StageContext } from '../pipeline.ts';
import { rawMessage } from '../parsed-message.ts';

const INPUTS = ['parse', 'classify', 'verify'] as const;

/**
 * Results of earlier stages: from this run, else as stored (e.g. written by a stage run elsewhere).
 * Stored results are JSON from the database: the registry checks their shape (intake.ts) rather
 * than trusting the type.
 */
async function inputs(ctx: StageContext): Promise<Record<string, unknown>> {
  const missing = INPUTS.filter((s) => ctx.results[s] === undefined);
  if (!missing.length) return ctx.results;
  const stored = await ctx.database.db
    .select({ stage: messageStages.stage, result: messageStages.result })
    .from(messageStages)
    .where(and(eq(messageStages.messageId, ctx.message.id), inArray(messageStages.stage, missing), eq(messageStages.status, 'done')));
  return { ...ctx.results, ...Object.fromEntries(stored.map((s) => [s.stage, s.result])) };
}

/**
 * The text read from scans by OCR joins the message's text: the registry searches it and routes on
 * it like any other text (docs/ocr.md).
 */
async function withOcrText(ctx: StageContext, results: Record<string, unknown>): Promise<Record<string, unknown>> {
  // The classifier of this job found no scan: no OCR text to look for (one statement less per message).
  if (!results.parse || ctx.scansFound === 0) return results;
  const text = await ocrText(ctx.database, ctx.message.id);
  if (!text) return results;
  const parse = results.parse as { text?: string | null };
  return { ...results, parse: { ...parse, text: [parse.text, text].filter(Boolean).join('\n\n') } };
}

export const registerStage: Stage<'register'> = {
  name: 'register',
  doneState: 'decided',
  // A message an earlier stage stopped (a limit passed, unreadable mail) still gets here: it goes to review.
  afterOutcome: true,
  async run(ctx) {
    // A reply to a notice (act+ addresses only) was handled by the act-by-mail stage: it is not correspondence (docs/act-by-email.md).
    if (isReplyOnly(ctx.message.rcptTo)) return { kind: 'decided', decisions: [] };
    // The worker passes its runtime (follow-up kick) through the context; a bare pipeline run
    // (CLI reprocess, tests) gets one on the context's clock.
    const rt = (ctx as StageContext & { registry?: RegistryRuntime }).registry ?? createRuntime(ctx);
    const results = await withOcrText(ctx, await inputs(ctx));
    const o = ctx.outcome;
    if (!o) return { kind: 'decided', decisions: await intakeMessage(rt, ctx.message, results) };
    const message = results.parse ? ctx.message : await withPreview(ctx);
    const outcome = { code: o.code, reason: outcomeReasonVi(o.code, o.message, o.max, o.where) };
    return { kind: 'stopped', decisions: await intakeMessage(rt, message, { ...results, outcome }), outcome: o.code };
  },
};

/**
 * Subject and sender from the first bytes of the header, when the parse stage never read them (it
 * stopped): the raw bytes this job read already, if it did (parsed-message.ts).
 */
async function withPreview(ctx: StageContext): Promise<StageContext['message']> {
  const preview = await headerPreview(await rawMessage(ctx));
  const from = preview.from[0];
  const fromAddr = from ? (from.address ?? from.name) : null;
  if (preview.subject === null && fromAddr === null) return ctx.message;
  await ctx.database.db.update(inboundMessages).set({ subject: preview.subject, fromAddr }).where(eq(inboundMessages.id, ctx.message.id));
  return { ...ctx.message, subject: preview.subject, fromAddr };
}
