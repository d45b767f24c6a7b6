/** /api/messages: list, show, raw bytes, and durable upload of a raw message. */
import { and, desc, eq, lt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import { addressBook } from '../config.ts';
import type { AcceptEnvelope, DurableAccept } from '../accept/durable-accept.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { inboundMessages, messageAttachments, messageStages } from '../store/schema.ts';
import { recipientsFromHeaders } from '../mail/recipients.ts';

export interface MessagesDeps {
  config: Config;
  database: Database;
  blobs: BlobStore;
  accept: DurableAccept;
}

const idParam = { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9A-Z]{26}$' } }, required: ['id'] } as const;
const notFound = { statusCode: 404, error: 'Not Found', message: 'Không tìm thấy thư (message not found)' };

export async function messageRoutes(app: FastifyInstance, deps: MessagesDeps): Promise<void> {
  const { db } = deps.database;
  const units = addressBook(deps.config);

  app.get<{ Querystring: { limit?: number; before?: string; state?: string } }>(
    '/api/messages',
    {
      schema: {
        summary: 'List inbound messages, newest first',
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, before: { type: 'string' }, state: { type: 'string' } },
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const where = and(req.query.before ? lt(inboundMessages.id, req.query.before) : undefined, req.query.state ? eq(inboundMessages.state, req.query.state) : undefined);
      const rows = await db.select().from(inboundMessages).where(where).orderBy(desc(inboundMessages.id)).limit(limit + 1);
      const items = rows.slice(0, limit);
      return { items, next: rows.length > limit ? items[items.length - 1].id : null };
    },
  );

  app.get<{ Params: { id: string } }>('/api/messages/:id', { schema: { summary: 'One message with its stage results and attachments', params: idParam } }, async (req, reply) => {
    const [message] = await db.select().from(inboundMessages).where(eq(inboundMessages.id, req.params.id));
    if (!message) return reply.code(404).send(notFound);
    const stages = await db.select().from(messageStages).where(eq(messageStages.messageId, message.id));
    const attachments = await db.select().from(messageAttachments).where(eq(messageAttachments.messageId, message.id)).orderBy(messageAttachments.idx);
    return { ...message, stages: Object.fromEntries(stages.map((s) => [s.stage, s])), attachments };
  });

  app.get<{ Params: { id: string } }>('/api/messages/:id/raw', { schema: { summary: 'The raw message as received (message/rfc822)', params: idParam } }, async (req, reply) => {
    const [message] = await db.select({ sha: inboundMessages.blobSha256 }).from(inboundMessages).where(eq(inboundMessages.id, req.params.id));
    if (!message) return reply.code(404).send(notFound);
    reply.header('content-type', 'message/rfc822');
    reply.header('content-disposition', `attachment; filename="${req.params.id}.eml"`);
    return reply.send(await deps.blobs.stream(message.sha));
  });

  app.post<{ Querystring: { to?: string | string[] } & RelayQuery }>(
    '/api/messages',
    {
      schema: {
        summary: 'Upload a raw message (message/rfc822); 201 only after it is stored durably',
        querystring: { type: 'object', properties: { to: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, ...relayQuery } },
      },
    },
    async (req, reply) => {
      const given = req.query.to === undefined ? [] : Array.isArray(req.query.to) ? req.query.to : [req.query.to];
      const stream = req.body as Readable;
      // Without explicit recipients, peek at the header block for To/Cc addresses of our units.
      const { rcptTo, body } = given.length ? { rcptTo: given.map((a) => a.toLowerCase()), body: stream } : await recipientsFromHeaders(stream);
      const known = rcptTo.filter((a) => units.has(a));
      if (!known.length) {
        stream.resume();
        return reply.code(422).send({ statusCode: 422, error: 'Unprocessable Entity', message: 'Không có địa chỉ đơn vị nào trong người nhận (no configured unit address among the recipients; pass ?to=)' });
      }
      try {
        const r = await deps.accept.accept(body, { ...relayEnvelope(req.query, req.ip), rcptTo: known, unitIds: [...new Set(known.map((a) => units.get(a)!.id))] });
        return reply.code(r.duplicate ? 200 : 201).send(r);
      } catch (err) {
        if ((err as Error).name === 'MessageTooLargeError') return reply.code(413).send({ statusCode: 413, error: 'Payload Too Large', message: (err as Error).message });
        req.log.error({ err: (err as Error).message }, 'upload storage failed');
        return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: 'Lưu trữ tạm thời lỗi, hãy thử lại (storage failed, retry later)' });
      }
    },
  );
}

/**
 * A relay that already spoke SMTP with the sender (the Haraka plugin: source=haraka) hands over
 * that session's envelope, which the trust checks (SPF) need; plain uploads stay source "api".
 */
interface RelayQuery {
  source?: 'api' | 'haraka';
  mailFrom?: string;
  remoteIp?: string;
  helo?: string;
}

const relayQuery = {
  source: { type: 'string', enum: ['api', 'haraka'], default: 'api' },
  mailFrom: { type: 'string', maxLength: 998 },
  remoteIp: { type: 'string', maxLength: 64 },
  helo: { type: 'string', maxLength: 255 },
} as const;

function relayEnvelope(q: RelayQuery, ip: string): Pick<AcceptEnvelope, 'source' | 'mailFrom' | 'remoteIp' | 'helo'> {
  if (q.source !== 'haraka') return { source: 'api', mailFrom: null, remoteIp: ip };
  return { source: 'haraka', mailFrom: q.mailFrom ?? null, remoteIp: q.remoteIp ?? ip, helo: q.helo ?? null };
}
