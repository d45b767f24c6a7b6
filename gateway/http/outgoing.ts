/** HTTP routes of the outgoing side: send a document, follow its recipients, search the directory. */
import type { FastifyInstance } from 'fastify';
import { hidden, requirePermission, unitScope, type Principal } from '../registry/access/policy.ts';
import { installErrorHandler, principalOf } from './registry-common.ts';
import { RegistryError } from '../registry/errors.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { actorOf } from '../registry/workflow/workflow.ts';
import type { BlobStore } from '../store/blobs.ts';
import { directoryOf, searchDirectory } from '../outgoing/directory.ts';
import { MARK_PROPERTIES } from '../outgoing/marks.ts';
import { sendDocument, type Enqueue } from '../outgoing/send.ts';
import { outgoingCount, outgoingView } from '../outgoing/tracking.ts';
import { issuedFileRoutes } from './outgoing-files.ts';

const TAG = ['outgoing'];
/** Clerks, officers and leaders send for their own unit; admins and admin services for any (the policy's unit scope). */
function sendingUnit(p: Principal, unit: string | undefined): string {
  requirePermission(p, 'outgoing.send');
  const scoped = unitScope(p, unit);
  if (!scoped) throw new RegistryError(400, 'unit: bắt buộc với tài khoản quản trị/dịch vụ (required for admins and services)');
  return scoped;
}

interface SendBody {
  unit?: string;
  to: string[];
  subject: string;
  typeCode?: string;
  typeName?: string;
  body?: string;
  signer?: string;
  urgency?: string;
  secrecy?: string;
  edxml?: boolean;
  smime?: boolean;
  /** Send a document without a valid signature anyway (audited; docs/issuance.md). */
  confirmUnsigned?: boolean;
  document: { filename: string; contentType?: string; content: string };
}

const sendSchema = {
  type: 'object',
  required: ['to', 'subject', 'document'],
  additionalProperties: false,
  properties: {
    unit: { type: 'string' },
    to: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    subject: { type: 'string', minLength: 1 },
    typeCode: { type: 'string' },
    typeName: { type: 'string' },
    body: { type: 'string' },
    signer: { type: 'string' },
    ...MARK_PROPERTIES,
    edxml: { type: 'boolean' },
    smime: { type: 'boolean' },
    confirmUnsigned: { type: 'boolean', description: 'send although the PDF has no valid signature (audited)' },
    document: {
      type: 'object',
      required: ['filename', 'content'],
      additionalProperties: false,
      properties: { filename: { type: 'string', minLength: 1 }, contentType: { type: 'string' }, content: { type: 'string', description: 'base64' } },
    },
  },
} as const;

export function outgoingRoutes(rt: RegistryRuntime, blobs: BlobStore, enqueue: Enqueue): (app: FastifyInstance) => Promise<void> {
  return async (api) =>
    api.register(async (app) => {
      installErrorHandler(app);
      issuedFileRoutes(app, rt, blobs); // the issued PDFs and their renewed versions

      app.post<{ Body: SendBody }>(
        '/api/outgoing',
        {
          bodyLimit: 40 * 1024 * 1024,
          config: { permission: 'outgoing.send' },
          schema: { tags: TAG, summary: 'Number, sign and send an official document', body: sendSchema },
        },
        async (req, reply) => {
          const p = principalOf(req);
          const unitId = sendingUnit(p, req.body.unit);
          const { document, unit: _u, ...rest } = req.body;
          const result = await sendDocument(rt, blobs, enqueue, {
            ...rest,
            unitId,
            document: { filename: document.filename, contentType: document.contentType, content: Buffer.from(document.content, 'base64') },
            actor: actorOf(p),
            senderEmail: p.email,
          });
          return reply.code(201).send(result);
        },
      );

      app.get<{ Params: { id: string } }>(
        '/api/outgoing/:id',
        { config: { permission: 'outgoing.read' }, schema: { tags: TAG, summary: 'An outgoing document and the state of each recipient' } },
        async (req) => {
          const p = principalOf(req);
          const [view] = await outgoingView(rt.db, { id: req.params.id });
          // Another unit's document answers as one that does not exist.
          if (!view || (p.role !== 'admin' && p.unitId !== view.unitId)) throw hidden('văn bản đi (outgoing document)');
          return view;
        },
      );

      app.get<{ Querystring: { unit?: string } }>(
        '/api/outgoing',
        {
          config: { permission: 'outgoing.read' },
          schema: {
            tags: TAG,
            summary: 'Outgoing documents of a unit with their recipients',
            querystring: { type: 'object', properties: { unit: { type: 'string' } } },
          },
        },
        async (req) => {
          const unitId = unitScope(principalOf(req), req.query.unit);
          const items = await outgoingView(rt.db, { unitId });
          const total = await outgoingCount(rt.db, unitId); // the list stops at 100: say how many there are
          return { items, total, hasMore: items.length < total };
        },
      );

      app.get<{ Querystring: { q?: string } }>(
        '/api/directory',
        {
          config: { permission: 'directory.read' },
          schema: {
            tags: TAG,
            summary: 'Agencies to send to (search without diacritics works)',
            querystring: { type: 'object', properties: { q: { type: 'string' } } },
          },
        },
        async (req) => ({
          items: searchDirectory(directoryOf(rt.config), req.query.q).map(({ name, address, organId, unitId }) => ({ name, address, organId, unitId })),
        }),
      );
    });
}
