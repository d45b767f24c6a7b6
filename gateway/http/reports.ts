/**
 * The province's report on the use of electronic documents (GET /api/reports/usage, JSON, XLSX or
 * PDF) and the trail of outgoing documents (GET /api/outgoing/trail); gateway/registry/reports/.
 */
import type { FastifyInstance } from 'fastify';
import { localYear } from '../clock.ts';
import { outgoingTrail } from '../registry/reports/trail.ts';
import { usageReport } from '../registry/reports/usage.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { monthParam, reportUnit } from './overview.ts';
import { installErrorHandler, TAG } from './registry-common.ts';

const CONTENT = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pdf: 'application/pdf' } as const;

export function reportRoutes(rt: RegistryRuntime): (app: FastifyInstance) => Promise<void> {
  return async (api) =>
    api.register(async (app) => {
      installErrorHandler(app);

      app.get<{ Querystring: { unit?: string; month?: string; format?: 'json' | 'xlsx' | 'pdf' } }>(
        '/api/reports/usage',
        {
          config: { permission: 'reports.read' },
          schema: {
            tags: TAG,
            summary: 'The report on the use of electronic documents, per unit and month, against the configured targets (JSON, XLSX or PDF)',
            querystring: {
              type: 'object',
              properties: { unit: { type: 'string' }, month: monthParam, format: { type: 'string', enum: ['json', 'xlsx', 'pdf'], default: 'json' } },
              additionalProperties: false,
            },
          },
        },
        async (req, reply) => {
          const unit = reportUnit(rt, req, req.query.unit);
          const report = await usageReport(rt, unit ? [unit] : rt.config.units.map((u) => u.id), req.query.month);
          const format = req.query.format ?? 'json';
          if (format === 'json') return report;
          // The export (pdf-lib, fontkit, the XLSX writer) loads with the first download (docs/operations.md, "Memory").
          const { usagePdf, usageXlsx } = await import('../registry/reports/usage-export.ts');
          const body = format === 'xlsx' ? await usageXlsx(report) : await usagePdf(report, rt.tz);
          reply.header('content-type', CONTENT[format]);
          reply.header('content-disposition', `attachment; filename="bao-cao-vbdt-${unit ?? 'all'}-${report.month}.${format}"`);
          return reply.send(body);
        },
      );

      app.get<{ Querystring: { unit?: string; year?: number; limit?: number; offset?: number } }>(
        '/api/outgoing/trail',
        {
          config: { permission: 'outgoing.read' },
          schema: {
            tags: ['outgoing'],
            summary: 'Outgoing documents of a unit, newest first, each with its trail per recipient: numbered, signed, sent, delivered, receipt',
            querystring: {
              type: 'object',
              properties: {
                unit: { type: 'string' },
                year: { type: 'integer', minimum: 1900, maximum: 9999 },
                limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
                offset: { type: 'integer', minimum: 0, default: 0 },
              },
              additionalProperties: false,
            },
          },
        },
        async (req) => {
          const unitId = reportUnit(rt, req, req.query.unit);
          const year = req.query.year ?? localYear(rt.clock.now(), rt.tz);
          return { year, ...(await outgoingTrail(rt, { unitId, year, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 })) };
        },
      );
    });
}
