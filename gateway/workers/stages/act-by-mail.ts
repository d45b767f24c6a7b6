/**
 * Stage "act-by-mail": a message to an act+<token>@<unit domain> address is an officer's reply to
 * a notice, not correspondence for the book (docs/act-by-email.md). The registry's reply handler
 * (gateway/registry/replies/handle.ts) checks who sent it and carries out its command; the
 * register stage then leaves such a message out of the intake. Any other message passes through.
 */
import { actTokenOf } from '../../config/act-by-mail.ts';
import { TransientError } from '../../errors.ts';
import { handleReply, type ReplyResult } from '../../registry/replies/handle.ts';
import { createRuntime, type RegistryRuntime } from '../../registry/runtime.ts';
import type { Stage, StageContext } from '../pipeline.ts';

export type ActByMailResult = ReplyResult;

export const actByMailStage: Stage<'act-by-mail'> = {
  name: 'act-by-mail',
  doneState: 'verified',
  async run(ctx) {
    const { message } = ctx;
    if (!message.rcptTo.some((r) => actTokenOf(r) !== null)) return { outcome: { kind: 'not-a-reply' }, answer: 'none' };
    // Answers go through the registry's mailer: a run without one (no worker wiring) waits for one that has it.
    if (!ctx.mailer) throw new TransientError('act-no-mailer', 'a reply to a notice needs the registry mailer (gateway/app.ts wires it)');
    const rt = (ctx as StageContext & { registry?: RegistryRuntime }).registry ?? createRuntime(ctx);
    const parse = ctx.results.parse;
    return handleReply(
      { rt, mailer: ctx.mailer, blobs: ctx.blobs },
      {
        inboundId: message.id,
        messageId: parse?.messageId ?? message.messageId,
        rcptTo: message.rcptTo,
        from: parse?.from ?? (message.fromAddr ? [{ address: message.fromAddr }] : []),
        subject: parse?.subject ?? message.subject,
        text: parse?.text ?? null,
        headers: parse?.headers ?? [],
        attachments: (parse?.attachments ?? []).map((a) => ({
          idx: a.idx,
          filename: a.filename ?? null,
          contentType: a.contentType,
          disposition: a.disposition ?? null,
          size: a.size,
          sha256: a.sha256,
        })),
        signatures: ctx.results.verify?.signatures ?? [],
      },
    );
  },
};
