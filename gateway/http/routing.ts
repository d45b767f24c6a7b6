/**
 * The routing rules of incoming documents (gateway/registry/workflow/routing-rules.ts) for the
 * console's admin page: read (leaders: their unit; admins: every unit or one), replace a unit's list,
 * or go back to the configuration's rules. Every change is audited.
 */
import type { FastifyInstance } from 'fastify';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { listRules, resetRules, saveRules } from '../registry/workflow/routing-rules.ts';
import { installErrorHandler, principalOf, TAG } from './registry-common.ts';

const unitParams = { type: 'object', properties: { unit: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['unit'] } as const;
const rule = {
  type: 'object',
  properties: {
    recipient: { type: 'string', maxLength: 320, description: 'the unit address the document was sent to' },
    issuer: { type: 'string', maxLength: 300, description: 'words the issuer contains (diacritics-insensitive)' },
    typeCode: { type: 'string', maxLength: 10, description: 'Decree 30 type code: CV, QĐ, KH …' },
    keywords: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 }, description: 'any of them in the subject or text' },
    department: { type: 'string', minLength: 1, maxLength: 100 },
    officer: { type: 'string', maxLength: 320, description: 'e-mail of an officer of the unit' },
  },
  required: ['department'],
  additionalProperties: false,
} as const;

export function routingRoutes(rt: RegistryRuntime) {
  return async (root: FastifyInstance): Promise<void> =>
    root.register(async (app) => {
      installErrorHandler(app);
      app.get<{ Querystring: { unit?: string } }>(
        '/api/routing-rules',
        {
          config: { permission: 'routing.read' },
          schema: {
            tags: TAG,
            summary: 'The routing rules in force per unit (edited here, or from the configuration), in order',
            querystring: { type: 'object', properties: { unit: { type: 'string' } }, additionalProperties: false },
          },
        },
        async (req) => listRules(rt, principalOf(req), req.query.unit),
      );
      app.put<{ Params: { unit: string }; Body: { rules: unknown[] } }>(
        '/api/routing-rules/:unit',
        {
          config: { permission: 'routing.manage' },
          schema: {
            tags: TAG,
            summary: "Replace a unit's routing rules (the first that matches wins); audited",
            params: unitParams,
            body: { type: 'object', properties: { rules: { type: 'array', maxItems: 500, items: rule } }, required: ['rules'], additionalProperties: false },
          },
        },
        async (req) => saveRules(rt, principalOf(req), req.params.unit, req.body.rules),
      );
      app.delete<{ Params: { unit: string } }>(
        '/api/routing-rules/:unit',
        {
          config: { permission: 'routing.manage' },
          schema: { tags: TAG, summary: "Drop a unit's edited rules: the configuration's apply again; audited", params: unitParams },
        },
        async (req) => resetRules(rt, principalOf(req), req.params.unit),
      );
    });
}
