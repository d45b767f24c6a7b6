/**
 * The clerk's side of the issuance queue (docs/issuance.md, "From the add-in"): the drafts waiting
 * for a unit, one draft with what became of it (the add-in's status view: delivery and receipts
 * per recipient), its files, and the clerk's two decisions — issue (number, issue, send) or return
 * with a reason. Who may do what: gateway/registry/access/policy.ts (outgoing.issue, canSeeIssuance).
 */
import type { FastifyInstance } from 'fastify';
import { unitScope } from '../registry/access/policy.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import type { BlobStore } from '../store/blobs.ts';
import { issueDraft, returnDraft, visibleDraft } from '../outgoing/issuance.ts';
import { ISSUANCE_STATES, issuanceList, type IssuanceState } from '../outgoing/issuance-view.ts';
import type { Enqueue } from '../outgoing/send.ts';
import { INLINE, sendFile } from './attachments.ts';
import { idParams, installErrorHandler, principalOf } from './registry-common.ts';

const TAG = ['outgoing'];

export function issuanceQueueRoutes(rt: RegistryRuntime, blobs: BlobStore, enqueue: Enqueue): (app: FastifyInstance) => Promise<void> {
  return async (api) =>
    api.register(async (app) => {
      installErrorHandler(app);

      app.get<{ Querystring: { unit?: string; state?: IssuanceState; limit?: number } }>(
        '/api/issuance',
        {
          config: { permission: 'outgoing.issue' },
          schema: {
            tags: TAG,
            summary: "A unit's drafts submitted for issuance (default: those waiting for the clerk), newest first",
            querystring: {
              type: 'object',
              additionalProperties: false,
              properties: {
                unit: { type: 'string' },
                state: { type: 'string', enum: [...ISSUANCE_STATES], default: 'pending' },
                limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
              },
            },
          },
        },
        async (req) => {
          const unitId = unitScope(principalOf(req), req.query.unit);
          return { items: await issuanceList(rt.db, { unitId, states: [req.query.state ?? 'pending'] }, req.query.limit ?? 100) };
        },
      );

      app.get<{ Params: { id: string } }>(
        '/api/issuance/:id',
        {
          config: { permission: 'outgoing.read' },
          schema: { tags: TAG, summary: 'A draft submitted for issuance and, once issued, each recipient’s delivery and receipt', params: idParams },
        },
        async (req) => visibleDraft(rt, principalOf(req), req.params.id),
      );

      app.get<{ Params: { id: string; idx: number } }>(
        '/api/issuance/:id/files/:idx',
        {
          config: { permission: 'outgoing.read' },
          schema: {
            tags: TAG,
            summary: 'One file of a draft (0: the document; PDF inline, anything else as a download)',
            params: {
              type: 'object',
              required: ['id', 'idx'],
              properties: { id: idParams.properties.id, idx: { type: 'integer', minimum: 0, maximum: 100 } },
            },
          },
        },
        async (req, reply) => {
          const draft = await visibleDraft(rt, principalOf(req), req.params.id);
          const f = draft.files[req.params.idx];
          if (!f) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Không có tệp này (no such file)' });
          const type = f.contentType.toLowerCase().split(';')[0].trim();
          const inline = INLINE.has(type);
          return sendFile(reply, inline ? type : 'application/octet-stream', inline ? 'inline' : 'attachment', f.filename, await blobs.stream(f.sha256));
        },
      );

      app.post<{ Params: { id: string }; Body: { confirmUnsigned?: boolean; edxml?: boolean; smime?: boolean } }>(
        '/api/issuance/:id/issue',
        {
          bodyLimit: 64 * 1024,
          config: { permission: 'outgoing.issue' },
          schema: {
            tags: TAG,
            summary: 'Issue a queued draft: number it in the outgoing book, issue and send it (as POST /api/outgoing)',
            params: idParams,
            body: {
              type: 'object',
              additionalProperties: false,
              properties: {
                confirmUnsigned: { type: 'boolean', description: 'send although the PDF has no valid signature (audited)' },
                edxml: { type: 'boolean' },
                smime: { type: 'boolean' },
              },
            },
          },
        },
        async (req, reply) => reply.code(201).send(await issueDraft(rt, blobs, enqueue, principalOf(req), req.params.id, req.body ?? {})),
      );

      app.post<{ Params: { id: string }; Body: { reason: string } }>(
        '/api/issuance/:id/return',
        {
          config: { permission: 'outgoing.issue' },
          schema: {
            tags: TAG,
            summary: 'Return a queued draft to its submitter with a reason',
            params: idParams,
            body: {
              type: 'object',
              required: ['reason'],
              additionalProperties: false,
              properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
            },
          },
        },
        async (req) => returnDraft(rt, principalOf(req), req.params.id, req.body.reason),
      );
    });
}
