/** Shared pieces of the registry's routes: the principal of a request, errors, schema fragments. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../registry/access/policy.ts';
import { RegistryError } from '../registry/errors.ts';

/** The caller, as the access hook of gateway/http/server.ts established it. */
export function principalOf(req: FastifyRequest): Principal {
  const p = req.principal;
  if (!p) throw new RegistryError(401, 'Chưa đăng nhập (not authenticated)');
  return p;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** Registry errors answer with their status; validation errors with 400; anything else is logged as 500. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply: FastifyReply) => {
    if (err instanceof RegistryError)
      return reply.code(err.status).send({ ...err.details, statusCode: err.status, error: TITLES[err.status] ?? 'Error', message: err.message });
    if (err.validation)
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: `Dữ liệu không hợp lệ (invalid request): ${err.message}` });
    if (err.statusCode && err.statusCode < 500)
      return reply.code(err.statusCode).send({ statusCode: err.statusCode, error: TITLES[err.statusCode] ?? 'Error', message: err.message });
    req.log.error({ err: err.message, stack: err.stack }, 'registry route failed');
    return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'Lỗi hệ thống (internal error)' });
  });
}

export const idParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9A-Z]{26}$' } }, required: ['id'] } as const;
export const TAG = ['registry'];
