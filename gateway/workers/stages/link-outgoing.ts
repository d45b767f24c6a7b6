/**
 * Stage "link-outgoing": receipts, status notices and delivery reports about documents this
 * gateway sent move the matching recipient forward (gateway/outgoing/link.ts). It only records
 * the link; the register stage still decides what the message itself becomes.
 */
import { eq } from 'drizzle-orm';
import { findLinks } from '../../outgoing/link.ts';
import { advance } from '../../outgoing/tracking.ts';
import { messageAttachments } from '../../store/schema.ts';
import { cleanText } from '../../sanitize.ts';
import { markFailed } from '../delivery.ts';
import type { Stage, StageContext } from '../pipeline.ts';

interface ParseResult {
  inReplyTo?: string | null;
  references?: string[];
  subject?: string | null;
  text?: string | null;
  from?: Array<{ address: string | null }>;
}

interface Part {
  contentType: string;
  filename?: string | null;
  sha256: string;
}

/** edXML status notices, delivery reports, and the headers or copy of the message a bounce returns. */
const REPORT_PART = /xml|delivery-status|rfc822|message\/global/i;

async function reportParts(ctx: StageContext): Promise<Array<{ contentType: string; content: string }>> {
  // The parse stage's result lists the attachments: their rows may not be written yet (they go with the
  // parse stage's row, gateway/workers/pipeline.ts Stage.storeWith); the rows are read only without it.
  const rows: Part[] =
    ctx.results.parse?.attachments ??
    (await ctx.database.db
      .select({ contentType: messageAttachments.contentType, filename: messageAttachments.filename, sha256: messageAttachments.sha256 })
      .from(messageAttachments)
      .where(eq(messageAttachments.messageId, ctx.message.id)));
  const wanted = rows.filter((r) => REPORT_PART.test(r.contentType) || /\.xml$/i.test(r.filename ?? '')).slice(0, 5);
  // A returned message (message/rfc822) may carry the whole document; only its headers are read.
  const read = async (r: Part) => {
    const bytes = await ctx.blobs.read(r.sha256);
    // Mail text: cleaned (no NUL), as what is read here can end up in delivery evidence.
    return cleanText((/rfc822|message\/global/i.test(r.contentType) ? bytes.subarray(0, 64 * 1024) : bytes).toString('utf8'));
  };
  return Promise.all(wanted.map(async (r) => ({ contentType: r.contentType, content: await read(r) })));
}

export const linkOutgoingStage: Stage<'link-outgoing'> = {
  name: 'link-outgoing',
  doneState: 'verified',
  async run(ctx) {
    const parse: Partial<ParseResult> = ctx.results.parse ?? {};
    const classify = ctx.results.classify ?? null;
    const { db } = ctx.database;
    const links = await findLinks(db, {
      unitIds: ctx.message.unitIds,
      from: parse.from?.[0]?.address ?? ctx.message.fromAddr ?? ctx.message.mailFrom,
      subject: parse.subject ?? ctx.message.subject,
      text: parse.text ?? null,
      messageIds: [parse.inReplyTo ?? '', ...(parse.references ?? [])],
      kind: classify?.kind ?? null,
      notation: classify?.document?.notation ?? null,
      parts: await reportParts(ctx),
    });
    const at = ctx.clock.now();
    for (const l of links) {
      const evidence = { inboundId: ctx.message.id, note: l.note };
      if (l.state !== 'failed') {
        await advance(db, l.deliveryId, l.state, at, { evidence });
        continue;
      }
      if (!ctx.mailer || !ctx.transport) throw new Error('link-outgoing needs the mailer and the mail transport (gateway/app.ts wires them)');
      await markFailed(
        { db, blobs: ctx.blobs, config: ctx.config, log: ctx.log, mailer: ctx.mailer, transport: ctx.transport, now: () => at },
        l.deliveryId,
        l.note ?? 'DSN',
        evidence,
      );
    }
    return { links };
  },
};
