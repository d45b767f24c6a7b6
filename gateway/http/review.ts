/**
 * The review item's routes beyond approve and reject (actions.ts): forward a document to another
 * unit or a mail address ("Chuyển", gateway/registry/workflow/forward.ts), and where each field was
 * read in the document, for the console's highlights (gateway/registry/books/sources.ts).
 * `deliverer`: the gateway's mail transport, for a forward to an address outside the gateway.
 */
import type { FastifyInstance } from 'fastify';
import { present } from '../registry/books/detail.ts';
import { documentSources } from '../registry/books/sources.ts';
import type { Deliverer } from '../registry/ports.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { forwardDocument } from '../registry/workflow/forward.ts';
import { idParams, installErrorHandler, principalOf, TAG } from './registry-common.ts';

export function reviewRoutes(rt: RegistryRuntime, deliverer: Deliverer) {
  return async (root: FastifyInstance): Promise<void> =>
    root.register(async (app) => {
      installErrorHandler(app);
      app.post<{ Params: { id: string }; Body: { unit?: string; address?: string; note?: string } }>(
        '/api/documents/:id/forward',
        {
          config: { permission: 'documents.review' },
          schema: {
            tags: TAG,
            summary:
              'Forward a document as it came: to another unit of this gateway (taken in there from the stored message) or to a mail address (re-sent with Resent-*); it leaves the review queue as "forwarded"',
            params: idParams,
            body: {
              type: 'object',
              properties: {
                unit: { type: 'string', maxLength: 100, description: 'a unit id of this gateway' },
                address: { type: 'string', maxLength: 320, description: 'or a mail address' },
                note: { type: 'string', maxLength: 2000 },
              },
              additionalProperties: false,
            },
          },
        },
        async (req) => {
          const r = await forwardDocument(rt, deliverer, principalOf(req), req.params.id, req.body ?? {});
          // The receiving unit's queue changed too (gateway/http/events.ts publishes it).
          if (r.unit && r.document) req.documentChanges = [{ unitId: r.unit, documentId: r.document.id }];
          return { ...present(r.doc), forwarded: { to: r.to, unit: r.unit, document: r.document, response: r.response } };
        },
      );

      app.get<{ Params: { id: string } }>(
        '/api/documents/:id/sources',
        {
          config: { permission: 'documents.read' },
          schema: { tags: TAG, summary: 'Where each field was read in the document: boxes on the PDF pages, or lines of the text', params: idParams },
        },
        async (req) => documentSources(rt, principalOf(req), req.params.id),
      );
    });
}
