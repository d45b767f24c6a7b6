/** Books (print as JSON/CSV/XLSX/PDF), outgoing numbering, users, audit verification. */
import type { FastifyInstance } from 'fastify';
import { authorizeUnit, unitScope } from '../registry/access/policy.ts';
import { verifyAudit } from '../registry/audit.ts';
import { bookCsv, bookTable, bookXlsx } from '../registry/books/book-data.ts';
import { registerOutgoing } from '../registry/books/books.ts';
import { SECRECIES, URGENCIES } from '../outgoing/marks.ts';
import { localDate } from '../clock.ts';
import { ROLES, type UserRole } from '../config/registry.ts';
import { RegistryError } from '../registry/errors.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { addUser, listUsers } from '../registry/users/users.ts';
import { actorOf } from '../registry/workflow/workflow.ts';
import { principalOf, TAG } from './registry-common.ts';
import { filterProperties, statusList } from './documents.ts';

const CONTENT = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pdf: 'application/pdf' } as const;

export function adminRoutes(rt: RegistryRuntime) {
  return async (app: FastifyInstance) => {
    app.get<{
      Params: { unit: string; year: number };
      Querystring: {
        kind?: 'incoming' | 'outgoing';
        format?: 'json' | 'csv' | 'xlsx' | 'pdf';
        q?: string;
        status?: string;
        typeCode?: string;
        issuer?: string;
        urgency?: string;
      };
    }>(
      '/api/books/:unit/:year',
      {
        config: { permission: 'books.read' },
        schema: {
          tags: TAG,
          summary: 'A book (incoming or outgoing) of a unit and year, as JSON or printable PDF/CSV/XLSX',
          params: {
            type: 'object',
            properties: { unit: { type: 'string' }, year: { type: 'integer', minimum: 1900, maximum: 9999 } },
            required: ['unit', 'year'],
          },
          querystring: {
            type: 'object',
            properties: {
              kind: { type: 'string', enum: ['incoming', 'outgoing'], default: 'incoming' },
              format: { type: 'string', enum: ['json', 'csv', 'xlsx', 'pdf'], default: 'json' },
              // The incoming book printed as the console shows it filtered: GET /api/documents' filters.
              ...filterProperties,
            },
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        authorizeUnit(p, 'books.read', req.params.unit);
        if (!rt.config.units.some((u) => u.id === req.params.unit)) throw new RegistryError(404, `Không có đơn vị (unknown unit): ${req.params.unit}`);
        const departments = rt.config.registry.units[req.params.unit]?.departments ?? [];
        const { kind = 'incoming', q, status, typeCode, issuer, urgency } = req.query;
        const filter = { q, status: statusList(status), typeCode, issuer, urgency };
        if (kind === 'outgoing' && Object.values(filter).some((v) => v !== undefined))
          throw new RegistryError(400, 'Sổ văn bản đi không lọc được (filters apply to the incoming book only)');
        const table = await bookTable(rt.db, req.params.unit, req.params.year, kind, rt.config.units, departments, rt.tz, filter);
        const format = req.query.format ?? 'json';
        if (format === 'json') return table;
        const body =
          format === 'csv'
            ? bookCsv(table)
            : format === 'xlsx'
              ? await bookXlsx(table)
              : await (await import('../registry/books/book-pdf.ts')).bookPdf(table, localDate(rt.clock.now(), rt.tz).split('-').reverse().join('/'));
        reply.header('content-type', CONTENT[format]);
        reply.header('content-disposition', `attachment; filename="so-${table.kind}-${table.unitId}-${table.year}.${format}"`);
        return reply.send(body);
      },
    );

    app.post<{
      Body: {
        unit: string;
        codeSuffix: string;
        typeCode?: string;
        typeName?: string;
        subject?: string;
        signer?: string;
        recipients?: string[];
        keepingUnit?: string;
        copies?: number;
        remarks?: string;
        urgency?: string;
        secrecy?: string;
      };
    }>(
      '/api/books/outgoing',
      {
        config: { permission: 'books.number' },
        schema: {
          tags: TAG,
          summary: 'Take the next outgoing number and record the entry (sổ văn bản đi)',
          body: {
            type: 'object',
            properties: {
              unit: { type: 'string' },
              codeSuffix: { type: 'string', minLength: 1 },
              typeCode: { type: 'string' },
              typeName: { type: 'string' },
              subject: { type: 'string' },
              signer: { type: 'string' },
              recipients: { type: 'array', items: { type: 'string' } },
              keepingUnit: { type: 'string' },
              copies: { type: 'integer', minimum: 0 },
              remarks: { type: 'string' },
              // A document sent outside the gateway may be secret: the book records both marks (migration 0017).
              urgency: { type: 'string', enum: URGENCIES },
              secrecy: { type: 'string', enum: SECRECIES },
            },
            required: ['unit', 'codeSuffix'],
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        authorizeUnit(p, 'books.number', req.body.unit);
        const { unit, ...rest } = req.body;
        return reply.code(201).send(await registerOutgoing(rt.db, { unitId: unit, ...rest }, actorOf(p), rt.clock, rt.tz));
      },
    );

    app.get<{ Querystring: { unit?: string } }>(
      '/api/users',
      {
        config: { permission: 'users.read' },
        schema: { tags: TAG, summary: 'Users of a unit (admins: any unit)', querystring: { type: 'object', properties: { unit: { type: 'string' } } } },
      },
      async (req) => {
        return { items: await listUsers(rt.db, unitScope(principalOf(req), req.query.unit)) };
      },
    );

    app.post<{ Body: { email: string; name: string; unit: string; role: UserRole; department?: string; password?: string; source?: 'local' | 'ldap' } }>(
      '/api/users',
      {
        config: { permission: 'users.manage' },
        schema: {
          tags: TAG,
          summary: 'Add a user (admins)',
          body: {
            type: 'object',
            properties: {
              email: { type: 'string' },
              name: { type: 'string' },
              unit: { type: 'string' },
              role: { type: 'string', enum: [...ROLES] },
              department: { type: 'string' },
              password: { type: 'string' },
              source: { type: 'string', enum: ['local', 'ldap'] },
            },
            required: ['email', 'name', 'unit', 'role'],
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const p = principalOf(req);
        authorizeUnit(p, 'users.manage', req.body.unit);
        const { unit, ...rest } = req.body;
        return reply.code(201).send(await addUser(rt.db, rt.config, { ...rest, unitId: unit }, actorOf(p), rt.clock));
      },
    );

    app.get(
      '/api/audit/verify',
      { config: { permission: 'audit.verify' }, schema: { tags: TAG, summary: 'Check the hash chain of the audit log (admins)' } },
      async () => verifyAudit(rt.db),
    );
  };
}
