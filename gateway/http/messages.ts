/**
 * /api/messages: list, show, raw bytes, and durable upload of a raw message. Who sees which
 * message and who may upload is decided by gateway/registry/access/policy.ts: a message the caller may not
 * see answers 404 like one that does not exist.
 */
import { and, count, desc, eq, lt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import type { Config } from '../config/load.ts';
import { addressBook } from '../config/load.ts';
import { recipientLookup } from '../config/act-by-mail.ts';
import type { AcceptEnvelope, DurableAccept } from '../accept/durable-accept.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { inboundMessages, messageAttachments, messageStages } from '../store/schema.ts';
import { recipientsFromHeaders } from '../mail/recipients.ts';
import { parseMail } from '../mail/parse.ts';
import { actorOf, authorizeRelayEnvelope, messageAccess, messageListScope, uploadTargets, type Principal } from '../registry/access/policy.ts';
import { messageFacts, messageScopeCondition } from '../registry/access/records.ts';
import { messageOutcomes, type MessageOutcome } from '../registry/books/outcomes.ts';
import { MessageTooLargeError } from '../accept/spool.ts';
import { ocrProgress } from '../store/ocr.ts';

export interface MessagesDeps {
  config: Config;
  database: Database;
  blobs: BlobStore;
  accept: DurableAccept;
}

const idParam = { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9A-Z]{26}$' } }, required: ['id'] } as const;
const notFound = { statusCode: 404, error: 'Not Found', message: 'Không tìm thấy thư (message not found)' };

/** True when the principal may see all of the message (detail, raw, attachments). */
export async function canReadMessage(db: Database['db'], p: Principal, id: string): Promise<boolean> {
  const facts = (await messageFacts(db, [id])).get(id);
  return !!facts && messageAccess(p, facts) === 'full';
}

/**
 * A message, its stage rows and what the registry made of it, as of one moment: the pipeline writes
 * a stage's row and the message row in one statement, and a poll must see both together (read
 * apart, it could see the parse stage done with the subject it wrote still empty, or the message
 * decided without its register stage). The outcome too: read after the snapshot, a poll saw a
 * message still "accepted", with no stage done, already registered (the pipeline finished in
 * between) — `vanthu demo` read that as no signatures.
 *
 * On PostgreSQL a repeatable-read, read-only transaction. On the embedded database a plain one is
 * already one moment: its one connection runs nothing else from BEGIN to the end of the
 * transaction (docs/architecture.md "The accept lane"), and the mode would be one more statement
 * (`set transaction` after the client's BEGIN), a round trip to the database thread, per read
 * (tests/statements-per-message.test.ts). On PostgreSQL drizzle says it in the BEGIN.
 */
export async function messageSnapshot(
  database: Database,
  p: Principal,
  id: string,
): Promise<{
  message: typeof inboundMessages.$inferSelect | undefined;
  stages: Array<typeof messageStages.$inferSelect>;
  outcomes: Map<string, MessageOutcome[]>;
}> {
  return database.db.transaction(
    async (tx) => {
      const [m] = await tx.select().from(inboundMessages).where(eq(inboundMessages.id, id));
      if (!m) return { message: m, stages: [], outcomes: new Map<string, MessageOutcome[]>() };
      const stages = await tx.select().from(messageStages).where(eq(messageStages.messageId, m.id));
      return { message: m, stages, outcomes: await messageOutcomes(tx, p, [m.id]) };
    },
    database.kind === 'pglite' ? undefined : { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

export async function messageRoutes(app: FastifyInstance, deps: MessagesDeps): Promise<void> {
  const { db } = deps.database;
  // Published unit addresses, and reply addresses act+<token>@<unit domain> (docs/act-by-email.md).
  const unitOf = recipientLookup(deps.config, addressBook(deps.config));

  app.get<{ Querystring: { limit?: number; before?: string; state?: string } }>(
    '/api/messages',
    {
      config: { permission: 'messages.read' },
      schema: {
        summary: "List inbound messages, newest first (those you may see: your unit's; officers: of documents assigned to them)",
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, before: { type: 'string' }, state: { type: 'string' } },
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 50;
      const scope = messageScopeCondition(messageListScope(req.principal!));
      const filter = and(scope, req.query.state ? eq(inboundMessages.state, req.query.state) : undefined);
      const where = and(filter, req.query.before ? lt(inboundMessages.id, req.query.before) : undefined);
      const rows = await db
        .select()
        .from(inboundMessages)
        .where(where)
        .orderBy(desc(inboundMessages.id))
        .limit(limit + 1);
      const items = rows.slice(0, limit);
      // total: every message the filter matches (all pages); hasMore: pages after this one.
      const [{ total }] = await db.select({ total: count() }).from(inboundMessages).where(filter);
      // outcome (added): what the registry made of each message (gateway/registry/books/outcomes.ts).
      const outcomes = await messageOutcomes(
        db,
        req.principal!,
        items.map((m) => m.id),
      );
      // ocr: pages read / to read of a message's scans (docs/ocr.md), on the messages that have any.
      const shown = items.map((m) => m.id);
      const progress = await ocrProgress(deps.database, shown);
      return {
        items: items.map((m) => ({ ...m, outcome: outcomes.get(m.id) ?? [], ...(progress.has(m.id) ? { ocr: progress.get(m.id) } : {}) })),
        next: rows.length > limit ? items[items.length - 1].id : null,
        total: Number(total),
        hasMore: rows.length > limit,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/messages/:id',
    { config: { permission: 'messages.read' }, schema: { summary: 'One message with its stage results and attachments', params: idParam } },
    async (req, reply) => {
      if (!(await canReadMessage(db, req.principal!, req.params.id))) return reply.code(404).send(notFound);
      const { message, stages, outcomes } = await messageSnapshot(deps.database, req.principal!, req.params.id);
      if (!message) return reply.code(404).send(notFound);
      const attachments = await db.select().from(messageAttachments).where(eq(messageAttachments.messageId, message.id)).orderBy(messageAttachments.idx);
      const ocr = (await ocrProgress(deps.database, [message.id])).get(message.id) ?? null;
      // What the registry made of it, as in the list (vanthu show prints it).
      const outcome = outcomes.get(message.id) ?? [];
      return { ...message, stages: Object.fromEntries(stages.map((s) => [s.stage, s])), attachments, ocr, outcome };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/messages/:id/raw',
    { config: { permission: 'messages.read' }, schema: { summary: 'The raw message as received (message/rfc822)', params: idParam } },
    async (req, reply) => {
      if (!(await canReadMessage(db, req.principal!, req.params.id))) return reply.code(404).send(notFound);
      const [message] = await db.select({ sha: inboundMessages.blobSha256 }).from(inboundMessages).where(eq(inboundMessages.id, req.params.id));
      if (!message) return reply.code(404).send(notFound);
      reply.header('content-type', 'message/rfc822');
      reply.header('content-disposition', `attachment; filename="${req.params.id}.eml"`);
      return reply.send(await deps.blobs.stream(message.sha));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/messages/:id/html',
    {
      config: { permission: 'messages.read' },
      schema: {
        summary:
          "The message's HTML body as it came, as JSON text (null when it has none) — never served as a page: a client sanitises it before drawing it (the web console: DOMPurify, docs/console.md)",
        params: idParam,
      },
    },
    async (req, reply) => {
      if (!(await canReadMessage(db, req.principal!, req.params.id))) return reply.code(404).send(notFound);
      const [message] = await db.select({ sha: inboundMessages.blobSha256 }).from(inboundMessages).where(eq(inboundMessages.id, req.params.id));
      if (!message) return reply.code(404).send(notFound);
      // The body is not stored apart (the parse stage keeps only its text): read again, under the same limits.
      const { message: parsed } = await parseMail(await deps.blobs.stream(message.sha), deps.config.limits);
      return { html: parsed.html };
    },
  );

  app.post<{ Querystring: { to?: string | string[] } & RelayQuery }>(
    '/api/messages',
    {
      config: { permission: 'messages.upload' },
      schema: {
        summary:
          "Upload a raw message (message/rfc822); 201 only after it is stored durably. Clerks: to their own unit's addresses; the SMTP envelope (source=haraka, mailFrom, remoteIp, helo) only with the relay credential",
        querystring: { type: 'object', properties: { to: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, ...relayQuery } },
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const stream = req.body as Readable;
      try {
        authorizeRelayEnvelope(p, hasEnvelope(req.query));
      } catch (err) {
        stream.resume();
        throw err;
      }
      const given = req.query.to === undefined ? [] : Array.isArray(req.query.to) ? req.query.to : [req.query.to];
      // Without explicit recipients, peek at the header block for To/Cc addresses of our units.
      const { rcptTo, body } = given.length ? { rcptTo: given.map((a) => a.toLowerCase()), body: stream } : await recipientsFromHeaders(stream);
      const known = rcptTo.flatMap((address) => {
        const unit = unitOf(address);
        return unit ? [{ address, unitId: unit.id }] : [];
      });
      if (!known.length) {
        body.resume();
        return reply.code(422).send({
          statusCode: 422,
          error: 'Unprocessable Entity',
          message: 'Không có địa chỉ đơn vị nào trong người nhận (no configured unit address among the recipients; pass ?to=)',
        });
      }
      let targets: typeof known;
      try {
        targets = uploadTargets(p, known, given.length > 0);
      } catch (err) {
        body.resume();
        throw err;
      }
      try {
        const r = await deps.accept.accept(body, {
          ...relayEnvelope(req.query, req.ip),
          rcptTo: targets.map((t) => t.address),
          unitIds: [...new Set(targets.map((t) => t.unitId))],
          // The recorded origin is who authenticated, never anything the message or the caller claims.
          uploadedBy: actorOf(p),
          uploadedUnit: p.unitId,
        });
        return reply.code(r.duplicate ? 200 : 201).send(r);
      } catch (err) {
        if (err instanceof MessageTooLargeError) return reply.code(413).send({ statusCode: 413, error: 'Payload Too Large', message: (err as Error).message });
        req.log.error({ err: (err as Error).message }, 'upload storage failed');
        return reply
          .code(503)
          .send({ statusCode: 503, error: 'Service Unavailable', message: 'Lưu trữ tạm thời lỗi, hãy thử lại (storage failed, retry later)' });
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

/** Any envelope parameter at all, even source=haraka alone: refused unless the relay sends it. */
function hasEnvelope(q: RelayQuery): boolean {
  return q.source === 'haraka' || q.mailFrom !== undefined || q.remoteIp !== undefined || q.helo !== undefined;
}

function relayEnvelope(q: RelayQuery, ip: string): Pick<AcceptEnvelope, 'source' | 'mailFrom' | 'remoteIp' | 'helo'> {
  if (q.source !== 'haraka') return { source: 'api', mailFrom: null, remoteIp: ip };
  return { source: 'haraka', mailFrom: q.mailFrom ?? null, remoteIp: q.remoteIp ?? ip, helo: q.helo ?? null };
}
