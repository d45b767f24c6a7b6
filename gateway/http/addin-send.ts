/**
 * The add-in's "Gửi phát hành" (send for issuance; docs/issuance.md, "From the add-in"): check the
 * recipients against the directory (ambiguous names come back with their candidates), submit the
 * draft — its document and appendices, summary and recipients — to the unit's issuance queue, or
 * issue it at once when the policy lets the caller issue (`direct`), and list the caller's own
 * drafts with what became of them. The clerk's side of the queue is addin-send-queue.ts.
 */
import type { FastifyInstance } from 'fastify';
import { actorOf, requirePermission, unitScope, type Principal } from '../registry/access/policy.ts';
import { RegistryError } from '../registry/errors.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import type { BlobStore } from '../store/blobs.ts';
import { submitAndIssue, submitDraft, type SubmitInput } from '../outgoing/issuance.ts';
import { checkRecipients, issuanceList } from '../outgoing/issuance-view.ts';
import { MARK_PROPERTIES } from '../outgoing/marks.ts';
import type { Enqueue } from '../outgoing/send.ts';
import { installErrorHandler, principalOf } from './registry-common.ts';

const TAG = ['outgoing'];

interface SendBody {
  unit?: string;
  to: string[];
  subject: string;
  typeCode?: string;
  typeName?: string;
  signer?: string;
  urgency?: string;
  secrecy?: string;
  body?: string;
  note?: string;
  files: Array<{ filename: string; contentType?: string; content: string }>;
  direct?: boolean;
  confirmUnsigned?: boolean;
  edxml?: boolean;
}

const recipients = { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 500 } } as const;

const sendSchema = {
  type: 'object',
  required: ['to', 'subject', 'files'],
  additionalProperties: false,
  properties: {
    unit: { type: 'string' },
    to: recipients,
    subject: { type: 'string', minLength: 1, maxLength: 2000 },
    typeCode: { type: 'string' },
    typeName: { type: 'string' },
    signer: { type: 'string' },
    ...MARK_PROPERTIES,
    body: { type: 'string' },
    note: { type: 'string', maxLength: 4000, description: 'a note to the clerk' },
    files: {
      type: 'array',
      minItems: 1,
      description: 'the document first, then its appendices',
      items: {
        type: 'object',
        required: ['filename', 'content'],
        additionalProperties: false,
        properties: { filename: { type: 'string', minLength: 1 }, contentType: { type: 'string' }, content: { type: 'string', description: 'base64' } },
      },
    },
    direct: { type: 'boolean', description: 'issue at once instead of queueing (roles holding outgoing.issue)' },
    confirmUnsigned: { type: 'boolean', description: 'with direct: issue although the PDF has no valid signature (audited)' },
    edxml: { type: 'boolean', description: 'with direct: send as an edXML package' },
  },
} as const;

/** The unit a draft is submitted for: the caller's own; admins and services name it. */
function submittingUnit(p: Principal, unit: string | undefined): string {
  requirePermission(p, 'outgoing.submit');
  const scoped = unitScope(p, unit);
  if (!scoped) throw new RegistryError(400, 'unit: bắt buộc với tài khoản quản trị/dịch vụ (required for admins and services)');
  return scoped;
}

export function addinSendRoutes(rt: RegistryRuntime, blobs: BlobStore, enqueue: Enqueue): (app: FastifyInstance) => Promise<void> {
  return async (api) =>
    api.register(async (app) => {
      installErrorHandler(app);

      app.post<{ Body: { to: string[] } }>(
        '/api/addin/recipients',
        {
          config: { permission: 'directory.read' },
          schema: {
            tags: TAG,
            summary: 'Resolve recipients against the directory: each one found, or why not with the candidates it could mean',
            body: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: recipients } },
          },
        },
        async (req) => ({ items: checkRecipients(rt.config, req.body.to) }),
      );

      app.post<{ Body: SendBody }>(
        '/api/addin/send',
        {
          bodyLimit: 40 * 1024 * 1024,
          config: { permission: 'outgoing.submit' },
          schema: { tags: TAG, summary: "Submit a draft for issuance (the clerk's queue), or issue it at once where the role allows", body: sendSchema },
        },
        async (req, reply) => {
          const p = principalOf(req);
          const b = req.body;
          const input: SubmitInput = {
            unitId: submittingUnit(p, b.unit),
            to: b.to,
            subject: b.subject,
            typeCode: b.typeCode,
            typeName: b.typeName,
            signer: b.signer,
            urgency: b.urgency,
            secrecy: b.secrecy,
            body: b.body,
            note: b.note,
            files: b.files.map((f) => ({ filename: f.filename, contentType: f.contentType, content: Buffer.from(f.content, 'base64') })),
          };
          const result = b.direct
            ? await submitAndIssue(rt, blobs, enqueue, p, input, { confirmUnsigned: b.confirmUnsigned, edxml: b.edxml })
            : await submitDraft(rt, blobs, p, input);
          return reply.code(201).send(result);
        },
      );

      app.get<{ Querystring: { limit?: number } }>(
        '/api/addin/sent',
        {
          config: { permission: 'outgoing.submit' },
          schema: {
            tags: TAG,
            summary: 'My drafts submitted for issuance, newest first: queued, issued (with each recipient’s delivery and receipt) or returned',
            querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } },
          },
        },
        async (req) => {
          const p = principalOf(req);
          return { items: await issuanceList(rt.db, { submitter: { id: p.id, actor: actorOf(p) } }, req.query.limit ?? 50) };
        },
      );
    });
}
