/** The review queue and the actions on documents: approve/correct, reject, not a document, assign, deadline, decline, status. */
import type { FastifyInstance } from 'fastify';
import { present } from '../registry/books/detail.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { searchDocuments } from '../registry/books/search.ts';
import { approve, assign, markNotDocument, reject, setStatus } from '../registry/workflow/workflow.ts';
import { registerStoredMessage } from '../registry/workflow/register-stored.ts';
import { setDeadlineClosingRequests } from '../registry/workflow/deadline-set.ts';
import { declineAndTell } from '../registry/workflow/decline.ts';
import type { Mailer } from '../registry/ports.ts';
import { idParams, principalOf, TAG } from './registry-common.ts';

const corrections = {
  type: 'object',
  description: 'corrected fields, applied before registering',
  properties: Object.fromEntries(
    ['notation', 'issuer', 'issuedDate', 'typeCode', 'typeName', 'subject', 'urgency', 'secrecy', 'signer', 'dueDate'].map((k) => [
      k,
      { type: ['string', 'null'] },
    ]),
  ),
  additionalProperties: false,
} as const;
const body = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false });

/** `mailer`: tells the officers whose extension requests a new deadline closes; null: no mail. */
export function actionRoutes(rt: RegistryRuntime, mailer: Mailer | null = null) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: { unit?: string; limit?: number; offset?: number } }>(
      '/api/review',
      {
        config: { permission: 'documents.review' },
        schema: {
          tags: TAG,
          summary: "The clerk's review queue (review and quarantined items) with reasons",
          querystring: body({
            unit: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          }),
        },
      },
      async (req) => {
        return searchDocuments(rt, principalOf(req), { ...req.query, book: 'review' });
      },
    );

    app.post<{ Params: { id: string }; Body: { corrections?: Record<string, unknown> } }>(
      '/api/documents/:id/approve',
      {
        config: { permission: 'documents.review' },
        schema: {
          tags: TAG,
          summary: 'Register a review item in the incoming book, optionally with corrected fields',
          params: idParams,
          body: body({ corrections }),
        },
      },
      async (req) => present(await approve(rt, principalOf(req), req.params.id, req.body?.corrections ?? {})),
    );

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/api/documents/:id/reject',
      {
        config: { permission: 'documents.review' },
        schema: {
          tags: TAG,
          summary: 'Return to the sender with a reason (a mail is sent)',
          params: idParams,
          body: body({ reason: { type: 'string', minLength: 1, maxLength: 2000 } }, ['reason']),
        },
      },
      async (req) => present(await reject(rt, principalOf(req), req.params.id, req.body.reason)),
    );

    app.post<{ Params: { id: string } }>(
      '/api/documents/:id/not-document',
      { config: { permission: 'documents.review' }, schema: { tags: TAG, summary: 'Mark a review item as not a document', params: idParams } },
      async (req) => present(await markNotDocument(rt, principalOf(req), req.params.id)),
    );

    app.post<{ Params: { id: string }; Body: { department?: string; officer?: string; note?: string } }>(
      '/api/documents/:id/assign',
      {
        config: { permission: 'documents.assign' },
        schema: {
          tags: TAG,
          summary: 'Assign or re-assign to a department and/or officer (leaders), with instructions kept with the assignment and mailed to the officer',
          params: idParams,
          body: body({
            department: { type: 'string' },
            officer: { type: 'string', description: 'e-mail or user id' },
            note: {
              type: 'string',
              maxLength: 4000,
              description: "the leader's instructions (ý kiến chỉ đạo): the document's assignmentNote until the next assignment",
            },
          }),
        },
      },
      async (req) => present(await assign(rt, principalOf(req), req.params.id, req.body ?? {})),
    );

    app.post<{ Params: { id: string }; Body: { dueDate: string; reason?: string } }>(
      '/api/documents/:id/deadline',
      {
        config: { permission: 'documents.assign' },
        schema: {
          tags: TAG,
          summary: "Change the deadline (follow-up jobs are rescheduled; the item's pending extension requests are closed and their officers mailed)",
          params: idParams,
          body: body(
            {
              dueDate: { type: 'string', format: 'date' },
              reason: { type: 'string', maxLength: 2000, description: "why the deadline changes: the document's dueReason, and in its history" },
            },
            ['dueDate'],
          ),
        },
      },
      async (req) => {
        const r = await setDeadlineClosingRequests(rt, mailer, principalOf(req), req.params.id, req.body.dueDate, req.body.reason ?? null);
        return { ...present(r.doc), closedRequests: r.closed };
      },
    );

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/api/documents/:id/decline',
      {
        config: { permission: 'documents.progress' },
        schema: {
          tags: TAG,
          summary:
            'The assignee gives the item back to the leaders with a reason (as replying "từ chối: …"): received again, no officer; the leaders are mailed',
          params: idParams,
          body: body({ reason: { type: 'string', minLength: 1, maxLength: 2000 } }, ['reason']),
        },
      },
      async (req) => {
        const r = await declineAndTell(rt, mailer, principalOf(req), req.params.id, req.body.reason);
        return { ...present(r.doc), leadersMailed: r.leadersMailed };
      },
    );

    app.post<{ Params: { id: string }; Body: { status: string; note?: string } }>(
      '/api/documents/:id/status',
      {
        config: { permission: 'documents.progress' },
        schema: {
          tags: TAG,
          summary: 'Progress: in_progress or done (follow-up jobs are cancelled when done)',
          params: idParams,
          body: body({ status: { type: 'string', enum: ['in_progress', 'done'] }, note: { type: 'string', maxLength: 4000 } }, ['status']),
        },
      },
      async (req) => present(await setStatus(rt, principalOf(req), req.params.id, req.body.status, req.body.note)),
    );

    app.post<{ Params: { id: string }; Body: { corrections?: Record<string, unknown>; unit?: string } }>(
      '/api/messages/:id/register',
      {
        config: { permission: 'documents.review' },
        schema: {
          tags: TAG,
          summary: 'Register the document of a stored message: its review items, or one made from what was stored (vanthu register)',
          params: idParams,
          body: body({ corrections, unit: { type: 'string', description: 'the unit, when the message went to several' } }),
        },
      },
      async (req) => ({
        items: (await registerStoredMessage(rt, principalOf(req), req.params.id, req.body?.corrections ?? {}, req.body?.unit)).map(present),
      }),
    );
  };
}
