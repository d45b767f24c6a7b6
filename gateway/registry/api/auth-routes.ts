/** POST /api/auth/login (public), POST /api/auth/logout, GET /api/auth/me. */
import type { FastifyInstance } from 'fastify';
import { RegistryError } from '../errors.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { login, logout } from '../users.ts';
import { installErrorHandler, principalOf, TAG } from './common.ts';

export function loginRoute(rt: RegistryRuntime) {
  return async (app: FastifyInstance) =>
    app.register(async (scope) => {
      installErrorHandler(scope);
      scope.post<{ Body: { email: string; password: string } }>(
        '/api/auth/login',
        {
          schema: {
            tags: TAG,
            summary: 'Log in with e-mail and password (local or LDAP); answers a bearer token with its expiry',
            security: [],
            body: { type: 'object', properties: { email: { type: 'string', minLength: 3 }, password: { type: 'string', minLength: 1 } }, required: ['email', 'password'], additionalProperties: false },
          },
        },
        async (req) => {
          const r = await login(rt.db, rt.config, req.body.email, req.body.password, rt.clock);
          if (!r) throw new RegistryError(401, 'Sai email hoặc mật khẩu (wrong e-mail or password)');
          return r;
        },
      );
    });
}

export function sessionRoutes(rt: RegistryRuntime) {
  return async (app: FastifyInstance) => {
    app.post('/api/auth/logout', { schema: { tags: TAG, summary: 'End the session of this bearer token' } }, async (req, reply) => {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (token && req.principal?.user) await logout(rt.db, token);
      return reply.code(204).send();
    });
    app.get('/api/auth/me', { schema: { tags: TAG, summary: 'Who this token is: user, role, unit' } }, async (req) => {
      const p = principalOf(req);
      const unit = p.unitId ? rt.config.units.find((u) => u.id === p.unitId) : null;
      return { ...p, unitName: unit?.name ?? null };
    });
  };
}
