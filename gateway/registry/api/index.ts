/** The registry's route sets for buildApi: `plugins` (behind the bearer guard) and `publicPlugins` (login). */
import type { FastifyInstance } from 'fastify';
import { acceptSessionTokens, type ApiPrincipal } from '../../api/auth.ts';
import type { Role } from '../config-schema.ts';
import type { RegistryRuntime } from '../runtime.ts';
import { sessionUser } from '../users.ts';
import { actionRoutes } from './action-routes.ts';
import { adminRoutes } from './admin-routes.ts';
import { loginRoute, sessionRoutes } from './auth-routes.ts';
import { installErrorHandler } from './common.ts';
import { documentRoutes } from './document-routes.ts';

export function registryApi(rt: RegistryRuntime): { plugins: Array<(app: FastifyInstance) => Promise<void>>; publicPlugins: Array<(app: FastifyInstance) => Promise<void>> } {
  acceptSessionTokens(rt.config.http.tokens, async (token): Promise<ApiPrincipal | null> => {
    const u = await sessionUser(rt.db, token, rt.clock);
    return u ? { name: u.name, user: { id: u.id, email: u.email, role: u.role as Role, unitId: u.unitId, department: u.department } } : null;
  });
  const routes = [sessionRoutes(rt), documentRoutes(rt), actionRoutes(rt), adminRoutes(rt)];
  return {
    // One encapsulated scope: the error handler applies to the registry's routes only.
    plugins: [
      async (api) =>
        api.register(async (scope) => {
          installErrorHandler(scope);
          for (const r of routes) await r(scope);
        }),
    ],
    publicPlugins: [async (app) => void (await loginRoute(rt)(app))],
  };
}
