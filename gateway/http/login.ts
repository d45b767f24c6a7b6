/** POST /api/auth/login (public, throttled), POST /api/auth/logout, GET /api/auth/me. */
import type { FastifyInstance } from 'fastify';
import { bearerToken } from './auth.ts';
import { RegistryError } from '../registry/errors.ts';
import type { LoginThrottle } from '../registry/users/login-throttle.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { loginAttempt, logout, recordLoginFailure } from '../registry/users/users.ts';
import { installErrorHandler, principalOf, TAG } from './registry-common.ts';

const WRONG = 'Sai email hoặc mật khẩu (wrong e-mail or password)';

export function loginRoute(rt: RegistryRuntime, throttle: LoginThrottle) {
  return async (app: FastifyInstance) =>
    app.register(async (scope) => {
      installErrorHandler(scope);
      scope.post<{ Body: { email: string; password: string } }>(
        '/api/auth/login',
        {
          config: { permission: 'public' },
          schema: {
            tags: TAG,
            summary:
              'Log in with e-mail and password (local or LDAP); answers a bearer token with its expiry. Failures are throttled per account and per IP (429 with Retry-After).',
            security: [],
            body: {
              type: 'object',
              properties: { email: { type: 'string', minLength: 3 }, password: { type: 'string', minLength: 1 } },
              required: ['email', 'password'],
              additionalProperties: false,
            },
          },
        },
        async (req, reply) => {
          const { email, password } = req.body;
          const blocked = await throttle.check(email, req.ip);
          if (blocked.retryAfter) {
            await recordLoginFailure(rt.db, { email, ip: req.ip, reason: 'throttled', userId: null, retryAfter: blocked.retryAfter }, rt.clock);
            return reply
              .code(429)
              .header('retry-after', String(blocked.retryAfter))
              .send({
                statusCode: 429,
                error: 'Too Many Requests',
                message: `Đăng nhập sai quá nhiều lần, hãy thử lại sau ${blocked.retryAfter} giây (too many failed logins; retry after ${blocked.retryAfter} s)`,
              });
          }
          const r = await loginAttempt(rt.db, rt.config, email, password, rt.clock);
          if (!r.ok) {
            await recordLoginFailure(rt.db, { email, ip: req.ip, reason: r.reason, userId: r.userId }, rt.clock);
            await throttle.failed(email, req.ip);
            throw new RegistryError(401, WRONG);
          }
          await throttle.succeeded(email);
          return r.session;
        },
      );
    });
}

export function sessionRoutes(rt: RegistryRuntime) {
  return async (app: FastifyInstance) => {
    app.post(
      '/api/auth/logout',
      { config: { permission: 'authenticated' }, schema: { tags: TAG, summary: 'End the session of this bearer token' } },
      async (req, reply) => {
        const token = bearerToken(req);
        if (token && req.principal?.kind === 'user') await logout(rt.db, token);
        return reply.code(204).send();
      },
    );
    app.get('/api/auth/me', { config: { permission: 'authenticated' }, schema: { tags: TAG, summary: 'Who this token is: user, role, unit' } }, async (req) => {
      const p = principalOf(req);
      const unit = p.unitId ? rt.config.units.find((u) => u.id === p.unitId) : null;
      return { ...p, unitName: unit?.name ?? null };
    });
  };
}
