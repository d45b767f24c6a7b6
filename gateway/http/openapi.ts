/**
 * The OpenAPI document of /api/openapi.json, made at its first request: @fastify/swagger and its
 * schema resolver load then, not when the gateway starts (docs/operations.md, "Memory"). The API's
 * routes are collected as they are registered (what @fastify/swagger's own onRoute hook keeps) and
 * given, with their schemas and config, to a Fastify instance that exists only to describe them.
 */
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';

/** @fastify/swagger's `openapi` option: the document's info and security. */
export const OPENAPI = {
  info: { title: 'vanthu API', version: '0.1.0', description: 'Official correspondence gateway (văn thư điện tử)' },
  components: { securitySchemes: { bearer: { type: 'http' as const, scheme: 'bearer' } } },
  security: [{ bearer: [] }],
};

/** Call before any route is added; the returned function answers the document (made once, after the app is ready). */
export function openApiDocument(app: FastifyInstance): () => Promise<unknown> {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    routes.push(route);
  });
  let doc: Promise<unknown> | null = null;
  return () => {
    doc ??= describe(routes).catch((err: unknown) => {
      doc = null;
      throw err;
    });
    return doc;
  };
}

async function describe(routes: RouteOptions[]): Promise<unknown> {
  const { default: swagger } = await import('@fastify/swagger');
  // HEAD routes come in the list as the app made them (Fastify adds one per GET); none is added twice.
  const shadow = Fastify({ exposeHeadRoutes: false });
  shadow.setValidatorCompiler(() => () => true);
  shadow.setSerializerCompiler(() => (data) => JSON.stringify(data));
  try {
    await shadow.register(swagger, { openapi: OPENAPI });
    for (const r of routes) shadow.route({ method: r.method, url: r.url, schema: r.schema, config: r.config, handler: async () => null });
    await shadow.ready();
    return shadow.swagger();
  } finally {
    await shadow.close();
  }
}
