/**
 * GET /api/messages/{id}/attachments/{idx}: the bytes of one attachment of an inbound message, for
 * the web console's document view (a PDF shown in the browser's own viewer). Who may read it is the
 * same as for the raw message (messages.ts: canReadMessage); anything else answers 404.
 * GET …/{idx}/searchable: the searchable copy OCR made of a scanned attachment (workers/ocr.ts).
 */
import { and, eq } from 'drizzle-orm';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BlobStore } from '../store/blobs.ts';
import type { Database } from '../store/db.ts';
import { messageAttachments, messageOcr } from '../store/schema.ts';
import { canReadMessage } from './messages.ts';

const notFound = { statusCode: 404, error: 'Not Found', message: 'Không tìm thấy tệp đính kèm (attachment not found)' };
const notSearchable = {
  statusCode: 404,
  error: 'Not Found',
  message: 'Không có bản PDF tìm kiếm được của tệp này (no searchable copy: not a scan, or not read by OCR yet)',
};
/** Shown inline only when the browser renders it without running anything of the sender's. */
export const INLINE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'text/plain']);

const ATTACHMENT_PARAMS = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[0-9A-Z]{26}$' }, idx: { type: 'integer', minimum: 0, maximum: 10000 } },
  required: ['id', 'idx'],
} as const;

/** A file sent to the browser: its type, no sniffing, and its name in ASCII and in UTF-8 (RFC 6266). */
export function sendFile(reply: FastifyReply, type: string, disposition: 'inline' | 'attachment', name: string, body: Readable) {
  reply.header('content-type', type);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-disposition', `${disposition}; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  return reply.send(body);
}

export function attachmentRoutes(deps: { database: Database; blobs: BlobStore }) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string; idx: number } }>(
      '/api/messages/:id/attachments/:idx',
      {
        config: { permission: 'messages.read' },
        schema: {
          summary: 'One attachment of a message (PDF and images inline, anything else as a download)',
          params: ATTACHMENT_PARAMS,
        },
      },
      async (req, reply) => {
        const { db } = deps.database;
        if (!(await canReadMessage(db, req.principal!, req.params.id))) return reply.code(404).send(notFound);
        const [a] = await db
          .select()
          .from(messageAttachments)
          .where(and(eq(messageAttachments.messageId, req.params.id), eq(messageAttachments.idx, req.params.idx)));
        if (!a) return reply.code(404).send(notFound);
        const type = a.contentType.toLowerCase().split(';')[0].trim();
        const inline = INLINE.has(type);
        const name = a.filename ?? `attachment-${a.idx}`;
        const sent = inline ? (type === 'text/plain' ? 'text/plain; charset=utf-8' : type) : 'application/octet-stream';
        return sendFile(reply, sent, inline ? 'inline' : 'attachment', name, await deps.blobs.stream(a.sha256));
      },
    );
    app.get<{ Params: { id: string; idx: number } }>(
      '/api/messages/:id/attachments/:idx/searchable',
      {
        config: { permission: 'messages.read' },
        schema: {
          summary: 'The searchable copy of a scanned attachment: the scan with the text OCR read laid over it (application/pdf)',
          params: ATTACHMENT_PARAMS,
        },
      },
      async (req, reply) => {
        const { db } = deps.database;
        if (!(await canReadMessage(db, req.principal!, req.params.id))) return reply.code(404).send(notFound);
        const [row] = await db
          .select({ result: messageOcr.result })
          .from(messageOcr)
          .where(and(eq(messageOcr.messageId, req.params.id), eq(messageOcr.idx, req.params.idx)));
        const copy = (row?.result as { searchable?: { sha256?: unknown } } | null)?.searchable;
        if (!copy || typeof copy.sha256 !== 'string') return reply.code(404).send(notSearchable);
        const [a] = await db
          .select({ filename: messageAttachments.filename })
          .from(messageAttachments)
          .where(and(eq(messageAttachments.messageId, req.params.id), eq(messageAttachments.idx, req.params.idx)));
        const name = `${(a?.filename ?? `attachment-${req.params.idx}`).replace(/\.[^.]*$/, '')}.ocr.pdf`;
        return sendFile(reply, 'application/pdf', 'inline', name, await deps.blobs.stream(copy.sha256));
      },
    );
  };
}
