/** The registry's route sets for buildApi: `plugins` (the /api routes) and `publicPlugins` (login). */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { userPrincipal, type Principal, type UserRole } from '../registry/access/policy.ts';
import { acceptSessionTokens } from './auth.ts';
import { LoginThrottle } from '../registry/users/login-throttle.ts';
import type { RegistryRuntime } from '../registry/runtime.ts';
import { sessionUser } from '../registry/users/users.ts';
import { actionRoutes } from './actions.ts';
import { adminRoutes } from './admin.ts';
import { loginRoute, sessionRoutes } from './login.ts';
import { installErrorHandler } from './registry-common.ts';
import { documentRoutes } from './documents.ts';
import { deadlineRequestRoutes } from './deadline-requests.ts';
import type { Mailer } from '../registry/ports.ts';
import { meetingRoutes } from './meetings.ts';

/**
 * `redis`: where the login throttle keeps its counters (shared by the gateways of one Redis); in process when null.
 * `mailer`: the registry's mailer, for the mails a route sends itself (an extension decision to the officer).
 */
export function registryApi(
  rt: RegistryRuntime,
  redis: Redis | null = null,
  mailer: Mailer | null = null,
): { plugins: Array<(app: FastifyInstance) => Promise<void>>; publicPlugins: Array<(app: FastifyInstance) => Promise<void>> } {
  acceptSessionTokens(rt.config.http.tokens, async (token): Promise<Principal | null> => {
    const u = await sessionUser(rt.db, token, rt.clock);
    return u ? userPrincipal({ ...u, role: u.role as UserRole }) : null;
  });
  const throttle = new LoginThrottle(rt.config.registry.loginThrottle, redis, rt.config.redis.prefix);
  const routes = [
    sessionRoutes(rt),
    documentRoutes(rt),
    actionRoutes(rt, mailer),
    adminRoutes(rt),
    deadlineRequestRoutes(rt, mailer),
    meetingRoutes(rt, mailer),
  ];
  return {
    // One encapsulated scope: the error handler applies to the registry's routes only.
    plugins: [
      async (api) =>
        api.register(async (scope) => {
          installErrorHandler(scope);
          for (const r of routes) await r(scope);
        }),
    ],
    publicPlugins: [async (app) => void (await loginRoute(rt, throttle)(app))],
  };
}
