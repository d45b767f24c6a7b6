/**
 * Deadline-extension requests (docs/act-by-email.md, "Extension requests"): an officer's request
 * (as by replying "gia hạn đến …"), the list a leader decides from, and the decision — grant (the
 * deadline moves) or refuse — with the officer who asked told by mail. The policy decides as for
 * POST /api/documents/{id}/deadline.
 */
import type { FastifyInstance } from 'fastify';
import { present } from '../registry/books/detail.ts';
import type { Mailer } from '../registry/ports.ts';
import { askExtension, decideExtension, listExtensionRequests, REQUEST_STATUSES, type RequestQuery } from '../registry/replies/decisions.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { idParams, principalOf, TAG } from './registry-common.ts';

const body = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });

/** `mailer`: how the officer who asked hears of the decision (gateway/app.ts hands in the registry's); null: no mail. */
export function deadlineRequestRoutes(rt: RegistryRuntime, mailer: Mailer | null) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: RequestQuery }>(
      '/api/deadline-requests',
      {
        config: { permission: 'documents.read' },
        schema: {
          tags: TAG,
          summary:
            'Deadline-extension requests (officers ask by replying "gia hạn đến …"): pending first-come first; your unit\'s (admins: every unit or ?unit=), officers only their own requests on their items',
          querystring: body({
            unit: { type: 'string' },
            status: { type: 'string', enum: [...REQUEST_STATUSES, 'all'], default: 'pending' },
            document: { type: 'string', pattern: '^[0-9A-Z]{26}$' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 200 },
          }),
        },
      },
      async (req) => ({ items: await listExtensionRequests(rt, principalOf(req), req.query) }),
    );

    app.post<{ Body: { document: string; dueDate: string; reason?: string } }>(
      '/api/deadline-requests',
      {
        config: { permission: 'documents.progress' },
        schema: {
          tags: TAG,
          summary:
            'Ask for a later deadline on an item assigned to you (officers; as replying "gia hạn đến …"): a pending request, the leaders mailed. Leaders and admins set the deadline instead (409)',
          body: body(
            {
              document: { type: 'string', pattern: '^[0-9A-Z]{26}$' },
              dueDate: { type: 'string', format: 'date' },
              reason: { type: 'string', maxLength: 2000 },
            },
            ['document', 'dueDate'],
          ),
        },
      },
      async (req, reply) => {
        const r = await askExtension(rt, mailer, principalOf(req), req.body.document, req.body.dueDate, req.body.reason ?? null);
        return reply.code(201).send(r);
      },
    );

    app.post<{ Params: { id: string }; Body: { dueDate?: string; note?: string } }>(
      '/api/deadline-requests/:id/grant',
      {
        config: { permission: 'documents.assign' },
        schema: {
          tags: TAG,
          summary: 'Grant an extension request (leaders): the deadline moves to the date asked for, or dueDate; the officer is told by mail',
          params: idParams,
          body: body({ dueDate: { type: 'string', format: 'date' }, note: { type: 'string', maxLength: 2000 } }),
        },
      },
      async (req) => {
        const r = await decideExtension(rt, mailer, principalOf(req), req.params.id, { grant: true, dueDate: req.body?.dueDate, note: req.body?.note });
        return { request: r.request, document: present(r.doc), notified: r.notified };
      },
    );

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/api/deadline-requests/:id/refuse',
      {
        config: { permission: 'documents.assign' },
        schema: {
          tags: TAG,
          summary: 'Refuse an extension request (leaders), with a reason; the deadline stays and the officer is told by mail',
          params: idParams,
          body: body({ reason: { type: 'string', minLength: 1, maxLength: 2000 } }, ['reason']),
        },
      },
      async (req) => {
        const r = await decideExtension(rt, mailer, principalOf(req), req.params.id, { grant: false, reason: req.body.reason });
        return { request: r.request, document: present(r.doc), notified: r.notified };
      },
    );
  };
}
