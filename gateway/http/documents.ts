/** Documents: list and search, one document with history, by Message-ID, my items, comments. */
import type { FastifyInstance } from 'fastify';
import { documentDetail, byMessageId, history } from '../registry/books/detail.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { searchDocuments, type DocumentQuery } from '../registry/books/search.ts';
import { URGENCY } from '../registry/intake/fields.ts';
import { revisionFileName, signedRevision } from '../registry/intake/integrity.ts';
import { addComment } from '../registry/workflow/workflow.ts';
import { idParams, principalOf, TAG } from './registry-common.ts';

/** The book's filters (registry/books/search.ts BookFilter): the list and the printed book (http/admin.ts) take the same. */
export const filterProperties = {
  q: { type: 'string', maxLength: 500, description: 'full text, diacritics-insensitive' },
  status: { type: 'string', description: 'comma-separated statuses' },
  typeCode: { type: 'string', maxLength: 20, description: 'Decree 30 type code, exactly' },
  issuer: { type: 'string', maxLength: 300, description: "words of the issuer's name, diacritics-insensitive" },
  urgency: { type: 'string', enum: URGENCY, description: 'độ khẩn, exactly' },
} as const;

/** `status=a,b` as the list of statuses. */
export const statusList = (status: string | undefined) => (status ? status.split(',').map((s) => s.trim()) : undefined);

const listQuery = {
  type: 'object',
  properties: {
    ...filterProperties,
    unit: { type: 'string' },
    year: { type: 'integer', minimum: 1900, maximum: 9999 },
    assignee: { type: 'string', description: 'user id, e-mail or "me"' },
    department: { type: 'string' },
    dueBefore: { type: 'string', format: 'date' },
    dueAfter: { type: 'string', format: 'date' },
    overdue: { type: 'boolean' },
    facets: { type: 'boolean', description: 'also answer types: the type codes of the matching documents (any typeCode)' },
    book: { type: 'string', enum: ['incoming', 'review'] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
  additionalProperties: false,
} as const;

type ListQuery = Omit<DocumentQuery, 'status'> & { status?: string };

export function documentRoutes(rt: RegistryRuntime) {
  return async (app: FastifyInstance) => {
    const list = (q: ListQuery, extra: Partial<DocumentQuery> = {}) => ({
      ...q,
      status: statusList(q.status),
      ...extra,
    });

    app.get<{ Querystring: ListQuery }>(
      '/api/documents',
      { config: { permission: 'documents.read' }, schema: { tags: TAG, summary: 'List and search documents in your scope', querystring: listQuery } },
      async (req) => searchDocuments(rt, principalOf(req), list(req.query)),
    );

    app.get<{ Querystring: ListQuery }>(
      '/api/my/items',
      { config: { permission: 'documents.read' }, schema: { tags: TAG, summary: 'Open items assigned to me, by deadline', querystring: listQuery } },
      async (req) => {
        const p = principalOf(req);
        return searchDocuments(
          rt,
          p,
          list(req.query, { assignee: p.id ?? '-', status: req.query.status ? req.query.status.split(',') : ['assigned', 'in_progress', 'received'] }),
        );
      },
    );

    app.get<{ Querystring: { mid: string } }>(
      '/api/documents/by-message-id',
      {
        config: { permission: 'documents.read' },
        schema: {
          tags: TAG,
          summary: 'The registered document of a mail, by its Internet Message-ID (for the Outlook add-in)',
          querystring: { type: 'object', properties: { mid: { type: 'string', minLength: 3, maxLength: 998 } }, required: ['mid'] },
        },
      },
      async (req) => byMessageId(rt, principalOf(req), req.query.mid),
    );

    app.get<{ Params: { id: string } }>(
      '/api/documents/:id',
      { config: { permission: 'documents.read' }, schema: { tags: TAG, summary: 'One document with assignee, comments and history', params: idParams } },
      async (req) => documentDetail(rt, principalOf(req), req.params.id),
    );

    app.get<{ Params: { id: string } }>(
      '/api/documents/:id/history',
      { config: { permission: 'documents.read' }, schema: { tags: TAG, summary: 'Audit history of a document', params: idParams } },
      async (req) => {
        const doc = await documentDetail(rt, principalOf(req), req.params.id);
        return { items: await history(rt, doc.id) };
      },
    );

    app.get<{ Params: { id: string }; Querystring: { n?: number } }>(
      '/api/documents/:id/signed-revision',
      {
        config: { permission: 'documents.read' },
        schema: {
          tags: TAG,
          summary: 'What was signed: the revision of a PDF changed after signing that its signature covers (application/pdf)',
          params: idParams,
          querystring: {
            type: 'object',
            properties: { n: { type: 'integer', minimum: 0, maximum: 999, default: 0, description: 'index in signedRevisions of GET /api/documents/{id}' } },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const { revision, bytes } = await signedRevision(rt, principalOf(req), req.params.id, req.query.n ?? 0);
        const name = revisionFileName(revision);
        reply.header('content-type', 'application/pdf');
        reply.header('content-disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`);
        reply.header('x-signed-revision-sha256', revision.sha256);
        return reply.send(bytes);
      },
    );

    app.post<{ Params: { id: string }; Body: { body: string } }>(
      '/api/documents/:id/comments',
      {
        config: { permission: 'documents.comment' },
        schema: {
          tags: TAG,
          summary: 'Comment on a document',
          params: idParams,
          body: { type: 'object', properties: { body: { type: 'string', minLength: 1, maxLength: 10000 } }, required: ['body'], additionalProperties: false },
        },
      },
      async (req, reply) => reply.code(201).send(await addComment(rt, principalOf(req), req.params.id, req.body.body)),
    );
  };
}
