/**
 * /api/messages/lookup: finds the stored inbound message for a message a person is reading in
 * Outlook. By Internet Message-ID first (GET), else from the item's MIME (POST): Message-ID + body
 * hash, the same key the durable accept de-duplicates on. With ?ingest=1 an unknown message is
 * stored through the durable accept so a clerk can register it (the upload rule of
 * gateway/registry/access/policy.ts). A message the caller may not see is not found; an officer of the
 * addressed unit who is not assigned its document learns only that it exists and how far its
 * processing got (no subject, sender, classification or signature report), unless it is secret.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { addressBook } from '../config/load.ts';
import { bodyOffset, extractMessageId } from '../mail/header.ts';
import { addressesInHeaders } from '../mail/recipients.ts';
import { inboundMessages, messageStages } from '../store/schema.ts';
import { actorOf, hasPermission, messageAccess, personalUploadTarget, uploadTargets, type MessageAccess, type Principal } from '../registry/access/policy.ts';
import { messageFacts } from '../registry/access/records.ts';
import type { MessagesDeps } from './messages.ts';

export type LookupMatch = 'exact' | 'message-id' | 'ingested';

/** What the pane needs to show a stored message; registry fields come from the registry's own routes. */
export interface LookupResult {
  found: true;
  match: LookupMatch;
  message: {
    id: string;
    messageId: string;
    subject: string | null;
    fromAddr: string | null;
    receivedAt: Date;
    state: string;
    unitIds: string[];
  };
  /** Pipeline stages that ran so far: name → done | failed. */
  stages: Record<string, string>;
  /** Stored results of the classify and verify stages, null until those stages ran. */
  classification: unknown;
  verification: unknown;
}

/** Message-ID and body hash of a raw message, computed exactly as the spool does. */
export function messageKey(raw: Buffer): { messageId: string | null; contentHash: string; headerText: string } {
  const at = bodyOffset(raw);
  const header = at >= 0 ? raw.subarray(0, at) : raw;
  const body = at >= 0 ? raw.subarray(at) : raw;
  return { messageId: extractMessageId(header), contentHash: createHash('sha256').update(body).digest('hex'), headerText: header.toString('utf8') };
}

/** Outlook gives the id without brackets on some hosts; stored ids keep them. */
export function normaliseMessageId(id: string): string {
  const t = id.trim();
  return t.startsWith('<') ? t : `<${t}>`;
}

const notFound = (reply: FastifyReply, why: string) =>
  reply.code(404).send({ statusCode: 404, error: 'Not Found', found: false, message: `vanthu chưa nhận thư này (${why})` });

