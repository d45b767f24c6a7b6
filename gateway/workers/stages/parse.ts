/**
 * Stage "parse": MIME structure, headers and body text; attachments become blobs with rows. The
 * MIME structure is held to `limits:` while it streams in (gateway/mail/mime-guard.ts), and every
 * text stored here is clean (gateway/sanitize.ts).
 */
import { eq } from 'drizzle-orm';
import { parseMessage } from '../../mail/parse.ts';
import { inboundMessages, messageAttachments } from '../../store/schema.ts';
import type { Stage } from '../pipeline.ts';

export const parseStage: Stage<'parse'> = {
  name: 'parse',
  doneState: 'parsed',
  async run({ message, blobs, database, config }) {
    // The MIME guard of parseMessage stops at the first limit passed (LimitExceeded: an outcome).
    const parsed = await parseMessage(await blobs.stream(message.blobSha256), config.limits);
    const stored: (typeof messageAttachments.$inferInsert)[] = [];
    for (const [idx, a] of parsed.attachments.entries()) {
      const { sha256 } = await blobs.put(a.content);
      stored.push({
        messageId: message.id,
        idx,
        filename: a.filename,
        contentType: a.contentType,
        disposition: a.disposition,
        contentId: a.contentId,
        size: a.size,
        sha256,
      });
    }
    await database.db.transaction(async (tx) => {
      // Re-running the stage replaces its rows rather than adding to them.
      await tx.delete(messageAttachments).where(eq(messageAttachments.messageId, message.id));
      if (stored.length) await tx.insert(messageAttachments).values(stored);
      const from = parsed.from[0];
      await tx
        .update(inboundMessages)
        .set({ subject: parsed.subject, fromAddr: from ? (from.address ?? from.name) : null })
        .where(eq(inboundMessages.id, message.id));
    });
    const { attachments: _a, html: _h, ...rest } = parsed;
    return { ...rest, hasHtml: parsed.html !== null, attachments: stored.map(({ messageId: _m, ...s }) => s) };
  },
};
