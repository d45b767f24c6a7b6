/**
 * The PDFs an issuance produced and their renewed versions (docs/issuance.md, "The issued files"):
 * GET /api/outgoing/{id}/files lists them — each with its versions, oldest first, and when its
 * archive time-stamp must be renewed; GET /api/outgoing/{id}/files/{idx} gives the newest version's
 * bytes, `?version=N` an older one (1: as issued). Who may read them is who may read the outgoing
 * document (gateway/outgoing/issued-files.ts, issuedFilesFor); anything else answers 404.
 */
import type { FastifyInstance } from 'fastify';
import { issuedFilesFor } from '../outgoing/issued-files.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import type { BlobStore } from '../store/blobs.ts';
import { sendFile } from './attachments.ts';
import { principalOf } from './registry-common.ts';

const TAG = ['outgoing'];
const ID = { type: 'string', minLength: 1, maxLength: 64 } as const;
const noFile = (message: string) => ({ statusCode: 404, error: 'Not Found', message });

/** Registered inside outgoingRoutes (gateway/http/outgoing.ts), under its error handler. */
export function issuedFileRoutes(app: FastifyInstance, rt: RegistryRuntime, blobs: BlobStore): void {
  app.get<{ Params: { id: string } }>(
    '/api/outgoing/:id/files',
    {
      config: { permission: 'outgoing.read' },
      schema: {
        tags: TAG,
        summary: 'The issued PDFs of an outgoing document with their versions (renewed archive time-stamps)',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
      },
    },
    async (req) => {
      const { notation, unitId, files } = await issuedFilesFor(rt.db, principalOf(req), req.params.id);
      return { id: req.params.id, notation, unitId, files };
    },
  );

  app.get<{ Params: { id: string; idx: number }; Querystring: { version?: number } }>(
    '/api/outgoing/:id/files/:idx',
    {
      config: { permission: 'outgoing.read' },
      schema: {
        tags: TAG,
        summary: 'One issued PDF: its newest version, or ?version=N (1: as issued)',
        params: { type: 'object', required: ['id', 'idx'], properties: { id: ID, idx: { type: 'integer', minimum: 0, maximum: 1000 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { version: { type: 'integer', minimum: 1, maximum: 100000 } } },
      },
    },
    async (req, reply) => {
      const { files } = await issuedFilesFor(rt.db, principalOf(req), req.params.id, req.params.idx);
      const [file] = files;
      if (!file) return reply.code(404).send(noFile('Không có tệp ban hành này (no such issued file)'));
      const n = req.query.version ?? file.versions.length;
      const v = file.versions[n - 1];
      if (!v) return reply.code(404).send(noFile(`Tệp có ${file.versions.length} phiên bản (the file has ${file.versions.length} versions)`));
      reply.header('x-vanthu-version', String(n));
      reply.header('x-vanthu-sha256', v.sha256);
      return sendFile(reply, 'application/pdf', 'inline', file.filename, await blobs.stream(v.sha256));
    },
  );
}
