/**
 * The HTTP API (Fastify): health, readiness, OpenAPI document, and the /api routes behind bearer
 * tokens. Every /api route declares what it needs (`config: { permission }`, see
 * gateway/registry/access/policy.ts): one hook authenticates the caller and applies that declaration, and
 * the server refuses to start when an /api route declares nothing. Security headers on every
 * response (security-headers.ts).
 */
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FORBIDDEN_MESSAGE, isRouteAccess, routeDecision } from '../registry/access/policy.ts';
import { ConfigError, PROJECT_ROOT, type Config } from '../config/load.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { authenticate, UNAUTHENTICATED } from './auth.ts';
import { installAuditChannel } from './channel.ts';
import { messageRoutes, type MessagesDeps } from './messages.ts';
import { openApiDocument } from './openapi.ts';
import { apiHeaders } from './security-headers.ts';

export interface ApiDeps extends MessagesDeps {
  log: Logger;
  /**
   * The gateway's clock (the system clock unless a test sets one): the `Date` header of every answer
   * is read from it, and the console and add-in take "today" from that header (docs/console.md).
   */
  clock?: Clock;
  /** Readiness checks by name (database, redis): each throws when not ready. */
  checks: Record<string, () => Promise<void>>;
  /** Further route sets (registry, add-in, ...) registered after the core ones. */
  plugins?: Array<(app: FastifyInstance) => Promise<void>>;
  /** Route sets outside the authenticated /api scope (the add-in's static files and manifest). */
  publicPlugins?: Array<(app: FastifyInstance) => Promise<void>>;
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Per-request lines only at warn and above: a busy gateway's stderr stays readable.
    loggerInstance: deps.log.child({ component: 'http' }, { level: 'warn' }) as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    ...httpsOptions(deps.config),
  }) as unknown as FastifyInstance;
  // Raw messages are streamed straight into the durable accept, never buffered by Fastify.
  app.addContentTypeParser(['message/rfc822', 'application/octet-stream'], (_req, payload, done) => done(null, payload));

  // An /api route without a declared permission is a hole: refuse to start.
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isApiPath(route.url)) return;
    const declared = route.config?.permission;
    if (!isRouteAccess(declared)) {
      throw new Error(
        `${route.method} ${route.url}: no permission declared (config.permission must name one of gateway/registry/access/policy.ts PERMISSIONS, 'public' or 'authenticated')`,
      );
    }
  });
  // What an /api call records in the audit log says which client made it (channel.ts).
  installAuditChannel(app);
  await app.register(helmet, { global: true, ...apiHeaders(deps.config) });
  // The clients' "today" (a report's default month, overdue marks) is the gateway's calendar, not the PC's.
  const clock = deps.clock ?? systemClock;
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('date', clock.now().toUTCString());
  });
  // The single enforcement point: authenticate, then the route's declared permission.
  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config?.permission;
    if (access === undefined || access === 'public') return;
    const principal = await authenticate(deps.config.http.tokens, req);
    const decision = routeDecision(principal, access);
    if (decision === 'unauthenticated') {
      reply.header('www-authenticate', 'Bearer realm="vanthu"');
      return reply.code(401).send(UNAUTHENTICATED);
    }
    req.principal = principal!;
    if (decision === 'forbidden') return reply.code(403).send({ statusCode: 403, error: 'Forbidden', message: FORBIDDEN_MESSAGE });
  });

  const openApi = openApiDocument(app);

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const results: Record<string, string> = {};
    let ok = true;
    for (const [name, check] of Object.entries(deps.checks)) {
      try {
        await Promise.race([check(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
        results[name] = 'ok';
      } catch (err) {
        ok = false;
        results[name] = (err as Error).message;
      }
    }
    return reply.code(ok ? 200 : 503).send({ ok, checks: results });
  });
  app.get('/api/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, openApi);
  for (const plugin of deps.publicPlugins ?? []) await plugin(app);

  await app.register(async (api) => {
    await messageRoutes(api, deps);
    for (const plugin of deps.plugins ?? []) await plugin(api);
  });
  return app;
}

const isApiPath = (url: string) => url === '/api' || url.startsWith('/api/');

/** Fastify's https option when http.tls is configured (Office loads add-ins only over HTTPS). */
function httpsOptions(config: Config): { https?: { key: Buffer; cert: Buffer } } {
  const tls = config.http.tls;
  if (!tls) return {};
  const read = (key: 'key' | 'cert') => {
    const file = path.resolve(PROJECT_ROOT, tls[key]);
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(config.sources.at(-1) ?? 'config', `http.tls.${key}`, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  };
  return { https: { key: read('key'), cert: read('cert') } };
}
