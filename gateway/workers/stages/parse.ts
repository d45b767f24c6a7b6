/**
 * Stage "parse": MIME structure, headers and body text; attachments become blobs with rows. The
 * job's raw bytes are read once and held to `limits:` by the MIME guard before mailparser sees them
 * (gateway/mail/mime-guard.ts; the parse is kept for the job's later stages, docs/architecture.md
 * "One parse per job"), and every text stored here is clean (gateway/sanitize.ts).
 */
import type { messageAttachments } from '../../store/schema.ts';
import type { Stage } from '../pipeline.ts';
import { parsedMessage } from '../parsed-message.ts';
import { pooledMessage } from '../pool/job.ts';

export const parseStage: Stage<'parse'> = {
  name: 'parse',
  doneState: 'parsed',
  messageFields: (r) => ({ subject: r.subject ?? null, fromAddr: r.from[0] ? (r.from[0].address ?? r.from[0].name ?? null) : null }),
  // The attachment rows go with the stage's row, in its statement: re-running the stage replaces
  // them (the rows past this run's last index deleted, this run's upserted: disjoint rows, so one
  // statement may do both).
  storeWith: (r, p, id) => [
    `delete from message_attachments where message_id = ${id} and idx >= ${p(r.attachments.length)}::integer`,
    `insert into message_attachments (message_id, idx, filename, content_type, disposition, content_id, size, sha256)
select ${id}, * from unnest(${p(r.attachments.map((a) => a.idx))}::integer[], ${p(r.attachments.map((a) => a.filename ?? null))}::text[],
  ${p(r.attachments.map((a) => a.contentType))}::text[], ${p(r.attachments.map((a) => a.disposition ?? null))}::text[],
  ${p(r.attachments.map((a) => a.contentId ?? null))}::text[], ${p(r.attachments.map((a) => a.size))}::integer[], ${p(r.attachments.map((a) => a.sha256))}::text[])
on conflict (message_id, idx) do update set filename = excluded.filename, content_type = excluded.content_type, disposition = excluded.disposition,
  content_id = excluded.content_id, size = excluded.size, sha256 = excluded.sha256`,
  ],
  async run(ctx) {
    const { message, blobs } = ctx;
    // The MIME guard stops at the first limit passed (LimitExceeded: an outcome). The parse stays on
    // the context for classify and verify: one read and one parse per job (parsed-message.ts).
    // With a CPU pool the parse runs on its thread and stays there for the job (pool/job.ts).
    const parsed = ctx.pool ? await pooledMessage(ctx, ctx.pool) : (await parsedMessage(ctx)).message;
    // All of the message's attachments stored together: written in parallel, a shard directory
    // fsync'd once for those that share it (BlobStore.putAll).
    const names = await blobs.putAll(parsed.attachments.map((a) => a.content));
    const stored: (typeof messageAttachments.$inferInsert)[] = parsed.attachments.map((a, idx) => ({
      messageId: message.id,
      idx,
      filename: a.filename,
      contentType: a.contentType,
      disposition: a.disposition,
      contentId: a.contentId,
      size: a.size,
      sha256: names[idx].sha256,
    }));
    const { attachments: _a, html: _h, ...rest } = parsed;
    return { ...rest, hasHtml: parsed.html !== null, attachments: stored.map(({ messageId: _m, ...s }) => s) };
  },
};
