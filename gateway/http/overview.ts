/** The leader's overview of a unit's work (gateway/registry/reports/overview.ts): GET /api/overview. */
import type { FastifyInstance } from 'fastify';
import { unitScope } from '../registry/access/policy.ts';
import { RegistryError } from '../registry/errors.ts';
import { leaderOverview } from '../registry/reports/overview.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { installErrorHandler, principalOf, TAG } from './registry-common.ts';

/** The unit a report is for: the caller's own (others: 403); admins any configured one or, without `unit`, every unit. */
export function reportUnit(rt: RegistryRuntime, req: Parameters<typeof principalOf>[0], unit: string | undefined): string | null {
  const scoped = unitScope(principalOf(req), unit);
  if (scoped && !rt.config.units.some((u) => u.id === scoped)) throw new RegistryError(404, `Không có đơn vị (unknown unit): ${scoped}`);
  return scoped;
}

export const monthParam = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (default: this month, Hà Nội)' } as const;

export function overviewRoutes(rt: RegistryRuntime): (app: FastifyInstance) => Promise<void> {
  return async (api) =>
    api.register(async (app) => {
      installErrorHandler(app);
      app.get<{ Querystring: { unit?: string; month?: string } }>(
        '/api/overview',
        {
          config: { permission: 'overview.read' },
          schema: {
            tags: TAG,
            summary: "The leader's overview: received, registered, in progress, overdue and done per department and officer; deadlines this week",
            querystring: { type: 'object', properties: { unit: { type: 'string' }, month: monthParam }, additionalProperties: false },
          },
        },
        async (req) => leaderOverview(rt, reportUnit(rt, req, req.query.unit), req.query.month),
      );
    });
}