async function readAll(stream: Readable, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      stream.resume();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function lookupRoutes(deps: MessagesDeps) {
  const { db } = deps.database;
  const units = addressBook(deps.config);
  /** The mail domains a unit publishes addresses at. */
  const unitDomains = (unitId: string | null) => [
    ...new Set((deps.config.units.find((u) => u.id === unitId)?.addresses ?? []).map((a) => a.slice(a.lastIndexOf('@') + 1).toLowerCase())),
  ];

  /** What the principal may know of a message: full, existence only, or nothing. */
  async function access(p: Principal, ids: string[]): Promise<Map<string, MessageAccess>> {
    const facts = await messageFacts(db, ids);
    return new Map(ids.map((id) => [id, facts.has(id) ? messageAccess(p, facts.get(id)!) : 'none']));
  }

  async function describe(id: string, match: LookupMatch, level: MessageAccess, p: Principal): Promise<LookupResult> {
    const full = await describeFull(id, match);
    if (level === 'full') return full;
    // Existence only: the same shape, without what the message says.
    return {
      ...full,
      message: { ...full.message, subject: null, fromAddr: null, unitIds: full.message.unitIds.filter((u) => u === p.unitId) },
      classification: null,
      verification: null,
    };
  }

  async function describeFull(id: string, match: LookupMatch): Promise<LookupResult> {
    const [m] = await db.select().from(inboundMessages).where(eq(inboundMessages.id, id));
    const stages = await db.select({ stage: messageStages.stage, status: messageStages.status }).from(messageStages).where(eq(messageStages.messageId, id));
    const results = await db
      .select({ stage: messageStages.stage, result: messageStages.result })
      .from(messageStages)
      .where(and(eq(messageStages.messageId, id), eq(messageStages.status, 'done'), inArray(messageStages.stage, ['classify', 'verify'])));
    const result = (name: string) => results.find((s) => s.stage === name)?.result ?? null;
    return {
      found: true,
      match,
      message: { id: m.id, messageId: m.messageId, subject: m.subject, fromAddr: m.fromAddr, receivedAt: m.receivedAt, state: m.state, unitIds: m.unitIds },
      stages: Object.fromEntries(stages.map((s) => [s.stage, s.status])),
      classification: result('classify'),
      verification: result('verify'),
    };
  }

  /** The stored message with this Message-ID that the principal may know of (the best access first). */
  async function byMessageId(p: Principal, messageId: string, contentHash?: string): Promise<{ id: string; match: LookupMatch; level: MessageAccess } | null> {
    const all = await db
      .select({ id: inboundMessages.id, contentHash: inboundMessages.contentHash })
      .from(inboundMessages)
      .where(eq(inboundMessages.messageId, messageId))
      .orderBy(desc(inboundMessages.id));
    const levels = await access(
      p,
      all.map((r) => r.id),
    );
    const full = all.filter((r) => levels.get(r.id) === 'full');
    const rows = full.length ? full : all.filter((r) => levels.get(r.id) === 'exists');
    if (!rows.length) return null;
    const level = levels.get(rows[0].id)!;
    const exact = contentHash ? rows.find((r) => r.contentHash === contentHash) : undefined;
    // Exchange rewrites headers and re-encodes bodies, so a copy from the mailbox rarely hashes
    // the same as what arrived: the Message-ID alone still names the message.
    return exact ? { id: exact.id, match: 'exact', level: levels.get(exact.id)! } : { id: rows[0].id, match: 'message-id', level };
  }

  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: { messageId: string } }>(
      '/api/messages/lookup',
      {
        config: { permission: 'messages.read' },
        schema: {
          summary: 'Find a stored inbound message by its Internet Message-ID',
          querystring: { type: 'object', properties: { messageId: { type: 'string', minLength: 3, maxLength: 998 } }, required: ['messageId'] },
        },
      },
      async (req, reply) => {
        const p = req.principal!;
        const hit = await byMessageId(p, normaliseMessageId(req.query.messageId));
        return hit ? describe(hit.id, hit.match, hit.level, p) : notFound(reply, 'no message with this Message-ID');
      },
    );

    app.post<{ Querystring: { ingest?: string; to?: string | string[] } }>(
      '/api/messages/lookup',
      {
        config: { permission: 'messages.read' },
        schema: {
          summary: 'Find the stored message for a raw message (message/rfc822); ?ingest=1 stores it when unknown (clerks: for their own unit)',
          querystring: {
            type: 'object',
            properties: {
              ingest: { type: 'string', enum: ['0', '1', 'false', 'true'] },
              to: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            },
          },
        },
      },
      async (req, reply) => {
        const raw = await readAll(req.body as Readable, deps.config.smtp.maxMessageBytes);
        if (!raw)
          return reply
            .code(413)
            .send({ statusCode: 413, error: 'Payload Too Large', message: `Thư quá lớn (message exceeds ${deps.config.smtp.maxMessageBytes} bytes)` });
        if (!raw.length)
          return reply
            .code(400)
            .send({ statusCode: 400, error: 'Bad Request', message: 'Thiếu nội dung thư (empty body: send the raw message as message/rfc822)' });
        const p = req.principal!;
        const key = messageKey(raw);
        const hit = key.messageId ? await byMessageId(p, key.messageId, key.contentHash) : null;
        if (hit) return describe(hit.id, hit.match, hit.level, p);
        if (!['1', 'true'].includes(req.query.ingest ?? ''))
          return notFound(reply, key.messageId ? 'no message with this Message-ID' : 'the message has no Message-ID');
        const given = req.query.to === undefined ? [] : ([] as string[]).concat(req.query.to).map((a) => a.toLowerCase());
        const known = (given.length ? given : addressesInHeaders(key.headerText))
          .filter((a) => units.has(a))
          .map((address) => ({ address, unitId: units.get(address)!.id }));
        // Mail to the person's own address at their unit's domain (the policy decides): stored for their unit.
        const personal = given.length ? null : personalUploadTarget(p, addressesInHeaders(key.headerText), unitDomains(p.unitId));
        if (!known.length && !personal) {
          return reply.code(422).send({
            statusCode: 422,
            error: 'Unprocessable Entity',
            message:
              'Thư không gửi tới địa chỉ đơn vị nào; hãy chuyển tiếp nó tới hộp thư văn thư của đơn vị (no configured unit address among the recipients; pass ?to=)',
          });
        }
        const targets = personal && (!known.length || !hasPermission(p, 'messages.upload')) ? [personal] : uploadTargets(p, known, given.length > 0);
        try {
          const r = await deps.accept.accept(Readable.from([raw]), {
            source: 'api',
            mailFrom: null,
            rcptTo: targets.map((t) => t.address),
            unitIds: [...new Set(targets.map((t) => t.unitId))],
            remoteIp: req.ip,
            uploadedBy: actorOf(p),
            uploadedUnit: p.unitId,
          });
          // A copy stored earlier for units the caller may not see stays hidden.
          const level = (await access(p, [r.id])).get(r.id)!;
          if (level === 'none') return notFound(reply, 'no message with this Message-ID');
          const result = await describe(r.id, r.duplicate ? 'exact' : 'ingested', level, p);
          return reply.code(r.duplicate ? 200 : 201).send(result);
        } catch (err) {
          req.log.error({ err: (err as Error).message }, 'lookup ingest failed');
          return reply
            .code(503)
            .send({ statusCode: 503, error: 'Service Unavailable', message: 'Lưu trữ tạm thời lỗi, hãy thử lại (storage failed, retry later)' });
        }
      },
    );
  };
}
